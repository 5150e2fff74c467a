"""Override requests: a blocked order sent to the supervisors, and their answer.

An approval is bound to the order and its amount, used once (on the order it answers) and
only while the request is in time; the approver's band must cover the excess at the moment
of approving, which is decided again under the client's lock.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.models import User
from app.auth.permissions import can
from app.clients.models import Client
from app.clients.services import scoped_clients
from app.core.types import utcnow
from app.credit import services as credit
from app.credit.models import OverrideRequest, RequestStatus
from app.credit.rules import Band, Decision, money_text
from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import Document, DocumentKind, DocumentState
from app.orders.models import Order, OrderStatus
from app.push import services as push
from app.rates import services as rates

MAX_TEXT = 500


class OverrideError(ValueError):
    """A request or answer that cannot be taken, with a Spanish message per field."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def is_open(request: OverrideRequest, now: datetime | None = None) -> bool:
    """Waiting for an answer and still in time."""
    return request.status == RequestStatus.PENDING and request.expires_at > (now or utcnow())


def shown_status(request: OverrideRequest, now: datetime | None = None) -> str:
    """The request's status as people see it: a pending one past its time has expired."""
    if request.status == RequestStatus.PENDING and not is_open(request, now):
        return RequestStatus.EXPIRED
    return request.status


def latest_request(order: Order) -> OverrideRequest | None:
    """The last request made for the order."""
    return db.session.scalar(
        sa.select(OverrideRequest)
        .where(OverrideRequest.order_id == order.id)
        .order_by(OverrideRequest.id.desc())
        .limit(1)
    )


def latest_requests(orders: list[Order]) -> dict[int, OverrideRequest]:
    """The last request of each of these orders, read in one query: {order_id: request}."""
    if not orders:
        return {}
    rows = db.session.scalars(
        sa.select(OverrideRequest)
        .where(OverrideRequest.order_id.in_([order.id for order in orders]))
        .order_by(OverrideRequest.id)
    )
    return {row.order_id: row for row in rows}


def order_decision(order: Order) -> Decision:
    """The credit decision for the order's amount now, as if it were placed again."""
    client = db.session.get(Client, order.client_id)
    amount = order.total
    if order.currency != client.currency:
        # at the rate of the order's day, as the exposure weighs it
        amount = rates.weigh(amount, order.currency, client.currency, order.date)
        amount = amount.quantize(Decimal("0.01"))
    return credit.decision(client, amount, order.payment_method)


def headline(order: Order, failures: list[dict]) -> str:
    """One line for a notification: "Almacén Don José: pedido de $ 120.000 supera antigüedad"."""
    kinds = {
        "money": _("el límite de crédito"),
        "documents": _("la cantidad de facturas"),
        "age": _("la antigüedad"),
        "state": _("el estado del cliente"),
    }
    what = ", ".join(kinds.get(f["kind"], f["kind"]) for f in failures) or _("el límite")
    return _(
        "%(client)s: pedido de %(amount)s supera %(what)s",
        client=order.client.trade_name or order.client.legal_name,
        amount=money_text(order.total),
        what=what,
    )


# Where a notification points when it is sent outside a request (demo data, CLI).
_PATHS = {
    "credit.approvals": "/credit/approvals",
    "api.decide_override_request": "/api/v1/override-requests/{request_id}/decision",
}


def _link(endpoint: str, **values) -> str:
    """The page (or API call) a notification names; outside a request a relative guess."""
    if has_request_context():
        return url_for(endpoint, **values)
    return _PATHS.get(endpoint, "/orders/").format(**values)


def request_message(
    request: OverrideRequest, failures: list[dict], decider: User | None
) -> push.Message:
    """The notification of a new request; for a user who can decide it (`decider`), its
    Aprobar / Rechazar buttons and what the service worker needs to send the answer."""
    message = push.Message(
        _("Pedido para aprobar"),
        headline(request.order, failures),
        _link("credit.approvals", _anchor=f"request-{request.id}"),
        tag=f"override-{request.id}",
    )
    if decider is None:
        return message
    return replace(
        message,
        actions=(push.Action("approve", _("Aprobar")), push.Action("reject", _("Rechazar"))),
        data={
            "decide": {
                "url": _link("api.decide_override_request", request_id=request.id),
                "request_id": request.id,
                "user_id": decider.id,
                "answered": {"approve": _("Pedido aprobado"), "reject": _("Pedido rechazado")},
            }
        },
    )


def _lock(order: Order) -> None:
    """Take the client's lock and read the order (and its client) again under it."""
    ledger.lock_account(order.client_id)
    db.session.refresh(order)
    db.session.refresh(order.client)


def request_override(order: Order, reason: str | None, user: User) -> OverrideRequest | None:
    """Send a blocked order to the supervisors whose band covers it.

    When the order now fits (a payment arrived, another order was cancelled) it is accepted
    at once and no request is made: None is returned.
    """
    _lock(order)
    reason = (reason or "").strip()
    errors = {}
    if not 3 <= len(reason) <= MAX_TEXT:
        errors["reason"] = _("Contá en pocas palabras por qué pedís la autorización.")
    previous = latest_request(order)
    waiting = previous is not None and is_open(previous)
    if order.status not in (OrderStatus.BLOCKED, OrderStatus.AWAITING_APPROVAL) or waiting:
        errors["order"] = (
            _("Ya hay una autorización pedida para este pedido.")
            if waiting
            else _("Solo se pide autorización para un pedido bloqueado.")
        )
    if errors:
        raise OverrideError(errors)
    verdict = order_decision(order)
    if verdict.allowed:
        _accept_now(order)
        return None
    if any(failure.kind == "state" for failure in verdict.failures):
        raise OverrideError(
            {
                "order": _(
                    "El estado del cliente no se puede autorizar: %(why)s",
                    why=verdict.failures[0].message,
                )
            }
        )
    approvers = credit.approvers(order.client, verdict)
    if not approvers:
        raise OverrideError(
            {
                "order": _(
                    "Ningún supervisor tiene una franja que cubra este exceso. "
                    "Hablá con administración."
                )
            }
        )
    if previous is not None and previous.status == RequestStatus.PENDING:
        previous.status = RequestStatus.EXPIRED
    hours = current_app.config.get("OVERRIDE_REQUEST_HOURS", 24)
    now = utcnow()
    failures = credit.decision_json(verdict, order.client.currency)["failures"]
    request = OverrideRequest(
        order_id=order.id,
        client_id=order.client_id,
        amount=order.total,
        currency=order.currency,
        reason=reason,
        failures=failures,
        status=RequestStatus.PENDING,
        requested_by_id=user.id,
        requested_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(request)
    before = order.status
    order.status = OrderStatus.AWAITING_APPROVAL
    db.session.flush()
    record(
        "override.request",
        "order",
        order.id,
        {"status": before},
        {
            "status": order.status,
            "request_id": request.id,
            "reason": reason,
            "amount": str(order.total),
            "failures": [f["kind"] for f in failures],
        },
    )
    # Each approver's phone gets the buttons, bound to that approver (see request_message).
    for approver in approvers:
        push.notify_after_commit([approver.id], request_message(request, failures, approver))
    return request


def _accept_now(order: Order) -> None:
    """The order fits the limits now: accept it without a request."""
    before = order.status
    # Decided before the status changes: an accepted order counts in its own exposure.
    order.credit = credit.decision_json(order_decision(order), order.client.currency)
    order.status = OrderStatus.ACCEPTED
    record("order.accept", "order", order.id, {"status": before}, {"status": order.status})
    db.session.flush()


def decide_override(
    request: OverrideRequest, approve: bool, comment: str | None, user: User
) -> OverrideRequest:
    """Approve or reject a request; an approval is spent on its order at once."""
    order = request.order
    _lock(order)
    db.session.refresh(request)
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_TEXT:
        raise OverrideError({"comment": _("El comentario no puede superar los 500 caracteres.")})
    if request.status != RequestStatus.PENDING:
        raise OverrideError({"request": _("Esta solicitud ya fue respondida.")})
    if not is_open(request):
        raise OverrideError(
            {"request": _("Esta solicitud venció: el vendedor debe pedirla de nuevo.")}
        )
    if order.status != OrderStatus.AWAITING_APPROVAL or order.total != request.amount:
        raise OverrideError({"request": _("El pedido cambió: esta solicitud ya no vale.")})
    if not _reaches(user, order.client):
        raise OverrideError({"request": _("Este cliente no es de tu equipo.")})
    now = utcnow()
    if approve:
        verdict = order_decision(order)
        if not verdict.allowed and not credit.may_authorise(user, order.client, verdict):
            raise OverrideError(
                {
                    "request": _(
                        "Tu franja no cubre este exceso: %(why)s", why=verdict.failures[0].message
                    )
                }
            )
        request.status = RequestStatus.APPROVED
        request.used_at = now
        order.status = OrderStatus.APPROVED
    else:
        request.status = RequestStatus.REJECTED
        order.status = OrderStatus.REJECTED
    request.decided_by_id = user.id
    request.decided_at = now
    request.comment = comment
    db.session.flush()
    action = "override.approve" if approve else "override.reject"
    record(
        action,
        "order",
        order.id,
        {"status": OrderStatus.AWAITING_APPROVAL},
        {"status": order.status, "request_id": request.id, "comment": comment},
    )
    if approve:
        record(
            "override.use",
            "order",
            order.id,
            None,
            {"request_id": request.id, "amount": str(request.amount)},
        )
    title = _("Pedido aprobado") if approve else _("Pedido rechazado")
    client = order.client.trade_name or order.client.legal_name
    body = f"{client}: {money_text(order.total)}" + (f" — {comment}" if comment else "")
    push.notify_after_commit(
        [request.requested_by_id],
        push.Message(title, body, _link("orders.show", order_id=order.id), tag=f"order-{order.id}"),
    )
    return request


def withdraw_requests(order: Order, user: User) -> None:
    """A cancelled order takes its waiting request with it."""
    for request in db.session.scalars(
        sa.select(OverrideRequest).where(
            OverrideRequest.order_id == order.id,
            OverrideRequest.status == RequestStatus.PENDING,
        )
    ):
        request.status = RequestStatus.CANCELLED
        request.decided_by_id = user.id
        request.decided_at = utcnow()
        record(
            "override.cancel",
            "order",
            order.id,
            {"status": RequestStatus.PENDING, "request_id": request.id},
            {"status": RequestStatus.CANCELLED, "request_id": request.id},
        )


def _answers(user: User) -> bool:
    """True when the user answers override requests."""
    return user.active and can(user, "approvals.view")


def _reaches(user: User, client: Client) -> bool:
    """True when the user answers requests and the client is in their scope."""
    if not _answers(user):
        return False
    return db.session.scalar(scoped_clients(user).where(Client.id == client.id)) is not None


@dataclass
class Waiting:
    """A request in a supervisor's inbox, with the decision as it stands now."""

    request: OverrideRequest
    decision: Decision
    covered: bool  # the user can decide it now: their band covers the excess, or it fits
    approvers: list[User] = field(default_factory=list)  # who can, when the user cannot


@dataclass
class Inbox:
    """A user's inbox: what they can decide, then what waits for someone else."""

    decidable: list[Waiting]
    others: list[Waiting]


def inbox(user: User, now: datetime | None = None) -> list[Waiting]:
    """Requests in time for clients the user reaches, oldest first; covered ones marked."""
    if not _answers(user):
        return []
    clients = scoped_clients(user).with_only_columns(Client.id)
    rows = db.session.scalars(
        sa.select(OverrideRequest)
        .where(
            OverrideRequest.status == RequestStatus.PENDING,
            OverrideRequest.expires_at > (now or utcnow()),
            OverrideRequest.client_id.in_(clients),
        )
        .order_by(OverrideRequest.requested_at, OverrideRequest.id)
        # Each is weighed on every page (the badge): its order and client in two reads, not 2n.
        .options(selectinload(OverrideRequest.order), selectinload(OverrideRequest.client))
    ).all()
    bands = credit.deciding_bands(user)  # read once: the query above keeps to the user's scope
    return [_weigh(request, bands) for request in rows]


def waiting(request: OverrideRequest, user: User) -> Waiting:
    """A request as the user's inbox shows it: the decision now, whether they cover it, and
    who can decide it when they cannot."""
    item = _weigh(request, credit.deciding_bands(user))
    item.covered = item.covered and _reaches(user, request.client)
    if not item.covered:
        item.approvers = credit.approvers(request.client, item.decision)
    return item


def _weigh(request: OverrideRequest, bands: list[Band]) -> Waiting:
    """The request with its decision now and whether these bands decide it."""
    verdict = order_decision(request.order)
    return Waiting(request, verdict, verdict.allowed or credit.covers(bands, verdict))


def sorted_inbox(user: User, now: datetime | None = None) -> Inbox:
    """The inbox as the approvals page shows it: what the user can decide first, oldest
    first; then the rest, each with the users who can decide it."""
    items = inbox(user, now)
    others = [item for item in items if not item.covered]
    for item in others:
        item.approvers = credit.approvers(item.request.client, item.decision)
    return Inbox([item for item in items if item.covered], others)


def decidable_count(user: User, now: datetime | None = None) -> int:
    """How many requests in time the user can decide now (the navigation's badge)."""
    return sum(item.covered for item in inbox(user, now))


def recent_receipts(client: Client, limit: int = 3) -> list[Document]:
    """The client's last receipts that were not voided, newest first (its payment habit)."""
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(
                Document.client_id == client.id,
                Document.kind == DocumentKind.RECEIPT,
                Document.state != DocumentState.VOID,
            )
            .order_by(Document.date.desc(), Document.id.desc())
            .limit(limit)
        )
    )


def answered(user: User, limit: int = 20) -> list[OverrideRequest]:
    """The requests the user answered lately, newest first."""
    return list(
        db.session.scalars(
            sa.select(OverrideRequest)
            .where(OverrideRequest.decided_by_id == user.id)
            .order_by(OverrideRequest.decided_at.desc())
            .limit(limit)
        )
    )


def get_request(user: User, request_id: int) -> OverrideRequest | None:
    """The request if its client is in the user's scope (or the user asked for it)."""
    request = db.session.get(OverrideRequest, request_id)
    if request is None:
        return None
    if request.requested_by_id == user.id or _reaches(user, request.client):
        return request
    if can(user, "orders.manage"):
        return request
    return None
