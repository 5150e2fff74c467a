"""The client list: scoped to the user, searchable, an htmx fragment for active search."""

import pytest

from app.extensions import db
from tests import factories


@pytest.fixture
def route(login_as):
    seller = login_as("salesperson")
    other = factories.make_user("salesperson")
    factories.make_client(
        trade_name="Almacén Don José", salesperson_id=seller.user.id, tax_id="20123456786"
    )
    factories.make_client(trade_name="Kiosco El Sol", salesperson_id=seller.user.id)
    factories.make_client(trade_name="Almacén Ajeno", salesperson_id=other.id)
    db.session.commit()
    return seller


def test_salesperson_sees_only_their_clients(route):
    page = route.get("/clients/").get_data(as_text=True)
    assert "Almacén Don José" in page
    assert "Kiosco El Sol" in page
    assert "Almacén Ajeno" not in page
    assert "2 clientes" in page


def test_back_office_sees_every_client(route, login_as):
    page = login_as("backoffice").get("/clients/").get_data(as_text=True)
    assert "Almacén Ajeno" in page and "Almacén Don José" in page


def test_supervisor_sees_the_team_clients(route, login_as):
    boss = login_as("supervisor")
    route.user.supervisor_id = boss.user.id
    db.session.commit()
    page = boss.get("/clients/").get_data(as_text=True)
    assert "Almacén Don José" in page
    assert "Almacén Ajeno" not in page


def test_search_by_name_and_by_tax_id_with_dashes(route):
    by_name = route.get("/clients/?q=don jos").get_data(as_text=True)
    assert "Almacén Don José" in by_name and "Kiosco El Sol" not in by_name
    by_cuit = route.get("/clients/?q=20-12345678-6").get_data(as_text=True)
    assert "Almacén Don José" in by_cuit and "Kiosco El Sol" not in by_cuit


def test_active_search_returns_only_the_rows_fragment(route):
    response = route.get("/clients/?q=kiosco", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert "Kiosco El Sol" in body
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_full_page(route):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    body = route.get("/clients/?q=kiosco", headers=headers).get_data(as_text=True)
    assert "<html" in body


def test_no_match_says_so(route):
    page = route.get("/clients/?q=zzzz").get_data(as_text=True)
    assert "Ningún cliente coincide con «zzzz»." in page


def test_deleted_clients_are_not_listed(route):
    from app.core.types import utcnow

    client = factories.make_client(trade_name="Almacén Borrado", salesperson_id=route.user.id)
    client.deleted_at = utcnow()
    db.session.commit()
    assert "Almacén Borrado" not in route.get("/clients/").get_data(as_text=True)
