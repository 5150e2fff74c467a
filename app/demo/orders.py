"""Demo orders: what each salesperson took lately, some blocked and sent for approval.

Orders go through the real services (prices, discounts, the credit decision, the audit
log), so the demo shows accepted, blocked, awaiting, approved, rejected, dispatched and
invoiced orders exactly as the app makes them.
"""

import contextlib
import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.clients.models import Client, ClientState
from app.core.types import utcnow
from app.credit import overrides
from app.credit import services as credit
from app.credit.models import OverrideRequest
from app.extensions import db
from app.orders import services as orders
from app.orders.models import Price, Product

ORDERS_PER_SALESPERSON = 8
REASONS = [
    "Cliente de años, siempre paga a los 35 días.",
    "Temporada alta: necesita mercadería para el fin de semana.",
    "Prometió transferir el saldo el viernes.",
    "Pedido grande por la promo; el resto de la cuenta está al día.",
]


def add_demo_orders(rng: random.Random) -> int:
    """Orders for a few clients of every salesperson; returns how many were taken."""
    sellers = db.session.scalars(
        sa.select(User).where(User.role == "salesperson", User.active).order_by(User.username)
    ).all()
    supervisor = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
    office = db.session.scalar(sa.select(User).where(User.role == "backoffice").limit(1))
    taken = 0
    for seller in sellers:
        clients = db.session.scalars(
            sa.select(Client)
            .where(
                Client.salesperson_id == seller.id,
                Client.deleted_at.is_(None),
                Client.state.in_((ClientState.ACTIVE, ClientState.DELINQUENT)),
                Client.price_list_id.is_not(None),
            )
            .order_by(Client.id)
            .limit(40)
        ).all()
        for client in _pick(rng, clients):
            order = _take(rng, client, seller)
            if order is None:
                continue
            taken += 1
            _follow(rng, order, seller, supervisor, office)
    db.session.flush()
    return taken


def _pick(rng: random.Random, clients: list[Client]) -> list[Client]:
    """A few clients over a credit limit (not by their state) first, then others at random."""
    over = [
        client
        for client in clients
        if client.state == ClientState.ACTIVE
        and not (verdict := credit.decision(client, Decimal("1"), "current_account")).allowed
        and all(failure.kind != "state" for failure in verdict.failures)
    ]
    chosen = rng.sample(over, min(3, len(over)))
    rest = [client for client in clients if client not in chosen]
    return chosen + rng.sample(rest, min(ORDERS_PER_SALESPERSON - len(chosen), len(rest)))


def _take(rng: random.Random, client: Client, seller: User):
    """One order of three to six priced products, on the client's usual terms."""
    priced = db.session.scalars(
        sa.select(Product.id)
        .join(Price, Price.product_id == Product.id)
        .where(
            Price.price_list_id == client.price_list_id,
            Price.currency == client.currency,
            Product.active,
        )
        .order_by(Product.id)
        .limit(60)
    ).all()
    if len(priced) < 3:
        return None
    methods = orders.allowed_payment_methods(client)
    if not methods:
        return None
    on_credit = "current_account" in methods and (
        rng.random() < 0.75 or not credit.decision(client, Decimal("1"), "current_account").allowed
    )
    method = "current_account" if on_credit else rng.choice(methods)
    lines = [
        {"product_id": pid, "quantity": str(rng.choice((1, 2, 3, 6, 12, 24)))}
        for pid in rng.sample(priced, rng.randint(3, 6))
    ]
    try:
        return orders.place_order(client, {"payment_method": method, "lines": lines}, seller)
    except orders.OrderError:
        return None


def _follow(rng: random.Random, order, seller: User, supervisor: User | None, office) -> None:
    """What happened next: a request for a blocked order, its answer, the delivery."""
    if order.status == "blocked" and supervisor is not None and rng.random() < 0.7:
        try:
            request = overrides.request_override(order, rng.choice(REASONS), seller)
        except overrides.OverrideError:
            return
        approvers = credit.approvers(order.client, overrides.order_decision(order))
        if request is not None and approvers and rng.random() < 0.6:
            approve = rng.random() < 0.7
            comment = "Paga siempre, adelante." if approve else "Primero que cancele lo vencido."
            with contextlib.suppress(overrides.OverrideError):
                overrides.decide_override(request, approve, comment, approvers[0])
        _age(order, rng)
        return
    if order.status == "accepted" and office is not None and rng.random() < 0.5:
        orders.track_order(order, "dispatched", office)
        if rng.random() < 0.5:
            orders.track_order(order, "delivered", office)
    _age(order, rng)


def _age(order, rng: random.Random) -> None:
    """Spread the orders over the last days, keeping each request's clock with its order."""
    hours = rng.randint(1, 72)
    order.created_at = utcnow() - timedelta(hours=hours)
    order.date = min(order.date, order.created_at.date())
    for request in db.session.scalars(
        sa.select(OverrideRequest).where(OverrideRequest.order_id == order.id)
    ):
        shift = timedelta(hours=min(hours, 20))
        request.requested_at -= shift
        request.expires_at -= shift
        if request.decided_at is not None:
            request.decided_at -= shift - timedelta(minutes=30)
