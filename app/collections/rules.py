"""Pure rules of collections: promises kept or broken, the daily sheet's order, delinquency.

Plain values in, plain values out: no Flask, no database.
"""

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0")


class PromiseState(StrEnum):
    """Where a promise to pay stands."""

    OPEN = "open"  # its date has not passed and it is not paid yet
    KEPT = "kept"  # paid in full by its date
    BROKEN = "broken"  # its date passed without the full amount


def promise_state(amount: Decimal, due: date, paid_by_due: Decimal, today: date) -> PromiseState:
    """A promise is kept when receipts from the call to its date reach the amount.

    paid_by_due: what the client paid from the day of the call to the promised date, both
    included. Paying after the date does not mend a broken promise (it was broken).
    """
    if paid_by_due >= amount:
        return PromiseState.KEPT
    return PromiseState.BROKEN if today > due else PromiseState.OPEN


class Reason(StrEnum):
    """Why a client is on the collector's sheet today."""

    VISIT = "visit"  # a visit agreed for today, with a time window
    PROMISE = "promise"  # a promise due today or broken
    OVERDUE = "overdue"  # overdue debt


@dataclass(frozen=True)
class Candidate:
    """A client that may go on the sheet, with what the sheet needs to order it."""

    client_id: int
    zone: str  # the zone's name ("" without one)
    overdue: Decimal = ZERO  # overdue amount in the account currency
    amount_days: Decimal = ZERO  # sum of open_amount x days overdue over overdue items
    oldest_due: date | None = None
    window: tuple[time, time | None] | None = None  # an agreed visit today
    promise_due: bool = False  # a promise due today or broken and unpaid
    reasons: frozenset[Reason] = field(default_factory=frozenset)

    @property
    def priority(self) -> Decimal:
        """Overdue amount weighted by age: pesos x months overdue (30-day months)."""
        return (self.amount_days / 30).quantize(Decimal("0.01"))


def sheet_order(candidates: list[Candidate]) -> list[tuple[str, list[Candidate]]]:
    """Group the day's clients by zone (zones by name) and order each zone's rows.

    Within a zone: agreed visits first, by the start of their window; then promises due, and
    then the rest, each by priority (overdue amount weighted by age), highest first; ties by
    the oldest due date, then by client id, so the sheet is the same every time.
    """
    zones: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        zones.setdefault(candidate.zone, []).append(candidate)

    def key(c: Candidate):
        if c.window is not None:
            return (0, c.window[0], ZERO, date.min, c.client_id)
        group = 1 if c.promise_due else 2
        return (group, time.min, -c.priority, c.oldest_due or date.max, c.client_id)

    return [(zone, sorted(zones[zone], key=key)) for zone in sorted(zones)]


def is_delinquent(overdue_past_days: Decimal, min_amount: Decimal) -> bool:
    """The rule: debt overdue past the rule's days reaches its amount (and is not zero)."""
    return overdue_past_days > 0 and overdue_past_days >= min_amount
