"""Notice pages: the list, the form with its target picker, "seen" and the card's partial."""

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import can, requires
from app.clients.models import Client
from app.clients.services import visible_client
from app.core.idempotency import write_endpoint
from app.core.rendering import render, wants_fragment
from app.core.routing import MAX_ID
from app.core.types import local_today
from app.extensions import db
from app.notices import services
from app.notices.blueprint import bp
from app.notices.forms import NoticeForm
from app.notices.models import Notice
from app.notices.rules import TargetKind
from app.notices.services import PERIOD_LABELS, SEVERITY_LABELS, TARGET_LABELS, ShownNotice

MAX_PAGE = 100_000


@bp.app_template_global()
def notices_for(client: Client) -> list[ShownNotice]:
    """The notices in force for a client, with the current user's seen marks (for the card)."""
    if not can(current_user, "clients.view"):
        return []
    return services.shown_notices(current_user, client)


def _id_arg(raw: str | None) -> int | None:
    """An id sent as text, or None when it is not one that can exist."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 0 < number <= MAX_ID else None


def _page_arg() -> int:
    """The page number asked for, within bounds."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def _notice(notice_id: int) -> Notice:
    """A live notice the user may manage, else 404."""
    notice = services.get_notice(current_user, notice_id)
    if notice is None:
        abort(404)
    return notice


@bp.get("/")
@requires("notices.manage")
def index():
    """Notices: in force, programmed or expired, by severity and words."""
    filters = {name: request.args.get(name, "").strip() for name in ("when", "severity", "q")}
    query = services.filter_notices(
        services.visible_notices(current_user),
        when=filters["when"],
        severity=filters["severity"],
        text=filters["q"],
    )
    page = db.paginate(query, page=_page_arg(), per_page=services.PAGE_SIZE, error_out=False)
    return render(
        "notices/index.html",
        block="results",
        page=page,
        filters=filters,
        periods=PERIOD_LABELS,
        severities=SEVERITY_LABELS,
        target_label=services.target_label,
        period_of=services.period_of,
    )


def _target_context(kind: str, target_id: int | None, q: str = "") -> dict:
    """What the target picker shows for a kind: the groups to choose, or the client search."""
    if kind not in TARGET_LABELS:
        kind = TargetKind.CLIENT
    context = {"kind": kind, "target_id": target_id, "q": q, "kind_label": TARGET_LABELS[kind]}
    if kind == TargetKind.CLIENT:
        chosen = services.target_row(kind, target_id) if target_id else None
        context["chosen"] = chosen
        context["results"] = [
            c for c in services.client_choices(current_user, q) if c is not chosen
        ]
    else:
        context["choices"] = [
            (row.id, services.row_label(row)) for row in services.group_choices(kind, target_id)
        ]
    return context


def _initial_form(notice: Notice | None) -> NoticeForm:
    """The form for a GET: the notice, or a new one (for a client when ?client_id= says so)."""
    if notice is not None:
        return NoticeForm(obj=notice)
    if "target_kind" in request.args:  # the picker's kind changed without JavaScript
        return NoticeForm(formdata=request.args, meta={"csrf": False})
    data = {"valid_from": local_today()}
    client = services.scoped_client(current_user, _id_arg(request.args.get("client_id")))
    if client is not None:
        data |= {"target_kind": TargetKind.CLIENT.value, "target_id": str(client.id)}
    return NoticeForm(data=data)


def _edit(notice: Notice | None):
    """The notice form: show it, or save it and go back where it was opened from."""
    back_to_card = request.values.get("back") == "card"
    if request.method == "GET":
        form = _initial_form(notice)
        status = 200
    else:
        form = NoticeForm()
        form.validate()
        for name, message in services.problems(form.values(), current_user, notice).items():
            if not form[name].errors:
                form[name].errors = [*form[name].errors, message]
        if not any(field.errors for field in form):
            values = form.values()
            if notice is None:
                notice = services.create_notice(values, current_user)
                flash(_("Se creó el aviso."), "success")
            else:
                services.update_notice(notice, values, current_user)
                flash(_("Se guardó el aviso."), "success")
            if back_to_card and notice.target_kind == TargetKind.CLIENT:
                return redirect(url_for("clients.card", client_id=notice.target_id), 303)
            return redirect(url_for("notices.index"), 303)
        status = 422
    picker = _target_context(
        form.target_kind.data, form.target_number(), request.values.get("q", "")
    )
    return render(
        "notices/form.html",
        form=form,
        notice=notice,
        picker=picker,
        back_to_card=back_to_card or "client_id" in request.args,
        status=status,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("notices.manage")
@write_endpoint
def new():
    """Write a notice for a client or a group."""
    return _edit(None)


@bp.route("/<int:notice_id>/edit", methods=["GET", "POST"])
@requires("notices.manage")
@write_endpoint
def edit(notice_id: int):
    """Change a notice."""
    return _edit(_notice(notice_id))


@bp.post("/<int:notice_id>/delete")
@requires("notices.manage")
@write_endpoint
def delete(notice_id: int):
    """Take a notice down (it stays in the audit log)."""
    services.delete_notice(_notice(notice_id))
    flash(_("Se eliminó el aviso."), "success")
    return redirect(url_for("notices.index"), 303)


def _fragment(template: str, **context):
    """A partial that only htmx asks for."""
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


@bp.get("/targets")
@requires("notices.manage")
def targets():
    """The target picker for a kind: a select of groups, or the client search."""
    kind = request.args.get("kind") or request.args.get("target_kind") or TargetKind.CLIENT
    return _fragment("notices/_target.html", picker=_target_context(kind, None), errors=[])


@bp.get("/targets/clients")
@requires("notices.manage")
def target_clients():
    """Clients in the user's scope matching the words typed, to pick one."""
    q = request.args.get("q", "")
    results = services.client_choices(current_user, q)
    return _fragment("notices/_client_results.html", results=results, q=q)


@bp.post("/<int:notice_id>/seen")
@requires("clients.view")
@write_endpoint
def seen(notice_id: int):
    """Mark a notice as seen on a client's card; the card shows it compact from then on."""
    client_id = _id_arg(request.form.get("client_id"))
    if client_id is None:
        abort(404)
    client = visible_client(current_user, client_id, trash=False)
    notice = db.session.get(Notice, notice_id)
    if notice is None or not services.applies_to(notice, client):
        abort(404)
    mark = services.mark_seen(notice, current_user, client)
    if not wants_fragment():
        return redirect(url_for("clients.card", client_id=client.id), 303)
    return _fragment(
        "notices/_notice.html", shown=ShownNotice(notice, mark), client=client, just_seen=True
    )
