"""The reports' queries: what sales, collections and margin are, rankings and monthly trends,
always within the caller's scope (clients.services.scoped_clients).

Sales are invoices and debit notes less credit notes, by document date, voided ones left out,
in pesos at each document's exchange rate; collections are receipts; margin is sales less the
cost of their lines.

Whole months are added up from sales_months (kept by the database as the ledger is written);
only the days of a period outside whole months go through the documents (rules.split_period).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

import app.reports.rules as rules
from app.audit import services as audit
from app.auth.models import Role, User
from app.auth.permissions import SCOPES
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
from app.reports.models import ProductMonth, ReportSettings, SalesMonth

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


def line_cost():
    """The cost of a sale document's lines (looked up for each document by its index)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(DocumentLine.cost), 0))
        .where(DocumentLine.document_id == Document.id)
        .scalar_subquery()
    )


def money(value) -> Decimal:
    """A sum from the database as money (SQLite's sums are floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def sales_by_client(start: date, end: date) -> dict[int, Decimal]:
    """Every client's sales over a period, whatever the scope (for the ABC run)."""
    return {key: money(total) for key, total in totals("sales", "clients", start, end).items()}


def totals(
    by: str, of: str, start: date, end: date, scope: sa.Select | None = None
) -> dict[int | None, Decimal]:
    """Sales, collections or margin per client (of="clients") or per salesperson of the
    client ("salespeople") from `start` to `end`, of the clients in scope (None: every client,
    those in the trash too). Unrounded: add before rounding."""
    grouped = _grouped(by, of, start, end, scope)
    if grouped is None:
        return {}
    return {key: Decimal(str(total or 0)) for key, total in db.session.execute(grouped)}


def _grouped(by: str, of: str, start: date, end: date, scope: sa.Select | None):
    """SELECT key, total: whole months from the monthly sums and the days at the edges from
    the documents, added up per client or salesperson; only keys with a document counted."""
    if of == "salespeople":  # per client first: a join per client, not per client and month
        clients = _per_client(by, start, end, scope)
        if clients is None:
            return None
        per_client = clients.subquery()
        return (
            sa.select(Client.salesperson_id.label("key"), sa.func.sum(per_client.c.total))
            .join(Client, Client.id == per_client.c.key)
            .group_by(Client.salesperson_id)
            .having(sa.func.sum(per_client.c.counted) > 0)
        )
    clients = _per_client(by, start, end, scope)
    if clients is None:
        return None
    per_client = clients.subquery()
    return sa.select(per_client.c.key, per_client.c.total).where(per_client.c.counted > 0)


def _per_client(by: str, start: date, end: date, scope: sa.Select | None):
    """SELECT key (the client), total, counted (its documents) over the period."""
    split = rules.split_period(start, end)
    parts = []
    if split.months:
        parts.append(_months_part(by, split.months, scope))
    parts += [_documents_part(by, edge, scope) for edge in split.edges]
    if not parts:
        return None
    both = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery()
    return sa.select(
        both.c.key,
        sa.func.sum(both.c.total).label("total"),
        sa.func.sum(both.c.counted).label("counted"),
    ).group_by(both.c.key)


MONTHLY = {
    "sales": SalesMonth.sales,
    "collections": SalesMonth.collections,
    "margin": SalesMonth.sales - SalesMonth.cost,
}


def _months_part(by: str, months: tuple[date, date], scope: sa.Select | None):
    """(client, total, counted) over whole months, from the monthly sums."""
    key = SalesMonth.client_id
    counted = SalesMonth.receipts if by == "collections" else SalesMonth.sale_documents
    query = sa.select(
        key.label("key"),
        sa.func.sum(MONTHLY[by]).label("total"),
        sa.func.sum(counted).label("counted"),
    ).where(SalesMonth.month.between(*months))
    if scope is not None:
        query = query.where(SalesMonth.client_id.in_(scope))
    return query.group_by(key)


def _documents_part(by: str, days: tuple[date, date], scope: sa.Select | None):
    """(key, total, counted) over days outside whole months, from the documents (one run of
    days a query: a range the (client, date) index answers)."""
    key = Document.client_id
    if by == "collections":
        value = pesos(Document.amount)
        kinds = (DocumentKind.RECEIPT,)
    elif by == "sales":
        value = pesos(signed(Document.amount))
        kinds = SALE_KINDS
    else:
        value = pesos(signed(Document.amount - line_cost()))
        kinds = SALE_KINDS
    query = sa.select(
        key.label("key"), sa.func.sum(value).label("total"), sa.func.count().label("counted")
    )
    if scope is not None:
        query = query.where(Document.client_id.in_(scope))
    return query.where(Document.kind.in_(kinds), Document.date.between(*days), standing()).group_by(
        key
    )


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
    if of == "clients":
        return _client_ranking(scope, by, start, end, limit)
    if of == "products":
        everyone = SCOPES[Role(user.role)] == "all" and not any((filters or {}).values())
        rows = _product_totals(scope, by, start, end, everyone)
    else:
        rows = [(key, total, None) for key, total in totals(by, of, start, end, scope).items()]
    summed = {key: money(value) for key, value, _quantity in rows}
    quantities = {key: quantity for key, _value, quantity in rows}
    grand = sum(summed.values(), ZERO)
    order = rules.ranked(summed)
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


def _client_ranking(scope: sa.Select, by: str, start: date, end: date, limit: int | None):
    """The clients' ranking, ordered and cut by the database (100,000 clients are too many to
    sort here): the first `limit` rows, with how many there are and their total."""
    grouped = _grouped(by, "clients", start, end, scope)
    if grouped is None:
        return Ranking(by, "clients", start, end)
    rows = grouped.subquery()
    found = db.session.execute(
        sa.select(
            rows.c.key, rows.c.total, sa.func.count().over(), sa.func.sum(rows.c.total).over()
        )
        .order_by(sa.func.round(rows.c.total, 2).desc(), sa.cast(rows.c.key, sa.String))
        .limit(limit)
    ).all()
    if not found:
        return Ranking(by, "clients", start, end)
    grand = money(found[0][3])
    names = _names("clients", [key for key, *_rest in found])
    items = [
        RankingItem(
            id=key,
            name=names.get(key, ("", None))[0],
            code=names.get(key, ("", None))[1],
            total=money(total),
            share=rules.share_pct(money(total), grand),
        )
        for key, total, _count, _grand in found
    ]
    return Ranking(by, "clients", start, end, items, grand, found[0][2])


def _product_totals(scope: sa.Select, by: str, start: date, end: date, everyone: bool) -> list:
    """(product, total, quantity) from the lines of the sale documents of the clients in scope.

    For a scope of every client (`everyone`), whole months come from the products' monthly
    sums, less what clients in the trash bought then (the scope leaves them out)."""
    found: dict = defaultdict(lambda: [ZERO, ZERO, 0])
    split = rules.split_period(start, end) if everyone else rules.PeriodSplit(None, ((start, end),))
    if split.months:
        first, last = split.months
        measure = ProductMonth.sales - ProductMonth.cost if by == "margin" else ProductMonth.sales
        rows = db.session.execute(
            sa.select(
                ProductMonth.product_id,
                sa.func.sum(measure),
                sa.func.sum(ProductMonth.quantity),
                sa.func.sum(ProductMonth.lines),
            )
            .where(ProductMonth.month.between(first, last))
            .group_by(ProductMonth.product_id)
        )
        _add(found, rows, 1)
        trashed = sa.select(Client.id).where(Client.deleted_at.is_not(None))
        month_end = rules.first_day(rules.add_months(rules.month_of(last), 1)) - timedelta(days=1)
        _add(found, db.session.execute(_line_totals(trashed, by, first, month_end)), -1)
    for edge in split.edges:
        _add(found, db.session.execute(_line_totals(scope, by, *edge)), 1)
    return [
        (ident, total, Decimal(str(quantity)).quantize(Decimal("0.001")))
        for ident, (total, quantity, lines) in found.items()
        if lines > 0
    ]


def _add(found: dict, rows, sign: int) -> None:
    """Add (product, total, quantity, lines) rows into found, or take them away."""
    for ident, total, quantity, lines in rows:
        found[ident][0] += sign * Decimal(str(total or 0))
        found[ident][1] += sign * Decimal(str(quantity or 0))
        found[ident][2] += sign * lines


def _line_totals(scope: sa.Select, by: str, start: date, end: date) -> sa.Select:
    """(product, total, quantity, lines) of the sale lines of the clients in scope."""
    amount = DocumentLine.amount
    if by == "margin":
        amount = DocumentLine.amount - sa.func.coalesce(DocumentLine.cost, 0)
    return (
        sa.select(
            DocumentLine.product_id,
            sa.func.sum(pesos(signed(amount))),
            sa.func.sum(signed(DocumentLine.quantity)),
            sa.func.count(),
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
    if product_id is None:
        found = _monthly_account_sums(scope, first, today)
    else:
        found = _monthly_product_sales(scope, product_id, first, today)
    none = (ZERO.quantize(CENT), ZERO.quantize(CENT))
    points = []
    for each in shown:
        now = found.get(each, none)
        before = found.get(rules.add_months(each, -12), none)
        points.append(TrendPoint(each, now[0], before[0], now[1], before[1]))
    return points


def _monthly_account_sums(scope: sa.Select, first: date, last: date) -> dict:
    """(year, month) -> (sales, collections) from `first` (a 1st) to `last`: whole months
    from the monthly sums, the days of the last month (when not whole) from the documents."""
    split = rules.split_period(first, last)
    sums: dict = defaultdict(lambda: [ZERO, ZERO])
    if split.months:
        rows = db.session.execute(
            sa.select(
                SalesMonth.month, sa.func.sum(SalesMonth.sales), sa.func.sum(SalesMonth.collections)
            )
            .where(SalesMonth.client_id.in_(scope), SalesMonth.month.between(*split.months))
            .group_by(SalesMonth.month)
        )
        for month, sales, paid in rows:
            month = month if isinstance(month, date) else date.fromisoformat(str(month))
            sums[(month.year, month.month)][0] += Decimal(str(sales or 0))
            sums[(month.year, month.month)][1] += Decimal(str(paid or 0))
    if split.edges:
        year = sa.extract("year", Document.date)
        month = sa.extract("month", Document.date)
        sales = sa.case((Document.kind.in_(SALE_KINDS), pesos(signed(Document.amount))), else_=0)
        paid = sa.case((Document.kind == DocumentKind.RECEIPT, pesos(Document.amount)), else_=0)
        days = sa.or_(*(Document.date.between(a, b) for a, b in split.edges))
        rows = db.session.execute(
            sa.select(year, month, sa.func.sum(sales), sa.func.sum(paid))
            .where(
                Document.kind.in_((*SALE_KINDS, DocumentKind.RECEIPT)),
                Document.client_id.in_(scope),
                days,
                standing(),
            )
            .group_by(year, month)
        )
        for y, m, sale, paid_sum in rows:
            sums[(int(y), int(m))][0] += Decimal(str(sale or 0))
            sums[(int(y), int(m))][1] += Decimal(str(paid_sum or 0))
    return {key: (money(sales), money(paid)) for key, (sales, paid) in sums.items()}


def _monthly_product_sales(scope: sa.Select, product_id: int, first: date, last: date) -> dict:
    """(year, month) -> (sales of the product's lines, 0) from `first` to `last`."""
    year = sa.extract("year", Document.date)
    month = sa.extract("month", Document.date)
    rows = db.session.execute(
        sa.select(year, month, sa.func.sum(pesos(signed(DocumentLine.amount))))
        .join(DocumentLine, DocumentLine.document_id == Document.id)
        .where(
            Document.kind.in_(SALE_KINDS),
            DocumentLine.product_id == product_id,
            Document.client_id.in_(scope),
            Document.date >= first,
            Document.date <= last,
            standing(),
        )
        .group_by(year, month)
    )
    return {(int(y), int(m)): (money(s), ZERO.quantize(CENT)) for y, m, s in rows}


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
