"""A family's page shows its clients' balances, each and combined."""

from datetime import timedelta
from decimal import Decimal

from app.clients.reference import Family
from app.core.types import local_today
from app.extensions import db
from app.ledger import accounts
from tests import factories


def make_family(name: str = "Grupo Gómez Hnos.") -> Family:
    """A family to put clients in."""
    group = Family(name=name)
    db.session.add(group)
    db.session.flush()
    return group


def test_the_combined_account_adds_each_clients_balance_per_currency(app):
    group = make_family()
    centro = factories.make_client(family_id=group.id, foreign_currency_allowed=True)
    sur = factories.make_client(family_id=group.id)
    old = local_today() - timedelta(days=45)
    factories.post_document(centro, amount="1000", date=old)
    factories.post_document(centro, amount="50", currency="USD", exchange_rate="1000")
    factories.post_document(sur, amount="300")
    factories.post_receipt(sur, amount="100", apply_oldest=True, date=local_today().isoformat())
    account = accounts.family_account([centro, sur])
    assert account.balances == {"ARS": Decimal("1200.00"), "USD": Decimal("50.00")}
    assert account.overdue == {"ARS": Decimal("1000.00")}
    assert account.by_client[sur.id] == {"ARS": Decimal("200.00")}
    assert account.last_receipt_date == local_today()


def test_the_family_page_shows_the_combined_balance_of_the_clients_in_scope(login_as):
    seller = login_as("salesperson")
    group = make_family()
    mine = factories.make_client(
        trade_name="Gómez Centro", family_id=group.id, salesperson_id=seller.user.id
    )
    other = factories.make_client(trade_name="Gómez Sur", family_id=group.id)
    factories.post_document(mine, amount="1234.50")
    factories.post_document(other, amount="99999")
    db.session.commit()
    page = seller.get(f"/clients/families/{group.id}").get_data(as_text=True)
    assert "Saldo combinado" in page and "$\u00a01.234,50" in page
    assert "99.999" not in page
    office = login_as("backoffice").get(f"/clients/families/{group.id}").get_data(as_text=True)
    assert "$\u00a0101.233,50" in office


def test_a_family_without_debt_says_so(login_as):
    office = login_as("backoffice")
    group = make_family()
    factories.make_client(family_id=group.id)
    db.session.commit()
    page = office.get(f"/clients/families/{group.id}").get_data(as_text=True)
    assert "Sin saldo pendiente." in page
