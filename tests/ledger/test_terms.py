"""Sale conditions in words, as the admin list, the card and the ledger show them."""

from decimal import Decimal

import pytest

from app.ledger.models import SaleCondition
from app.ledger.terms import describe_sale_condition, percent


def terms(**fields) -> SaleCondition:
    """A sale condition that is never stored."""
    values = {"rule_kind": "days", "rule_days": 0, "rule_day": 0, "rule_weekday": 0}
    return SaleCondition(**(values | {"rule_week": 0, "installments": 1} | fields))


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"rule_days": 30}, "30 días"),
        ({"rule_days": 1}, "1 día"),
        ({"rule_days": 0}, "Contado"),
        ({"rule_kind": "day_of_month", "rule_day": 10}, "Día 10 del mes siguiente"),
        ({"rule_kind": "next_day_of_month", "rule_day": 15}, "Próximo día 15"),
        (
            {"rule_kind": "weekday_of_week", "rule_weekday": 4, "rule_week": 5},
            "Último viernes del mes",
        ),
        (
            {"rule_kind": "weekday_of_week", "rule_weekday": 0, "rule_week": 1},
            "Primer lunes del mes",
        ),
        (
            {"rule_kind": "weekday_of_week", "rule_weekday": 2, "rule_week": 3},
            "Tercer miércoles del mes",
        ),
        ({"rule_days": 30, "installments": 3}, "3 cuotas cada 30 días"),
        ({"rule_days": 0, "installments": 2}, "2 cuotas al contado"),
        (
            {"rule_kind": "day_of_month", "rule_day": 10, "installments": 6},
            "Día 10 del mes siguiente, 6 cuotas mensuales",
        ),
    ],
)
def test_each_rule_reads_as_people_say_it(app, fields, words):
    assert describe_sale_condition(terms(**fields)) == words


def test_percentages_read_with_a_comma_and_no_trailing_zeros(app):
    assert percent(Decimal("12.50")) == "12,5\u00a0%"
    assert percent(Decimal("5.00")) == "5\u00a0%"
    assert percent(Decimal("0")) == "0\u00a0%"
    assert percent(Decimal("100.00")) == "100\u00a0%"
    assert percent(None) == "—"
