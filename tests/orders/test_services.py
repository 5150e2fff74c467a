"""Placing orders: what a client may pay with, the prices, and the credit decision kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.core.types import local_today
from app.credit import services as credit
from app.credit.models import CreditPolicy
from app.extensions import db
from app.orders import services as orders
from app.orders.models import ClientCondition, Promotion, VolumeDiscount
from tests import factories
from tests.orders.helpers import price_list, product


def policy(**limits) -> CreditPolicy:
    """A credit policy with these limits."""
    row = CreditPolicy(code="P1", name="Minoristas", **limits)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def seller(app):
    return factories.make_user("salesperson")


@pytest.fixture
def shop(app, seller):
    """A client with a list, a $ 1.000 money limit, and two products: $ 100 + 21 % and $ 50."""
    prices = price_list()
    client = factories.make_client(
        salesperson_id=seller.id,
        price_list_id=prices.id,
        credit_policy_id=policy(money_limit=Decimal("1000")).id,
    )
    product("GAL", "100", prices, tax_rate=Decimal("21"))
    product("YER", "50", prices, tax_rate=Decimal("10.5"))
    return client


def ids(*codes):
    from app.orders.models import Product

    rows = db.session.scalars(sa.select(Product).where(Product.code.in_(codes))).all()
    by_code = {row.code: row.id for row in rows}
    return [by_code[code] for code in codes]


def lines(**quantities):
    return [
        {"product_id": pid, "quantity": str(q)}
        for pid, q in zip(ids(*quantities), quantities.values(), strict=True)
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, ["cash", "transfer", "check", "card", "current_account", "mixed"]),
        ({"payment_methods": ["cash", "current_account"]}, ["cash", "current_account"]),
        ({"state": "potential"}, ["cash", "transfer", "check", "card"]),
        ({"state": "cash_only", "payment_methods": ["cash", "current_account"]}, ["cash"]),
    ],
)
def test_credit_methods_only_for_clients_with_a_current_account(app, fields, expected):
    assert orders.allowed_payment_methods(factories.make_client(**fields)) == expected


def test_a_cash_only_client_type_has_no_current_account(app):
    cash_type = factories.make_client_type(cash_only=True)
    client = factories.make_client(client_type_id=cash_type.id)
    assert "current_account" not in orders.allowed_payment_methods(client)


def test_foreign_currency_only_when_the_client_has_it(app):
    assert orders.allowed_currencies(factories.make_client()) == ["ARS"]
    assert orders.allowed_currencies(factories.make_client(foreign_currency_allowed=True)) == [
        "ARS",
        "USD",
    ]


def test_an_order_in_a_foreign_currency_is_refused_unless_enabled(app, shop, seller):
    with pytest.raises(orders.OrderError) as refused:
        orders.place_order(shop, {"currency": "USD", "lines": lines(GAL=1)}, seller)
    assert refused.value.fields == {
        "currency": "El cliente no tiene habilitada la moneda extranjera."
    }


def test_an_order_within_the_limit_is_accepted_with_its_amounts(app, shop, seller):
    order = orders.place_order(
        shop, {"payment_method": "current_account", "lines": lines(GAL=3, YER=2)}, seller
    )
    # 300 at 21 % and 100 at 10.5 %
    assert (order.subtotal, order.net, order.tax, order.total) == (
        Decimal("400.00"),
        Decimal("400.00"),
        Decimal("73.50"),
        Decimal("473.50"),
    )
    assert order.status == "accepted" and order.credit["allowed"] is True
    assert [line.net for line in order.lines] == [Decimal("300.00"), Decimal("100.00")]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "order.create"))
    assert entry.entity_id == str(order.id) and entry.after["total"] == "473.50"


def test_accepted_orders_count_in_the_exposure_until_invoiced(app, shop, seller):
    first = orders.place_order(
        shop, {"payment_method": "current_account", "lines": lines(GAL=6)}, seller
    )
    assert first.status == "accepted" and first.total == Decimal("726.00")
    assert credit.snapshot(shop).pending_orders == Decimal("726.00")
    second = orders.place_order(
        shop, {"payment_method": "current_account", "lines": lines(GAL=3)}, seller
    )
    assert second.status == "blocked"
    money = second.credit["failures"][0]
    assert money["kind"] == "money" and money["current"] == "726.00"
    assert money["after"] == "1089.00" and money["excess"] == "89.00"
    blocked = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "credit.blocked"))
    assert blocked.entity_id == str(second.id)
    # cash does not leave debt: it passes, and does not count
    cash = orders.place_order(shop, {"payment_method": "cash", "lines": lines(GAL=3)}, seller)
    assert cash.status == "accepted"
    orders.track_order(first, "invoiced", factories.make_user("backoffice"))
    assert credit.snapshot(shop).pending_orders == Decimal("0.00")


def test_a_cancelled_order_frees_its_exposure(app, shop, seller):
    order = orders.place_order(
        shop, {"payment_method": "current_account", "lines": lines(GAL=6)}, seller
    )
    orders.cancel_order(order, seller, "el cliente se arrepintió")
    assert order.status == "cancelled" and credit.snapshot(shop).pending_orders == 0
    with pytest.raises(orders.OrderError):
        orders.cancel_order(order, seller)


def test_the_ledger_balance_and_an_old_invoice_block_a_credit_order(app, seller):
    prices = price_list()
    client = factories.make_client(
        salesperson_id=seller.id,
        price_list_id=prices.id,
        credit_policy_id=policy(max_age_days=30).id,
    )
    product("GAL", "100", prices)
    factories.post_document(client, amount="100", date=local_today() - timedelta(days=34))
    order = orders.place_order(
        client, {"payment_method": "current_account", "lines": lines(GAL=1)}, seller
    )
    assert order.status == "blocked"
    assert order.credit["failures"][0]["message"] == "Factura más antigua: 34 días (máximo 30)"


def test_discounts_apply_in_the_documented_order(app, seller):
    prices = price_list()
    kind = factories.make_client_type(discount_pct=Decimal("5"))
    condition = factories.make_sale_condition(discount_pct=Decimal("2"))
    client = factories.make_client(
        salesperson_id=seller.id,
        price_list_id=prices.id,
        client_type_id=kind.id,
        sale_condition_id=condition.id,
    )
    item = product("GAL", "1000", prices, tax_rate=Decimal("21"))
    today = local_today()
    db.session.add_all(
        [
            Promotion(
                name="Promo galletitas",
                product_id=item.id,
                discount_pct=Decimal("10"),
                valid_from=today,
                valid_to=today,
            ),
            VolumeDiscount(
                product_id=item.id, min_quantity=Decimal("10"), discount_pct=Decimal("3")
            ),
            ClientCondition(
                client_id=client.id,
                product_id=None,
                discount_pct=Decimal("4"),
                valid_from=today - timedelta(days=30),
            ),
        ]
    )
    db.session.flush()
    order = orders.place_order(
        client, {"payment_method": "current_account", "lines": lines(GAL=10)}, seller
    )
    line = order.lines[0]
    assert [d["kind"] for d in line.discounts] == ["promotion", "volume", "client", "client_type"]
    # 10 x 1000 x 0.90 x 0.97 x 0.96 x 0.95 = 7961.76
    assert line.net == Decimal("7961.76")
    # 2 % for the sale condition on the subtotal, then 21 % IVA on what is left
    assert order.condition_discount == Decimal("159.24")
    assert order.net == Decimal("7802.52")
    assert order.tax == Decimal("1638.53")
    assert order.total == Decimal("9441.05")


def test_a_product_without_a_price_in_the_clients_list_is_refused(app, shop, seller):
    product("NEW", None)
    with pytest.raises(orders.OrderError) as refused:
        orders.place_order(shop, {"lines": lines(GAL=1, NEW=1)}, seller)
    assert refused.value.fields == {
        "lines.1.product_id": "NEW no tiene precio en la lista del cliente."
    }


def test_bad_lines_are_refused_field_by_field(app, shop, seller):
    with pytest.raises(orders.OrderError) as refused:
        orders.place_order(shop, {"lines": [{"product_id": 999999, "quantity": "0"}]}, seller)
    assert set(refused.value.fields) == {"lines.0.product_id", "lines.0.quantity"}
    with pytest.raises(orders.OrderError) as empty:
        orders.place_order(shop, {"lines": []}, seller)
    assert "lines" in empty.value.fields


@pytest.mark.parametrize(
    ("typed", "read"),
    [("1.234,5", "1234.5"), ("1.500", "1500"), ("2.5", "2.5"), ("2,25", "2.25"), ("3", "3")],
)
def test_quantities_are_read_as_people_type_them(app, shop, seller, typed, read):
    """The one rule of typed numbers: "1.234,5" is fractional units, "1.500" is thousands."""
    (line,) = lines(YER=1)
    order = orders.place_order(
        shop, {"payment_method": "cash", "lines": [{**line, "quantity": typed}]}, seller
    )
    assert order.lines[0].quantity == Decimal(read)


@pytest.mark.parametrize("typed", ["1.2.3", "abc", "-2", "1e3", "0,0001"])
def test_a_quantity_that_is_not_one_is_refused_with_its_message(app, shop, seller, typed):
    (line,) = lines(YER=1)
    with pytest.raises(orders.OrderError) as refused:
        orders.place_order(
            shop, {"payment_method": "cash", "lines": [{**line, "quantity": typed}]}, seller
        )
    assert set(refused.value.fields) == {"lines.0.quantity"}


def test_a_disabled_client_cannot_order_even_for_cash(app, shop, seller):
    shop.state = "disabled"
    with pytest.raises(orders.OrderError) as refused:
        orders.place_order(shop, {"payment_method": "cash", "lines": lines(GAL=1)}, seller)
    assert "client_id" in refused.value.fields


def test_an_immediate_payment_takes_an_immediate_sale_condition(app, shop, seller):
    thirty = factories.make_sale_condition(rule_days=30)
    with pytest.raises(orders.OrderError) as refused:
        orders.place_order(
            shop,
            {"payment_method": "cash", "sale_condition_id": thirty.id, "lines": lines(GAL=1)},
            seller,
        )
    assert "sale_condition_id" in refused.value.fields


def test_the_location_is_kept_when_shared_and_ignored_when_not_usable(app, shop, seller):
    located = orders.place_order(
        shop,
        {
            "payment_method": "cash",
            "lines": lines(GAL=1),
            "latitude": "-34.603722",
            "longitude": "-58.381592",
            "accuracy": "25",
        },
        seller,
    )
    assert (located.latitude, located.longitude, located.location_accuracy) == (
        Decimal("-34.603722"),
        Decimal("-58.381592"),
        25,
    )
    nowhere = orders.place_order(
        shop,
        {"payment_method": "cash", "lines": lines(GAL=1), "latitude": "999", "longitude": "x"},
        seller,
    )
    assert nowhere.latitude is None and nowhere.longitude is None


def test_contra_documento_stops_a_second_credit_order_before_the_first_is_invoiced(app, seller):
    prices = price_list()
    client = factories.make_client(
        salesperson_id=seller.id,
        price_list_id=prices.id,
        credit_policy_id=policy(max_documents=1).id,
    )
    product("GAL", "100", prices)
    first = orders.place_order(
        client, {"payment_method": "current_account", "lines": lines(GAL=1)}, seller
    )
    second = orders.place_order(
        client, {"payment_method": "current_account", "lines": lines(GAL=1)}, seller
    )
    assert (first.status, second.status) == ("accepted", "blocked")
    assert second.credit["failures"][0]["message"] == (
        "Tiene 1 pedido sin facturar: con este pedido serían 2 (máximo 1)"
    )
