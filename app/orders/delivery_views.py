"""Delivery pages: the dispatch list of a zone and day, and confirming a delivery at the door."""

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import can, requires
from app.core.fields import FIRST_DAY, LAST_DAY
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.types import local_today
from app.orders import deliveries, services
from app.orders.blueprint import bp
from app.orders.models import Order
from app.orders.services import OrderError


def _order(order_id: int) -> Order:
    """An order the user reaches, else 404."""
    order = services.get_order(current_user, order_id)
    if order is None:
        abort(404)
    return order


def _day(raw: str | None) -> tuple[date, str | None]:
    """The list's day from the query string (today when missing), and an error when unreadable."""
    if not raw:
        return local_today(), None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        return local_today(), _("Fecha inválida: se muestra la de hoy.")
    return day, None


def _zone(raw: str | None) -> int | None:
    """The chosen delivery zone: an id, 0 for clients without one, None for every zone."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@bp.get("/deliveries")
@requires("deliveries.work")
def dispatch_list():
    """Orders dispatched and not delivered, by delivery zone, as of a day."""
    day, error = _day(request.args.get("date"))
    zone_id = _zone(request.args.get("zone"))
    rows = deliveries.dispatch_list(current_user, day, zone_id)
    groups: dict[str, list[Order]] = {}
    for order in rows:
        zone = order.client.delivery_zone
        groups.setdefault(zone.name if zone else _("Sin zona de reparto"), []).append(order)
    return render(
        "orders/deliveries.html",
        block="results",
        day=day,
        zone_id=zone_id,
        zones=deliveries.delivery_zones(),
        groups=groups,
        count=len(rows),
        date_error=error,
        last_failure=deliveries.last_failure,
        reasons=deliveries.FAILURE_REASONS,
    )


def _page(order: Order, errors: dict | None = None, values: dict | None = None, status=200):
    """The delivery page of an order: where it goes, the pickup check, confirm or fail."""
    client = order.client
    return render(
        "orders/delivery.html",
        status=status,
        order=order,
        client=client,
        pickups=deliveries.live_pickups(client),
        may_deliver=deliveries.may_deliver(current_user, order),
        may_override=can(current_user, "deliveries.override"),
        receiver=deliveries.receiver(order),
        reasons=deliveries.FAILURE_REASONS,
        delivery_reasons=deliveries.FAILURE_REASONS,
        errors=errors or {},
        values=values or {},
        check=None,
    )


@bp.get("/<int:order_id>/delivery")
@requires("deliveries.work")
def delivery(order_id: int):
    """Confirm an order's delivery on the phone (who received it), or say why it failed."""
    return _page(_order(order_id))


@bp.get("/<int:order_id>/delivery/check")
@requires("deliveries.work")
def delivery_check(order_id: int):
    """The authorised-pickup check of a receiver's document, shown before confirming."""
    order = _order(order_id)
    document = request.args.get("received_by_document", "").strip()[:30]
    check = deliveries.pickup_check(order.client, document) if document else None
    return render(
        "orders/delivery.html",
        block="pickup_check",
        order=order,
        client=order.client,
        document=document,
        check=check,
    )


@bp.post("/<int:order_id>/delivery")
@requires("deliveries.work")
@write_endpoint
def deliver(order_id: int):
    """Record a delivery (receiver and pickup check) or a failed attempt (its reason)."""
    order = _order(order_id)
    data = request.form.to_dict()
    data["override"] = data.get("override") == "1"
    failed = data.get("outcome") == "failed"
    try:
        if failed:
            deliveries.record_failure(order, data, current_user)
        else:
            attempt = deliveries.confirm_delivery(order, data, current_user)
    except OrderError as exc:
        return _page(order, exc.fields, data, status=422)
    if failed:
        label = deliveries.FAILURE_REASONS[data["reason"]]
        flash(
            _("Entrega no realizada (%(reason)s): el pedido sigue pendiente.", reason=label),
            "success",
        )
    else:
        flash(_("Entrega registrada: recibió %(name)s.", name=attempt.received_by_name), "success")
    zone = order.client.delivery_zone_id
    return redirect(url_for("orders.dispatch_list", zone=zone if zone else None), 303)
