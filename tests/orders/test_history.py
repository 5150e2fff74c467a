"""What a client buys again: its last order's lines and its usual products of the last 90 days."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core.types import utcnow
from app.extensions import db
from app.orders.history import last_order_lines, usual_products
from app.orders.models import Order, OrderLine, OrderStatus
from tests import factories

TODAY = date(2026, 11, 23)


@pytest.fixture
def seller(app):
    return factories.make_user("salesperson")


@pytest.fixture
def shop(seller):
    return factories.make_client(salesperson_id=seller.id)


@pytest.fixture
def catalogue(app):
    """Yerba, azúcar, fideos, aceite and galletitas, by their short names."""
    return {
        name: factories.make_product(description=name.capitalize())
        for name in ("yerba", "azucar", "fideos", "aceite", "galletitas")
    }


def bought(client, on: date, *lines, status=OrderStatus.ACCEPTED, deleted=False) -> Order:
    """An order of the client on that day with lines (product, quantity); amounts are filler."""
    order = Order(
        client_id=client.id,
        user_id=client.salesperson_id,
        status=status,
        date=on,
        payment_method="cash",
        currency="ARS",
        subtotal=Decimal("1"),
        net=Decimal("1"),
        total=Decimal("1"),
        deleted_at=utcnow() if deleted else None,
        lines=[
            OrderLine(
                position=index,
                product_id=product.id,
                quantity=Decimal(quantity),
                list_price=Decimal("1"),
                net=Decimal("1"),
                tax_rate=Decimal("21"),
            )
            for index, (product, quantity) in enumerate(lines)
        ],
    )
    db.session.add(order)
    db.session.flush()
    return order


def picked(picks) -> list[tuple[str, Decimal]]:
    """Picks as (short name, quantity)."""
    return [(pick.product.description.lower(), pick.quantity) for pick in picks]


# --- the last order ---------------------------------------------------------------------------


def test_the_last_order_gives_its_lines_in_order(shop, catalogue):
    bought(shop, TODAY - timedelta(days=10), (catalogue["aceite"], "9"))
    bought(shop, TODAY - timedelta(days=3), (catalogue["yerba"], "6"), (catalogue["azucar"], "2.5"))
    assert picked(last_order_lines(shop)) == [("yerba", Decimal("6")), ("azucar", Decimal("2.5"))]


def test_the_last_order_skips_cancelled_and_deleted_orders(shop, catalogue):
    bought(shop, TODAY - timedelta(days=9), (catalogue["fideos"], "4"))
    bought(shop, TODAY - timedelta(days=2), (catalogue["yerba"], "1"), deleted=True)
    bought(shop, TODAY - timedelta(days=1), (catalogue["aceite"], "2"), status="cancelled")
    assert picked(last_order_lines(shop)) == [("fideos", Decimal("4"))]


@pytest.mark.parametrize("status", ["blocked", "rejected", "invoiced"])
def test_the_last_order_counts_any_order_that_was_not_cancelled(shop, catalogue, status):
    bought(shop, TODAY - timedelta(days=9), (catalogue["fideos"], "4"))
    bought(shop, TODAY - timedelta(days=1), (catalogue["aceite"], "2"), status=status)
    assert picked(last_order_lines(shop)) == [("aceite", Decimal("2"))]


def test_the_last_order_of_the_same_day_is_the_one_taken_last(shop, catalogue):
    first = bought(shop, TODAY, (catalogue["fideos"], "4"))
    bought(shop, TODAY, (catalogue["aceite"], "2"))
    first.created_at = utcnow() + timedelta(minutes=5)  # taken later, though its id is lower
    db.session.flush()
    assert picked(last_order_lines(shop)) == [("fideos", Decimal("4"))]


def test_the_last_order_leaves_out_products_no_longer_sold(shop, catalogue):
    catalogue["azucar"].active = False
    catalogue["fideos"].deleted_at = utcnow()
    bought(
        shop,
        TODAY,
        (catalogue["azucar"], "1"),
        (catalogue["yerba"], "6"),
        (catalogue["fideos"], "3"),
    )
    assert picked(last_order_lines(shop)) == [("yerba", Decimal("6"))]


def test_a_product_twice_in_the_last_order_is_one_pick_with_the_sum(shop, catalogue):
    bought(
        shop,
        TODAY,
        (catalogue["yerba"], "2"),
        (catalogue["aceite"], "1"),
        (catalogue["yerba"], "3"),
    )
    assert picked(last_order_lines(shop)) == [("yerba", Decimal("5")), ("aceite", Decimal("1"))]


def test_a_client_without_orders_has_no_last_order(seller, shop, catalogue):
    other = factories.make_client(salesperson_id=seller.id)
    bought(other, TODAY, (catalogue["yerba"], "2"))
    assert last_order_lines(shop) == []


# --- the usual products -----------------------------------------------------------------------


def test_usual_products_go_by_how_many_orders_had_them_at_their_last_quantity(shop, catalogue):
    yerba, azucar, fideos = catalogue["yerba"], catalogue["azucar"], catalogue["fideos"]
    bought(shop, TODAY - timedelta(days=30), (yerba, "10"), (fideos, "1"))
    bought(shop, TODAY - timedelta(days=20), (azucar, "4"), (yerba, "8"))
    bought(shop, TODAY - timedelta(days=10), (fideos, "2"), (yerba, "6"), (azucar, "3"))
    # yerba in 3 orders (last 6); azúcar and fideos in 2, fideos ordered last (first line)
    assert picked(usual_products(shop, on=TODAY)) == [
        ("yerba", Decimal("6")),
        ("fideos", Decimal("2")),
        ("azucar", Decimal("3")),
    ]


def test_usual_products_look_back_90_days_only(shop, catalogue):
    bought(shop, TODAY - timedelta(days=91), (catalogue["aceite"], "5"))
    bought(shop, TODAY - timedelta(days=95), (catalogue["aceite"], "5"))
    bought(shop, TODAY - timedelta(days=90), (catalogue["yerba"], "2"))
    assert picked(usual_products(shop, on=TODAY)) == [("yerba", Decimal("2"))]


def test_usual_products_skip_cancelled_orders_and_products_no_longer_sold(shop, catalogue):
    catalogue["galletitas"].active = False
    bought(shop, TODAY - timedelta(days=5), (catalogue["aceite"], "5"), status="cancelled")
    bought(shop, TODAY - timedelta(days=4), (catalogue["aceite"], "5"), status="cancelled")
    bought(shop, TODAY - timedelta(days=6), (catalogue["fideos"], "1"), deleted=True)
    bought(shop, TODAY - timedelta(days=3), (catalogue["galletitas"], "7"))
    bought(shop, TODAY - timedelta(days=2), (catalogue["yerba"], "2"))
    assert picked(usual_products(shop, on=TODAY)) == [("yerba", Decimal("2"))]


def test_usual_products_sum_a_product_twice_in_its_last_order(shop, catalogue):
    yerba = catalogue["yerba"]
    bought(shop, TODAY - timedelta(days=8), (yerba, "9"))
    bought(shop, TODAY - timedelta(days=1), (yerba, "2"), (catalogue["aceite"], "1"), (yerba, "1"))
    assert picked(usual_products(shop, on=TODAY)) == [
        ("yerba", Decimal("3")),
        ("aceite", Decimal("1")),
    ]


def test_usual_products_stop_at_the_limit_and_are_the_clients_own(seller, shop, catalogue):
    other = factories.make_client(salesperson_id=seller.id)
    bought(other, TODAY, (catalogue["galletitas"], "1"))
    bought(other, TODAY, (catalogue["galletitas"], "1"))
    names = ("yerba", "azucar", "fideos", "aceite")
    bought(shop, TODAY - timedelta(days=2), *((catalogue[n], "1") for n in names))
    bought(shop, TODAY - timedelta(days=1), (catalogue["aceite"], "1"))
    assert picked(usual_products(shop, limit=2, on=TODAY)) == [
        ("aceite", Decimal("1")),
        ("yerba", Decimal("1")),
    ]
