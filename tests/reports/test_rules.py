"""The reports' pure rules: months, shares, ABC at its edges, stopped buying, at-risk reasons."""

from datetime import date
from decimal import Decimal

import pytest

import app.reports.rules as rules

D = Decimal


def test_months_step_over_years():
    assert rules.add_months((2026, 1), -1) == (2025, 12)
    assert rules.add_months((2025, 12), 13) == (2027, 1)
    assert rules.last_months(date(2026, 2, 10), 3) == [(2025, 12), (2026, 1), (2026, 2)]


def test_shares_are_percentages_of_the_total():
    assert rules.share_pct(D("900"), D("11255")) == D("8.00")
    assert rules.share_pct(D("1"), D("3")) == D("33.33")
    assert rules.share_pct(D("5"), D("0")) == D("0.00")
    assert rules.share_pct(D("-5"), D("10")) == D("0.00")


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        # exactly 80 / 15 / 5: the edges belong to the letter above
        ({1: "80", 2: "15", 3: "5"}, {1: "A", 2: "B", 3: "C"}),
        # the client that crosses 80 % is A; one starting right on 95 % is C
        ({1: "79.99", 2: "15.01", 3: "5"}, {1: "A", 2: "A", 3: "C"}),
        ({1: "50", 2: "30", 3: "15", 4: "5"}, {1: "A", 2: "A", 3: "B", 4: "C"}),
        ({1: "50", 2: "29.99", 3: "15", 4: "5.01"}, {1: "A", 2: "A", 3: "A", 4: "B"}),
        # one client alone makes everything
        ({1: "10"}, {1: "A"}),
        # no sales, or more returned than bought: C
        ({1: "100", 2: "0", 3: "-20"}, {1: "A", 2: "C", 3: "C"}),
    ],
)
def test_abc_thresholds_at_their_edges(totals, expected):
    amounts = {key: D(value) for key, value in totals.items()}
    assert rules.abc_ratings(amounts, D("80"), D("15")) == expected


def test_abc_thresholds_are_settings():
    amounts = {1: D("60"), 2: D("25"), 3: D("15")}
    assert rules.abc_ratings(amounts, D("50"), D("30")) == {1: "A", 2: "B", 3: "C"}
    assert rules.abc_ratings(amounts, D("70"), D("20")) == {1: "A", 2: "A", 3: "B"}


def test_stopped_buying_needs_3_of_the_6_months_before_the_last_2():
    today = date(2026, 11, 15)  # last 2: Nov, Oct; the 6 before: Apr..Sep
    bought = {
        "stopped": [(2026, 5), (2026, 7), (2026, 9)],
        "still buying": [(2026, 5), (2026, 7), (2026, 9), (2026, 10)],
        "only twice": [(2026, 6), (2026, 8)],
        "too long ago": [(2026, 1), (2026, 2), (2026, 3), (2026, 4), (2026, 5)],
        "this month": [(2026, 6), (2026, 7), (2026, 8), (2026, 11)],
    }
    assert rules.stopped_buying(bought, today) == ["stopped"]


# the thresholds these tests were written against (the defaults are stricter)
LOOSE = rules.RiskThresholds(paying_slower_days=5, sales_fall_pct=D("30"), sales_floor=D("0"))


def _reasons(limits=LOOSE, **facts) -> list[str]:
    return [reason.code for reason in rules.risk_reasons(rules.RiskFacts(**facts), limits)]


def test_a_client_with_nothing_wrong_is_not_at_risk():
    assert _reasons() == []
    assert _reasons(sales_before=D("100"), sales_recent=D("100"), balance=D("10")) == []


def test_overdue_growing_month_on_month():
    assert _reasons(overdue_by_month=(D("10"), D("20"), D("30"))) == ["overdue_growing"]
    assert _reasons(overdue_by_month=(D("10"), D("20"), D("20"))) == []
    assert _reasons(overdue_by_month=(D("0"), D("0"), D("0"))) == []


def test_broken_promises_from_two():
    assert _reasons(broken_promises=1) == []
    assert _reasons(broken_promises=2) == ["broken_promises"]


def test_paying_slower_by_more_than_five_days():
    assert _reasons(days_to_pay_before=D("30"), days_to_pay_recent=D("35")) == []
    assert _reasons(days_to_pay_before=D("30"), days_to_pay_recent=D("35.1")) == ["paying_slower"]
    assert _reasons(days_to_pay_before=None, days_to_pay_recent=D("90")) == []


def test_credit_use_above_90_percent_of_the_limit():
    assert _reasons(balance=D("900"), credit_limit=D("1000")) == []
    assert _reasons(balance=D("900.01"), credit_limit=D("1000")) == ["credit_use"]
    assert _reasons(balance=D("5000"), credit_limit=None) == []
    reason = rules.risk_reasons(rules.RiskFacts(balance=D("950"), credit_limit=D("1000")))[0]
    assert reason.figures["pct"] == D("95")


def test_sales_falling_by_more_than_30_percent():
    assert _reasons(sales_before=D("1000"), sales_recent=D("700")) == []
    assert _reasons(sales_before=D("1000"), sales_recent=D("699.99")) == ["sales_falling"]
    assert _reasons(sales_before=D("0"), sales_recent=D("0")) == []


def test_the_default_thresholds_leave_out_small_falls_and_short_delays():
    default = rules.RiskThresholds()
    small = {"sales_before": D("90000"), "sales_recent": D("10000")}
    assert _reasons(default, **small) == []
    assert _reasons(default, sales_before=D("200000"), sales_recent=D("99999")) == ["sales_falling"]
    assert _reasons(default, sales_before=D("200000"), sales_recent=D("100000")) == []
    assert _reasons(default, days_to_pay_before=D("30"), days_to_pay_recent=D("45")) == []
    assert _reasons(default, days_to_pay_before=D("30"), days_to_pay_recent=D("45.1")) == [
        "paying_slower"
    ]
    assert _reasons(default, broken_promises=2) == ["broken_promises"]
    assert _reasons(rules.RiskThresholds(broken_promises=3), broken_promises=2) == []


@pytest.mark.parametrize(
    ("start", "end", "months", "edges"),
    [
        ("2026-01-01", "2026-12-31", ("2026-01-01", "2026-12-01"), []),
        ("2026-01-15", "2026-03-31", ("2026-02-01", "2026-03-01"), [("2026-01-15", "2026-01-31")]),
        ("2026-01-01", "2026-03-10", ("2026-01-01", "2026-02-01"), [("2026-03-01", "2026-03-10")]),
        (
            "2025-12-08",
            "2026-12-07",
            ("2026-01-01", "2026-11-01"),
            [("2025-12-08", "2025-12-31"), ("2026-12-01", "2026-12-07")],
        ),
        ("2026-02-01", "2026-02-28", ("2026-02-01", "2026-02-01"), []),
        ("2024-02-01", "2024-02-29", ("2024-02-01", "2024-02-01"), []),
        ("2026-02-02", "2026-02-28", None, [("2026-02-02", "2026-02-28")]),
        ("2026-01-20", "2026-02-10", None, [("2026-01-20", "2026-02-10")]),
        ("2026-03-05", "2026-03-04", None, []),
    ],
)
def test_a_period_splits_into_whole_months_and_the_days_at_its_edges(start, end, months, edges):
    split = rules.split_period(date.fromisoformat(start), date.fromisoformat(end))
    day = date.fromisoformat
    assert split.months == (tuple(map(day, months)) if months else None)
    assert split.edges == tuple((day(a), day(b)) for a, b in edges)
