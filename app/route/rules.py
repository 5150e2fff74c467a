"""Pure rules of the route day: a stop's state, what an outcome needs, and the suggested order.

The suggested order is a nearest-neighbour tour improved by 2-opt and by moving single
stops, judged first by the minutes it arrives after time windows close and then by distance:
a change that shortens the route never makes a window later. Travel is estimated on straight
lines at an urban speed, with a fixed time at each stop.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from app.clients.visit_plan import Window
from app.route.models import ReasonUse, VisitOutcome

SPEED_KMH = 25
MINUTES_AT_STOP = 15
DEFAULT_START = time(8, 0)
IMPROVE_BUDGET = 3_000_000  # stops walked while improving a tour
MAX_DAYS_BACK = 30
# Outcomes that need a reason, and the reasons that fit each.
NEEDS_REASON = {
    VisitOutcome.NO_ORDER: (ReasonUse.NO_ORDER, ReasonUse.BOTH),
    VisitOutcome.SKIPPED: (ReasonUse.SKIPPED, ReasonUse.BOTH),
}


class StopState:
    PENDING = "pending"
    VISITED = "visited"
    SKIPPED = "skipped"


def stop_state(outcome: str | None, orders_that_day: int) -> tuple[str, str | None]:
    """(state, outcome) of a stop from its recorded outcome and the orders taken that day.

    An order taken for the client that day is a visit with an order, whatever was recorded
    before it (a skipped stop the salesperson came back to, a "no order" that turned into one).
    """
    if orders_that_day:
        return StopState.VISITED, VisitOutcome.ORDER.value
    if outcome is None:
        return StopState.PENDING, None
    if outcome == VisitOutcome.SKIPPED:
        return StopState.SKIPPED, outcome
    return StopState.VISITED, outcome


def outcome_problems(
    outcome: str, reason_use: str | None, day: date, today: date
) -> dict[str, str]:
    """Field -> problem code for an outcome; empty when it may be recorded.

    Codes: "outcome" (unknown), "reason_missing", "reason_kind" (a reason for the other
    outcome), "reason_unwanted" (an order or a collection has no reason), "future",
    "too_old".
    """
    problems = {}
    try:
        kind = VisitOutcome(outcome)
    except ValueError:
        return {"outcome": "outcome"}
    if kind in NEEDS_REASON:
        if reason_use is None:
            problems["reason_id"] = "reason_missing"
        elif reason_use not in NEEDS_REASON[kind]:
            problems["reason_id"] = "reason_kind"
    elif reason_use is not None:
        problems["reason_id"] = "reason_unwanted"
    if day > today:
        problems["date"] = "future"
    elif day < today - timedelta(days=MAX_DAYS_BACK):
        problems["date"] = "too_old"
    return problems


@dataclass(frozen=True)
class Place:
    """A stop to order: its key, where it is (None: unknown) and its time window."""

    key: int
    latitude: float | None
    longitude: float | None
    window: Window | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points, in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


@lru_cache(maxsize=65_536)
def _leg_minutes(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """(kilometres, minutes) from a to b; remembered, as the improvement asks again and again."""
    km = distance_km(a, b)
    return km, km / SPEED_KMH * 60


def _minutes(moment: time) -> float:
    return moment.hour * 60 + moment.minute


@dataclass(frozen=True)
class Tour:
    """A route's cost: minutes after windows close, then kilometres."""

    late_minutes: float
    km: float

    def better_than(self, other: "Tour") -> bool:
        if self.late_minutes < other.late_minutes - 1e-6:
            return True
        return self.late_minutes <= other.late_minutes + 1e-6 and self.km < other.km - 1e-9


def _walk(order: Sequence[Place], start: tuple[float, float] | None, clock: float) -> Tour:
    """Drive the stops in order from `start` (None: from the first stop) and add up the cost."""
    here = start
    late = km = 0.0
    for place in order:
        point = (place.latitude, place.longitude)
        if here is not None:
            leg, minutes = _leg_minutes(here, point)
            km += leg
            clock += minutes
        here = point
        if place.window:
            clock = max(clock, _minutes(place.window.start))
            late += max(0.0, clock - _minutes(place.window.end))
        clock += MINUTES_AT_STOP
    return Tour(late, km)


def _ready(place: Place, here: tuple[float, float], clock: float) -> tuple[float, float]:
    """(when service can start, minutes late) going from `here` to the place at `clock`."""
    ready = clock + _leg_minutes(here, (place.latitude, place.longitude))[1]
    if not place.window:
        return ready, 0.0
    ready = max(ready, _minutes(place.window.start))
    return ready, max(0.0, ready - _minutes(place.window.end))


def _nearest_neighbour(
    places: list[Place], start: tuple[float, float] | None, clock: float
) -> list[Place]:
    """Each time, the stop that can be served soonest; a closed window weighs heavily."""
    left = list(places)
    tour: list[Place] = []
    here = start
    if here is None:
        first = left.pop(0)
        tour.append(first)
        here = (first.latitude, first.longitude)
        clock += MINUTES_AT_STOP
    while left:
        ready = {place.key: _ready(place, here, clock) for place in left}
        costs = {key: served - clock + 1000 * late for key, (served, late) in ready.items()}
        best = min(left, key=lambda place: (costs[place.key], place.key))
        left.remove(best)
        tour.append(best)
        here = (best.latitude, best.longitude)
        clock = ready[best.key][0] + MINUTES_AT_STOP
    return tour


def _improve(
    tour: list[Place], start: tuple[float, float] | None, clock: float, fixed: int
) -> list[Place]:
    """2-opt reversals and single-stop moves while any makes the tour better, within a budget
    of stops walked: a day of 40 stops improves to the end, one of 1,000 stays near its
    nearest-neighbour tour instead of taking minutes."""
    best = _walk(tour, start, clock)
    n = len(tour)
    tries = IMPROVE_BUDGET // max(n, 1)
    improved = True
    while improved and tries > 0:
        improved = False
        for i in range(fixed, n - 1):
            for j in range(i + 1, n):
                candidate = tour[:i] + tour[i : j + 1][::-1] + tour[j + 1 :]
                cost = _walk(candidate, start, clock)
                if cost.better_than(best):
                    tour, best, improved = candidate, cost, True
            tries -= n - i
            if tries <= 0:
                return tour
        for i in range(fixed, n):
            for j in range(fixed, n):
                if i == j:
                    continue
                candidate = tour[:i] + tour[i + 1 :]
                candidate.insert(j, tour[i])
                cost = _walk(candidate, start, clock)
                if cost.better_than(best):
                    tour, best, improved = candidate, cost, True
            tries -= n
            if tries <= 0:
                return tour
    return tour


def suggest_order(
    places: Sequence[Place],
    start: tuple[float, float] | None = None,
    start_at: time = DEFAULT_START,
) -> list[int]:
    """The keys of the stops in the suggested order.

    From `start` (the phone's position) when given, else from the first located stop, which
    stays first. Stops without coordinates keep their order after the located ones.
    """
    located = [place for place in places if place.located]
    unknown = [place.key for place in places if not place.located]
    if len(located) < 2 and start is None:
        return [place.key for place in located] + unknown
    clock = _minutes(start_at)
    # a window already closed when the tour starts cannot be kept: the stop goes by distance
    located = [
        Place(p.key, p.latitude, p.longitude, None)
        if p.window and _minutes(p.window.end) <= clock
        else p
        for p in located
    ]
    tour = _nearest_neighbour(located, start, clock)
    tour = _improve(tour, start, clock, fixed=0 if start is not None else 1)
    return [place.key for place in tour] + unknown


def start_time(now: datetime, day: date) -> time:
    """When the tour starts: now for today (not before 8:00), 8:00 on another day."""
    if now.date() != day:
        return DEFAULT_START
    return max(now.time().replace(second=0, microsecond=0), DEFAULT_START)
