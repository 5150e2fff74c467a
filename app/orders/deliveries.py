"""Deliveries: the dispatch list of a zone and day, and each attempt at handing an order over.

A delivery records who received the goods (name, document, when, where) and the result of the
client's authorised-pickup check; a failed attempt records why and leaves the order pending for
a new one. Every attempt is kept.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.auth.models import User
from app.auth.permissions import can
from app.clients.models import AuthorizedPickup, Client, Zone
from app.clients.rules import Pickup, compact_document, pickup_allowed
from app.clients.services import live_parts
from app.core.location import phone_location
from app.core.types import local_now, local_today, utcnow
from app.extensions import db
from app.orders.models import DeliveryAttempt, DeliveryOutcome, Order, OrderStatus
from app.orders.services import OrderError, orders_in_scope

# Why a delivery could not be made (the deliverer picks one).
FAILURE_REASONS = {
    "closed": _l("Local cerrado"),
    "nobody": _l("No había quien recibiera"),
    "refused": _l("Rechazó la mercadería"),
    "no_payment": _l("No tenía con qué pagar"),
    "not_authorized": _l("Quien recibía no estaba autorizado"),
    "wrong_address": _l("Dirección incorrecta o no encontrada"),
    "no_time": _l("No se llegó a tiempo"),
    "other": _l("Otro motivo"),
}
# Orders that go out to the client: taken and not cancelled.
DELIVERABLE = (OrderStatus.ACCEPTED, OrderStatus.APPROVED, OrderStatus.INVOICED)
NAME_MAX = 120
DOCUMENT_MAX = 30
NOTES_MAX = 500
# The dispatch list shows at most this many orders (one zone's day is far fewer).
LIST_LIMIT = 500


@dataclass(frozen=True)
class PickupCheck:
    """The authorised-pickup check of a receiver: required when the client names anyone."""

    required: bool
    match: AuthorizedPickup | None

    @property
    def authorized(self) -> bool | None:
        """True or False when the client names its pickup people; None when it names nobody."""
        return (self.match is not None) if self.required else None


def live_pickups(client: Client) -> list[AuthorizedPickup]:
    """The people the client authorises to receive its goods."""
    return live_parts(client, "pickups")


def pickup_check(client: Client, document: str, today: date | None = None) -> PickupCheck:
    """May the person with this document receive the client's goods today?"""
    rows = live_pickups(client)
    today = today or local_today()
    for row in rows:
        pickup = Pickup(row.name, row.document, row.valid_from, row.valid_to)
        if pickup_allowed(pickup, document, today):
            return PickupCheck(True, row)
    return PickupCheck(bool(rows), None)


def delivery_state(order: Order) -> str:
    """delivered, or pending (dispatched or not, failed attempts or not)."""
    return "delivered" if order.delivered_at is not None else "pending"


def last_failure(order: Order) -> DeliveryAttempt | None:
    """The order's latest attempt when it failed (the order waits for a new one)."""
    attempts = order.deliveries
    if attempts and attempts[-1].outcome == DeliveryOutcome.FAILED:
        return attempts[-1]
    return None


def receiver(order: Order) -> DeliveryAttempt | None:
    """The attempt that delivered the order, if any."""
    return next((a for a in order.deliveries if a.outcome == DeliveryOutcome.DELIVERED), None)


def may_deliver(user: User, order: Order) -> bool:
    """The user confirms deliveries and the order is out to the client, not yet delivered."""
    return (
        can(user, "deliveries.work")
        and order.status in DELIVERABLE
        and order.delivered_at is None
        and order.deleted_at is None
    )


def _check_open(order: Order) -> None:
    """Only a taken, not cancelled, not yet delivered order gets an attempt."""
    if order.status not in DELIVERABLE:
        raise OrderError({"order": _("Solo se entregan los pedidos aceptados o aprobados.")})
    if order.delivered_at is not None:
        raise OrderError({"order": _("Este pedido ya fue entregado.")})


def _text(data: dict, name: str, most: int, errors: dict, required: bool) -> str | None:
    """A stripped text field of the data; a field error when missing or too long."""
    value = data.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        if required:
            errors[name] = _("Este campo es obligatorio.")
        return None
    if len(value) > most:
        errors[name] = _("Como máximo %(n)d caracteres.", n=most)
    return value


def _attempt_view(attempt: DeliveryAttempt) -> dict:
    """An attempt as the audit log keeps it."""
    return {
        "outcome": attempt.outcome,
        "reason": attempt.reason,
        "received_by_name": attempt.received_by_name,
        "received_by_document": attempt.received_by_document,
        "authorized": attempt.authorized,
        "overridden": attempt.overridden,
    }


def _lock(order: Order) -> None:
    """Read the order again under a row lock, so two phones cannot both deliver it."""
    db.session.execute(sa.select(Order.id).where(Order.id == order.id).with_for_update()).first()
    db.session.refresh(order)


def confirm_delivery(order: Order, data: dict, user: User) -> DeliveryAttempt:
    """Record who received the order, after the pickup check; the order is delivered.

    When the client names its pickup people and the receiver is not one of them (by document,
    within the dates), the delivery is refused unless `override` is true and the user may hand
    goods over anyway (deliveries.override); the attempt then says so.
    """
    _lock(order)
    _check_open(order)
    errors: dict[str, str] = {}
    name = _text(data, "received_by_name", NAME_MAX, errors, required=True)
    document = _text(data, "received_by_document", DOCUMENT_MAX, errors, required=True)
    if document and "received_by_document" not in errors and not compact_document(document):
        errors["received_by_document"] = _("Escribí el número de documento.")
    if errors:
        raise OrderError(errors)
    check = pickup_check(order.client, document)
    overridden = False
    if check.authorized is False:
        if not data.get("override"):
            raise OrderError(
                {
                    "received_by_document": _(
                        "%(name)s (%(document)s) no está autorizado a retirar para este cliente.",
                        name=name,
                        document=document,
                    )
                }
            )
        if not can(user, "deliveries.override"):
            raise OrderError(
                {
                    "override": _(
                        "No podés entregar a quien no está autorizado: lo autoriza la oficina "
                        "o un supervisor."
                    )
                }
            )
        overridden = True
    now = utcnow()
    attempt = _attempt(order, user, data, now, outcome=DeliveryOutcome.DELIVERED)
    attempt.received_by_name = name
    attempt.received_by_document = document
    attempt.authorized = check.authorized
    attempt.pickup_id = check.match.id if check.match else None
    attempt.overridden = overridden
    before = {"delivered_at": None}
    if order.dispatched_at is None:  # it left the depot, whether or not anyone marked it
        order.dispatched_at = now
    order.delivered_at = now
    db.session.flush()
    record(
        "order.delivered",
        "order",
        order.id,
        before,
        {"delivered_at": "now"} | _attempt_view(attempt),
    )
    return attempt


def record_failure(order: Order, data: dict, user: User) -> DeliveryAttempt:
    """Record a delivery that could not be made, with its reason; the order stays pending."""
    _lock(order)
    _check_open(order)
    errors: dict[str, str] = {}
    reason = data.get("reason")
    if not reason:
        errors["reason"] = _("Elegí un motivo.")
    elif reason not in FAILURE_REASONS:
        errors["reason"] = _("Motivo desconocido.")
    notes = _text(data, "notes", NOTES_MAX, errors, required=reason == "other")
    if errors:
        raise OrderError(errors)
    attempt = _attempt(order, user, data, utcnow(), outcome=DeliveryOutcome.FAILED)
    attempt.reason = reason
    attempt.notes = notes
    db.session.flush()
    record("order.delivery_failed", "order", order.id, None, _attempt_view(attempt))
    return attempt


def _attempt(order: Order, user: User, data: dict, when: datetime, outcome: str):
    """A new attempt of the order, with where the phone was when its owner shared it."""
    attempt = DeliveryAttempt(order=order, outcome=outcome, user_id=user.id, attempted_at=when)
    place = phone_location(data)
    if place is not None:
        attempt.latitude, attempt.longitude, attempt.location_accuracy = place
    db.session.add(attempt)
    return attempt


# --- the dispatch list -----------------------------------------------------------------------


def delivery_zones() -> list[Zone]:
    """The delivery zones in use, by name."""
    return db.session.scalars(
        sa.select(Zone)
        .where(Zone.kind == "delivery", Zone.deleted_at.is_(None))
        .order_by(Zone.name, Zone.id)
    ).all()


def day_end(day: date) -> datetime:
    """The first instant after a day where the company works."""
    zone = local_now().tzinfo
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def dispatch_list(user: User, day: date, zone_id: int | None = None) -> list[Order]:
    """Orders in the user's scope dispatched by the end of the day and not delivered, by zone.

    zone_id 0 lists the orders of clients with no delivery zone; None lists every zone. A
    failed attempt keeps its order on the list until it is delivered.
    """
    query = (
        orders_in_scope(user)
        .join(Client, Client.id == Order.client_id)
        .outerjoin(Zone, Zone.id == Client.delivery_zone_id)
        .where(
            Order.status.in_(DELIVERABLE),
            Order.dispatched_at.is_not(None),
            Order.dispatched_at < day_end(day),
            Order.delivered_at.is_(None),
        )
        .options(
            joinedload(Order.client).joinedload(Client.delivery_zone),
            joinedload(Order.shipping_address),
            selectinload(Order.deliveries),
        )
        .order_by(Zone.name.is_(None), Zone.name, Client.trade_name, Order.id)
        .limit(LIST_LIMIT)
    )
    if zone_id == 0:
        query = query.where(Client.delivery_zone_id.is_(None))
    elif zone_id is not None:
        query = query.where(Client.delivery_zone_id == zone_id)
    return db.session.scalars(query).unique().all()
