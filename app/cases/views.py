"""Case pages: the list with its filters, a new case (offline too), a case with its history,
comments, state changes, photos, and the back office's target days; the card's section."""

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import can, requires
from app.cases import services
from app.cases.blueprint import bp
from app.cases.models import Case
from app.cases.rules import MAX_PHOTO_BYTES, MAX_PHOTOS, MAX_SUBJECT, MAX_TEXT, TRANSITIONS
from app.cases.services import (
    EVENT_LABELS,
    KIND_LABELS,
    STATE_LABELS,
    CaseError,
    CaseFilters,
)
from app.clients.models import Client
from app.clients.services import visible_client
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.routing import MAX_ID
from app.core.types import local_today
from app.extensions import db

MAX_PAGE = 100_000


@bp.app_template_global()
def cases_for(client: Client) -> list[Case] | None:
    """The client's latest cases for the card, or None when the user may not see cases."""
    if not can(current_user, "cases.view"):
        return None
    return services.client_cases(current_user, client)


@bp.app_context_processor
def case_labels() -> dict:
    """The words templates use for kinds, states and history lines."""
    return {
        "case_kind_labels": KIND_LABELS,
        "case_state_labels": STATE_LABELS,
        "case_event_labels": EVENT_LABELS,
        "case_overdue": services.overdue,
    }


def _id_arg(raw: str | None) -> int | None:
    """An id sent as text, or None when it is not one that can exist."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 0 < number <= MAX_ID else None


@bp.get("/")
@requires("cases.view")
def index():
    """The cases of the clients in the user's scope: filtered, overdue ones first."""
    args = request.args
    owner = args.get("owner", "")
    filters = CaseFilters(
        state=args.get("state") if args.get("state") in STATE_LABELS else None,
        kind=args.get("kind") if args.get("kind") in KIND_LABELS else None,
        owner_id=_id_arg(owner),
        unassigned=owner == "none",
        client_id=_id_arg(args.get("client_id")),
    )
    page_number = min(max(args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    query = services.filtered_cases(current_user, filters)
    page = db.paginate(query, page=page_number, per_page=services.PAGE_SIZE, error_out=False)
    client = services.scoped_client(current_user, filters.client_id)
    return render(
        "cases/index.html",
        block="results",
        page=page,
        filters=filters,
        owner=owner,
        client=client,
        owners=services.assignable_users(),
        today=local_today(),
    )


def _form_client() -> Client | None:
    """The client the new case is for (the query's on the page, the form's on a post)."""
    source = request.form if request.method == "POST" else request.args
    client_id = _id_arg(source.get("client_id"))
    if client_id is None:
        return None
    return visible_client(current_user, client_id, trash=False)


@bp.route("/new", methods=["GET", "POST"])
@requires("cases.create")
@write_endpoint
def new():
    """Open a case on a client; kept in the outbox when the phone has no network."""
    client = _form_client()
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {"kind": request.args.get("kind", "")}
    if request.method == "POST":
        if client is None:
            errors["client_id"] = _("Elegí un cliente.")
        else:
            try:
                case = services.open_case(client, request.form.to_dict(), current_user)
            except CaseError as exc:
                errors = exc.fields
            else:
                flash(_("Caso %(id)d abierto.", id=case.id), "success")
                return redirect(url_for("cases.show", case_id=case.id), 303)
    return render(
        "cases/new.html",
        status=422 if errors else 200,
        client=client,
        errors=errors,
        values=values,
        references=services.case_references(client) if client else None,
        max_subject=MAX_SUBJECT,
        max_text=MAX_TEXT,
    )


def _show(case: Case, errors: dict | None = None, status: int = 200) -> Response:
    """The case page, with the messages of a refused form."""
    return render(
        "cases/show.html",
        status=status,
        case=case,
        errors=errors or {},
        values=request.form if errors else {},
        next_states=sorted(TRANSITIONS[case.state], key=list(STATE_LABELS).index),
        owners=services.assignable_users() if can(current_user, "cases.assign") else [],
        max_photos=MAX_PHOTOS,
        max_photo_mb=MAX_PHOTO_BYTES // (1024 * 1024),
        today=local_today(),
    )


@bp.get("/<int:case_id>")
@requires("cases.view")
def show(case_id: int):
    """A case: its data, photos and history, and the forms to work it."""
    return _show(services.visible_case(current_user, case_id))


@bp.post("/<int:case_id>/comments")
@requires("cases.work")
@write_endpoint
def comment(case_id: int):
    """Add a comment to the case's history."""
    case = services.visible_case(current_user, case_id)
    try:
        services.add_comment(case, request.form.get("text"), current_user)
    except CaseError as exc:
        return _show(case, exc.fields, 422)
    flash(_("Comentario agregado."), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="history"), 303)


@bp.post("/<int:case_id>/change")
@requires("cases.work")
@write_endpoint
def change(case_id: int):
    """Change the case's state (with a note), its owner or its due date."""
    case = services.visible_case(current_user, case_id)
    data = {k: v for k, v in request.form.items() if k in ("state", "note", "credit_amount")}
    if can(current_user, "cases.assign"):
        data |= {k: request.form[k] for k in ("owner_id", "due_on") if k in request.form}
    try:
        services.change_case(case, data, current_user)
    except CaseError as exc:
        return _show(case, exc.fields, 422)
    flash(_("Caso actualizado."), "success")
    return redirect(url_for("cases.show", case_id=case.id), 303)


@bp.post("/<int:case_id>/photos")
@requires("cases.work")
@write_endpoint
def add_photo(case_id: int):
    """Keep a photo taken with the phone's camera."""
    case = services.visible_case(current_user, case_id)
    upload = request.files.get("photo")
    data = upload.read(MAX_PHOTO_BYTES + 1) if upload else b""
    try:
        services.add_photo(case, data, current_user)
    except CaseError as exc:
        return _show(case, exc.fields, 422)
    flash(_("Foto agregada."), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="photos"), 303)


@bp.get("/<int:case_id>/photos/<int:photo_id>")
@requires("cases.view")
def photo(case_id: int, photo_id: int):
    """One photo of a case, as the image it is."""
    case = services.visible_case(current_user, case_id)
    found = services.case_photo(case, photo_id)
    response = Response(found.data, mimetype=found.content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/targets", methods=["GET", "POST"])
@requires("cases.targets")
@write_endpoint
def targets():
    """The working days to answer each kind of case."""
    errors: dict[str, str] = {}
    values: dict = services.target_days()
    if request.method == "POST":
        values = request.form
        try:
            services.set_target_days(request.form.to_dict())
        except CaseError as exc:
            errors = exc.fields
        else:
            flash(_("Plazos guardados."), "success")
            return redirect(url_for("cases.targets"), 303)
    return render("cases/targets.html", status=422 if errors else 200, errors=errors, values=values)
