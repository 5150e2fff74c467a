"""Each salesperson's performance over a period, beside the period just before it: visits,
orders, sales, new clients, collections and average ticket."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.permissions import SCOPES
from app.auth.services import team_ids
from app.clients.models import Client
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

    visits: int = 0
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
    made = sa.func.sum(sa.case((Visit.outcome != VisitOutcome.SKIPPED, 1), else_=0))
    skipped = sa.func.sum(sa.case((Visit.outcome == VisitOutcome.SKIPPED, 1), else_=0))
    for ident, visits, skips in db.session.execute(
        sa.select(Visit.user_id, made, skipped)
        .where(Visit.user_id.in_(ids), Visit.day >= start, Visit.day <= end)
        .group_by(Visit.user_id)
    ):
        counts[ident] |= {"visits": int(visits or 0), "skipped": int(skips or 0)}
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
