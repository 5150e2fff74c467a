"""The reports' queries: what sales, collections and margin are, rankings and monthly trends,
always within the caller's scope (clients.services.scoped_clients).

Sales are invoices and debit notes less credit notes, by document date, voided ones left out,
in pesos at each document's exchange rate; collections are receipts; margin is sales less the
cost of their lines.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

import app.reports.rules as rules
from app.audit import services as audit
from app.auth.models import User
from app.clients import services as clients
from app.clients.models import Client
from app.extensions import db
from app.ledger.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentState,
)
from app.orders.models import Product
from app.reports.models import ReportSettings

ZERO = Decimal("0")
CENT = Decimal("0.01")
SALE_KINDS = (DocumentKind.INVOICE, DocumentKind.DEBIT_NOTE, DocumentKind.CREDIT_NOTE)
MEASURES = ("sales", "collections", "margin")
SUBJECTS = ("clients", "products", "salespeople")
# filter name -> the client's column it compares
CLIENT_FILTERS = {
    "zone_id": Client.sales_zone_id,
    "salesperson_id": Client.salesperson_id,
    "collector_id": Client.collector_id,
    "client_type_id": Client.client_type_id,
    "segment_id": Client.segment1_id,
    "category_id": Client.category1_id,
}


class ReportError(ValueError):
    """A report that cannot be made as asked; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def report_settings() -> ReportSettings:
    """The company's report settings (made with their defaults the first time)."""
    row = db.session.scalar(sa.select(ReportSettings).order_by(ReportSettings.id).limit(1))
    if row is None:
        row = ReportSettings(abc_a_pct=Decimal("80"), abc_b_pct=Decimal("15"), inactive_days=60)
        db.session.add(row)
        db.session.flush()
    return row


def product(product_id: int) -> Product | None:
    """A product of the catalogue, or None."""
    return db.session.get(Product, product_id)


def client_name(client: Client) -> str:
    """The name a client goes by: its shop's, else its legal one."""
    return client.trade_name or client.legal_name


# --- building blocks -------------------------------------------------------------------------


def reach(user: User, filters: dict | None = None) -> sa.Select:
    """The ids of the clients in the user's scope that pass the filters."""
    query = clients.scoped_clients(user).with_only_columns(Client.id)
    for name, value in (filters or {}).items():
        if value is not None and name in CLIENT_FILTERS:
            query = query.where(CLIENT_FILTERS[name] == value)
    return query


def standing():
    """Documents that count: not voided and not a void's reversal."""
    return sa.and_(Document.state != DocumentState.VOID, Document.reverses_id.is_(None))


def signed(column):
    """A column of a sale document with its effect on sales: credit notes take away."""
    return sa.case((Document.kind == DocumentKind.CREDIT_NOTE, -column), else_=column)


def pesos(column):
    """A document amount in pesos at the document's exchange rate."""
    return column * Document.exchange_rate


def line_costs() -> sa.Subquery:
    """The cost of each sale document's lines."""
    return (
        sa.select(DocumentLine.document_id, sa.func.sum(DocumentLine.cost).label("cost"))
        .group_by(DocumentLine.document_id)
        .subquery()
    )


def money(value) -> Decimal:
    """A sum from the database as money (SQLite's sums are floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def sales_by_client(start: date, end: date) -> dict[int, Decimal]:
    """Every client's sales over a period, whatever the scope (for the ABC run)."""
    rows = db.session.execute(
        sa.select(Document.client_id, sa.func.sum(pesos(signed(Document.amount))))
        .where(
            Document.kind.in_(SALE_KINDS),
            Document.date >= start,
            Document.date <= end,
            standing(),
        )
        .group_by(Document.client_id)
    )
    return {ident: money(total) for ident, total in rows}


# --- rankings --------------------------------------------------------------------------------


@dataclass
class RankingItem:
    """One row of a ranking."""

    id: int | None
    name: str
    total: Decimal
    share: Decimal = ZERO
    code: str | None = None
    quantity: Decimal | None = None


@dataclass
class Ranking:
    """A ranking: the rows shown, from the largest, and the total of every row."""

    by: str
    of: str
    start: date
    end: date
    items: list[RankingItem] = field(default_factory=list)
    total: Decimal = ZERO
    count: int = 0


def ranking(
    user: User,
    by: str,
    of: str,
    start: date,
    end: date,
    filters: dict | None = None,
    limit: int = 50,
) -> Ranking:
    """Clients, products or salespeople by sales, collections or margin over a period."""
    if by not in MEASURES:
        raise ReportError({"by": _("Elegí ventas, cobranzas o margen.")})
    if of not in SUBJECTS:
        raise ReportError({"of": _("Elegí clientes, productos o vendedores.")})
    if end < start:
        raise ReportError({"to": _("La fecha final es anterior a la inicial.")})
    if of == "products" and by == "collections":
        raise ReportError({"by": _("Las cobranzas no se reparten por producto.")})
    scope = reach(user, filters)
    if of == "products":
        rows = _product_totals(scope, by, start, end)
    else:
        rows = _account_totals(scope, by, of, start, end)
    totals = {key: money(value) for key, value, _quantity in rows}
    quantities = {key: quantity for key, _value, quantity in rows}
    grand = sum(totals.values(), ZERO)
    order = rules.ranked(totals)
    shown = order[:limit]
    names = _names(of, [key for key, _total in shown])
    items = [
        RankingItem(
            id=key,
            name=names.get(key, ("", None))[0],
            code=names.get(key, ("", None))[1],
            total=total,
            share=rules.share_pct(total, grand),
            quantity=quantities.get(key),
        )
        for key, total in shown
    ]
    return Ranking(by, of, start, end, items, grand, len(order))


def _account_totals(scope: sa.Select, by: str, of: str, start: date, end: date) -> list:
    """(client or salesperson, total, None) from the documents of the clients in scope."""
    key = Document.client_id if of == "clients" else Client.salesperson_id
    if by == "collections":
        value = sa.func.sum(pesos(Document.amount))
        kinds = (DocumentKind.RECEIPT,)
        query = sa.select(key, value)
    elif by == "sales":
        value = sa.func.sum(pesos(signed(Document.amount)))
        kinds = SALE_KINDS
        query = sa.select(key, value)
    else:
        costs = line_costs()
        margin = Document.amount - sa.func.coalesce(costs.c.cost, 0)
        value = sa.func.sum(pesos(signed(margin)))
        kinds = SALE_KINDS
        query = sa.select(key, value).outerjoin(costs, costs.c.document_id == Document.id)
    if of == "salespeople":
        query = query.join(Client, Client.id == Document.client_id)
    query = query.where(
        Document.client_id.in_(scope),
        Document.kind.in_(kinds),
        Document.date >= start,
        Document.date <= end,
        standing(),
    ).group_by(key)
    return [(ident, total, None) for ident, total in db.session.execute(query)]


def _product_totals(scope: sa.Select, by: str, start: date, end: date) -> list:
    """(product, total, quantity) from the lines of the sale documents of the clients in scope."""
    amount = DocumentLine.amount
    if by == "margin":
        amount = DocumentLine.amount - sa.func.coalesce(DocumentLine.cost, 0)
    query = (
        sa.select(
            DocumentLine.product_id,
            sa.func.sum(pesos(signed(amount))),
            sa.func.sum(signed(DocumentLine.quantity)),
        )
        .join(Document, Document.id == DocumentLine.document_id)
        .where(
            Document.client_id.in_(scope),
            Document.kind.in_(SALE_KINDS),
            Document.date >= start,
            Document.date <= end,
            standing(),
        )
        .group_by(DocumentLine.product_id)
    )
    return [
        (ident, total, Decimal(str(quantity or 0)).quantize(Decimal("0.001")))
        for ident, total, quantity in db.session.execute(query)
    ]


def _names(of: str, ids: list) -> dict:
    """id -> (name, code) of the rows a ranking shows."""
    known = [ident for ident in ids if ident is not None]
    names: dict = {None: (_("Sin vendedor"), None)}
    if of == "clients":
        rows = db.session.execute(
            sa.select(Client.id, Client.trade_name, Client.legal_name, Client.code).where(
                Client.id.in_(known)
            )
        )
        names |= {ident: (trade or legal, code) for ident, trade, legal, code in rows}
    elif of == "products":
        rows = db.session.execute(
            sa.select(Product.id, Product.description, Product.code).where(Product.id.in_(known))
        )
        names |= {ident: (description, code) for ident, description, code in rows}
    else:
        rows = db.session.execute(
            sa.select(User.id, User.full_name, User.username).where(User.id.in_(known))
        )
        names |= {ident: (full or username, username) for ident, full, username in rows}
    return names


# --- trends ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One month's sales and collections, and the same month a year before."""

    month: rules.Month
    sales: Decimal
    sales_year_before: Decimal
    collections: Decimal
    collections_year_before: Decimal


def monthly_trend(
    user: User,
    today: date,
    months: int = 12,
    filters: dict | None = None,
    client_id: int | None = None,
    product_id: int | None = None,
) -> list[TrendPoint]:
    """Sales and collections per month over the last months, each beside the year before.

    Of one product: its lines' sales, and no collections (receipts pay accounts, not products).
    """
    shown = rules.last_months(today, months)
    first = rules.first_day(rules.add_months(shown[0], -12))
    scope = reach(user, filters)
    if client_id is not None:
        scope = scope.where(Client.id == client_id)
    year = sa.extract("year", Document.date)
    month = sa.extract("month", Document.date)
    if product_id is None:
        sales = sa.case((Document.kind.in_(SALE_KINDS), pesos(signed(Document.amount))), else_=0)
        paid = sa.case((Document.kind == DocumentKind.RECEIPT, pesos(Document.amount)), else_=0)
        query = sa.select(year, month, sa.func.sum(sales), sa.func.sum(paid)).where(
            Document.kind.in_((*SALE_KINDS, DocumentKind.RECEIPT))
        )
    else:
        sales = sa.func.sum(pesos(signed(DocumentLine.amount)))
        query = (
            sa.select(year, month, sales, sa.literal(0))
            .join(DocumentLine, DocumentLine.document_id == Document.id)
            .where(Document.kind.in_(SALE_KINDS), DocumentLine.product_id == product_id)
        )
    rows = db.session.execute(
        query.where(
            Document.client_id.in_(scope),
            Document.date >= first,
            Document.date <= today,
            standing(),
        ).group_by(year, month)
    )
    found = {(int(y), int(m)): (money(s), money(c)) for y, m, s, c in rows}
    none = (ZERO.quantize(CENT), ZERO.quantize(CENT))
    points = []
    for each in shown:
        now = found.get(each, none)
        before = found.get(rules.add_months(each, -12), none)
        points.append(TrendPoint(each, now[0], before[0], now[1], before[1]))
    return points


def save_report_settings(values: dict) -> bool:
    """Store the settings the back office typed, with an audit row; False when nothing
    changed."""
    settings = report_settings()
    before = {name: _plain(getattr(settings, name)) for name in values}
    after = {name: _plain(value) for name, value in values.items()}
    changed = {name for name in values if before[name] != after[name]}
    if not changed:
        return False
    for name in changed:
        setattr(settings, name, values[name])
    audit.record(
        "reports.settings",
        "report_settings",
        settings.id,
        {name: before[name] for name in sorted(changed)},
        {name: after[name] for name in sorted(changed)},
    )
    return True


def _plain(value: object) -> object:
    """A setting as the audit row keeps it: decimals as text without trailing zeros."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value
