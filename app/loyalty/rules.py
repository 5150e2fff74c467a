"""The loyalty program's arithmetic, over plain values."""

import calendar
from datetime import date
from decimal import ROUND_FLOOR, Decimal


def points_for(pesos: Decimal, amount_per_point: Decimal) -> int:
    """Whole points for an amount in pesos: one for each full amount_per_point."""
    if pesos <= 0 or amount_per_point <= 0:
        return 0
    return int((pesos / amount_per_point).to_integral_value(rounding=ROUND_FLOOR))


def add_months(day: date, months: int) -> date:
    """The same day so many months later, clamped to the month's last day (31/1 + 1 = 28/2)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def take_oldest_first(lots: list[int], points: int) -> list[int]:
    """What each lot keeps after taking these points from the oldest lot first (never below
    zero: the points there are not are not taken)."""
    kept = []
    for remaining in lots:
        taken = min(remaining, points)
        points -= taken
        kept.append(remaining - taken)
    return kept
