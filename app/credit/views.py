"""Credit pages: the supervisor's approvals inbox, and the answer to each override request."""

from datetime import datetime

from flask import (
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.permissions import can, requires
from app.clients import services as clients
from app.clients.models import Client
from app.core.idempotency import write_endpoint
from app.core.rendering import render, wants_fragment
from app.core.types import utcnow
from app.credit import overrides, status
from app.credit import services as credit
from app.credit.admin_forms import OwnLimitsForm
from app.credit.blueprint import bp
from app.credit.models import OverrideRequest, RequestStatus
from app.credit.rules import Limits
from app.ledger import accounts

DECISIONS = {"approve": True, "reject": False}
REQUEST_LABELS = {
    RequestStatus.PENDING: _l("Esperando"),
    RequestStatus.APPROVED: _l("Aprobado"),
    RequestStatus.REJECTED: _l("Rechazado"),
    RequestStatus.EXPIRED: _l("Vencido"),
    RequestStatus.CANCELLED: _l("Cancelado"),
}


@bp.app_template_global()
def credit_status(client: Client) -> status.CreditStatus | None:
    """The client's credit at a glance, for the users who check credit (the card's block)."""
    if not can(current_user, "credit.check"):
        return None
    return status.credit_status(client)


@bp.app_template_global()
def approvals_waiting() -> int:
    """How many requests the signed-in approver can decide (the navigation's badge); the
    approvals page counts them once for its heading and the badge alike."""
    if not current_user.is_authenticated or not can(current_user, "approvals.view"):
        return 0
    if "approvals_decidable" not in g:
        return overrides.decidable_count(current_user)
    return g.approvals_decidable


@bp.app_template_filter()
def time_left(expires_at: datetime) -> str:
    """How long a request has before it expires: "Vence en 23 h 10 min"."""
    minutes = int((expires_at - utcnow()).total_seconds() // 60)
    if minutes <= 0:
        return _("Vencida")
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("Vence en %(hours)d h %(minutes)02d min", hours=hours, minutes=minutes)
    return _("Vence en %(minutes)d min", minutes=minutes)


def _behaviour(client: Client) -> dict:
    """The client's payment behaviour the approver weighs: account summary and last receipts."""
    return {
        "summary": accounts.account_summary(client),
        "receipts": overrides.recent_receipts(client),
    }


def _card_context(item: overrides.Waiting, error: str | None = None) -> dict:
    """What one request's card shows."""
    return {
        "item": item,
        "behaviour": _behaviour(item.request.client),
        "error": error,
        "is_open": overrides.is_open,
    }


def _page(errors: dict[int, str] | None = None, status: int = 200):
    """The inbox: the requests this user can decide (each with its figures), the ones that
    wait for someone else, and the ones answered lately."""
    inbox = overrides.sorted_inbox(current_user)
    g.approvals_decidable = len(inbox.decidable)
    behaviours = {item.request.id: _behaviour(item.request.client) for item in inbox.decidable}
    return render(
        "credit/approvals.html",
        waiting=inbox.decidable,
        others=inbox.others,
        behaviours=behaviours,
        answered=overrides.answered(current_user),
        errors=errors or {},
        is_open=overrides.is_open,
        request_labels=REQUEST_LABELS,
        status=status,
    )


@bp.get("/approvals")
@requires("approvals.view")
def approvals():
    """Override requests waiting for this supervisor, and the ones answered lately."""
    return _page()


def _fragment(template: str, status: int = 200, **context):
    """A partial that only htmx asks for."""
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


@bp.post("/approvals/<int:request_id>")
@requires("approvals.view")
@write_endpoint
def decide(request_id: int):
    """Approve or reject a request in one tap; the comment is optional."""
    found: OverrideRequest | None = overrides.get_request(current_user, request_id)
    if found is None:
        abort(404)
    approve = DECISIONS.get(request.form.get("decision", ""))
    try:
        if approve is None:
            raise overrides.OverrideError({"decision": _("Elegí aprobar o rechazar.")})
        overrides.decide_override(found, approve, request.form.get("comment"), current_user)
    except overrides.OverrideError as exc:
        message = "; ".join(str(text) for text in exc.fields.values())
        if not wants_fragment():
            return _page({found.id: message}, status=422)
        item = overrides.waiting(found, current_user)
        return _fragment("credit/_request.html", 422, **_card_context(item, message))
    if not wants_fragment():
        flash(_("Pedido aprobado.") if approve else _("Pedido rechazado."), "success")
        return redirect(url_for("credit.approvals"), 303)
    return _fragment("credit/_decided.html", answered_request=found)


@bp.route("/clients/<int:client_id>/limits", methods=["GET", "POST"])
@requires("clients.edit")
@write_endpoint
def own_limits(client_id: int):
    """The client's own limits, set by the back office over the ones of its policy."""
    client = clients.visible_client(current_user, client_id, trash=False)
    own = credit.own_limits(client)
    form = OwnLimitsForm(data=vars(own)) if request.method == "GET" else OwnLimitsForm()
    if form.validate_on_submit():
        values = form.values()
        changed = credit.set_own_limits(
            client, Limits(values["money"], values["documents"], values["age_days"])
        )
        flash(_("Límites guardados.") if changed else _("Sin cambios."), "success")
        return redirect(url_for("clients.card", client_id=client.id, _anchor="credit"), 303)
    return render(
        "credit/own_limits.html",
        form=form,
        client=client,
        credit=status.credit_status(client),
        status=422 if request.method == "POST" else 200,
    )
