"""The pure rules of a case: transitions, working days, overdue, photo types."""

from datetime import date

import pytest

from app.cases.rules import (
    CaseState,
    add_working_days,
    can_move,
    image_type,
    is_overdue,
    needs_reason,
)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 12, 7), 0, date(2026, 12, 7)),  # Monday, nothing to add
        (date(2026, 12, 7), 3, date(2026, 12, 10)),  # Monday + 3 -> Thursday
        (date(2026, 12, 10), 2, date(2026, 12, 14)),  # Thursday + 2 -> Monday
        (date(2026, 12, 12), 1, date(2026, 12, 14)),  # Saturday + 1 -> Monday
        (date(2026, 12, 11), 5, date(2026, 12, 18)),  # Friday + 5 -> next Friday
    ],
)
def test_due_dates_count_working_days(start, days, due):
    assert add_working_days(start, days) == due


def test_transitions_forbid_going_back_from_closed_except_by_reopening():
    assert can_move("open", "in_progress") and can_move("in_progress", "resolved")
    assert can_move("resolved", "closed") and can_move("resolved", "in_progress")
    assert not can_move("closed", "in_progress") and not can_move("closed", "resolved")
    assert can_move("closed", "open") and needs_reason("closed", "open")
    assert not can_move("in_progress", "open")
    assert not needs_reason("open", "closed")


def test_overdue_only_while_being_worked_on():
    today = date(2026, 12, 7)
    assert is_overdue(CaseState.OPEN, date(2026, 12, 4), today)
    assert not is_overdue(CaseState.OPEN, today, today)
    assert not is_overdue(CaseState.RESOLVED, date(2026, 12, 1), today)
    assert not is_overdue(CaseState.OPEN, None, today)


def test_photo_types_are_read_from_the_content():
    assert image_type(b"\xff\xd8\xff\xe0" + b"0" * 20) == "image/jpeg"
    assert image_type(b"\x89PNG\r\n\x1a\n" + b"0" * 20) == "image/png"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert image_type(b"%PDF-1.7") is None
