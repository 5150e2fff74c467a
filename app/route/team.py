"""The supervisor's view of the team's day: each person's stops in numbers and why."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from app.auth.models import Role, User
from app.route import rules
from app.route.models import VisitOutcome
from app.route.services import route_day, route_owners


@dataclass
class TeamRow:
    """A person's day in numbers, for the supervisor."""

    owner: User
    planned: int = 0
    visited: int = 0
    with_order: int = 0
    without_order: int = 0
    skipped: int = 0
    unplanned: int = 0
    pending: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def team_day(viewer: User, day: date) -> list[TeamRow]:
    """Each salesperson's or collector's day the viewer may look at."""
    rows = []
    for owner in route_owners(viewer):
        if owner.role == Role.SUPERVISOR:
            continue
        route = route_day(owner, day)
        row = TeamRow(owner)
        reasons_count: dict[str, int] = defaultdict(int)
        for stop in route.stops:
            if stop.planned:
                row.planned += 1
            else:
                row.unplanned += 1
            if stop.state == rules.StopState.PENDING:
                row.pending += 1
            elif stop.state == rules.StopState.SKIPPED:
                row.skipped += 1
            else:
                row.visited += 1
                if stop.outcome == VisitOutcome.ORDER:
                    row.with_order += 1
                elif stop.outcome == VisitOutcome.NO_ORDER:
                    row.without_order += 1
            if stop.reason:
                reasons_count[stop.reason] += 1
        row.reasons = dict(sorted(reasons_count.items(), key=lambda kv: (-kv[1], kv[0])))
        rows.append(row)
    return rows
