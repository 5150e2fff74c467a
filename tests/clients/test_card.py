"""The client card: create, edit, state and credit actions, notes, trash, scope and audit."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients import views as client_views
from app.clients.models import AuthorizedPickup, Client, ClientNote
from app.core.types import local_today
from app.extensions import db
from app.taxes import services as tax_services
from app.taxes.models import IibbJurisdiction, IibbRate
from tests import factories


def fresh(client_id: int) -> Client:
    db.session.expire_all()
    return db.session.get(Client, client_id)


def audit_actions(client_id: int) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.entity_type == "client", AuditEntry.entity_id == str(client_id))
        .order_by(AuditEntry.id)
    ).all()


def notes_of(client_id: int) -> list[str]:
    return db.session.scalars(
        sa.select(ClientNote.text).where(ClientNote.client_id == client_id).order_by(ClientNote.id)
    ).all()


CARD = {
    "code": "C900001",
    "kind": "person",
    "legal_name": "Núñez, José",
    "last_name": "Núñez",
    "first_name": "José",
    "trade_name": "Almacén Don José",
    "tax_id_type": "CUIT",
    "tax_id": "20123456786",
    "country": "AR",
    "email": "donjose@example.com",
    "phone": "011 4555-1234",
    "state": "active",
    "currency": "ARS",
    "payment_methods": ["cash", "current_account"],
    "default_payment_method": "cash",
    "iva_condition": "Monotributo",
    "delivery_note_copies": "2",
    "invoice_copies": "1",
    "street": "Av. San Martín 1234",
    "city": "San Isidro",
    "province": "Buenos Aires",
}


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


def test_back_office_creates_a_client_with_an_audit_row(office):
    response = office.submit("/clients/new", **CARD)
    assert response.status_code == 303, response.get_data(as_text=True)
    client = db.session.scalar(sa.select(Client).where(Client.code == "C900001"))
    assert client.trade_name == "Almacén Don José"
    assert client.payment_methods == ["cash", "current_account"]
    assert client.delivery_note_copies == 2
    assert audit_actions(client.id) == ["client.create"]
    page = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Almacén Don José" in page and "Monotributo" in page


def test_the_new_client_form_suggests_the_next_code(office):
    factories.make_client(code="C000041")
    db.session.commit()
    page = office.get("/clients/new").get_data(as_text=True)
    assert 'value="C000042"' in page


def test_bad_fields_are_refused_in_spanish_and_nothing_is_written(office):
    bad = CARD | {"legal_name": "", "email": "no", "cbu": "123", "default_payment_method": "card"}
    response = office.submit("/clients/new", **bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Este campo es obligatorio." in page
    assert "El correo no es válido." in page
    assert "El CBU tiene 22 dígitos." in page
    assert "Tiene que ser una de las formas de pago permitidas." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_a_duplicate_code_is_refused(office):
    factories.make_client(code="C900001")
    db.session.commit()
    response = office.submit("/clients/new", **CARD)
    assert response.status_code == 422
    assert "Ya existe un cliente con ese código." in response.get_data(as_text=True)


def test_editing_records_before_and_after(office):
    client = factories.make_client(trade_name="Kiosco Viejo")
    db.session.commit()
    form_page = f"/clients/{client.id}/edit"
    current = office.get(form_page).get_data(as_text=True)
    assert "Kiosco Viejo" in current
    data = CARD | {
        "code": client.code,
        "legal_name": client.legal_name,
        "trade_name": "Kiosco Nuevo",
    }
    response = office.submit(form_page, **data)
    assert response.status_code == 303
    assert fresh(client.id).trade_name == "Kiosco Nuevo"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "client.update"))
    assert entry.before["trade_name"] == "Kiosco Viejo"
    assert entry.after["trade_name"] == "Kiosco Nuevo"
    assert "code" not in entry.after


@pytest.mark.parametrize(
    ("action", "field", "value", "note"),
    [
        ("deactivate", "state", "disabled", "Cliente inhabilitado."),
        ("block-credit", "credit_blocked", True, "Crédito bloqueado."),
    ],
)
def test_state_actions_leave_an_automatic_note_and_an_audit_row(office, action, field, value, note):
    client = factories.make_client()
    db.session.commit()
    card = f"/clients/{client.id}"
    response = office.submit(card, f"{card}/{action}", reason="Cheque rechazado")
    assert response.status_code == 303
    assert getattr(fresh(client.id), field) == value
    assert notes_of(client.id) == [note, "Cheque rechazado"]
    assert "client.update" in audit_actions(client.id)


def test_reactivate_and_unblock_undo_the_actions(office):
    client = factories.make_client(state="disabled", credit_blocked=True)
    db.session.commit()
    card = f"/clients/{client.id}"
    office.submit(card, f"{card}/reactivate")
    office.submit(card, f"{card}/unblock-credit")
    client = fresh(client.id)
    assert client.state == "active" and client.credit_blocked is False
    assert notes_of(client.id) == ["Cliente activado.", "Crédito desbloqueado."]


def test_trash_and_restore(office):
    client = factories.make_client(trade_name="Almacén Borrable")
    db.session.commit()
    card = f"/clients/{client.id}"
    response = office.submit(card, f"{card}/trash")
    assert response.headers["Location"] == "/clients/trash"
    assert fresh(client.id).deleted_at is not None
    assert "Almacén Borrable" not in office.get("/clients/").get_data(as_text=True)
    assert "Almacén Borrable" in office.get("/clients/trash").get_data(as_text=True)
    response = office.submit("/clients/trash", f"{card}/restore")
    assert response.status_code == 303
    assert fresh(client.id).deleted_at is None
    assert "Almacén Borrable" in office.get("/clients/").get_data(as_text=True)
    assert audit_actions(client.id)[-2:] == ["client.trash", "client.restore"]


def test_salesperson_reads_own_card_adds_notes_but_cannot_edit(login_as):
    seller = login_as("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id, trade_name="Kiosco Propio")
    db.session.commit()
    card = f"/clients/{client.id}"
    page = seller.get(card).get_data(as_text=True)
    assert "Kiosco Propio" in page and "Editar ficha" not in page
    response = seller.submit(card, f"{card}/notes", text="Atiende después de las 10")
    assert response.status_code == 303
    assert notes_of(client.id) == ["Atiende después de las 10"]
    assert seller.get(f"{card}/edit").status_code == 403
    assert seller.submit(card, f"{card}/trash").status_code == 403
    assert fresh(client.id).deleted_at is None


def test_an_empty_note_is_refused(login_as):
    seller = login_as("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    card = f"/clients/{client.id}"
    response = seller.submit(card, f"{card}/notes", text="  ")
    assert response.status_code == 422
    assert "Este campo es obligatorio." in response.get_data(as_text=True)
    assert notes_of(client.id) == []


def test_another_salespersons_client_is_404_by_id(login_as):
    seller = login_as("salesperson")
    other = factories.make_user("salesperson")
    client = factories.make_client(salesperson_id=other.id)
    db.session.commit()
    card = f"/clients/{client.id}"
    assert seller.get(card).status_code == 404
    assert seller.get(f"{card}/pickups/verify?document=1").status_code == 404
    own = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    assert seller.submit(f"/clients/{own.id}", f"{card}/notes", text="x").status_code == 404
    assert notes_of(client.id) == []


def test_search_ignores_accents_and_case(login_as):
    office = login_as("backoffice")
    factories.make_client(legal_name="NUNEZ HNOS S.A.", trade_name="Distribuidora Norte")
    factories.make_client(legal_name="Pérez, Ana", trade_name="Kiosco Ana")
    db.session.commit()
    page = office.get("/clients/?q=Nuñez").get_data(as_text=True)
    assert "Distribuidora Norte" in page and "Kiosco Ana" not in page
    page = office.get("/clients/?q=PEREZ ana").get_data(as_text=True)
    assert "Kiosco Ana" in page and "Distribuidora Norte" not in page


def test_filters_by_state_and_credit(login_as):
    office = login_as("backoffice")
    factories.make_client(trade_name="Moroso Uno", state="delinquent")
    factories.make_client(trade_name="Bloqueado Dos", credit_blocked=True)
    factories.make_client(trade_name="Normal Tres")
    db.session.commit()
    page = office.get("/clients/?state=delinquent").get_data(as_text=True)
    assert "Moroso Uno" in page and "Normal Tres" not in page
    page = office.get("/clients/?credit=blocked").get_data(as_text=True)
    assert "Bloqueado Dos" in page and "Normal Tres" not in page


def test_pickup_verification(login_as):
    seller = login_as("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id)
    today = local_today()
    db.session.add_all(
        [
            AuthorizedPickup(client_id=client.id, name="Rosa Gómez", document="23.456.789"),
            AuthorizedPickup(
                client_id=client.id,
                name="Vencido Pérez",
                document="30111222",
                valid_to=today - timedelta(days=1),
            ),
        ]
    )
    db.session.commit()
    verify = f"/clients/{client.id}/pickups/verify"
    ok = seller.get(f"{verify}?document=23456789", headers={"HX-Request": "true"})
    body = ok.get_data(as_text=True)
    assert "<html" not in body
    assert "Puede retirar" in body and "Rosa Gómez" in body
    expired = seller.get(f"{verify}?document=30.111.222").get_data(as_text=True)
    assert "No puede retirar" in expired
    unknown = seller.get(f"{verify}?document=99999999").get_data(as_text=True)
    assert "No puede retirar" in unknown


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 12, 6, 23, 30, tzinfo=UTC),  # 20:30 in Buenos Aires, the 6th
        datetime(2026, 12, 7, 1, 30, tzinfo=UTC),  # 22:30 in Buenos Aires, still the 6th
    ],
    ids=["20:30", "22:30"],
)
def test_pickup_check_goes_by_the_companys_date_not_the_servers(login_as, frozen_clock, instant):
    frozen_clock(instant, client_views)
    seller = login_as("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id)
    db.session.add_all(
        [
            AuthorizedPickup(
                client_id=client.id,
                name="Hasta Hoy",
                document="20111222",
                valid_to=date(2026, 12, 6),
            ),
            AuthorizedPickup(
                client_id=client.id,
                name="Desde Mañana",
                document="20333444",
                valid_from=date(2026, 12, 7),
            ),
        ]
    )
    db.session.commit()
    verify = f"/clients/{client.id}/pickups/verify"
    until_today = seller.get(f"{verify}?document=20111222").get_data(as_text=True)
    assert "Puede retirar" in until_today and "Hasta Hoy" in until_today
    from_tomorrow = seller.get(f"{verify}?document=20333444").get_data(as_text=True)
    assert "No puede retirar" in from_tomorrow


def test_card_iibb_rate_goes_by_the_companys_date_not_the_servers(login_as, frozen_clock):
    frozen_clock(datetime(2026, 12, 7, 1, 30, tzinfo=UTC), client_views, tax_services)
    seller = login_as("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id, province="Buenos Aires")
    arba = IibbJurisdiction(
        code="902", name="Buenos Aires", province="Buenos Aires", default_rate=Decimal("6.00")
    )
    db.session.add(arba)
    db.session.flush()
    for start, end, rate in [
        (date(2026, 11, 1), date(2026, 12, 6), "2.50"),
        (date(2026, 12, 7), date(2026, 12, 31), "3.00"),
    ]:
        db.session.add(
            IibbRate(
                jurisdiction_id=arba.id,
                tax_id=client.tax_id,
                published_on=start - timedelta(days=1),
                valid_from=start,
                valid_to=end,
                rate=Decimal(rate),
                contributor_type="D",
                rate_group="01",
            )
        )
    db.session.commit()
    page = seller.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "2,50 % (padrón ARBA vigente hasta 06/12/2026)" in page  # 22:30 of the 6th locally


def test_a_family_page_lists_its_clients_in_scope(login_as):
    from app.clients.reference import Family

    seller = login_as("salesperson")
    group = Family(name="Grupo Gómez Hnos.")
    db.session.add(group)
    db.session.flush()
    factories.make_client(
        trade_name="Gómez Centro", family_id=group.id, salesperson_id=seller.user.id
    )
    factories.make_client(trade_name="Gómez Sur", family_id=group.id)
    db.session.commit()
    page = seller.get(f"/clients/families/{group.id}").get_data(as_text=True)
    assert "Grupo Gómez Hnos." in page and "Gómez Centro" in page
    assert "Gómez Sur" not in page
    office_page = login_as("backoffice").get(f"/clients/families/{group.id}").get_data(as_text=True)
    assert "Gómez Sur" in office_page and "2 clientes de la familia" in office_page
    assert login_as("collector").get(f"/clients/families/{group.id}").status_code == 404


def test_contact_data_is_edited_in_place_with_htmx(office):
    client = factories.make_client(phone="011 4000-0000")
    db.session.commit()
    quick = f"/clients/{client.id}/quick"
    hx = {"HX-Request": "true"}
    form = office.get(quick, headers=hx).get_data(as_text=True)
    assert "<html" not in form and 'value="011 4000-0000"' in form
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    bad = office.client.post(quick, headers=hx, data={"csrf_token": token, "email": "x@"})
    assert bad.status_code == 422 and "El correo no es válido." in bad.get_data(as_text=True)
    ok = office.client.post(
        quick, headers=hx, data={"csrf_token": token, "phone": "011 4999-1234", "email": ""}
    )
    body = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "<html" not in body and "011 4999-1234" in body
    assert fresh(client.id).phone == "011 4999-1234"
    assert "HX-Request" in ok.headers["Vary"]
    assert office.get(quick).headers["Location"].endswith(f"/clients/{client.id}/edit")


def test_malformed_filters_and_huge_ids_are_not_errors(office):
    factories.make_client(trade_name="Kiosco Único")
    db.session.commit()
    page = office.get("/clients/?client_type_id=abc&sales_zone_id=1e9")
    assert page.status_code == 200 and "Kiosco Único" in page.get_data(as_text=True)
    assert office.get("/clients/99999999999999999999").status_code == 404


def test_suggested_code_skips_other_codes_and_taken_ones(office):
    factories.make_client(code="CENTRO")
    factories.make_client(code="C000009")
    factories.make_client(code="C000010")
    factories.make_client(code="C1000000")
    db.session.commit()
    page = office.get("/clients/new").get_data(as_text=True)
    assert 'value="C1000001"' in page


def test_a_subcategory_must_belong_to_its_category(office):
    from app.clients.reference import Category

    food = Category(scheme=1, code="ALI", name="Alimentos")
    drinks = Category(scheme=1, code="BEB", name="Bebidas")
    db.session.add_all([food, drinks])
    db.session.flush()
    soda = Category(scheme=1, code="GAS", name="Gaseosas", parent_id=drinks.id)
    db.session.add(soda)
    db.session.commit()
    response = office.submit(
        "/clients/new", **CARD, category1_id=str(food.id), subcategory1_id=str(soda.id)
    )
    assert response.status_code == 422
    assert "La subcategoría no es de la categoría elegida." in response.get_data(as_text=True)
    ok = office.submit(
        "/clients/new", **CARD, category1_id=str(drinks.id), subcategory1_id=str(soda.id)
    )
    assert ok.status_code == 303


def test_payment_methods_keep_one_order_so_reordering_them_is_no_change(app):
    from app.clients import services

    client = factories.make_client(payment_methods=["current_account", "cash", "transfer"])
    assert client.payment_methods == ["cash", "transfer", "current_account"]
    db.session.execute(
        sa.update(Client)
        .where(Client.id == client.id)
        .values(payment_methods=["current_account", "cash"])  # a row written before the rule
    )
    db.session.expire_all()
    client = db.session.get(Client, client.id)
    services.update_client(client, {"trade_name": "Autoservicio Nuevo"})
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "client.update")
    ).all()[-1]
    assert set(entry.after) == {"trade_name"}
