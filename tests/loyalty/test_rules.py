"""The loyalty program's arithmetic."""

from datetime import date
from decimal import Decimal

from app.loyalty.rules import add_months, points_for, take_oldest_first


def test_a_point_per_whole_amount():
    assert points_for(Decimal("25500"), Decimal("1000")) == 25
    assert points_for(Decimal("999.99"), Decimal("1000")) == 0
    assert points_for(Decimal("-5000"), Decimal("1000")) == 0


def test_months_later_clamps_to_the_months_last_day():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 12) == date(2027, 11, 15)
    assert add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)


def test_points_are_taken_from_the_oldest_lot_first():
    assert take_oldest_first([10, 5, 7], 12) == [0, 3, 7]
    assert take_oldest_first([3], 10) == [0]
