"""The visit plan's is_due passes the shared cases (the phone's isDue passes the same ones)."""

import json
from datetime import date
from pathlib import Path

import pytest

from app.clients.visit_plan import FREQUENCIES, WEEKDAYS, days_mask, is_due

CASES = json.loads(Path(__file__).with_name("plan_cases.json").read_text(encoding="utf-8"))["cases"]


def test_the_cases_have_unique_names_and_the_shared_shape():
    """The file stays plain data the JavaScript side reads the same way."""
    assert len({case["name"] for case in CASES}) == len(CASES) >= 50
    for case in CASES:
        assert set(case) == {"name", "days", "every_weeks", "week_of", "date", "due"}, case["name"]
        assert set(case["days"] or []) <= set(WEEKDAYS)
        assert case["every_weeks"] in (*FREQUENCIES, None)


def test_the_cases_cover_each_frequency_both_ways():
    for every in (1, 2, 4):
        answers = {case["due"] for case in CASES if (case["every_weeks"] or 1) == every}
        assert answers == {True, False}, every


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case):
    week_of = date.fromisoformat(case["week_of"]) if case["week_of"] else None
    due = is_due(
        days_mask(case["days"]), case["every_weeks"], week_of, date.fromisoformat(case["date"])
    )
    assert due is case["due"]
