"""Promises kept or broken, the order of the collector's sheet, the delinquency rule."""

from datetime import date, time
from decimal import Decimal

import pytest

from app.collections.rules import Candidate, PromiseState, is_delinquent, promise_state, sheet_order

D = Decimal
FRIDAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("paid", "today", "expected"),
    [
        ("0", date(2026, 11, 26), PromiseState.OPEN),
        ("0", FRIDAY, PromiseState.OPEN),  # the promised day itself is still in time
        ("49999.99", date(2026, 11, 28), PromiseState.BROKEN),  # one cent short
        ("50000", date(2026, 11, 28), PromiseState.KEPT),
        ("60000", date(2026, 11, 25), PromiseState.KEPT),  # paid early and more
        ("20000", date(2026, 11, 26), PromiseState.OPEN),  # partly paid, still in time
    ],
)
def test_a_promise_is_kept_by_its_date_or_broken_after_it(paid, today, expected):
    assert promise_state(D("50000"), FRIDAY, D(paid), today) is expected


def cand(cid, zone="Centro", days="0", **fields):
    return Candidate(client_id=cid, zone=zone, amount_days=D(days), **fields)


def test_the_sheet_groups_by_zone_and_puts_agreed_visits_first_by_their_window():
    rows = [
        cand(1, days="300000"),
        cand(2, window=(time(15, 0), time(17, 0))),
        cand(3, zone="Alberdi", days="10"),
        cand(4, window=(time(9, 0), None)),
        cand(5, promise_due=True, days="30"),
        cand(6, days="900000"),
    ]
    ordered = sheet_order(rows)
    assert [zone for zone, _ in ordered] == ["Alberdi", "Centro"]
    assert [c.client_id for c in ordered[1][1]] == [4, 2, 5, 6, 1]


def test_priority_is_the_overdue_amount_weighted_by_age():
    # $ 10.000 overdue 90 days weighs more than $ 20.000 overdue 30 days
    old = cand(1, days=str(10000 * 90))
    big = cand(2, days=str(20000 * 30))
    assert old.priority == D("30000.00") and big.priority == D("20000.00")
    assert [c.client_id for c in sheet_order([big, old])[0][1]] == [1, 2]


def test_ties_go_to_the_oldest_due_date_then_the_client():
    a = cand(7, days="100", oldest_due=date(2026, 9, 1))
    b = cand(3, days="100", oldest_due=date(2026, 8, 1))
    c = cand(2, days="100", oldest_due=date(2026, 9, 1))
    assert [x.client_id for x in sheet_order([a, b, c])[0][1]] == [3, 2, 7]


@pytest.mark.parametrize(
    ("overdue", "minimum", "expected"),
    [("0", "0", False), ("0.01", "0", True), ("999.99", "1000", False), ("1000", "1000", True)],
)
def test_delinquency_needs_overdue_debt_reaching_the_amount(overdue, minimum, expected):
    assert is_delinquent(D(overdue), D(minimum)) is expected
