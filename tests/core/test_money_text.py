"""Money as people read it here: the Python writers pass the shared cases (the phone's too)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.templating import money
from app.credit.rules import money_text

CASES = json.loads(Path(__file__).with_name("money_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["money_text"], ids=lambda case: case["amount"])
def test_money_text(case):
    assert money_text(Decimal(case["amount"])) == case["expected"]


@pytest.mark.parametrize(
    "case", CASES["money"], ids=lambda case: f"{case['amount']} {case['currency']}"
)
def test_money(app, case):
    with app.test_request_context():
        assert money(Decimal(case["amount"]), case["currency"]) == case["expected"]
