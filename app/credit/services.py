"""The credit snapshot of a client, read from its policy and its current account."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.audit.services import record
from app.auth.models import User
from app.auth.permissions import can
from app.clients.models import Category, Client, ClientType, Family, Segment, Zone
from app.clients.services import scoped_clients
from app.core import reference_cache
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


# Where a client's policy may come from, in the order of precedence resolve_limits documents:
# (source, the group's table or None for the client's own policy, the client's column).
HOLDERS = (
    ("client", None, Client.credit_policy_id),
    ("family", Family, Client.family_id),
    ("category", Category, Client.subcategory1_id),
    ("category", Category, Client.category1_id),
    ("category", Category, Client.subcategory2_id),
    ("category", Category, Client.category2_id),
    ("segment", Segment, Client.segment1_id),
    ("segment", Segment, Client.segment2_id),
    ("segment", Segment, Client.segment3_id),
    ("segment", Segment, Client.segment4_id),
    ("zone", Zone, Client.sales_zone_id),
    ("type", ClientType, Client.client_type_id),
)
GROUP_MODELS = (Family, Category, Segment, Zone, ClientType)


@dataclass(frozen=True)
class PolicyMap:
    """The live credit policies and the live groups that hold one, as plain values: what
    resolving a client's limits looks up. Shared between requests: never changed."""

    policies: dict[int, tuple[str, Limits]]  # policy id -> (name, limits)
    groups: dict[type, dict[int, tuple[int, str]]]  # table -> {group id: (policy id, name)}


def policy_map() -> PolicyMap:
    """The policies and their holders, read once while those tables are unchanged (a few
    changes a month; app/core/reference_cache.py tells when)."""
    return reference_cache.kept(db.session, "credit.policy_map", _read_policy_map)


def _read_policy_map() -> PolicyMap:
    policies = {
        policy.id: (policy.name, policy.limits)
        for policy in db.session.scalars(
            sa.select(CreditPolicy).where(CreditPolicy.deleted_at.is_(None))
        )
    }
    groups = {
        model: {
            ident: (policy_id, name)
            for ident, policy_id, name in db.session.execute(
                sa.select(model.id, model.credit_policy_id, model.name).where(
                    model.deleted_at.is_(None), model.credit_policy_id.is_not(None)
                )
            )
        }
        for model in GROUP_MODELS
    }
    return PolicyMap(policies, groups)


def _assigned(client: Client, known: PolicyMap) -> Iterator[tuple[str, int, str]]:
    """(source, policy id, holder's name) of each live policy assigned to the client and its
    live groups, by precedence (a deleted client's own policy does not count)."""
    for source, model, column in HOLDERS:
        ident = getattr(client, column.key)
        if ident is None:
            continue
        if model is None:
            policy_id, holder = (None if client.is_deleted else ident), ""
        else:
            policy_id, holder = known.groups[model].get(ident, (None, ""))
        if policy_id in known.policies:
            yield source, policy_id, holder


def assigned_policies(client: Client) -> list[Assigned]:
    """The live policies assigned to the client and its groups (deleted groups give none)."""
    known = policy_map()
    return [
        Assigned(source, *known.policies[policy_id], holder)
        for source, policy_id, holder in _assigned(client, known)
    ]


def applied_limits(client: Client) -> Applied:
    """The limits in force for the client and where each one comes from."""
    return resolve_limits(own_limits(client), assigned_policies(client))


def effective_policy(client: Client) -> CreditPolicy | None:
    """The policy that applies (the first assigned by precedence); a policy taken out of use
    does not apply."""
    first = next(_assigned(client, policy_map()), None)
    return None if first is None else db.session.get(CreditPolicy, first[1])


# The client's columns a credit decision reads, with its applied limits, the family's and the
# notices aimed at the client's groups: the API loads only these (a client has 84 columns,
# and turning them all into Python values was a tenth of a decision on PostgreSQL).
DECISION_COLUMNS = (
    Client.id,
    Client.state,
    Client.credit_blocked,
    Client.deleted_at,
    Client.currency,
    Client.salesperson_id,
    Client.collector_id,
    Client.credit_money_limit,
    Client.credit_max_documents,
    Client.credit_max_age_days,
    *(column for _source, _model, column in HOLDERS),
)


def money_limits(client_ids: sa.Select) -> dict[int, Decimal]:
    """The money limit in force of many clients at once, as applied_limits finds it (the own
    limit, else the first live policy by precedence); clients with none are left out.

    The groups and policies come from policy_map(); the clients are one query.
    """
    known = policy_map()
    found = {}
    columns = [column for _source, _model, column in HOLDERS]
    for ident, own, *holders in db.session.execute(
        sa.select(Client.id, Client.credit_money_limit, *columns).where(Client.id.in_(client_ids))
    ):
        limit = own
        if limit is None:
            for (_source, model, _column), holder in zip(HOLDERS, holders, strict=True):
                policy_id = holder if model is None else known.groups[model].get(holder, (None,))[0]
                if policy_id in known.policies:
                    limit = known.policies[policy_id][1].money
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


def snapshot(client: Client, applied: Applied | None = None) -> Snapshot:
    """What the credit decision needs about the client, in its account currency (given its
    applied limits when the caller has them already).

    Orders accepted (or approved) on credit and not yet invoiced count in the exposure, the
    client's and, against a family's shared limit, its family's.
    """
    balance, unpaid = accounts.open_position(client.id, client.currency)
    pending, pending_count = pending_orders(client)
    return Snapshot(
        state=client.state,
        credit_blocked=client.credit_blocked,
        deleted=client.is_deleted,
        limits=(applied or applied_limits(client)).limits,
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
    client: Client,
    amount: Decimal,
    payment_method: str,
    on: date | None = None,
    applied: Applied | None = None,
) -> Decision:
    """The credit decision for an order of this amount and payment method, today (given the
    client's applied limits when the caller has them). A cash order depends on the client's
    state alone: its account is not read."""
    if payment_method in CREDIT_METHODS:
        known = snapshot(client, applied)
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
