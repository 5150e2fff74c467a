"""The visit plan of a client: on which weekdays, how often and when a salesperson (or a
collector) calls, and where the client stands in their route.

Weekdays are kept as a bit mask (Monday = bit 0 ... Sunday = bit 6) so a day's stops are one
indexed-column test in SQL. A plan every 2 or 4 weeks counts whole weeks from the Monday of
the week it starts on, so month and year ends (and 53-week years) do not shift it.
`static/js/visit-plan.js` follows these rules on the phone; tests/clients/plan_cases.json
holds the cases both run.
"""

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from flask_babel import lazy_gettext as _l

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FREQUENCIES = (1, 2, 4)
MAX_POSITION = 9999
# What the user reads for each PlanError code (the plan form and the client import).
PLAN_MESSAGES = {
    "weekday": _l("Elegí días de la semana de la lista."),
    "frequency": _l("Cada 1, 2 o 4 semanas."),
    "position": _l("La posición en la ruta va de 1 a 9999."),
    "window_format": _l("Usá el formato HH:MM-HH:MM, por ejemplo 08:30-12:00."),
    "window_order": _l("La hora de fin tiene que ser posterior a la de inicio."),
    "week_of": _l("Fecha inválida."),
}
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class PlanError(ValueError):
    """A plan value that cannot be taken; `message` is for the user (Spanish, by the caller)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "weekday", "window_format", "window_order", "frequency", "position"


def days_mask(names: list[str] | tuple[str, ...] | None) -> int:
    """The bit mask of weekday names ("mon".."sun"); PlanError("weekday") for any other."""
    mask = 0
    for name in names or ():
        if name not in WEEKDAYS:
            raise PlanError("weekday")
        mask |= 1 << WEEKDAYS.index(name)
    return mask


def day_names(mask: int | None) -> list[str]:
    """The weekday names of a mask, Monday first."""
    return [name for bit, name in enumerate(WEEKDAYS) if (mask or 0) & (1 << bit)]


def monday(day: date) -> date:
    """The Monday of the week a day is in."""
    return day - timedelta(days=day.weekday())


def is_due(mask: int | None, every_weeks: int | None, week_of: date | None, day: date) -> bool:
    """True when a plan calls for a visit on `day`.

    Every week: any day in the mask. Every 2 or 4 weeks: the weeks whose distance from the
    plan's starting week is a multiple of the frequency (before that week too: a plan is a
    rhythm, not a start date). Without a starting week the rhythm counts from 5 Jan 1970's
    week, so it is still fixed.
    """
    if not mask or not mask & (1 << day.weekday()):
        return False
    every = every_weeks or 1
    if every == 1:
        return True
    anchor = monday(week_of) if week_of else date(1970, 1, 5)
    return ((monday(day) - anchor).days // 7) % every == 0


def check_frequency(every_weeks: int) -> int:
    """1, 2 or 4; PlanError("frequency") otherwise."""
    if every_weeks not in FREQUENCIES:
        raise PlanError("frequency")
    return every_weeks


def check_position(position: int | None) -> int | None:
    """A route position from 1 to MAX_POSITION, or none."""
    if position is not None and not 1 <= position <= MAX_POSITION:
        raise PlanError("position")
    return position


@dataclass(frozen=True)
class Window:
    """A preferred time window; `end` after `start`."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def holds(self, moment: time) -> bool:
        return self.start <= moment <= self.end


def parse_window(text: str | None) -> Window | None:
    """ "HH:MM-HH:MM" as a Window; empty is none. PlanError("window_format" or "window_order")."""
    if text is None or not text.strip():
        return None
    match = _WINDOW.match(text)
    if not match:
        raise PlanError("window_format")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise PlanError("window_format")
    window = Window(time(h1, m1), time(h2, m2))
    if window.end <= window.start:
        raise PlanError("window_order")
    return window


def window_of(start: time | None, end: time | None) -> Window | None:
    """The stored pair as a Window (both or none)."""
    return Window(start, end) if start and end else None
