"""Recording what happened at a stop: the outcome, its reason, when and where."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.auth.models import User
from app.clients.models import Client
from app.clients.visit_plan import is_due
from app.core.types import local_now, local_today
from app.extensions import db
from app.route import rules
from app.route.models import Visit, VisitReason
from app.route.services import VisitError, plan_of


def reasons(outcome: str | None = None) -> list[VisitReason]:
    """The reasons in use, in the office's order; only those for an outcome when given."""
    query = sa.select(VisitReason).where(VisitReason.deleted_at.is_(None))
    if outcome in rules.NEEDS_REASON:
        query = query.where(VisitReason.applies_to.in_(rules.NEEDS_REASON[outcome]))
    return list(db.session.scalars(query.order_by(VisitReason.position, VisitReason.name)))


PROBLEM_MESSAGES = {
    "outcome": _l("Elegí un resultado de la lista."),
    "reason_missing": _l("Elegí el motivo."),
    "reason_kind": _l("Ese motivo no corresponde a este resultado."),
    "reason_unwanted": _l("Este resultado no lleva motivo."),
    "future": _l("No se puede registrar una visita de un día que todavía no llegó."),
    "too_old": _l(
        "Solo se registran visitas de los últimos %(days)d días.", days=rules.MAX_DAYS_BACK
    ),
}


def record_visit(user: User, client: Client, data: dict) -> tuple[Visit, bool]:
    """Record (or replace) the outcome of the user's visit to a client on a day.

    `data`: day, outcome, reason_id, note, latitude, longitude, location_accuracy. Answers the
    visit and whether it is new. The visit is planned when the client was due that day.
    """
    day = data.get("day") or local_today()
    reason = None
    if data.get("reason_id") is not None:
        reason = db.session.get(VisitReason, data["reason_id"])
        if reason is None or reason.is_deleted:
            raise VisitError({"reason_id": _("Ese motivo no existe.")})
    problems = rules.outcome_problems(
        data.get("outcome"), reason.applies_to if reason else None, day, local_today()
    )
    if problems:
        raise VisitError({name: str(PROBLEM_MESSAGES[code]) for name, code in problems.items()})
    plan = plan_of(user)
    planned = getattr(client, plan.owner.key) == user.id and is_due(
        getattr(client, plan.weekdays.key),
        getattr(client, plan.every_weeks),
        getattr(client, plan.week_of),
        day,
    )
    visit = db.session.scalar(
        sa.select(Visit).where(
            Visit.client_id == client.id, Visit.user_id == user.id, Visit.day == day
        )
    )
    before = _visit_view(visit) if visit else None
    created = visit is None
    if created:
        visit = Visit(client_id=client.id, user_id=user.id, day=day)
        db.session.add(visit)
    visit.outcome = data["outcome"]
    visit.reason_id = reason.id if reason else None
    visit.note = data.get("note")
    visit.planned = planned
    visit.latitude = data.get("latitude")
    visit.longitude = data.get("longitude")
    visit.location_accuracy = data.get("location_accuracy")
    visit.deleted_at = None
    visit.recorded_at = local_now()
    db.session.flush()
    record(
        "visit.record" if created else "visit.change",
        "client",
        client.id,
        before,
        _visit_view(visit),
    )
    return visit, created


def _visit_view(visit: Visit) -> dict:
    return {
        "visit_id": visit.id,
        "day": visit.day.isoformat(),
        "outcome": visit.outcome,
        "reason_id": visit.reason_id,
        "note": visit.note,
        "planned": visit.planned,
    }
