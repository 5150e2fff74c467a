"""The visit plans' pages: one client's plans on the card, and many clients' at once from
the client list; the plan in words for the card."""

from datetime import date

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.auth.permissions import requires
from app.clients.models import Client
from app.clients.services import (
    filter_clients,
    scoped_clients,
    search_clients,
    update_client,
    visible_client,
)
from app.clients.visit_plan import (
    PLAN_MESSAGES,
    PlanError,
    check_frequency,
    check_position,
    day_names,
    days_mask,
    parse_window,
    window_of,
)
from app.core.rendering import render
from app.extensions import db
from app.route import services
from app.route.blueprint import bp

WEEKDAY_LABELS = {
    "mon": _l("Lunes"),
    "tue": _l("Martes"),
    "wed": _l("Miércoles"),
    "thu": _l("Jueves"),
    "fri": _l("Viernes"),
    "sat": _l("Sábado"),
    "sun": _l("Domingo"),
}
EVERY_LABELS = {
    1: _l("Todas las semanas"),
    2: _l("Cada 2 semanas"),
    4: _l("Cada 4 semanas"),
}
PLAN_KINDS = (("visit", _l("Visitas del vendedor")), ("collection", _l("Visitas del cobrador")))


def plan_summary(client, prefix: str) -> str | None:
    """ "Lunes y jueves · cada 2 semanas · 08:30-12:00 · n.º 7", or None without visit days."""
    plan = services.SALES if prefix == "visit" else services.COLLECTION
    days = day_names(getattr(client, plan.weekdays.key))
    if not days:
        return None
    names = [str(WEEKDAY_LABELS[d]).lower() for d in days]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " " + _("y") + " " + names[-1]
    text = text[:1].upper() + text[1:]
    parts = [text, str(EVERY_LABELS.get(getattr(client, plan.every_weeks), "")).lower()]
    window = window_of(getattr(client, plan.start), getattr(client, plan.end))
    if window:
        parts.append(f"{window.start:%H:%M}–{window.end:%H:%M}")
    position = getattr(client, plan.position)
    if position:
        parts.append(_("n.º %(n)d en la ruta", n=position))
    return " · ".join(parts)


bp.add_app_template_global(plan_summary, "visit_plan_summary")


def _read_plan(form, prefix: str) -> tuple[dict, dict]:
    """The columns of one plan from the form, and field -> message for what is wrong."""
    plan = services.SALES if prefix == "visit" else services.COLLECTION
    values, errors = {}, {}
    try:
        values[plan.weekdays.key] = days_mask(form.getlist(f"{prefix}_days"))
    except PlanError as exc:
        errors[f"{prefix}_days"] = str(PLAN_MESSAGES[exc.code])
    every = form.get(f"{prefix}_every_weeks", "1")
    try:
        values[plan.every_weeks] = check_frequency(int(every) if every.isdigit() else 0)
    except PlanError as exc:
        errors[f"{prefix}_every_weeks"] = str(PLAN_MESSAGES[exc.code])
    week = form.get(f"{prefix}_week_of", "").strip()
    try:
        values[plan.week_of] = date.fromisoformat(week) if week else None
    except ValueError:
        errors[f"{prefix}_week_of"] = str(PLAN_MESSAGES["week_of"])
    try:
        window = parse_window(form.get(f"{prefix}_window"))
        values[plan.start], values[plan.end] = (
            (window.start, window.end) if window else (None, None)
        )
    except PlanError as exc:
        errors[f"{prefix}_window"] = str(PLAN_MESSAGES[exc.code])
    position = form.get(f"{prefix}_position", "").strip()
    try:
        values[plan.position] = check_position(int(position) if position.isdigit() else None)
        if position and not position.isdigit():
            raise PlanError("position")
    except PlanError as exc:
        errors[f"{prefix}_position"] = str(PLAN_MESSAGES[exc.code])
    return values, errors


def _plan_values(client) -> dict:
    """The form's values from the client's plans."""
    values = {}
    for prefix, _label in PLAN_KINDS:
        plan = services.SALES if prefix == "visit" else services.COLLECTION
        window = window_of(getattr(client, plan.start), getattr(client, plan.end))
        week = getattr(client, plan.week_of)
        values |= {
            f"{prefix}_days": day_names(getattr(client, plan.weekdays.key)),
            f"{prefix}_every_weeks": str(getattr(client, plan.every_weeks) or 1),
            f"{prefix}_week_of": week.isoformat() if week else "",
            f"{prefix}_window": str(window) if window else "",
            f"{prefix}_position": str(getattr(client, plan.position) or ""),
        }
    return values


@bp.route("/plan/<int:client_id>", methods=["GET", "POST"])
@requires("route.plan")
def plan(client_id: int):
    """A client's visit plans: days, frequency, starting week, time window, route position."""
    client = visible_client(current_user, client_id, trash=False)
    errors: dict[str, str] = {}
    values = _plan_values(client)
    if request.method == "POST":
        columns: dict = {}
        for prefix, _label in PLAN_KINDS:
            read, wrong = _read_plan(request.form, prefix)
            columns |= read
            errors |= wrong
        values = {
            name: request.form.getlist(name)
            if name.endswith("_days")
            else request.form.get(name, "")
            for name in values
        }
        if not errors:
            update_client(client, columns)
            db.session.commit()
            flash(_("Plan de visitas guardado."), "success")
            return redirect(url_for("clients.card", client_id=client.id) + "#plan")
    return render(
        "route/plan.html",
        status=422 if errors else 200,
        client=client,
        values=values,
        errors=errors,
        kinds=PLAN_KINDS,
        weekdays=[(key, str(label)) for key, label in WEEKDAY_LABELS.items()],
        frequencies=[(str(n), str(label)) for n, label in EVERY_LABELS.items()],
    )


BULK_MOST = 500


@bp.route("/plan/bulk", methods=["GET", "POST"])
@requires("route.plan")
def bulk_plan():
    """Set the visit days of many clients at once: the client list's search and filters pick
    them, each can be left out, and every change is audited client by client."""
    args = request.values
    query = search_clients(scoped_clients(current_user), args.get("q", ""))
    query = filter_clients(query, {name: args.get(name, "") for name in args})
    clients = list(db.session.scalars(query.order_by(Client.legal_name).limit(BULK_MOST + 1)))
    too_many = len(clients) > BULK_MOST
    clients = clients[:BULK_MOST]
    prefix = "collection" if args.get("kind") == "collection" else "visit"
    errors: dict[str, str] = {}
    chosen = {c.id for c in clients}
    if request.method == "POST":
        chosen = {int(v) for v in request.form.getlist("client_id") if v.isdigit()} & chosen
        columns, errors = _read_plan(request.form, prefix)
        if not chosen:
            errors["client_id"] = _("Elegí al menos un cliente.")
        if not errors:
            # the days and frequency change; each client keeps its place in the route, and
            # its window and starting week unless new ones are given
            plan = services.SALES if prefix == "visit" else services.COLLECTION
            keep = {plan.position}
            if not request.form.get(f"{prefix}_window", "").strip():
                keep |= {plan.start, plan.end}
            if not request.form.get(f"{prefix}_week_of", "").strip():
                keep.add(plan.week_of)
            columns = {k: v for k, v in columns.items() if k not in keep}
            for client in clients:
                if client.id in chosen:
                    update_client(client, columns)
            db.session.commit()
            flash(
                ngettext(
                    "Plan de visitas guardado en %(num)d cliente.",
                    "Plan de visitas guardado en %(num)d clientes.",
                    len(chosen),
                ),
                "success",
            )
            keep = {k: v for k, v in args.items() if k not in BULK_FORM_FIELDS}
            return redirect(url_for("clients.index", **keep))
    return render(
        "route/bulk_plan.html",
        status=422 if errors else 200,
        clients=clients,
        chosen=chosen,
        too_many=too_many,
        prefix=prefix,
        errors=errors,
        values=request.form if request.method == "POST" else {},
        list_args={k: v for k, v in args.items() if k not in BULK_FORM_FIELDS},
        weekdays=[(key, str(label)) for key, label in WEEKDAY_LABELS.items()],
        frequencies=[(str(n), str(label)) for n, label in EVERY_LABELS.items()],
    )


BULK_FORM_FIELDS = {"csrf_token", "client_id", "kind"} | {
    f"{prefix}_{name}"
    for prefix in ("visit", "collection")
    for name in ("days", "every_weeks", "week_of", "window", "position")
}
