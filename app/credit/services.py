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
from app.credit.rules import Decision, Limits, Snapshot, band_covers, decide
from app.extensions import db
from app.ledger import services as ledger


def effective_policy(client: Client) -> CreditPolicy | None:
    """The client's own policy, else its type's; a policy taken out of use does not apply."""
    for policy in (client.credit_policy, client.client_type and client.client_type.credit_policy):
        if policy is not None and not policy.is_deleted:
            return policy
    return None


def snapshot(client: Client) -> Snapshot:
    """What the credit decision needs about the client, in its account currency.

    Accepted orders not yet invoiced count once orders exist (the orders issue).
    """
    policy = effective_policy(client)
    balance, unpaid = ledger.open_position(client.id, client.currency)
    return Snapshot(
        state=client.state,
        credit_blocked=client.credit_blocked,
        deleted=client.is_deleted,
        limits=policy.limits if policy else Limits(),
        balance=balance,
        pending_orders=Decimal("0"),
        unpaid_dates=unpaid,
    )


def decision(
    client: Client, amount: Decimal, payment_method: str, on: date | None = None
) -> Decision:
    """The credit decision for an order of this amount and payment method, today."""
    return decide(snapshot(client), amount, payment_method, on or local_today())


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


def may_authorise(user: User, client: Client, verdict: Decision) -> bool:
    """True when the user reaches the client and one of their bands covers every failure."""
    if not user.active or not can(user, "approvals.view"):
        return False
    if db.session.scalar(scoped_clients(user).where(Client.id == client.id)) is None:
        return False
    return any(band_covers(band.band, verdict) for band in bands_of(user))


def approvers(client: Client, verdict: Decision) -> list[User]:
    """The users who could authorise this blocked order, by name."""
    if verdict.allowed:
        return []
    candidates = db.session.scalars(
        sa.select(User)
        .where(
            User.active,
            sa.or_(
                User.id.in_(sa.select(CreditBand.user_id).where(CreditBand.deleted_at.is_(None))),
                User.role.in_(
                    sa.select(CreditBand.role).where(
                        CreditBand.deleted_at.is_(None), CreditBand.role.is_not(None)
                    )
                ),
            ),
        )
        .order_by(User.full_name)
    )
    return [user for user in candidates if may_authorise(user, client, verdict)]
