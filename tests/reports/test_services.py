"""Rankings and trends against figures worked out by hand (tests/reports/conftest.py)."""

from datetime import date
from decimal import Decimal

import pytest

import app.reports.services as services
from tests.reports.conftest import OCTOBER

D = Decimal


def _totals(ranking) -> list[tuple[str, Decimal]]:
    return [(item.name, item.total) for item in ranking.items]


def test_sales_by_client_take_credit_notes_off_usd_at_its_rate_and_leave_voids_out(book):
    ranking = services.ranking(book.admin, "sales", "clients", *OCTOBER)
    # B: 10.00 x 1000.50 + debit note 50 (the voided 9999 and September's 7777 do not count)
    # A: 1000 - 100; C: 300; D sold nothing and is not listed
    assert _totals(ranking) == [
        ("Bodega B", D("10055.00")),
        ("Almacén A", D("900.00")),
        ("Comercio C", D("300.00")),
    ]
    assert ranking.total == D("11255.00")
    # 10055 / 11255 = 89.338 %, 900 / 11255 = 7.996 %, 300 / 11255 = 2.665 %
    assert [item.share for item in ranking.items] == [D("89.34"), D("8.00"), D("2.67")]
    assert ranking.count == 3


def test_margin_by_client_is_sales_less_the_cost_of_their_lines(book):
    ranking = services.ranking(book.admin, "margin", "clients", *OCTOBER)
    # B: (10 - 6) x 1000.50 + 50 (no lines, no cost); A: (1000 - 500) - (100 - 60); C: 300 - 200
    assert _totals(ranking) == [
        ("Bodega B", D("4052.00")),
        ("Almacén A", D("460.00")),
        ("Comercio C", D("100.00")),
    ]


def test_collections_by_client_are_receipts(book):
    ranking = services.ranking(book.admin, "collections", "clients", *OCTOBER)
    assert _totals(ranking) == [("Almacén A", D("500.00"))]
    assert ranking.total == D("500.00")


def test_sales_and_margin_by_product_from_the_lines(book):
    sales = services.ranking(book.admin, "sales", "products", *OCTOBER)
    # P2: 400 + 10 x 1000.50; P1: 600 - 100 + 300
    assert _totals(sales) == [("Aceite 1,5 l", D("10405.00")), ("Yerba 1 kg", D("800.00"))]
    assert [item.quantity for item in sales.items] == [D("6.000"), D("2.000")]
    margin = services.ranking(book.admin, "margin", "products", *OCTOBER)
    # P2: (400 - 100) + (10 - 6) x 1000.50; P1: (600 - 400) - (100 - 60) + (300 - 200)
    assert _totals(margin) == [("Aceite 1,5 l", D("4302.00")), ("Yerba 1 kg", D("260.00"))]


def test_sales_by_salesperson_of_the_clients(book):
    ranking = services.ranking(book.admin, "sales", "salespeople", *OCTOBER)
    assert [(item.id, item.total) for item in ranking.items] == [
        (book.seller1.id, D("10955.00")),
        (book.seller2.id, D("300.00")),
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("seller1", ["Bodega B", "Almacén A"]),
        ("supervisor", ["Bodega B", "Almacén A"]),
        ("seller2", ["Comercio C"]),
        ("admin", ["Bodega B", "Almacén A", "Comercio C"]),
    ],
)
def test_each_user_ranks_only_the_clients_in_their_scope(book, who, expected):
    ranking = services.ranking(getattr(book, who), "sales", "clients", *OCTOBER)
    assert [item.name for item in ranking.items] == expected


def test_filters_narrow_the_clients(book):
    ranking = services.ranking(
        book.admin, "sales", "clients", *OCTOBER, filters={"salesperson_id": book.seller2.id}
    )
    assert _totals(ranking) == [("Comercio C", D("300.00"))]


def test_bad_requests_are_refused_field_by_field(book):
    with pytest.raises(services.ReportError) as refused:
        services.ranking(book.admin, "collections", "products", *OCTOBER)
    assert "by" in refused.value.fields
    with pytest.raises(services.ReportError) as refused:
        services.ranking(book.admin, "sales", "clients", date(2026, 10, 2), date(2026, 10, 1))
    assert "to" in refused.value.fields


def test_the_trend_puts_each_month_beside_the_year_before(book):
    points = services.monthly_trend(book.admin, date(2026, 10, 31))
    assert [point.month for point in points][:2] == [(2025, 11), (2025, 12)]
    october = points[-1]
    assert october.month == (2026, 10)
    assert (october.sales, october.sales_year_before) == (D("11255.00"), D("2000.00"))
    assert (october.collections, october.collections_year_before) == (D("500.00"), D("0.00"))
    assert points[-2].sales == D("7777.00")  # September


def test_a_salespersons_trend_has_only_their_clients(book):
    october = services.monthly_trend(book.seller2, date(2026, 10, 31))[-1]
    assert (october.sales, october.sales_year_before) == (D("300.00"), D("2000.00"))


def test_the_trend_of_a_product_from_its_lines(book):
    october = services.monthly_trend(book.admin, date(2026, 10, 31), product_id=book.p2.id)[-1]
    # P2: 400 on A's invoice and 5 for US$ 10 at 1000.50 on B's
    assert (october.sales, october.collections) == (D("10405.00"), D("0.00"))
    seller2 = services.monthly_trend(book.seller2, date(2026, 10, 31), product_id=book.p1.id)[-1]
    assert seller2.sales == D("300.00")  # only C's line is in their scope


def test_the_trend_of_a_salesperson_with_the_filter(book):
    october = services.monthly_trend(
        book.admin, date(2026, 10, 31), filters={"salesperson_id": book.seller1.id}
    )[-1]
    assert october.sales == D("10955.00")


def test_margin_and_collections_by_salesperson(book):
    margin = services.ranking(book.admin, "margin", "salespeople", *OCTOBER)
    # seller1: B 4052 + A 460; seller2: C 100
    assert [(item.id, item.total) for item in margin.items] == [
        (book.seller1.id, D("4512.00")),
        (book.seller2.id, D("100.00")),
    ]
    collections = services.ranking(book.admin, "collections", "salespeople", *OCTOBER)
    assert [(item.id, item.total) for item in collections.items] == [(book.seller1.id, D("500.00"))]
