"""The order of a route: reordering its stops by hand and the suggested order."""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.auth.models import User
from app.clients.models import Client
from app.core.types import local_now
from app.extensions import db
from app.route import rules
from app.route.services import VisitError, plan_of, route_day


def set_positions(owner: User, ordered: list[int], actor: User) -> None:
    """Put the owner's route in this order (client ids), reusing the positions those stops
    already had so the rest of the week keeps its order; stops without one go after."""
    plan = plan_of(owner)
    clients = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Client).where(Client.id.in_(ordered), plan.owner == owner.id)
        )
    }
    if set(clients) != set(ordered) or len(set(ordered)) != len(ordered):
        raise VisitError({"order": _("La ruta cambió: volvé a cargarla.")})
    taken = sorted(p for c in clients.values() if (p := getattr(c, plan.position)) is not None)
    highest = db.session.scalar(
        sa.select(sa.func.max(getattr(Client, plan.position))).where(plan.owner == owner.id)
    )
    spare = (highest or 0) + 1
    while len(taken) < len(ordered):
        taken.append(spare)
        spare += 1
    positions = dict(zip(ordered, sorted(taken), strict=True))
    for cid, position in positions.items():
        client = clients[cid]
        before = getattr(client, plan.position)
        if before == position:
            continue
        setattr(client, plan.position, position)
        record(
            "client.route_position",
            "client",
            cid,
            {plan.position: before},
            {plan.position: position},
            actor_id=actor.id,
        )
    db.session.flush()


def move_stop(owner: User, day: date, client_id: int, step: int, actor: User) -> None:
    """Move one planned stop up (-1) or down (+1) in the day's route."""
    ids = [s.client.id for s in route_day(owner, day).planned]
    if client_id not in ids:
        raise VisitError({"client_id": _("Ese cliente no está en la ruta del día.")})
    at = ids.index(client_id)
    to = min(max(at + step, 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    set_positions(owner, ids, actor)


def suggested_order(owner: User, day: date, start: tuple[float, float] | None = None) -> list[int]:
    """The planned stops' client ids in the suggested order (rules.suggest_order)."""
    route = route_day(owner, day)
    places = [
        rules.Place(
            s.client.id,
            float(s.latitude) if s.latitude is not None else None,
            float(s.longitude) if s.longitude is not None else None,
            s.window,
        )
        for s in route.planned
    ]
    return rules.suggest_order(places, start, rules.start_time(local_now(), day))
