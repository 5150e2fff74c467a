"""Salesperson performance against the hand-worked book (tests/reports/conftest.py)."""

from datetime import date
from decimal import Decimal

import app.reports.performance as performance
from app.extensions import db
from app.orders.models import Order, OrderStatus
from app.route.models import Visit

D = Decimal


def _order(client, on, status=OrderStatus.ACCEPTED):
    db.session.add(
        Order(
            client_id=client.id,
            user_id=client.salesperson_id,
            status=status,
            date=on,
            payment_method="cash",
            currency="ARS",
            subtotal=D("1"),
            net=D("1"),
            total=D("1"),
        )
    )


def _visit(client, on, outcome):
    db.session.add(
        Visit(client_id=client.id, user_id=client.salesperson_id, day=on, outcome=outcome)
    )


def test_each_salesperson_beside_the_period_before(book):
    # A is on the route every Tuesday; B every other Tuesday from the week of 5 October
    book.a.visit_weekdays = 1 << 1
    book.b.visit_weekdays, book.b.visit_every_weeks = 1 << 1, 2
    book.b.visit_week_of = date(2026, 10, 5)
    _visit(book.a, date(2026, 10, 6), "order")
    _visit(book.b, date(2026, 10, 6), "no_order")
    _visit(book.d, date(2026, 10, 7), "skipped")
    _visit(book.a, date(2026, 9, 6), "order")
    _order(book.a, date(2026, 10, 6))
    _order(book.b, date(2026, 10, 8), OrderStatus.INVOICED)
    _order(book.b, date(2026, 10, 9), OrderStatus.CANCELLED)
    db.session.commit()
    found = performance.performance(book.supervisor, date(2026, 10, 1), date(2026, 10, 31))
    assert [row.user_id for row in found] == [book.seller1.id]  # the team, not seller2
    october, september = found[0].current, found[0].previous
    # A: 1000 - 100; B: 10 x 1000.50 + 50 (the voided invoice and September's do not count)
    # planned: A on the 6th, 13th, 20th and 27th; B on the 6th and 20th
    assert october == performance.Figures(
        planned=6,
        planned_made=2,
        visits=2,
        skipped=1,
        orders=2,
        sales=D("10955.00"),
        invoices=2,
        collections=D("500.00"),
    )
    assert october.average_ticket == D("5477.50")  # 10955 over 2 invoices
    # the 31 days before: 2026-08-31 .. 2026-09-30
    # planned: A on the 1st, 8th, 15th, 22nd and 29th of September; B on the 8th and 22nd
    assert september == performance.Figures(
        planned=7, planned_made=1, visits=1, sales=D("7777.00"), invoices=1
    )


def test_a_salesperson_sees_only_themself_and_the_office_everyone(book):
    mine = performance.performance(book.seller2, date(2026, 10, 1), date(2026, 10, 31))
    assert [(row.user_id, row.current.sales) for row in mine] == [(book.seller2.id, D("300.00"))]
    everyone = performance.performance(book.admin, date(2026, 10, 1), date(2026, 10, 31))
    assert {row.user_id for row in everyone} == {book.seller1.id, book.seller2.id}
