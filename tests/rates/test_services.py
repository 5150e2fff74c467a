"""Exchange rates: the table, the day's rate for ledger documents and the weight of
foreign-currency orders in the credit exposure."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.core.types import local_today
from app.credit import services as credit
from app.credit.models import CreditPolicy
from app.extensions import db
from app.ledger.services import LedgerError
from app.orders import services as orders
from app.orders.models import Order
from app.rates import services as rates
from app.rates.models import ExchangeRate
from app.sync import feed
from tests import factories


def audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def test_a_day_has_one_rate_per_currency_and_typing_it_again_replaces_it(app):
    day = local_today()
    first = rates.save_rate(day, "USD", Decimal("1050.5"))
    assert first.replaced is None
    again = rates.save_rate(day, "USD", Decimal("1060.25"))
    assert again.replaced == Decimal("1050.500000")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRate)) == 1
    assert rates.rate_on("USD", day) == Decimal("1060.25")
    assert rates.rate_on("ARS", day) == Decimal("1")
    assert rates.rate_on("USD", day - timedelta(days=1)) is None
    created, replaced = audit("rate.created"), audit("rate.replaced")
    assert created[0].after == {"date": day.isoformat(), "currency": "USD", "rate": "1050.500000"}
    assert replaced[0].before == {"rate": "1050.500000"}
    assert replaced[0].after == {"rate": "1060.250000"}


DAY = "2026-12-01"
TOO_MANY = "La cotización tiene que ser mayor que cero y menor que 100.000.000."


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date": "", "currency": "USD", "rate": "1000"}, "date", "Ingresá una fecha."),
        ({"date": DAY, "currency": "EUR", "rate": "1000"}, "currency", "Elegí una moneda"),
        (
            {"date": DAY, "currency": "USD", "rate": "mil"},
            "rate",
            "Ingresá la cotización: pesos por unidad, hasta seis decimales.",
        ),
        ({"date": DAY, "currency": "USD", "rate": "0"}, "rate", TOO_MANY),
        ({"date": DAY, "currency": "USD", "rate": "1000,1234567"}, "rate", "Como máximo seis"),
    ],
)  # fmt: skip
def test_the_form_refuses_what_is_not_a_rate(app, data, field, message):
    with pytest.raises(rates.RateError) as refused:
        rates.parse_rate_form(data)
    assert refused.value.fields[field].startswith(message)


def test_a_usd_document_without_a_rate_takes_the_days_rate(app):
    client = factories.make_client()
    day = local_today()
    rates.save_rate(day, "USD", Decimal("1040"))
    document = factories.post_document(client, currency="USD", amount="10.00", letter="B")
    assert document.exchange_rate == Decimal("1040")
    typed = factories.post_document(
        client, currency="USD", amount="10.00", letter="B", exchange_rate="1100"
    )
    assert typed.exchange_rate == Decimal("1100")


def test_a_usd_document_on_a_day_without_a_rate_is_refused(app):
    client = factories.make_client()
    rates.save_rate(local_today(), "USD", Decimal("1040"))
    with pytest.raises(LedgerError) as refused:
        factories.post_document(client, currency="USD", amount="10.00", date="2026-03-02")
    assert refused.value.fields["exchange_rate"] == (
        "No hay cotización de USD para el 02/03/2026: cargala en Cotizaciones."
    )


@pytest.fixture
def dollar_shop(app):
    """A client in pesos that may buy in dollars, a $ 100.000 limit, a product at USD 100."""
    seller = factories.make_user("salesperson")
    prices = factories.make_price_list()
    policy = CreditPolicy(code="P1", name="Minoristas", money_limit=Decimal("100000"))
    db.session.add(policy)
    db.session.flush()
    client = factories.make_client(
        salesperson_id=seller.id,
        price_list_id=prices.id,
        credit_policy_id=policy.id,
        foreign_currency_allowed=True,
    )
    product = factories.make_product(tax_rate=Decimal("0"))
    factories.make_price(prices, product, "100", currency="USD")
    return client, seller, product


def order(shop, quantity: int = 1) -> Order:
    client, seller, product = shop
    lines = [{"product_id": product.id, "quantity": str(quantity)}]
    data = {"currency": "USD", "payment_method": "current_account", "lines": lines}
    return orders.place_order(client, data, seller)


def test_a_dollar_order_is_refused_when_its_day_has_no_rate(dollar_shop):
    with pytest.raises(orders.OrderError) as refused:
        order(dollar_shop)
    day = local_today().strftime("%d/%m/%Y")
    assert refused.value.fields == {
        "currency": f"No hay cotización de USD para el {day}: cargala en Cotizaciones."
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_dollar_orders_weigh_in_the_exposure_at_their_days_rate(dollar_shop):
    today = local_today()
    yesterday = today - timedelta(days=1)
    rates.save_rate(yesterday, "USD", Decimal("900"))
    rates.save_rate(today, "USD", Decimal("1000"))
    first = order(dollar_shop)  # USD 100 at 1000: $ 100.000, exactly the limit
    assert first.status == "accepted"
    first.date = yesterday  # taken yesterday: it weighs at 900
    db.session.flush()
    client = dollar_shop[0]
    assert credit.snapshot(client).pending_orders == Decimal("90000.00")
    second = order(dollar_shop)  # another $ 100.000: over the limit
    assert second.status == "blocked"
    money = second.credit["failures"][0]
    assert (money["current"], money["after"]) == ("90000.00", "190000.00")
    # a later rate for yesterday changes what yesterday's order weighs
    rates.save_rate(yesterday, "USD", Decimal("950"))
    assert credit.snapshot(client).pending_orders == Decimal("95000.00")


def test_the_phones_snapshot_weighs_dollar_orders_as_the_server_does(dollar_shop):
    client, seller, _product = dollar_shop
    client.credit_policy.money_limit = Decimal("1000000")
    today = local_today()
    rates.save_rate(today - timedelta(days=2), "USD", Decimal("800"))
    rates.save_rate(today, "USD", Decimal("1000"))
    older = order(dollar_shop, quantity=2)
    older.date = today - timedelta(days=1)  # a day without a rate: the last one before it
    order(dollar_shop)
    db.session.flush()
    entry = feed.client_entries(seller, [client.id])[0]
    # USD 200 at 800 (two days before) and USD 100 at 1000 (today)
    assert entry.snapshot.pending_orders == Decimal("260000.00")
    assert entry.snapshot == credit.snapshot(client)
