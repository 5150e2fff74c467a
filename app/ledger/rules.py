"""Pure rules of the current account: due dates, installments, aging, days to pay."""

import calendar
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")
_MAX_DAYS = 3650
_LAST_WEEK = 5


class DueRuleKind(StrEnum):
    """How a due date follows from the document date."""

    DAYS = "days"
    DAY_OF_MONTH = "day_of_month"
    NEXT_DAY_OF_MONTH = "next_day_of_month"
    WEEKDAY_OF_WEEK = "weekday_of_week"


def _within(value: object, low: int, high: int) -> bool:
    """True when value is an int (not a bool) from low to high."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@dataclass(frozen=True)
class DueRule:
    """The due-date rule of a sale condition; only the fields of its kind are used."""

    kind: DueRuleKind
    days: int = 0
    day: int = 0
    weekday: int = 0
    week: int = 0

    def problems(self) -> list[str]:
        """Names of the fields out of range for this kind; empty when the rule is valid."""
        try:
            kind = DueRuleKind(self.kind)
        except ValueError:
            return ["kind"]
        if kind is DueRuleKind.DAYS:
            checks = {"days": _within(self.days, 0, _MAX_DAYS)}
        elif kind is DueRuleKind.WEEKDAY_OF_WEEK:
            checks = {"weekday": _within(self.weekday, 0, 6), "week": _within(self.week, 1, 5)}
        else:
            checks = {"day": _within(self.day, 1, 31)}
        return [name for name, valid in checks.items() if not valid]


@dataclass(frozen=True)
class Installment:
    """One installment (cuota) of a document: its number from 1, due date and amount."""

    number: int
    due_date: date
    amount: Decimal


def _check_rule(rule: DueRule) -> None:
    """Raise ValueError naming the fields of an invalid rule."""
    if problems := rule.problems():
        raise ValueError(f"invalid due rule, check: {', '.join(problems)}")


def _check_count(count: int) -> None:
    """Raise ValueError unless there is at least one installment."""
    if count < 1:
        raise ValueError(f"installment count must be at least 1, got {count}")


def _check_amount(amount: Decimal) -> None:
    """Raise ValueError unless amount is a positive number of whole cents."""
    try:
        whole_cents = amount.is_finite() and amount == amount.quantize(_CENT)
    except InvalidOperation:
        # quantize fails when the amount has more digits than the decimal context holds
        whole_cents = False
    if not whole_cents or amount <= 0:
        raise ValueError(f"amount must be positive with at most 2 decimal places, got {amount}")


def _month_after(year: int, month: int, months: int) -> tuple[int, int]:
    """The (year, month) that comes the given number of months after year/month."""
    years, month_index = divmod(year * 12 + month - 1 + months, 12)
    return years, month_index + 1


def _rule_day_in(rule: DueRule, year: int, month: int) -> date:
    """The date in year/month on the rule's day: day d clamped, or the n-th or last weekday."""
    first_weekday, length = calendar.monthrange(year, month)
    if rule.kind != DueRuleKind.WEEKDAY_OF_WEEK:
        return date(year, month, min(rule.day, length))
    if rule.week == _LAST_WEEK:
        last_weekday = (first_weekday + length - 1) % 7
        return date(year, month, length - (last_weekday - rule.weekday) % 7)
    first = 1 + (rule.weekday - first_weekday) % 7
    return date(year, month, first + 7 * (rule.week - 1))


def first_due_date(rule: DueRule, document_date: date) -> date:
    """The due date of a document (its first installment) dated document_date."""
    _check_rule(rule)
    if rule.kind == DueRuleKind.DAYS:
        return document_date + timedelta(days=rule.days)
    this_month = _rule_day_in(rule, document_date.year, document_date.month)
    if rule.kind == DueRuleKind.NEXT_DAY_OF_MONTH and this_month > document_date:
        return this_month
    if rule.kind == DueRuleKind.WEEKDAY_OF_WEEK and this_month >= document_date:
        return this_month
    # DAY_OF_MONTH always falls in the month after the document's
    return _rule_day_in(rule, *_month_after(document_date.year, document_date.month, 1))


def installment_due_dates(rule: DueRule, document_date: date, count: int) -> list[date]:
    """The due dates of count installments of a document dated document_date."""
    _check_count(count)
    first = first_due_date(rule, document_date)
    if rule.kind == DueRuleKind.DAYS:
        return [document_date + timedelta(days=rule.days * i) for i in range(1, count + 1)]
    later = [_rule_day_in(rule, *_month_after(first.year, first.month, i)) for i in range(1, count)]
    return [first, *later]


def split_amount(amount: Decimal, count: int) -> list[Decimal]:
    """Equal parts rounded down to cents, the remainder in the last: 100.00/3 -> 33.33 x2, 33.34."""
    _check_count(count)
    _check_amount(amount)
    part = (amount / count).quantize(_CENT, rounding=ROUND_DOWN)
    return [part] * (count - 1) + [(amount - part * (count - 1)).quantize(_CENT)]


def installments(
    rule: DueRule, document_date: date, amount: Decimal, count: int = 1
) -> list[Installment]:
    """The installments of a document: numbered from 1, with due dates and amounts."""
    parts = split_amount(amount, count)
    due_dates = installment_due_dates(rule, document_date, count)
    return [
        Installment(number, due, part)
        for number, (due, part) in enumerate(zip(due_dates, parts, strict=True), start=1)
    ]


AGING_BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")
# the most days overdue each bucket holds, but the last, which is open-ended
_BUCKET_MAX_DAYS = (0, 30, 60, 90)


def days_overdue(due_date: date, as_of: date) -> int:
    """Days past the due date on as_of; 0 while not yet due."""
    return max(0, (as_of - due_date).days)


def aging_bucket(due_date: date, as_of: date) -> str:
    """The aging bucket of an item due on due_date, seen on as_of."""
    return AGING_BUCKETS[bisect_left(_BUCKET_MAX_DAYS, days_overdue(due_date, as_of))]


def weighted_days_to_pay(payments: Iterable[tuple[date, date, Decimal]]) -> Decimal | None:
    """Amount-weighted mean days from document to payment, to 0.1; None when nothing was paid."""
    total = weighted = Decimal(0)
    for document_date, payment_date, amount in payments:
        total += amount
        weighted += amount * (payment_date - document_date).days
    if total == 0:
        return None
    return (weighted / total).quantize(_TENTH, rounding=ROUND_HALF_UP)
