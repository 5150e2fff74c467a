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
        row = totals.setdefault(
            pid,
            {"code": code, "description": description, "q": ZERO, "p": ZERO, "last": day},
        )
        row["q"] += quantity
        row["p"] += pesos
        if sign > 0:
            bought[pid].add(rules.month_of(day))
            row["last"] = max(row["last"], day)
    products = {
        pid: ProductSummary(
            pid,
            row["code"],
            row["description"],
            row["q"],
            row["p"],
            row["last"],
            len(bought[pid]),
        )
        for pid, row in totals.items()
    }
    ordered = sorted(products.values(), key=lambda p: (-p.amount_pesos, p.code))
    stopped = [products[pid] for pid in rules.stopped_buying(bought, today)]
    stopped.sort(key=lambda p: (p.last_date, p.code), reverse=True)
    return Purchases(lines[:limit], ordered, stopped)
