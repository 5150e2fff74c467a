"""/clients/new for a salesperson or supervisor: the short form of a prospect at the door."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Address, Client, ClientNote
from app.extensions import db
from tests import factories

AT_THE_DOOR = {
    "trade_name": "Almacén La Esquina",
    "legal_name": "",
    "tax_id_type": "CUIT",
    "tax_id": "20-12345678-6",
    "phone": "",
    "mobile": "11 5555-1234",
    "email": "laesquina@example.com",
    "street": "Av. Maipú 1234",
    "city": "Vicente López",
    "province": "Buenos Aires",
    "latitude": "-34.527714",
    "longitude": "-58.476329",
    "note": "Atiende el dueño de 8 a 12.",
}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def seller(login_as):
    return login_as("salesperson")


def test_a_salesperson_gets_the_short_form(seller):
    response = seller.get("/clients/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nuevo prospecto" in page
    for name in ("trade_name", "legal_name", "tax_id", "mobile", "email", "street", "note"):
        assert f'name="{name}"' in page, name
    assert 'name="latitude"' in page and 'data-location="latitude"' in page
    assert "Usar mi ubicación" in page and "data-locate-tap" in page
    assert 'hx-get="/taxes/padron?form=prospect"' in page
    # None of the back office's card.
    for name in ("code", "credit_policy_id", "price_list_id", "salesperson_id", "state"):
        assert f'name="{name}"' not in page, name


def test_the_list_offers_a_new_prospect_to_the_field_and_a_new_client_to_the_office(
    seller, login_as
):
    seller_list = seller.get("/clients/").get_data(as_text=True)
    assert "Nuevo prospecto" in seller_list and "Nuevo cliente" not in seller_list
    office_list = login_as("backoffice").get("/clients/").get_data(as_text=True)
    assert "Nuevo cliente" in office_list and "Nuevo prospecto" not in office_list
    collector_list = login_as("collector").get("/clients/").get_data(as_text=True)
    assert "Nuevo prospecto" not in collector_list


def test_saving_registers_the_prospect_and_opens_its_card(seller):
    response = seller.submit("/clients/new", **AT_THE_DOOR)
    assert response.status_code == 303, response.get_data(as_text=True)
    client = db.session.scalars(sa.select(Client)).one()
    assert response.headers["Location"] == f"/clients/{client.id}"
    assert client.state == "potential" and client.salesperson_id == seller.user.id
    assert client.legal_name == client.trade_name == "Almacén La Esquina"
    assert client.tax_id == "20123456786"
    address = db.session.scalars(sa.select(Address)).one()
    assert (address.kind, address.street, address.latitude) == (
        "fiscal",
        "Av. Maipú 1234",
        Decimal("-34.527714"),
    )
    assert db.session.scalars(sa.select(ClientNote.text)).all() == ["Atiende el dueño de 8 a 12."]
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["client.create", "client.addresses.create", "client.note"]

    card = seller.get(response.headers["Location"]).get_data(as_text=True)
    assert "Prospecto registrado. El back office lo completa y lo activa." in card
    assert "Almacén La Esquina" in card and "Potencial" in card


def test_without_tapping_for_the_location_none_is_kept(seller):
    response = seller.submit("/clients/new", **(AT_THE_DOOR | {"latitude": "", "longitude": ""}))
    assert response.status_code == 303
    address = db.session.scalars(sa.select(Address)).one()
    assert address.latitude is None and address.longitude is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tax_id": "20-12345678-7"}, "El CUIT no es válido: el dígito verificador no coincide."),
        ({"trade_name": "  "}, "Este campo es obligatorio."),
        ({"email": "no-es-correo"}, "El correo no es válido."),
    ],
)
def test_bad_input_shows_the_spanish_message_and_writes_nothing(seller, changes, message):
    response = seller.submit("/clients/new", **(AT_THE_DOOR | changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and "Revisá los campos marcados." in page
    assert count(Client) == count(Address) == count(ClientNote) == count(AuditEntry) == 0


def test_a_tax_id_another_salesperson_holds_is_refused_without_naming_the_client(seller):
    factories.make_client(
        trade_name="Almacén Ajeno",
        tax_id="20123456786",
        salesperson_id=factories.make_user("salesperson").id,
    )
    db.session.commit()
    response = seller.submit("/clients/new", **AT_THE_DOOR)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ya existe un cliente con ese CUIT en otra cartera" in page
    assert "Ajeno" not in page
    assert count(Client) == 1


def test_a_supervisor_registers_one_and_sees_its_card(login_as):
    boss = login_as("supervisor")
    response = boss.submit("/clients/new", trade_name="Maxikiosco 24 h")
    assert response.status_code == 303
    client = db.session.scalars(sa.select(Client)).one()
    assert client.salesperson_id == boss.user.id and client.state == "potential"
    assert boss.get(response.headers["Location"]).status_code == 200


def test_the_back_office_keeps_the_whole_card_form(login_as):
    page = login_as("backoffice").get("/clients/new").get_data(as_text=True)
    assert "Nuevo cliente" in page
    assert 'name="code"' in page and 'name="credit_policy_id"' in page


def test_a_collector_may_not_open_it(login_as):
    assert login_as("collector").get("/clients/new").status_code == 403


def test_the_office_finds_prospects_by_state_and_activates_them(seller, login_as):
    seller.submit("/clients/new", **AT_THE_DOOR)
    factories.make_client(trade_name="Cliente Activo")
    db.session.commit()
    prospect = db.session.scalar(sa.select(Client).where(Client.state == "potential"))
    office = login_as("backoffice")

    listed = office.get("/clients/?state=potential").get_data(as_text=True)
    assert "Almacén La Esquina" in listed and "Cliente Activo" not in listed
    # The office completes the card and activates it with the card's own form.
    edit = f"/clients/{prospect.id}/edit"
    completed = {
        "code": prospect.code,
        "kind": "company",
        "legal_name": "La Esquina S.R.L.",
        "trade_name": prospect.trade_name,
        "tax_id_type": "CUIT",
        "tax_id": prospect.tax_id,
        "country": "AR",
        "currency": "ARS",
        "state": "active",
        "salesperson_id": str(seller.user.id),
        "delivery_note_copies": "1",
        "invoice_copies": "1",
        "street": prospect.street,
        "city": prospect.city,
        "province": prospect.province,
    }
    response = office.submit(edit, **completed)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    activated = db.session.get(Client, prospect.id)
    assert (activated.state, activated.salesperson_id) == ("active", seller.user.id)
    assert "Cliente activado." in db.session.scalars(sa.select(ClientNote.text)).all()
