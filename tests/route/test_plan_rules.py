"""The visit plan's rules: weekdays, every 1, 2 or 4 weeks across month and year ends, windows."""

from datetime import date, time, timedelta

import pytest

from app.clients.visit_plan import (
    PlanError,
    check_position,
    day_names,
    days_mask,
    is_due,
    monday,
    parse_window,
)

MON_THU = days_mask(["mon", "thu"])


def test_weekday_names_round_trip_and_an_unknown_one_is_refused():
    assert day_names(days_mask(["sun", "mon", "wed"])) == ["mon", "wed", "sun"]
    assert days_mask([]) == 0 and day_names(0) == []
    with pytest.raises(PlanError) as error:
        days_mask(["mon", "lunes"])
    assert error.value.code == "weekday"


def test_every_week_visits_each_planned_weekday_and_no_other():
    days = [date(2026, 12, 7) + timedelta(days=n) for n in range(14)]
    due = [d for d in days if is_due(MON_THU, 1, None, d)]
    assert [d.isoformat() for d in due] == ["2026-12-07", "2026-12-10", "2026-12-14", "2026-12-17"]
    assert not is_due(0, 1, None, date(2026, 12, 7))


def test_every_two_weeks_keeps_its_rhythm_across_a_53_week_year_end():
    # 2026 has 53 ISO weeks: week 53 (28 Dec) and week 1 of 2027 (4 Jan) are both odd, so a
    # rule on week-number parity would visit two weeks running. Counting weeks does not.
    start = date(2026, 12, 30)  # a Wednesday: the plan starts the week of Monday 28 Dec
    mondays = [date(2026, 12, 28) + timedelta(weeks=n) for n in range(6)]
    due = [d.isoformat() for d in mondays if is_due(days_mask(["mon"]), 2, start, d)]
    assert due == ["2026-12-28", "2027-01-11", "2027-01-25"]


def test_every_four_weeks_across_a_month_end_and_before_the_starting_week():
    start = date(2027, 1, 28)  # a Thursday
    thursdays = [date(2026, 12, 31) + timedelta(weeks=n) for n in range(10)]
    due = [d.isoformat() for d in thursdays if is_due(MON_THU, 4, start, d)]
    assert due == ["2026-12-31", "2027-01-28", "2027-02-25"]


def test_a_plan_every_two_weeks_without_a_starting_week_is_still_a_fixed_rhythm():
    mondays = [date(2027, 3, 1) + timedelta(weeks=n) for n in range(4)]
    due = [is_due(days_mask(["mon"]), 2, None, d) for d in mondays]
    assert due in ([True, False, True, False], [False, True, False, True])


def test_monday_of_a_sunday_is_the_monday_before():
    assert monday(date(2027, 1, 3)) == date(2026, 12, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("08:30-12:00", (time(8, 30), time(12))), (" 8:00 - 9:15 ", (time(8), time(9, 15)))],
)
def test_windows_are_read(text, expected):
    window = parse_window(text)
    assert (window.start, window.end) == expected and str(window) == "{:%H:%M}-{:%H:%M}".format(
        *expected
    )
    assert parse_window("") is None and parse_window(None) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12:00-08:00", "window_order"),
        ("10:00-10:00", "window_order"),
        ("25:00-26:00", "window_format"),
        ("8 a 12", "window_format"),
        ("08:60-09:00", "window_format"),
    ],
)
def test_bad_windows_are_refused(text, code):
    with pytest.raises(PlanError) as error:
        parse_window(text)
    assert error.value.code == code


def test_positions_run_from_one_to_9999():
    assert check_position(None) is None and check_position(1) == 1
    for bad in (0, -3, 10_000):
        with pytest.raises(PlanError):
            check_position(bad)
