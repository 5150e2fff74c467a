"""Custom attributes: an admin defines them; every card shows them; required ones are enforced."""

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client, CustomAttribute, CustomValue
from app.extensions import db
from tests import factories
from tests.clients.test_card import CARD


def define(admin, **fields):
    response = admin.submit("/clients/attributes/new", **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(
        sa.select(CustomAttribute).where(CustomAttribute.name == fields["name"])
    )


def test_admin_defines_attributes_and_they_appear_on_every_card(login_as):
    admin = login_as("admin")
    old = factories.make_client()
    db.session.commit()
    define(admin, name="Horario de atención", kind="text", help_text="Ej. 8 a 13", active="y")
    define(
        admin, name="Rubro", kind="choice", choices_text="Almacén\nKiosco\nAlmacén\n", active="y"
    )
    rubro = db.session.scalar(sa.select(CustomAttribute).where(CustomAttribute.name == "Rubro"))
    assert rubro.choices == ["Almacén", "Kiosco"]
    page = admin.get(f"/clients/{old.id}/edit").get_data(as_text=True)
    assert "Horario de atención" in page and "Ej. 8 a 13" in page and "Kiosco" in page
    assert "Horario de atención" in admin.get("/clients/new").get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEntry.action)) == "attribute.create"


def test_a_choice_attribute_needs_options(login_as):
    admin = login_as("admin")
    response = admin.submit("/clients/attributes/new", name="Rubro", kind="choice", active="y")
    assert response.status_code == 422
    assert "Escribí al menos una opción." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomAttribute)) == 0


def test_a_required_attribute_is_enforced_on_save(login_as):
    admin = login_as("admin")
    visit = define(
        admin,
        name="Día de visita",
        kind="choice",
        choices_text="Lunes\nMartes",
        required="y",
        active="y",
    )
    office = login_as("backoffice")
    response = office.submit("/clients/new", **CARD)
    assert response.status_code == 422
    assert "Este campo es obligatorio." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 0

    response = office.submit("/clients/new", **CARD, **{f"attr_{visit.id}": "Martes"})
    assert response.status_code == 303
    client = db.session.scalar(sa.select(Client))
    assert db.session.get(CustomValue, (client.id, visit.id)).value == "Martes"
    card = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Día de visita" in card and "Martes" in card


def test_values_are_typed_and_changes_are_audited(login_as):
    admin = login_as("admin")
    since = define(admin, name="Cliente desde", kind="date", active="y")
    sign = define(admin, name="Tiene cartel", kind="yes_no", active="y")
    mail = define(admin, name="Correo de compras", kind="email", active="y")
    client = factories.make_client(code="C000777", legal_name="Gómez S.A.")
    db.session.commit()
    edit = f"/clients/{client.id}/edit"
    base = CARD | {"code": "C000777", "legal_name": "Gómez S.A."}
    bad = admin.submit(edit, **base, **{f"attr_{mail.id}": "compras@", f"attr_{since.id}": "ayer"})
    assert bad.status_code == 422
    assert "El correo no es válido." in bad.get_data(as_text=True)
    good = admin.submit(
        edit,
        **base,
        **{
            f"attr_{since.id}": "2019-03-01",
            f"attr_{sign.id}": "y",
            f"attr_{mail.id}": "compras@gomez.com",
        },
    )
    assert good.status_code == 303
    assert db.session.get(CustomValue, (client.id, since.id)).value == "2019-03-01"
    assert db.session.get(CustomValue, (client.id, sign.id)).value == "true"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "client.attributes"))
    assert entry.after == {
        "Cliente desde": "2019-03-01",
        "Tiene cartel": "true",
        "Correo de compras": "compras@gomez.com",
    }
    page = admin.get(edit).get_data(as_text=True)
    assert 'value="2019-03-01"' in page and "compras@gomez.com" in page
    assert "Sí" in admin.get(f"/clients/{client.id}").get_data(as_text=True)


def test_only_admins_manage_attributes(login_as):
    assert login_as("backoffice").get("/clients/attributes/").status_code == 403
    assert login_as("admin").get("/clients/attributes/").status_code == 200
