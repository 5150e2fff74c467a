"""A client's purchase history: what it bought, product by product, and what it stopped buying."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

import app.reports.rules as rules
from app.clients.models import Client
from app.extensions import db
from app.ledger.models import Document, DocumentKind, DocumentLine
from app.orders.models import Product
from app.reports.services import CENT, SALE_KINDS, ZERO, standing

# --- a client's purchases --------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseLine:
    """One product of one sale document of the client."""

    date: date
    kind: str
    number: str
    currency: str
    product_id: int
    code: str
    description: str
    quantity: Decimal  # negative on credit notes
    amount: Decimal  # in the document's currency; negative on credit notes
    amount_pesos: Decimal


@dataclass(frozen=True)
class ProductSummary:
    """What the client bought of one product over the period."""

    product_id: int
    code: str
    description: str
    quantity: Decimal
    amount_pesos: Decimal
    last_date: date
    months: int


@dataclass
class Purchases:
    """A client's purchase history: the lines, the products, and what it stopped buying."""

    lines: list[PurchaseLine]
    products: list[ProductSummary]
    stopped: list[ProductSummary]


def purchases(client: Client, today: date, months: int = 12, limit: int = 200) -> Purchases:
    """The client's sale lines over the last months, newest first, with a summary per product
    and what it stopped buying."""
    start = rules.first_day(rules.last_months(today, months)[0])
    rows = db.session.execute(
        sa.select(
            Document.date,
            Document.kind,
            Document.letter,
            Document.number,
            Document.currency,
            Document.exchange_rate,
            DocumentLine.product_id,
            Product.code,
            Product.description,
            DocumentLine.quantity,
            DocumentLine.amount,
        )
        .join(Document, Document.id == DocumentLine.document_id)
        .join(Product, Product.id == DocumentLine.product_id)
        .where(
            Document.client_id == client.id,
            Document.kind.in_(SALE_KINDS),
            Document.date >= start,
            Document.date <= today,
            standing(),
        )
        .order_by(Document.date.desc(), Document.id.desc(), DocumentLine.id)
    ).all()
    lines = []
    totals: dict[int, dict] = {}
    bought: dict[int, set] = defaultdict(set)
    for day, kind, letter, number, currency, rate, pid, code, description, qty, amount in rows:
        sign = -1 if kind == DocumentKind.CREDIT_NOTE else 1
        amount = Decimal(str(amount)) * sign
        quantity = Decimal(str(qty)) * sign
        pesos = (amount * Decimal(str(rate))).quantize(CENT)
        lines.append(
            PurchaseLine(
                day,
                kind,
                f"{letter} {number}".strip(),
                currency,
                pid,
                code,
                description,
                quantity,
                amount,
                pesos,
            )
        )
        # "last" is the last invoice with the product (a credit note is no purchase); a
        # product with only credit notes keeps the newest note's date
        row = totals.setdefault(
            pid,
            {"code": code, "description": description, "q": ZERO, "p": ZERO, "last": None},
        )
        row["q"] += quantity
        row["p"] += pesos
        row.setdefault("seen", day)
        if sign > 0:
            bought[pid].add(rules.month_of(day))
            row["last"] = max(row["last"] or day, day)
    products = {
        pid: ProductSummary(
            pid,
            row["code"],
            row["description"],
            row["q"],
            row["p"],
            row["last"] or row["seen"],
            len(bought[pid]),
        )
        for pid, row in totals.items()
    }
    ordered = sorted(products.values(), key=lambda p: (-p.amount_pesos, p.code))
    stopped = [products[pid] for pid in rules.stopped_buying(bought, today)]
    stopped.sort(key=lambda p: (p.last_date, p.code), reverse=True)
    return Purchases(lines[:limit], ordered, stopped)


# --- the phone's copy ------------------------------------------------------------------------

# what the phone keeps of each client's purchases: its top products of the last 12 months
SYNCED_PRODUCTS = 20
SYNCED_MONTHS = 12


@dataclass(frozen=True)
class CompactHistory:
    """A client's purchases as the phone keeps them for reading offline."""

    products: list[ProductSummary]  # the top SYNCED_PRODUCTS of the last 12 months, by amount
    stopped: list[ProductSummary]
    # sales in pesos per month, oldest first, each beside the same month a year before
    months: list[tuple[rules.Month, Decimal, Decimal]]


def compact_histories(client_ids: list[int], today: date) -> dict[int, CompactHistory]:
    """The compact purchase history of each of these clients, in two queries for them all."""
    shown = rules.last_months(today, SYNCED_MONTHS)
    start = rules.first_day(shown[0])
    year = sa.extract("year", Document.date)
    month = sa.extract("month", Document.date)
    sign = sa.case((Document.kind == DocumentKind.CREDIT_NOTE, -1), else_=1)
    bought_on = sa.case((Document.kind != DocumentKind.CREDIT_NOTE, Document.date), else_=None)
    rows = db.session.execute(
        sa.select(
            Document.client_id,
            DocumentLine.product_id,
            Product.code,
            Product.description,
            year,
            month,
            sa.func.sum(DocumentLine.quantity * sign),
            sa.func.sum(DocumentLine.amount * sign * Document.exchange_rate),
            sa.func.max(bought_on),
            sa.func.max(Document.date),
        )
        .join(Document, Document.id == DocumentLine.document_id)
        .join(Product, Product.id == DocumentLine.product_id)
        .where(
            Document.client_id.in_(client_ids),
            Document.kind.in_(SALE_KINDS),
            Document.date >= start,
            Document.date <= today,
            standing(),
        )
        .group_by(
            Document.client_id,
            DocumentLine.product_id,
            Product.code,
            Product.description,
            year,
            month,
        )
    ).all()
    totals: dict[int, dict[int, dict]] = defaultdict(dict)
    bought: dict[int, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    for client_id, pid, code, description, y, m, quantity, amount, last, seen in rows:
        row = totals[client_id].setdefault(
            pid,
            {"code": code, "description": description, "q": ZERO, "p": ZERO, "last": None},
        )
        row["q"] += Decimal(str(quantity or 0))
        row["p"] += Decimal(str(amount or 0))
        seen = _day(seen)
        row["seen"] = max(row.get("seen", seen), seen)
        if last is not None:
            last = _day(last)
            row["last"] = max(row["last"] or last, last)
            bought[client_id][pid].add((int(y), int(m)))
    sales = _monthly_sales(client_ids, rules.first_day(rules.add_months(shown[0], -12)), today)
    found = {}
    for client_id in client_ids:
        products = {
            pid: ProductSummary(
                pid,
                row["code"],
                row["description"],
                row["q"],
                row["p"].quantize(CENT),
                row["last"] or row["seen"],
                len(bought[client_id][pid]),
            )
            for pid, row in totals[client_id].items()
        }
        ordered = sorted(products.values(), key=lambda p: (-p.amount_pesos, p.code))
        stopped = [products[pid] for pid in rules.stopped_buying(bought[client_id], today)]
        stopped.sort(key=lambda p: (p.last_date, p.code), reverse=True)
        mine = sales.get(client_id, {})
        months = [
            (each, mine.get(each, ZERO), mine.get(rules.add_months(each, -12), ZERO))
            for each in shown
        ]
        found[client_id] = CompactHistory(ordered[:SYNCED_PRODUCTS], stopped, months)
    return found


def _day(value) -> date:
    """A date from a MAX() (SQLite answers text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _monthly_sales(client_ids: list[int], start: date, end: date) -> dict[int, dict]:
    """Client id -> (year, month) -> sales in pesos, from the documents' totals."""
    year = sa.extract("year", Document.date)
    month = sa.extract("month", Document.date)
    amount = sa.case(
        (Document.kind == DocumentKind.CREDIT_NOTE, -Document.amount), else_=Document.amount
    )
    found: dict[int, dict] = defaultdict(dict)
    for client_id, y, m, total in db.session.execute(
        sa.select(Document.client_id, year, month, sa.func.sum(amount * Document.exchange_rate))
        .where(
            Document.client_id.in_(client_ids),
            Document.kind.in_(SALE_KINDS),
            Document.date >= start,
            Document.date <= end,
            standing(),
        )
        .group_by(Document.client_id, year, month)
    ):
        found[client_id][(int(y), int(m))] = Decimal(str(total or 0)).quantize(CENT)
    return found
