"""The order total less the client's IVA liberation passes the shared cases (the phone's
static/js/pricing.js runs them too, in tests/js/iva.test.mjs)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.orders.pricing import PricedLine, order_totals

CASES = json.loads(Path(__file__).with_name("iva_cases.json").read_text(encoding="utf-8"))["cases"]


def priced(line: dict) -> PricedLine:
    """A priced line with only what the totals read: its net and its IVA rate."""
    net = Decimal(line["net"])
    return PricedLine(Decimal("1"), net, net, False, (), net, Decimal(line["tax_rate"]))


def test_there_are_cases_with_unique_names():
    names = [case["name"] for case in CASES]
    assert len(names) >= 10 and len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case):
    totals = order_totals(
        [priced(line) for line in case["lines"]],
        Decimal(case["condition_pct"]),
        iva_exemption_pct=Decimal(case["iva_exemption_pct"]),
    )
    got = {name: f"{getattr(totals, name):.2f}" for name in case["expected"]}
    assert got == case["expected"]


@pytest.mark.parametrize("pct", ["-1", "100.01"])
def test_a_liberation_out_of_range_is_refused(pct):
    with pytest.raises(ValueError, match="from 0 to 100"):
        order_totals([priced({"net": "1.00", "tax_rate": "21"})], Decimal("0"), None, Decimal(pct))
