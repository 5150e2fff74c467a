"""Every stored field shows on the card; the CBU and the accounting account only to the office
and supervisors (clients.banking)."""

import pytest

from app.auth.permissions import can
from app.extensions import db
from tests import factories

FIELDS = {
    "cbu": "2850590940090418135201",
    "accounting_account": "1.1.3.01.045",
    "invoice_copies": 3,
    "delivery_note_copies": 2,
    "large_taxpayer": True,
    "iibb_number": "901-123456-7",
    "social": {"instagram": "@almacendonjose", "facebook": "almacen.don.jose"},
    "website": "https://donjose.com.ar",
}


@pytest.fixture
def seller(login_as):
    return login_as("salesperson")


def test_the_salesperson_sees_the_stored_fields_but_not_the_banking_ones(seller):
    client = factories.make_client(salesperson_id=seller.user.id, **FIELDS)
    db.session.commit()
    card = seller.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Gran Contribuyente</dt><dd>Sí" in card
    assert "Copias de factura</dt><dd>3" in card and "Copias de remito</dt><dd>2" in card
    assert "Instagram: @almacendonjose" in card and "Facebook: almacen.don.jose" in card
    assert "901-123456-7" in card and "https://donjose.com.ar" in card
    assert "2850590940090418135201" not in card and "1.1.3.01.045" not in card


def test_the_office_sees_the_cbu_and_the_accounting_account(login_as):
    office = login_as("backoffice")
    client = factories.make_client(**FIELDS)
    db.session.commit()
    card = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "CBU</dt><dd>2850590940090418135201" in card
    assert "Cuenta contable</dt><dd>1.1.3.01.045" in card


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("admin", True),
        ("backoffice", True),
        ("supervisor", True),
        ("salesperson", False),
        ("collector", False),
    ],
)
def test_who_sees_the_banking_fields(app, role, sees):
    assert can(factories.make_user(role), "clients.banking") is sees
