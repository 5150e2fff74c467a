"""The route day's pages: "Hoy" (the day's stops and their outcomes), reordering, the
suggested order, the map and the supervisor's view of the team's day."""

from datetime import date, timedelta

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import NotFound

from app.auth.models import User
from app.auth.permissions import can, requires
from app.clients.services import (
    visible_client,
)
from app.core.idempotency import write_endpoint
from app.core.location import phone_location
from app.core.rendering import render
from app.core.types import local_today
from app.extensions import db
from app.route import agenda as agenda_items
from app.route import ordering, services, visits
from app.route import team as team_days
from app.route.blueprint import bp
from app.route.models import VisitOutcome
from app.route.rules import StopState

DAYS_AROUND = 60
OUTCOME_CHOICES = (VisitOutcome.NO_ORDER, VisitOutcome.COLLECTED, VisitOutcome.SKIPPED)
STATE_LABELS = {
    StopState.PENDING: _l("Pendiente"),
    StopState.VISITED: _l("Visitado"),
    StopState.SKIPPED: _l("Salteada"),
}


def _day() -> date:
    """The day asked for (?date=), today when missing; a day out of reach is today."""
    raw = request.values.get("date", "")
    today = local_today()
    try:
        day = date.fromisoformat(raw) if raw else today
    except ValueError:
        return today
    return day if abs((day - today).days) <= DAYS_AROUND else today


def _owner() -> User:
    """Whose route: the user's own, or (?user=) someone they may look at."""
    raw = request.values.get("user", "")
    if not raw.isdigit() or int(raw) == current_user.id:
        return current_user
    owner = db.session.get(User, int(raw))
    if owner is None or owner not in services.route_owners(current_user):
        abort(404)
    return owner


def _query(owner: User, day: date) -> dict:
    """The arguments that keep a link on the same person and day."""
    args = {} if day == local_today() else {"date": day.isoformat()}
    if owner.id != current_user.id:
        args["user"] = owner.id
    return args


def _who(owner: User) -> dict:
    """The argument that keeps a link on the same person."""
    return {} if owner.id == current_user.id else {"user": owner.id}


def _may_reorder(owner: User) -> bool:
    """A salesperson or collector reorders their own route; supervisors and the office anyone's
    they see."""
    return owner.id == current_user.id or can(current_user, "route.plan")


def day_title(day: date) -> str:
    """ "Lunes 7 de diciembre", as people name a working day."""
    title = format_date(day, "EEEE d 'de' MMMM")
    return title[:1].upper() + title[1:]


def _words() -> dict:
    return {
        "state_labels": {k: str(v) for k, v in STATE_LABELS.items()},
        "outcome_choices": [(o.value, services.outcome_label(o)) for o in OUTCOME_CHOICES],
    }


@bp.get("/")
@requires("route.view")
def today():
    """Hoy: the day's stops in route order, the next pending one on top."""
    if not can(current_user, "route.work") and "user" not in request.args:
        return redirect(url_for("route.team", **request.args))
    owner = _owner()
    day = _day()
    route = services.route_day(owner, day)
    return render(
        "route/today.html",
        block="stops",
        route=route,
        owner=owner,
        day=day,
        day_title=day_title(day),
        today=local_today(),
        query=_query(owner, day),
        who=_who(owner),
        may_reorder=_may_reorder(owner),
        may_record=owner.id == current_user.id and can(current_user, "route.work"),
        reasons=visits.reasons(),
        owners=services.route_owners(current_user),
        timedelta=timedelta,
        **_words(),
    )


@bp.post("/visits")
@requires("route.work")
@write_endpoint
def record_visit():
    """Record a stop's outcome from its form; htmx gets the stop back, a browser Hoy."""
    day = _day()
    raw_id = request.form.get("client_id", "")
    try:
        client = visible_client(current_user, int(raw_id), trash=False)
    except (ValueError, NotFound):
        abort(404)
    raw_reason = request.form.get("reason_id", "")
    data = {
        "day": day,
        "outcome": request.form.get("outcome", ""),
        "reason_id": int(raw_reason) if raw_reason.isdigit() else None,
        "note": (request.form.get("note") or "").strip()[:500] or None,
    }
    if where := phone_location(request.form):
        data |= {
            "latitude": where.latitude,
            "longitude": where.longitude,
            "location_accuracy": where.accuracy,
        }
    errors: dict[str, str] = {}
    try:
        visits.record_visit(current_user, client, data)
    except services.VisitError as exc:
        db.session.rollback()
        errors = {name: str(message) for name, message in exc.fields.items()}
    if not request.htmx:
        if errors:
            flash(" ".join(errors.values()), "error")
        else:
            flash(_("Resultado guardado: %(name)s.", name=client.display_name), "success")
        return redirect(url_for("route.today", **_query(current_user, day)))
    route = services.route_day(current_user, day)
    number = next((n for n, s in enumerate(route.stops, 1) if s.client.id == client.id), None)
    if number is None:
        abort(404)
    stop = route.stops[number - 1]
    return render(
        "route/today.html",
        block="stop_row",
        status=422 if errors else 200,
        stop=stop,
        number=number,
        owner=current_user,
        day=day,
        query=_query(current_user, day),
        may_reorder=True,
        may_record=True,
        reasons=visits.reasons(),
        errors=errors,
        values=data | {"reason_id": raw_reason},
        open_form=bool(errors),
        **_words(),
    )


@bp.post("/move")
@requires("route.view")
def move():
    """Move a stop one place up or down in the route."""
    owner = _owner()
    day = _day()
    if not _may_reorder(owner):
        abort(403)
    step = -1 if request.form.get("step") == "up" else 1
    raw_id = request.form.get("client_id", "")
    try:
        ordering.move_stop(owner, day, int(raw_id) if raw_id.isdigit() else 0, step, current_user)
    except services.VisitError as exc:
        db.session.rollback()
        flash(" ".join(exc.fields.values()), "error")
    else:
        db.session.commit()
    anchor = f"#stop-{raw_id}" if raw_id.isdigit() else ""
    return redirect(url_for("route.today", **_query(owner, day)) + anchor)


@bp.route("/suggest", methods=["GET", "POST"])
@requires("route.view")
def suggest():
    """The suggested order of the day's stops; accepting it reorders the route."""
    owner = _owner()
    day = _day()
    if not _may_reorder(owner):
        abort(403)
    if request.method == "POST":
        ids = [int(v) for v in request.form.getlist("order") if v.isdigit()]
        try:
            ordering.set_positions(owner, ids, current_user)
        except services.VisitError as exc:
            db.session.rollback()
            flash(" ".join(exc.fields.values()), "error")
        else:
            db.session.commit()
            flash(_("Ruta reordenada."), "success")
        return redirect(url_for("route.today", **_query(owner, day)))
    start = None
    here = phone_location(request.args)
    if here:
        start = (float(here.latitude), float(here.longitude))
    order = ordering.suggested_order(owner, day, start)
    route = services.route_day(owner, day)
    by_id = {s.client.id: s for s in route.planned}
    return render(
        "route/suggest.html",
        route=route,
        owner=owner,
        day=day,
        query=_query(owner, day),
        proposed=[by_id[cid] for cid in order],
        unchanged=order == [s.client.id for s in route.planned],
        from_here=start is not None,
    )


def map_points(stops: list) -> list[dict]:
    """The stops as the map macro draws them: numbered in route order."""
    points = []
    for number, stop in enumerate(stops, start=1):
        state = stop.state
        if stop.outcome == VisitOutcome.ORDER:
            state = "order"
        points.append(
            {
                "n": number if stop.planned else None,
                "name": stop.client.display_name,
                "lat": float(stop.latitude) if stop.latitude is not None else None,
                "lng": float(stop.longitude) if stop.longitude is not None else None,
                "state": state,
                "href": url_for("clients.card", client_id=stop.client.id),
                "detail": str(stop.window) if stop.window else None,
            }
        )
    return points


@bp.get("/map")
@requires("route.view")
def route_map():
    """The day's stops on a map, numbered in route order; or all the owner's clients."""
    owner = _owner()
    day = _day()
    everyone = request.args.get("all") == "1"
    if everyone:
        clients, where = services.owner_clients(owner)
        points = [
            {
                "n": None,
                "name": c.display_name,
                "lat": float(where[c.id][0]) if c.id in where else None,
                "lng": float(where[c.id][1]) if c.id in where else None,
                "state": "other",
                "href": url_for("clients.card", client_id=c.id),
                "detail": c.city,
            }
            for c in clients
        ]
    else:
        points = map_points(services.route_day(owner, day).stops)
    return render(
        "route/map.html",
        owner=owner,
        day=day,
        query=_query(owner, day),
        points=points,
        everyone=everyone,
        tiles=current_app.config.get("MAP_TILE_URL"),
    )


@bp.get("/team")
@requires("route.team")
def team():
    """Each salesperson's and collector's day: planned, visited, with and without order, why."""
    day = _day()
    rows = team_days.team_day(current_user, day)
    return render(
        "route/team.html",
        rows=rows,
        day=day,
        today=local_today(),
        timedelta=timedelta,
    )


@bp.get("/agenda")
@requires("collections.view")
def agenda():
    """The collections agenda up to today: agreed visits, promises due and next contacts not
    done yet, the most overdue first; everyone's for the office, the team's for a supervisor."""
    today = local_today()
    items = agenda_items.collection_agenda(current_user, today)
    return render(
        "route/agenda.html",
        overdue=[i for i in items if i.day < today],
        due_today=[i for i in items if i.day == today],
        today=today,
    )
