"""Contacts, authorised pickups and addresses on the card."""

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Address, AuthorizedPickup, Client, Contact
from app.extensions import db
from tests import factories


def own_client(browser):
    client = factories.make_client(salesperson_id=browser.user.id)
    db.session.commit()
    return client


def test_salesperson_adds_edits_and_removes_a_contact(login_as):
    seller = login_as("salesperson")
    client = own_client(seller)
    base = f"/clients/{client.id}/contacts"
    response = seller.submit(
        f"{base}/new", name=" Rosa Gómez ", role="Encargada", phone="011 4444-5555"
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clients/{client.id}#contacts")
    contact = db.session.scalar(sa.select(Contact))
    assert contact.name == "Rosa Gómez"
    assert "Rosa Gómez" in seller.get(f"/clients/{client.id}").get_data(as_text=True)

    seller.submit(f"{base}/{contact.id}", name="Rosa Gómez", role="Dueña")
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).role == "Dueña"

    seller.submit(f"{base}/{contact.id}", f"{base}/{contact.id}/delete")
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).deleted_at is not None
    assert "Rosa Gómez" not in seller.get(f"/clients/{client.id}").get_data(as_text=True)
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["client.contacts.create", "client.contacts.update", "client.contacts.delete"]


def test_contact_needs_a_name_and_a_valid_email(login_as):
    seller = login_as("salesperson")
    client = own_client(seller)
    response = seller.submit(f"/clients/{client.id}/contacts/new", name="  ", email="rosa@")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Este campo es obligatorio." in page and "El correo no es válido." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0


def test_pickup_dates_must_be_in_order(login_as):
    seller = login_as("salesperson")
    client = own_client(seller)
    url = f"/clients/{client.id}/pickups/new"
    response = seller.submit(
        url,
        name="Juan Pérez",
        document="30.111.222",
        valid_from="2026-12-01",
        valid_to="2026-11-01",
    )
    assert response.status_code == 422
    assert "La fecha hasta no puede ser anterior a la fecha desde." in response.get_data(
        as_text=True
    )
    ok = seller.submit(url, name="Juan Pérez", document="30.111.222", valid_to="2030-01-01")
    assert ok.status_code == 303
    assert db.session.scalar(sa.select(AuthorizedPickup.document)) == "30.111.222"
    verdict = seller.get(f"/clients/{client.id}/pickups/verify?document=30111222")
    assert "Puede retirar" in verdict.get_data(as_text=True)


def test_fiscal_address_becomes_the_main_address(login_as):
    office = login_as("backoffice")
    client = factories.make_client(street="Viejo 1")
    db.session.commit()
    response = office.submit(
        f"/clients/{client.id}/addresses/new",
        kind="fiscal",
        street="Av. Rivadavia 5000",
        city="Caballito",
        province="Ciudad Autónoma de Buenos Aires",
        postal_code="1424",
        delivery_hours="8 a 12",
        latitude="-34.6186",
        longitude="-58.4420",
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Client, client.id).street == "Av. Rivadavia 5000"
    address = db.session.scalar(sa.select(Address))
    assert str(address.latitude) == "-34.618600"
    page = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Horario: 8 a 12" in page


def test_out_of_range_coordinates_are_refused(login_as):
    office = login_as("backoffice")
    client = factories.make_client()
    db.session.commit()
    response = office.submit(
        f"/clients/{client.id}/addresses/new", kind="shipping", street="Calle 1", latitude="123"
    )
    assert response.status_code == 422
    assert "Entre -90 y 90." in response.get_data(as_text=True)


def test_parts_of_another_client_are_404(login_as):
    seller = login_as("salesperson")
    mine = own_client(seller)
    other = factories.make_client()
    contact = Contact(client_id=other.id, name="Ajeno")
    db.session.add(contact)
    db.session.commit()
    assert seller.get(f"/clients/{mine.id}/contacts/{contact.id}").status_code == 404
    assert seller.get(f"/clients/{other.id}/contacts/new").status_code == 404


def test_collector_cannot_change_contacts(login_as):
    collector = login_as("collector")
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    assert collector.get(f"/clients/{client.id}").status_code == 200
    assert collector.get(f"/clients/{client.id}/contacts/new").status_code == 403


def test_a_branch_has_its_own_salesperson_zone_and_price_list(login_as):
    from app.orders.models import PriceList

    office = login_as("backoffice")
    seller = factories.make_user("salesperson", full_name="Paula Giménez")
    zone = factories.make_zone(name="Zona Sur")
    prices = PriceList(code="MAY", name="Lista Mayorista")
    db.session.add(prices)
    client = factories.make_client()
    db.session.commit()
    form = office.get(f"/clients/{client.id}/addresses/new").get_data(as_text=True)
    assert "Paula Giménez" in form and "Zona Sur" in form and "Lista Mayorista" in form
    response = office.submit(
        f"/clients/{client.id}/addresses/new",
        kind="branch",
        label="Sucursal Quilmes",
        street="Mitre 500",
        branch_salesperson_id=str(seller.id),
        branch_sales_zone_id=str(zone.id),
        branch_price_list_id=str(prices.id),
    )
    assert response.status_code == 303
    branch = db.session.scalar(sa.select(Address))
    assert (branch.branch_salesperson_id, branch.branch_sales_zone_id) == (seller.id, zone.id)
    assert branch.branch_price_list_id == prices.id
    edit = office.get(f"/clients/{client.id}/addresses/{branch.id}").get_data(as_text=True)
    assert (
        f'<option selected value="{seller.id}">' in edit or f'value="{seller.id}" selected' in edit
    )
