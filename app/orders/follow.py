"""The order page and what happens after an order is taken: override request, cancel, tracking."""

from decimal import Decimal

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.permissions import can, requires
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.credit import overrides
from app.credit.models import RequestStatus
from app.credit.rules import Failure
from app.ledger.services import document_title
from app.orders import deliveries, invoicing, services
from app.orders.blueprint import bp
from app.orders.models import Order, OrderStatus
from app.orders.services import OrderError

TRACKING_LABELS = {
    "dispatched": _l("Despachado"),
    "delivered": _l("Entregado"),
    "invoiced": _l("Facturado"),
}
# Orders that may still be cancelled by their taker or the back office.
CANCELLABLE = (
    OrderStatus.ACCEPTED,
    OrderStatus.BLOCKED,
    OrderStatus.AWAITING_APPROVAL,
    OrderStatus.APPROVED,
    OrderStatus.REJECTED,
)


def _order(order_id: int) -> Order:
    """An order the user reaches, else 404."""
    order = services.get_order(current_user, order_id)
    if order is None:
        abort(404)
    return order


def stored_failures(decision: dict | None) -> list[Failure]:
    """The failures an order's stored decision names, with money figures as Decimal again."""
    failures = []
    for row in (decision or {}).get("failures") or []:
        figures = {}
        for name in ("limit", "current", "after", "excess"):
            value = row.get(name)
            figures[name] = Decimal(value) if isinstance(value, str) else value
        failures.append(Failure(row.get("kind", ""), row.get("message", ""), **figures))
    return failures


def may_cancel(order: Order) -> bool:
    """Its taker or the back office may cancel an order not yet invoiced or cancelled."""
    if order.status not in CANCELLABLE or not can(current_user, "orders.take"):
        return False
    return order.user_id == current_user.id or can(current_user, "orders.manage")


def _page(order: Order, errors: dict | None = None, status: int = 200, reason: str = ""):
    """The order page: header, notices, credit decision, override part, lines, delivery."""
    latest = overrides.latest_request(order)
    shown = overrides.shown_status(latest) if latest else None
    expired = order.status == OrderStatus.AWAITING_APPROVAL and shown == RequestStatus.EXPIRED
    steps = []
    if can(current_user, "orders.manage") and order.status in (
        OrderStatus.ACCEPTED,
        OrderStatus.APPROVED,
        OrderStatus.INVOICED,
    ):
        # a delivery is confirmed on its own page, with who received it
        steps = [
            (step, label)
            for step, label in TRACKING_LABELS.items()
            if getattr(order, f"{step}_at") is None and step != "delivered"
        ]
    errors = errors or {}
    return render(
        "orders/show.html",
        status=status,
        order=order,
        client=order.client,
        failures=stored_failures(order.credit),
        request_row=latest,
        request_status=shown,
        request_expired=expired,
        may_request=can(current_user, "orders.take")
        and (order.status == OrderStatus.BLOCKED or expired),
        may_cancel=may_cancel(order),
        steps=steps,
        tracking=TRACKING_LABELS,
        may_deliver=deliveries.may_deliver(current_user, order),
        receiver=deliveries.receiver(order),
        invoices=invoicing.invoices_of(order),
        invoice_title=document_title,
        delivery_reasons=deliveries.FAILURE_REASONS,
        errors=errors,
        # the reason's message shows under its box
        error_messages=[message for name, message in errors.items() if name != "reason"],
        reason=reason,
    )


@bp.get("/<int:order_id>")
@requires("orders.view")
def show(order_id: int):
    """One order: its status, credit decision, override request, lines and delivery."""
    return _page(_order(order_id))


@bp.post("/<int:order_id>/override-request")
@requires("orders.take")
@write_endpoint
def request_override(order_id: int):
    """Send a blocked order to the supervisors with a reason ("Pedir autorización")."""
    order = _order(order_id)
    reason = request.form.get("reason", "")
    try:
        made = overrides.request_override(order, reason, current_user)
    except overrides.OverrideError as exc:
        return _page(order, exc.fields, status=422, reason=reason)
    if made is None:
        flash(_("El pedido ya entra en los límites de crédito: quedó aceptado."), "success")
    else:
        flash(_("Autorización pedida: te avisamos cuando la respondan."), "success")
    return redirect(url_for("orders.show", order_id=order.id), 303)


@bp.post("/<int:order_id>/cancel")
@requires("orders.take")
@write_endpoint
def cancel(order_id: int):
    """Cancel an order not yet invoiced (its taker or the back office)."""
    order = _order(order_id)
    if not may_cancel(order) and order.status in CANCELLABLE:
        abort(403)
    try:
        services.cancel_order(order, current_user, request.form.get("reason", "").strip() or None)
    except OrderError as exc:
        return _page(order, exc.fields, status=422)
    flash(_("Pedido cancelado."), "success")
    return redirect(url_for("orders.show", order_id=order.id), 303)


@bp.post("/<int:order_id>/track/<step>")
@requires("orders.manage")
@write_endpoint
def track(order_id: int, step: str):
    """The back office marks an order dispatched, delivered or invoiced."""
    order = _order(order_id)
    try:
        services.track_order(order, step, current_user)
    except OrderError as exc:
        return _page(order, exc.fields, status=422)
    flash(_("Pedido marcado: %(step)s.", step=TRACKING_LABELS.get(step, step)), "success")
    return redirect(url_for("orders.show", order_id=order.id), 303)
