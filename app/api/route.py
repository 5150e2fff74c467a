"""The JSON API of the route day: a day's stops in route order, and each stop's outcome."""

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from app.api.blueprint import bp
from app.api.common import load_json, query_args, refusals
from app.api.docs import REFUSED_WRITE, api_doc, name_schemas, read_errors, write_errors
from app.auth.models import User
from app.auth.permissions import requires
from app.clients import services as clients
from app.core.idempotency import write_endpoint
from app.core.location import phone_location
from app.extensions import db
from app.route import services as route
from app.route import visits
from app.route.schemas import (
    NewVisitSchema,
    ReasonListSchema,
    ReasonSchema,
    RouteArgsSchema,
    RouteSchema,
    VisitSchema,
)

visit_refusals = refusals(route.VisitError)

name_schemas(
    RouteDay=RouteSchema,
    NewVisit=NewVisitSchema,
    Visit=VisitSchema,
    VisitReasonList=ReasonListSchema,
)


def route_owner(user_id: int | None) -> User:
    """The caller, or someone whose route the caller may look at (else 404)."""
    if not user_id or user_id == current_user.id:
        return current_user
    owner = db.session.get(User, user_id)
    if owner is None or owner not in route.route_owners(current_user):
        abort(404)
    return owner


@bp.get("/route")
@api_doc(
    "A route day (default: the caller's, today): the stops in route order, each with its "
    "state (pending, visited, skipped), outcome, time window, what the client owes and has "
    "overdue, its notices in force; unplanned visits of the day come last",
    query=RouteArgsSchema,
    answers={"200": ("The day's route", "RouteDay")},
    errors=read_errors(("404", "Someone whose route the caller may not see")),
)
@requires("route.view")
def get_route():
    """A route day: the stops in route order with their state."""
    args = query_args(RouteArgsSchema())
    owner = route_owner(args.get("user_id"))
    return jsonify(RouteSchema().dump(route.route_day(owner, args.get("date"))))


@bp.post("/visits")
@api_doc(
    "Record the outcome of a stop (order, no_order, collected, skipped; no_order and skipped "
    "need a reason); a second outcome for the same client and day replaces the first (200)",
    body=("The outcome", "NewVisit"),
    answers={"201": ("The visit", "Visit"), "200": ("The visit, replaced", "Visit")},
    errors=write_errors(REFUSED_WRITE, ("403", "Not allowed (office users do not visit)")),
)
@requires("route.work")
@write_endpoint
@visit_refusals
def create_visit():
    """Record the outcome of a stop."""
    data = load_json(NewVisitSchema())
    try:
        client = clients.visible_client(current_user, data.pop("client_id"), trash=False)
    except NotFound:
        raise route.VisitError({"client_id": _("No existe.")}) from None
    where = phone_location(data)
    fields = {
        "day": data.get("date"),
        "outcome": data["outcome"],
        "reason_id": data.get("reason_id"),
        "note": data.get("note"),
    }
    if where:
        fields |= {
            "latitude": where.latitude,
            "longitude": where.longitude,
            "location_accuracy": where.accuracy,
        }
    visit, created = visits.record_visit(current_user, client, fields)
    return jsonify(VisitSchema().dump(visit)), 201 if created else 200


@bp.get("/visit-reasons")
@api_doc(
    "The reasons for a visit without an order or a skipped stop, in the office's order",
    answers={"200": ("The reasons", "VisitReasonList")},
    errors=read_errors(),
)
@requires("route.view")
def list_visit_reasons():
    """The reasons in use."""
    return jsonify({"items": ReasonSchema(many=True).dump(visits.reasons())})
