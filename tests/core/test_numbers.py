"""Numbers as Argentines type them: parse_decimal passes the shared cases (the phone's too)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.numbers import parse_decimal

CASES = json.loads(Path(__file__).with_name("number_cases.json").read_text(encoding="utf-8"))[
    "cases"
]


def test_the_cases_have_unique_names_and_the_shared_shape():
    """The file stays plain data the JavaScript side reads the same way."""
    assert len({case["name"] for case in CASES}) == len(CASES) >= 50
    for case in CASES:
        assert set(case) == {"name", "input", "negative", "expected"}, case["name"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case):
    try:
        read = format(parse_decimal(case["input"], negative=case["negative"]), "f")
    except ValueError:
        read = None
    assert read == case["expected"]


def test_the_scale_is_kept_as_typed():
    assert parse_decimal("12,50").as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "read"),
    [(5, Decimal("5")), (Decimal("1.25"), Decimal("1.25")), (-3, None), (Decimal("-0.5"), None)],
)
def test_numbers_are_taken_as_they_are(value, read):
    """int and Decimal pass through; negatives only when allowed."""
    if read is None:
        with pytest.raises(ValueError):
            parse_decimal(value)
        assert parse_decimal(value, negative=True) == value
    else:
        assert parse_decimal(value) == read


@pytest.mark.parametrize("value", [1.5, True, None, Decimal("NaN"), Decimal("Infinity"), ["1"]])
def test_floats_and_other_values_are_refused(value):
    with pytest.raises(ValueError):
        parse_decimal(value, negative=True)
