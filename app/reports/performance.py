"""Each salesperson's performance over a period, beside the period just before it: visits
planned and made, orders, sales, new clients, collections and average ticket."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.permissions import SCOPES
from app.auth.services import team_ids
from app.clients.models import Client, ClientState
from app.clients.visit_plan import is_due
from app.extensions import db
from app.ledger.models import Document, DocumentKind
from app.orders.models import Order, OrderStatus
from app.reports.services import CENT, SALE_KINDS, ZERO, money, pesos, signed, standing
from app.route.models import Visit, VisitOutcome

# orders that never became a sale do not count
LOST_ORDERS = (OrderStatus.BLOCKED, OrderStatus.REJECTED, OrderStatus.CANCELLED)


@dataclass(frozen=True)
class Figures:
    """One salesperson's figures over one period (money in pesos)."""

    planned: int = 0  # visits the route plans call for (the plans as they stand today)
    planned_made: int = 0  # of those, visited (not skipped)
    visits: int = 0  # every visit made, on the route or off it
    skipped: int = 0
    orders: int = 0
    sales: Decimal = ZERO
    invoices: int = 0
    collections: Decimal = ZERO
    new_clients: int = 0

    @property
    def average_ticket(self) -> Decimal:
        """Sales per invoice."""
        return (self.sales / self.invoices).quantize(CENT) if self.invoices else ZERO


@dataclass(frozen=True)
class Performance:
    """A salesperson's period beside the one before."""

    user_id: int
    name: str
    current: Figures
    previous: Figures


def salespeople_in_scope(user: User) -> list[User]:
    """The salespeople whose figures the user may see: themself, their team, or everyone."""
    query = sa.select(User).where(User.role == Role.SALESPERSON)
    scope = SCOPES[Role(user.role)]
    if scope == "own":
        query = query.where(User.id == user.id)
    elif scope == "team":
        query = query.where(User.id.in_(team_ids(user)))
    return list(db.session.scalars(query.order_by(User.full_name, User.id)))


def performance(user: User, start: date, end: date) -> list[Performance]:
    """Each salesperson in scope over start..end, beside the same number of days just before."""
    people = salespeople_in_scope(user)
    ids = [person.id for person in people]
    days = (end - start).days + 1
    before = (start - timedelta(days=days), start - timedelta(days=1))
    current, previous = _figures(ids, start, end), _figures(ids, *before)
    return [
        Performance(
            person.id,
            person.full_name or person.username,
            current.get(person.id, Figures()),
            previous.get(person.id, Figures()),
        )
        for person in people
    ]


def _figures(ids: list[int], start: date, end: date) -> dict[int, Figures]:
    """The figures of these salespeople over a period."""
    if not ids:
        return {}
    counts: dict[int, dict] = {ident: {} for ident in ids}
    for ident, planned in _planned(ids, start, end).items():
        counts[ident]["planned"] = planned
    on_route = sa.func.sum(
        sa.case((sa.and_(Visit.planned, Visit.outcome != VisitOutcome.SKIPPED), 1), else_=0)
    )
    made = sa.func.sum(sa.case((Visit.outcome != VisitOutcome.SKIPPED, 1), else_=0))
    skipped = sa.func.sum(sa.case((Visit.outcome == VisitOutcome.SKIPPED, 1), else_=0))
    for ident, visits, skips, kept in db.session.execute(
        sa.select(Visit.user_id, made, skipped, on_route)
        .where(Visit.user_id.in_(ids), Visit.day >= start, Visit.day <= end)
        .group_by(Visit.user_id)
    ):
        counts[ident] |= {
            "visits": int(visits or 0),
            "skipped": int(skips or 0),
            "planned_made": int(kept or 0),
        }
    for ident, orders in db.session.execute(
        sa.select(Order.user_id, sa.func.count(Order.id))
        .where(
            Order.user_id.in_(ids),
            Order.date >= start,
            Order.date <= end,
            Order.status.not_in(LOST_ORDERS),
        )
        .group_by(Order.user_id)
    ):
        counts[ident]["orders"] = orders
    invoice = sa.case((Document.kind == DocumentKind.INVOICE, 1), else_=0)
    for ident, sales, invoices in db.session.execute(
        sa.select(
            Client.salesperson_id, sa.func.sum(pesos(signed(Document.amount))), sa.func.sum(invoice)
        )
        .join(Client, Client.id == Document.client_id)
        .where(
            Client.salesperson_id.in_(ids),
            Document.kind.in_(SALE_KINDS),
            Document.date >= start,
            Document.date <= end,
            standing(),
        )
        .group_by(Client.salesperson_id)
    ):
        counts[ident] |= {"sales": money(sales), "invoices": int(invoices or 0)}
    for ident, collected in db.session.execute(
        sa.select(Client.salesperson_id, sa.func.sum(pesos(Document.amount)))
        .join(Client, Client.id == Document.client_id)
        .where(
            Client.salesperson_id.in_(ids),
            Document.kind == DocumentKind.RECEIPT,
            Document.date >= start,
            Document.date <= end,
            standing(),
        )
        .group_by(Client.salesperson_id)
    ):
        counts[ident]["collections"] = money(collected)
    first = datetime.combine(start, time.min, tzinfo=UTC)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    for ident, created in db.session.execute(
        sa.select(Client.salesperson_id, sa.func.count(Client.id))
        .where(
            Client.salesperson_id.in_(ids),
            Client.created_at >= first,
            Client.created_at < after,
            Client.deleted_at.is_(None),
        )
        .group_by(Client.salesperson_id)
    ):
        counts[ident]["new_clients"] = created
    return {ident: Figures(**values) for ident, values in counts.items()}


def _planned(ids: list[int], start: date, end: date) -> dict[int, int]:
    """How many visits the salespeople's route plans call for over a period.

    The plans are read as they stand today (a plan keeps no history). Clients sharing a
    plan (days, frequency, starting week) are counted together, so the work grows with the
    kinds of plan, not the clients.
    """
    plans = db.session.execute(
        sa.select(
            Client.salesperson_id,
            Client.visit_weekdays,
            Client.visit_every_weeks,
            Client.visit_week_of,
            sa.func.count(Client.id),
        )
        .where(
            Client.salesperson_id.in_(ids),
            Client.deleted_at.is_(None),
            Client.state != ClientState.DISABLED,
            Client.visit_weekdays > 0,
        )
        .group_by(
            Client.salesperson_id,
            Client.visit_weekdays,
            Client.visit_every_weeks,
            Client.visit_week_of,
        )
    ).all()
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    planned: dict[int, int] = {}
    for ident, weekdays, every, week_of, clients in plans:
        due = sum(is_due(weekdays, every, week_of, day) for day in days)
        planned[ident] = planned.get(ident, 0) + due * clients
    return planned
