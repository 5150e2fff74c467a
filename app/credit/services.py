"""The credit snapshot of a client, read from its policy and its current account."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.audit.services import record
from app.auth.models import User
from app.auth.permissions import can
from app.clients.models import Category, Client, ClientType, Family, Segment, Zone
from app.clients.services import scoped_clients
from app.core.types import local_today
from app.credit.models import CreditBand, CreditPolicy
from app.credit.rules import (
    CREDIT_METHODS,
    Applied,
    Assigned,
    Band,
    Decision,
    FamilyLimit,
    Limits,
    Snapshot,
    band_covers,
    decide,
    resolve_limits,
)
from app.extensions import db
from app.ledger import accounts
from app.orders.models import PENDING_STATUSES, Order
from app.rates import services as rates


def own_limits(client: Client) -> Limits:
    """The limits set on the client's own card (each None: the policy's applies)."""
    return Limits(
        client.credit_money_limit, client.credit_max_documents, client.credit_max_age_days
    )


OWN_LIMIT_FIELDS = {
    "money": "credit_money_limit",
    "documents": "credit_max_documents",
    "age_days": "credit_max_age_days",
}


def set_own_limits(client: Client, limits: Limits) -> bool:
    """Set the client's own limits (None: its policy's applies) and audit the change; False
    when nothing changed."""
    before = {
        name: _audit_value(getattr(client, column)) for name, column in OWN_LIMIT_FIELDS.items()
    }
    after = {name: _audit_value(getattr(limits, name)) for name in OWN_LIMIT_FIELDS}
    if before == after:
        return False
    for name, column in OWN_LIMIT_FIELDS.items():
        setattr(client, column, getattr(limits, name))
    db.session.flush()
    record("client.credit_limits", "client", client.id, before, after)
    return True


def _audit_value(value: Decimal | int | None) -> str | int | None:
    """A limit as the audit log keeps it: money as "1234.50"."""
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def policy_holders(client: Client) -> list[tuple[str, object, str]]:
    """(source, holder, holder's name) of every group a policy may come from, in the order of
    precedence resolve_limits documents; a holder is None when the client has no such group."""
    return [
        ("client", client, ""),
        ("family", client.family, client.family and client.family.name),
        *(
            ("category", group, group and group.name)
            for group in (
                client.subcategory1,
                client.category1,
                client.subcategory2,
                client.category2,
            )
        ),
        *(
            ("segment", group, group and group.name)
            for group in (client.segment1, client.segment2, client.segment3, client.segment4)
        ),
        ("zone", client.sales_zone, client.sales_zone and client.sales_zone.name),
        ("type", client.client_type, client.client_type and client.client_type.name),
    ]


def assigned_policies(client: Client) -> list[Assigned]:
    """The live policies assigned to the client and its groups (deleted groups give none)."""
    found = []
    for source, holder, name in policy_holders(client):
        if holder is None or getattr(holder, "is_deleted", False):
            continue
        policy = holder.credit_policy
        if policy is not None and not policy.is_deleted:
            found.append(Assigned(source, policy.name, policy.limits, name or ""))
    return found


def applied_limits(client: Client) -> Applied:
    """The limits in force for the client and where each one comes from."""
    return resolve_limits(own_limits(client), assigned_policies(client))


def effective_policy(client: Client) -> CreditPolicy | None:
    """The policy that applies (the first assigned by precedence); a policy taken out of use
    does not apply."""
    for _source, holder, _name in policy_holders(client):
        if holder is None or getattr(holder, "is_deleted", False):
            continue
        policy = holder.credit_policy
        if policy is not None and not policy.is_deleted:
            return policy
    return None


# The client's columns that lead to a policy, in the order of policy_holders: the group's
# table, or None for the client's own policy.
HOLDER_COLUMNS = (
    (None, Client.credit_policy_id),
    (Family, Client.family_id),
    (Category, Client.subcategory1_id),
    (Category, Client.category1_id),
    (Category, Client.subcategory2_id),
    (Category, Client.category2_id),
    (Segment, Client.segment1_id),
    (Segment, Client.segment2_id),
    (Segment, Client.segment3_id),
    (Segment, Client.segment4_id),
    (Zone, Client.sales_zone_id),
    (ClientType, Client.client_type_id),
)


def money_limits(client_ids: sa.Select) -> dict[int, Decimal]:
    """The money limit in force of many clients at once, as applied_limits finds it (the own
    limit, else the first live policy by precedence); clients with none are left out.

    The groups and policies are small tables read once; the clients are one query.
    """
    policies = dict(
        db.session.execute(
            sa.select(CreditPolicy.id, CreditPolicy.money_limit).where(
                CreditPolicy.deleted_at.is_(None)
            )
        ).all()
    )
    groups = {
        model: dict(
            db.session.execute(
                sa.select(model.id, model.credit_policy_id).where(
                    model.deleted_at.is_(None), model.credit_policy_id.is_not(None)
                )
            ).all()
        )
        for model in {model for model, _column in HOLDER_COLUMNS if model is not None}
    }
    found = {}
    columns = [column for _model, column in HOLDER_COLUMNS]
    for ident, own, *holders in db.session.execute(
        sa.select(Client.id, Client.credit_money_limit, *columns).where(Client.id.in_(client_ids))
    ):
        limit = own
        if limit is None:
            for (model, _column), holder in zip(HOLDER_COLUMNS, holders, strict=True):
                policy = holder if model is None else groups[model].get(holder)
                if policy in policies:
                    limit = policies[policy]
                    break
        if limit is not None:
            found[ident] = Decimal(str(limit))
    return found


def family_limit(client: Client) -> FamilyLimit | None:
    """The family's shared money limit, with the exposure of its other members (balance plus
    credit orders not invoiced), in the client's account currency; None without one."""
    if not shares_family_limit(client):
        return None
    family = client.family
    return FamilyLimit(family.name, family.credit_limit, family_others(client))


def shares_family_limit(client: Client) -> bool:
    """True when the client's family (a live one) has a shared money limit."""
    family = client.family
    return family is not None and not family.is_deleted and family.credit_limit is not None


def family_others(client: Client) -> Decimal:
    """The exposure of the other live members of the client's family, in its currency.

    A member whose account is in another currency counts at the latest rate the ledger knows.
    """
    members = db.session.scalars(
        sa.select(Client).where(
            Client.family_id == client.family_id,
            Client.id != client.id,
            Client.deleted_at.is_(None),
        )
    )
    total = Decimal("0")
    for member in members:
        balance, _unpaid = accounts.open_position(member.id, member.currency)
        pending, _count = pending_orders(member)
        exposure = balance + pending
        # another member's account in another currency: at today's rate (the last one known)
        total += rates.weigh(exposure, member.currency, client.currency, local_today())
    return total.quantize(Decimal("0.01"))


def lock_family(client: Client) -> None:
    """Hold the family's row until commit when it shares a limit, so two members' orders at
    the same moment cannot both pass it (taken after the client's own account lock)."""
    if client.family_id is not None:
        db.session.execute(
            sa.select(Family.id)
            .where(Family.id == client.family_id, Family.credit_limit.is_not(None))
            .with_for_update()
        )


def snapshot(client: Client) -> Snapshot:
    """What the credit decision needs about the client, in its account currency.

    Orders accepted (or approved) on credit and not yet invoiced count in the exposure, the
    client's and, against a family's shared limit, its family's.
    """
    balance, unpaid = accounts.open_position(client.id, client.currency)
    pending, pending_count = pending_orders(client)
    return Snapshot(
        state=client.state,
        credit_blocked=client.credit_blocked,
        deleted=client.is_deleted,
        limits=applied_limits(client).limits,
        balance=balance,
        pending_orders=pending,
        pending_documents=pending_count,
        unpaid_dates=unpaid,
        family=family_limit(client),
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
            sa.select(CreditBand)
            .where(
                CreditBand.deleted_at.is_(None),
                sa.or_(CreditBand.user_id == user.id, CreditBand.role == user.role),
            )
            .execution_options(reference_cache=True)
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
    bands = db.session.scalars(
        sa.select(CreditBand)
        .where(CreditBand.deleted_at.is_(None))
        .execution_options(reference_cache=True)
    )
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
