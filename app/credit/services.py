"""The credit snapshot of a client, read from its policy and its current account."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.auth.permissions import can
from app.clients.models import Client
from app.clients.services import scoped_clients
from app.core.types import local_today
from app.credit.models import CreditBand, CreditPolicy
from app.credit.rules import (
    CREDIT_METHODS,
    Band,
    Decision,
    Limits,
    Snapshot,
    band_covers,
    decide,
)
from app.extensions import db
from app.ledger import accounts
from app.orders.models import PENDING_STATUSES, Order
from app.rates import services as rates


def effective_policy(client: Client) -> CreditPolicy | None:
    """The client's own policy, else its type's; a policy taken out of use does not apply."""
    for policy in (client.credit_policy, client.client_type and client.client_type.credit_policy):
        if policy is not None and not policy.is_deleted:
            return policy
    return None


def snapshot(client: Client) -> Snapshot:
    """What the credit decision needs about the client, in its account currency.

    Orders accepted (or approved) on credit and not yet invoiced count in the exposure.
    """
    policy = effective_policy(client)
    balance, unpaid = accounts.open_position(client.id, client.currency)
    pending, pending_count = pending_orders(client)
    return Snapshot(
        state=client.state,
        credit_blocked=client.credit_blocked,
        deleted=client.is_deleted,
        limits=policy.limits if policy else Limits(),
        balance=balance,
        pending_orders=pending,
        pending_documents=pending_count,
        unpaid_dates=unpaid,
    )


def pending_orders(client: Client) -> tuple[Decimal, int]:
    """Credit orders accepted or approved and not yet invoiced: their total, in the account
    currency, and how many they are (each will be one more unpaid document).

    Orders in another currency count at the rate of the order's day (app/rates).
    """
    rows = db.session.execute(
        sa.select(Order.currency, Order.date, sa.func.sum(Order.total), sa.func.count())
        .where(
            Order.client_id == client.id,
            Order.status.in_(PENDING_STATUSES),
            Order.payment_method.in_(CREDIT_METHODS),
            Order.deleted_at.is_(None),
        )
        .group_by(Order.currency, Order.date)
    ).all()
    total, count = Decimal("0"), 0
    for currency, day, amount, orders in rows:
        total += rates.weigh(Decimal(amount), currency, client.currency, day)
        count += orders
    return total.quantize(Decimal("0.01")), count


def decision_json(verdict: Decision, currency: str) -> dict:
    """The decision as orders keep it and the API returns it (DecisionSchema's shape)."""
    from app.credit.schemas import DecisionSchema

    body = {"allowed": verdict.allowed, "credit": verdict.credit, "failures": verdict.failures}
    return DecisionSchema(only=("allowed", "credit", "failures")).dump(body) | {
        "currency": currency
    }


def decision(
    client: Client, amount: Decimal, payment_method: str, on: date | None = None
) -> Decision:
    """The credit decision for an order of this amount and payment method, today. A cash
    order depends on the client's state alone: its account is not read."""
    if payment_method in CREDIT_METHODS:
        known = snapshot(client)
    else:
        known = Snapshot(state=client.state, deleted=client.is_deleted)
    return decide(known, amount, payment_method, on or local_today())


def bands_of(user: User) -> list[CreditBand]:
    """The bands that apply to a user: their own and their role's."""
    return list(
        db.session.scalars(
            sa.select(CreditBand).where(
                CreditBand.deleted_at.is_(None),
                sa.or_(CreditBand.user_id == user.id, CreditBand.role == user.role),
            )
        )
    )


def deciding_bands(user: User) -> list[Band]:
    """The bands a user answers requests with: none for one who does not answer them."""
    if not user.active or not can(user, "approvals.view"):
        return []
    return [band.band for band in bands_of(user)]


def covers(bands: list[Band], verdict: Decision) -> bool:
    """True when one of these bands covers every failure of the decision."""
    return any(band_covers(band, verdict) for band in bands)


def may_authorise(user: User, client: Client, verdict: Decision) -> bool:
    """True when the user reaches the client and one of their bands covers every failure."""
    bands = deciding_bands(user)
    if not bands:
        return False
    if db.session.scalar(scoped_clients(user).where(Client.id == client.id)) is None:
        return False
    return covers(bands, verdict)


def approvers(client: Client, verdict: Decision) -> list[User]:
    """The users who could authorise this blocked order, by name (as may_authorise decides).

    The bands are weighed first, so only the holders of one that covers the excess cost a
    scope query: this runs on every blocked decision.
    """
    if verdict.allowed:
        return []
    bands = db.session.scalars(sa.select(CreditBand).where(CreditBand.deleted_at.is_(None)))
    covering = [band for band in bands if band_covers(band.band, verdict)]
    if not covering:
        return []
    user_ids = {band.user_id for band in covering if band.user_id is not None}
    roles = {band.role for band in covering if band.role is not None}
    candidates = db.session.scalars(
        sa.select(User)
        .where(User.active, sa.or_(User.id.in_(user_ids), User.role.in_(roles)))
        .order_by(User.full_name)
    )
    return [
        user
        for user in candidates
        if can(user, "approvals.view")
        and db.session.scalar(
            scoped_clients(user).where(Client.id == client.id).with_only_columns(Client.id)
        )
        is not None
    ]
