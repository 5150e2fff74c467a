"""Due dates, installments, aging and days to pay (DESIGN.md section 4), dates worked by hand."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.ledger.rules import (
    DueRule,
    DueRuleKind,
    Installment,
    aging_bucket,
    days_overdue,
    first_due_date,
    installment_due_dates,
    installments,
    split_amount,
    weighted_days_to_pay,
)

D = date
MON, TUE, THU, FRI, SUN = 0, 1, 3, 4, 6
LAST = 5


def days(n):
    return DueRule(DueRuleKind.DAYS, days=n)


def day_of_month(d):
    return DueRule(DueRuleKind.DAY_OF_MONTH, day=d)


def next_day_of_month(d):
    return DueRule(DueRuleKind.NEXT_DAY_OF_MONTH, day=d)


def weekday_of_week(weekday, week):
    return DueRule(DueRuleKind.WEEKDAY_OF_WEEK, weekday=weekday, week=week)


# --- first due date, one rule kind at a time --------------------------------------------


@pytest.mark.parametrize(
    ("document_date", "n", "expected"),
    [
        (D(2027, 1, 31), 30, D(2027, 3, 2)),
        (D(2028, 1, 31), 30, D(2028, 3, 1)),
        (D(2027, 2, 28), 1, D(2027, 3, 1)),
        (D(2028, 2, 28), 1, D(2028, 2, 29)),
        (D(2027, 4, 30), 0, D(2027, 4, 30)),
        (D(2027, 4, 30), 31, D(2027, 5, 31)),
        (D(2027, 12, 15), 30, D(2028, 1, 14)),
        (D(2027, 12, 31), 1, D(2028, 1, 1)),
        (D(2027, 1, 1), 3650, D(2036, 12, 29)),
    ],
)
def test_days_rule_adds_n_days(document_date, n, expected):
    assert first_due_date(days(n), document_date) == expected


@pytest.mark.parametrize(
    ("document_date", "d", "expected"),
    [
        (D(2027, 1, 5), 10, D(2027, 2, 10)),
        (D(2027, 1, 10), 10, D(2027, 2, 10)),
        (D(2027, 1, 31), 31, D(2027, 2, 28)),
        (D(2028, 1, 31), 31, D(2028, 2, 29)),
        (D(2028, 1, 15), 30, D(2028, 2, 29)),
        (D(2027, 2, 28), 1, D(2027, 3, 1)),
        (D(2028, 2, 29), 31, D(2028, 3, 31)),
        (D(2027, 3, 31), 31, D(2027, 4, 30)),
        (D(2027, 4, 30), 31, D(2027, 5, 31)),
        (D(2027, 4, 30), 30, D(2027, 5, 30)),
        (D(2027, 12, 15), 10, D(2028, 1, 10)),
        (D(2027, 12, 31), 31, D(2028, 1, 31)),
        (D(2027, 12, 1), 1, D(2028, 1, 1)),
    ],
)
def test_day_of_month_rule_is_that_day_of_the_next_month(document_date, d, expected):
    assert first_due_date(day_of_month(d), document_date) == expected


@pytest.mark.parametrize(
    ("document_date", "d", "expected"),
    [
        (D(2027, 1, 5), 10, D(2027, 1, 10)),
        (D(2027, 1, 10), 10, D(2027, 2, 10)),
        (D(2027, 1, 9), 10, D(2027, 1, 10)),
        (D(2027, 1, 31), 1, D(2027, 2, 1)),
        (D(2027, 1, 31), 31, D(2027, 2, 28)),
        (D(2027, 2, 10), 31, D(2027, 2, 28)),
        (D(2027, 2, 28), 31, D(2027, 3, 31)),
        (D(2027, 2, 27), 29, D(2027, 2, 28)),
        (D(2028, 1, 31), 31, D(2028, 2, 29)),
        (D(2028, 2, 10), 30, D(2028, 2, 29)),
        (D(2028, 2, 28), 29, D(2028, 2, 29)),
        (D(2028, 2, 29), 30, D(2028, 3, 30)),
        (D(2027, 4, 15), 31, D(2027, 4, 30)),
        (D(2027, 4, 30), 31, D(2027, 5, 31)),
        (D(2027, 4, 30), 30, D(2027, 5, 30)),
        (D(2027, 12, 15), 20, D(2027, 12, 20)),
        (D(2027, 12, 15), 10, D(2028, 1, 10)),
        (D(2027, 12, 31), 31, D(2028, 1, 31)),
        (D(2027, 12, 31), 1, D(2028, 1, 1)),
    ],
)
def test_next_day_of_month_rule_is_the_first_such_day_after_the_document(
    document_date, d, expected
):
    assert first_due_date(next_day_of_month(d), document_date) == expected


@pytest.mark.parametrize(
    ("document_date", "weekday", "week", "expected"),
    [
        # January 2027 starts on a Friday: Fridays 1, 8, 15, 22, 29
        (D(2027, 1, 1), FRI, 1, D(2027, 1, 1)),
        (D(2027, 1, 5), FRI, 1, D(2027, 2, 5)),
        (D(2027, 1, 5), FRI, 2, D(2027, 1, 8)),
        (D(2027, 1, 8), FRI, 2, D(2027, 1, 8)),
        (D(2027, 1, 9), FRI, 2, D(2027, 2, 12)),
        (D(2027, 1, 1), FRI, 4, D(2027, 1, 22)),
        (D(2027, 1, 5), FRI, LAST, D(2027, 1, 29)),
        (D(2027, 1, 30), FRI, LAST, D(2027, 2, 26)),
        (D(2027, 1, 31), SUN, LAST, D(2027, 1, 31)),
        # February 2027 has four of each weekday: the last Friday is the 4th
        (D(2027, 2, 1), MON, 1, D(2027, 2, 1)),
        (D(2027, 2, 1), FRI, LAST, D(2027, 2, 26)),
        (D(2027, 2, 1), FRI, 4, D(2027, 2, 26)),
        (D(2027, 2, 23), MON, LAST, D(2027, 3, 29)),
        # February 2028 (leap) has five Tuesdays: 1, 8, 15, 22, 29
        (D(2028, 2, 10), TUE, LAST, D(2028, 2, 29)),
        (D(2028, 2, 10), TUE, 4, D(2028, 2, 22)),
        (D(2028, 2, 29), TUE, LAST, D(2028, 2, 29)),
        (D(2028, 1, 31), TUE, 1, D(2028, 2, 1)),
        (D(2027, 4, 30), MON, 1, D(2027, 5, 3)),
        (D(2027, 4, 30), FRI, LAST, D(2027, 4, 30)),
        # year end
        (D(2027, 12, 15), MON, 1, D(2028, 1, 3)),
        (D(2027, 12, 31), FRI, LAST, D(2027, 12, 31)),
        (D(2027, 12, 31), THU, LAST, D(2028, 1, 27)),
    ],
)
def test_weekday_of_week_rule(document_date, weekday, week, expected):
    assert first_due_date(weekday_of_week(weekday, week), document_date) == expected


# --- installments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "document_date", "expected"),
    [
        (days(30), D(2027, 12, 15), [D(2028, 1, 14), D(2028, 2, 13), D(2028, 3, 14)]),
        (days(30), D(2027, 1, 31), [D(2027, 3, 2), D(2027, 4, 1), D(2027, 5, 1)]),
        (days(0), D(2027, 1, 31), [D(2027, 1, 31)] * 3),
        (
            day_of_month(31),
            D(2027, 11, 20),
            [D(2027, 12, 31), D(2028, 1, 31), D(2028, 2, 29), D(2028, 3, 31)],
        ),
        (
            day_of_month(30),
            D(2028, 1, 15),
            [D(2028, 2, 29), D(2028, 3, 30), D(2028, 4, 30), D(2028, 5, 30)],
        ),
        (day_of_month(10), D(2027, 12, 10), [D(2028, 1, 10), D(2028, 2, 10), D(2028, 3, 10)]),
        (
            next_day_of_month(31),
            D(2026, 12, 10),
            [D(2026, 12, 31), D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30)],
        ),
        # the first one is clamped to Feb 29; the next ones go back to the 30th
        (next_day_of_month(30), D(2028, 1, 30), [D(2028, 2, 29), D(2028, 3, 30), D(2028, 4, 30)]),
        (
            weekday_of_week(FRI, LAST),
            D(2027, 12, 15),
            [D(2027, 12, 31), D(2028, 1, 28), D(2028, 2, 25)],
        ),
        (
            weekday_of_week(MON, 1),
            D(2027, 12, 15),
            [D(2028, 1, 3), D(2028, 2, 7), D(2028, 3, 6)],
        ),
        (
            weekday_of_week(TUE, LAST),
            D(2028, 1, 31),
            [D(2028, 2, 29), D(2028, 3, 28), D(2028, 4, 25)],
        ),
    ],
)
def test_installment_due_dates(rule, document_date, expected):
    assert installment_due_dates(rule, document_date, len(expected)) == expected


def test_installments_number_date_and_split_the_amount():
    assert installments(day_of_month(31), D(2027, 12, 20), Decimal("100.00"), 3) == [
        Installment(1, D(2028, 1, 31), Decimal("33.33")),
        Installment(2, D(2028, 2, 29), Decimal("33.33")),
        Installment(3, D(2028, 3, 31), Decimal("33.34")),
    ]


def test_one_installment_is_the_whole_amount_on_the_first_due_date():
    assert installments(days(30), D(2027, 1, 31), Decimal("250.50")) == [
        Installment(1, D(2027, 3, 2), Decimal("250.50"))
    ]


# --- splitting an amount ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "count", "expected"),
    [
        ("100.00", 3, ["33.33", "33.33", "33.34"]),
        ("100", 3, ["33.33", "33.33", "33.34"]),
        ("0.05", 3, ["0.01", "0.01", "0.03"]),
        ("0.02", 3, ["0.00", "0.00", "0.02"]),
        ("1000.00", 7, ["142.85"] * 6 + ["142.90"]),
        ("90.00", 3, ["30.00", "30.00", "30.00"]),
        ("123.45", 1, ["123.45"]),
        ("0.01", 1, ["0.01"]),
        ("1.100", 2, ["0.55", "0.55"]),
    ],
)
def test_split_amount(amount, count, expected):
    parts = split_amount(Decimal(amount), count)
    assert parts == [Decimal(p) for p in expected]
    assert [str(p) for p in parts] == expected
    assert sum(parts) == Decimal(amount)


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, -1])
def test_count_below_one_is_rejected(count):
    with pytest.raises(ValueError, match="count"):
        split_amount(Decimal("10.00"), count)
    with pytest.raises(ValueError, match="count"):
        installment_due_dates(days(30), D(2027, 1, 1), count)
    with pytest.raises(ValueError, match="count"):
        installments(days(30), D(2027, 1, 1), Decimal("10.00"), count)


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "0.001", "1.005", "NaN", "Infinity"])
def test_amount_must_be_positive_whole_cents(amount):
    with pytest.raises(ValueError, match="amount"):
        split_amount(Decimal(amount), 2)
    with pytest.raises(ValueError, match="amount"):
        installments(days(30), D(2027, 1, 1), Decimal(amount), 2)


@pytest.mark.parametrize(
    ("rule", "problems"),
    [
        (days(0), []),
        (days(3650), []),
        (DueRule(DueRuleKind.DAYS, days=30, day=99, weekday=-1, week=9), []),
        (days(-1), ["days"]),
        (days(3651), ["days"]),
        (day_of_month(1), []),
        (day_of_month(31), []),
        (day_of_month(0), ["day"]),
        (day_of_month(32), ["day"]),
        (next_day_of_month(31), []),
        (next_day_of_month(0), ["day"]),
        (next_day_of_month(32), ["day"]),
        (weekday_of_week(MON, 1), []),
        (weekday_of_week(SUN, LAST), []),
        (weekday_of_week(7, 1), ["weekday"]),
        (weekday_of_week(MON, 0), ["week"]),
        (weekday_of_week(MON, 6), ["week"]),
        (weekday_of_week(-1, 0), ["weekday", "week"]),
        (DueRule(DueRuleKind.WEEKDAY_OF_WEEK), ["week"]),
        (DueRule(DueRuleKind.DAY_OF_MONTH), ["day"]),
        (DueRule("weekly"), ["kind"]),
    ],
)
def test_rule_problems(rule, problems):
    assert rule.problems() == problems


@pytest.mark.parametrize(
    "rule", [days(-1), day_of_month(32), next_day_of_month(0), weekday_of_week(7, 6)]
)
def test_invalid_rule_is_rejected(rule):
    with pytest.raises(ValueError, match="due rule"):
        first_due_date(rule, D(2027, 1, 1))
    with pytest.raises(ValueError, match="due rule"):
        installment_due_dates(rule, D(2027, 1, 1), 3)
    with pytest.raises(ValueError, match="due rule"):
        installments(rule, D(2027, 1, 1), Decimal("10.00"), 3)


def test_a_kind_given_as_its_stored_string_works():
    assert first_due_date(DueRule("next_day_of_month", day=10), D(2027, 1, 5)) == D(2027, 1, 10)


# --- aging and days to pay --------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "overdue", "bucket"),
    [
        (D(2027, 1, 1), 0, "not_due"),
        (D(2027, 1, 31), 0, "not_due"),
        (D(2027, 2, 1), 1, "1_30"),
        (D(2027, 3, 2), 30, "1_30"),
        (D(2027, 3, 3), 31, "31_60"),
        (D(2027, 4, 1), 60, "31_60"),
        (D(2027, 4, 2), 61, "61_90"),
        (D(2027, 5, 1), 90, "61_90"),
        (D(2027, 5, 2), 91, "over_90"),
        (D(2028, 1, 31), 365, "over_90"),
    ],
)
def test_aging_bucket_boundaries(as_of, overdue, bucket):
    due = D(2027, 1, 31)
    assert days_overdue(due, as_of) == overdue
    assert aging_bucket(due, as_of) == bucket


def test_weighted_days_to_pay_weighs_by_amount():
    payments = [
        (D(2027, 1, 10), D(2027, 2, 9), Decimal("300.00")),  # 30 days
        (D(2027, 1, 20), D(2027, 1, 30), Decimal("100.00")),  # 10 days
    ]
    # (300 * 30 + 100 * 10) / 400 = 25.0, where a plain mean would say 20
    assert weighted_days_to_pay(payments) == Decimal("25.0")
    assert weighted_days_to_pay(iter(payments)) == Decimal("25.0")


def test_weighted_days_to_pay_rounds_half_up_to_a_tenth():
    payments = [
        (D(2027, 3, 1), D(2027, 3, 11), Decimal("150.00")),  # 10 days
        (D(2027, 3, 1), D(2027, 3, 4), Decimal("50.00")),  # 3 days
    ]
    # (150 * 10 + 50 * 3) / 200 = 8.25
    assert weighted_days_to_pay(payments) == Decimal("8.3")


@pytest.mark.parametrize("payments", [[], [(D(2027, 1, 1), D(2027, 1, 5), Decimal("0.00"))]])
def test_weighted_days_to_pay_without_money_is_none(payments):
    assert weighted_days_to_pay(payments) is None


# --- properties -------------------------------------------------------------------------

AMOUNTS = st.integers(1, 10**11).map(lambda cents: Decimal(cents).scaleb(-2))
COUNTS = st.integers(1, 24)
DATES = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31))
WEEKDAY_RULES = st.builds(weekday_of_week, st.integers(0, 6), st.integers(1, 5))
DAY_RULES = st.one_of(
    st.builds(day_of_month, st.integers(1, 31)),
    st.builds(next_day_of_month, st.integers(1, 31)),
    WEEKDAY_RULES,
)
RULES = st.one_of(st.builds(days, st.integers(0, 3650)), DAY_RULES)


@given(AMOUNTS, COUNTS)
def test_split_parts_are_equal_but_the_last_and_add_up(amount, count):
    parts = split_amount(amount, count)
    assert len(parts) == count
    assert sum(parts) == amount
    assert all(part.as_tuple().exponent == -2 for part in parts)
    assert len(set(parts[:-1])) <= 1
    assert parts[-1] >= parts[0]
    assert parts[-1] - parts[0] < count * Decimal("0.01")


@given(RULES, DATES, COUNTS)
def test_due_dates_never_go_back_nor_before_the_document(rule, document_date, count):
    due_dates = installment_due_dates(rule, document_date, count)
    assert len(due_dates) == count
    assert due_dates == sorted(due_dates)
    assert due_dates[0] == first_due_date(rule, document_date)
    if rule.kind in (DueRuleKind.DAY_OF_MONTH, DueRuleKind.NEXT_DAY_OF_MONTH):
        assert due_dates[0] > document_date
    else:
        assert due_dates[0] >= document_date


@given(DAY_RULES, DATES, COUNTS)
def test_day_rules_fall_in_consecutive_months_on_the_rules_day(rule, document_date, count):
    due_dates = installment_due_dates(rule, document_date, count)
    months = [due.year * 12 + due.month for due in due_dates]
    assert months == list(range(months[0], months[0] + count))
    for due in due_dates:
        length = calendar.monthrange(due.year, due.month)[1]
        if rule.kind == DueRuleKind.WEEKDAY_OF_WEEK:
            assert due.weekday() == rule.weekday
            if rule.week == LAST:
                assert due.day + 7 > length
            else:
                assert (due.day - 1) // 7 + 1 == rule.week
        else:
            assert due.day == min(rule.day, length)


def matches(rule, candidate):
    length = calendar.monthrange(candidate.year, candidate.month)[1]
    if rule.kind == DueRuleKind.WEEKDAY_OF_WEEK:
        in_week = (
            candidate.day + 7 > length
            if rule.week == LAST
            else ((candidate.day - 1) // 7 + 1 == rule.week)
        )
        return candidate.weekday() == rule.weekday and in_week
    return candidate.day == min(rule.day, length)


@given(st.one_of(st.builds(next_day_of_month, st.integers(1, 31)), WEEKDAY_RULES), DATES)
def test_next_day_and_weekday_rules_take_the_first_matching_date(rule, document_date):
    # NEXT_DAY_OF_MONTH starts the day after; the weekday rule keeps the document date itself
    candidate = document_date
    if rule.kind == DueRuleKind.NEXT_DAY_OF_MONTH:
        candidate += timedelta(days=1)
    while not matches(rule, candidate):
        candidate += timedelta(days=1)
    assert first_due_date(rule, document_date) == candidate
