"""Demo sale lines: what each demo invoice and credit note sold, product by product.

Each client buys from a basket of its own; some clients stopped buying one product of it a
few weeks ago, so "what they stopped buying" has something to show. The lines of a document
add up to its amount; costs follow the products' costs.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.core.types import local_today
from app.demo.ledger_rows import insert_rows
from app.extensions import db
from app.ledger.models import Document, DocumentKind, DocumentLine
from app.orders.models import Product

D = Decimal
CENT = D("0.01")
BASKET = (4, 14)  # fewest and most products a client buys
STOPPED_SHARE = 0.15  # clients who stopped buying one product of their basket
STOPPED_DAYS = (40, 75)  # how long ago they stopped
BATCH = 20_000


def add_document_lines(rng: random.Random, today: date | None = None) -> int:
    """Lines for every demo invoice and credit note (not interest notes); returns the count."""
    today = today or local_today()
    products = db.session.execute(
        sa.select(Product.id, Product.tax_rate, Product.cost, Product.code).order_by(Product.id)
    ).all()
    if not products:
        return 0
    prices = _unit_prices(products)
    documents = db.session.execute(
        sa.select(
            Document.id,
            Document.client_id,
            Document.kind,
            Document.date,
            Document.amount,
            Document.exchange_rate,
        )
        .where(
            Document.kind.in_([DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE]),
            Document.reverses_id.is_(None),
            Document.amount > 0,
        )
        .order_by(Document.client_id, Document.date, Document.id)
    ).all()
    baskets: dict[int, tuple[list[int], int | None, date | None]] = {}
    rows: list[dict] = []
    written = 0
    for ident, client_id, kind, day, amount, rate in documents:
        if client_id not in baskets:
            baskets[client_id] = _basket(rng, [p.id for p in products], today)
        basket, dropped, since = baskets[client_id]
        choices = [p for p in basket if not (p == dropped and since and day >= since)]
        count = rng.randint(1, 2) if kind == DocumentKind.CREDIT_NOTE else rng.randint(2, 6)
        chosen = rng.sample(choices, min(count, len(choices)))
        if dropped in choices and dropped not in chosen and kind == DocumentKind.INVOICE:
            chosen[-1] = dropped  # a product they bought every time, until they stopped
        rows += _lines(rng, ident, amount, rate, chosen, prices)
        if len(rows) >= BATCH:
            insert_rows(DocumentLine.__table__, rows)
            written, rows = written + len(rows), []
    if rows:
        insert_rows(DocumentLine.__table__, rows)
        written += len(rows)
    return written


def _unit_prices(products) -> dict[int, tuple[Decimal, Decimal]]:
    """Each product's price to a client, taxes included, and the share of it that is cost."""
    wholesale = dict(
        db.session.execute(
            sa.text(
                "SELECT product_id, MIN(price) FROM prices WHERE currency = 'ARS' "
                "GROUP BY product_id"
            )
        ).all()
    )
    out = {}
    for ident, tax_rate, cost, _code in products:
        price = D(wholesale.get(ident) or cost or 1000) * (1 + D(tax_rate) / 100)
        out[ident] = (price, (D(cost) / price) if cost else D("0.6"))
    return out


def _basket(rng: random.Random, products: list[int], today: date):
    """A client's usual products, and the one it stopped buying (with since when), if any."""
    basket = rng.sample(products, min(len(products), rng.randint(*BASKET)))
    if rng.random() < STOPPED_SHARE:
        return basket, basket[0], today - timedelta(days=rng.randint(*STOPPED_DAYS))
    return basket, None, None


def _lines(rng, document_id, amount, rate, chosen, prices) -> list[dict]:
    """Split a document's amount over the chosen products; the last line takes the rest."""
    amount, rate = D(amount), D(rate)
    weights = [rng.uniform(0.5, 3) for _ in chosen]
    total_weight = sum(weights)
    rows, left = [], amount
    for index, (product_id, weight) in enumerate(zip(chosen, weights, strict=True)):
        last = index == len(chosen) - 1
        part = left if last else (amount * D(weight / total_weight)).quantize(CENT)
        part = min(part, left)
        left -= part
        price, cost_share = prices[product_id]
        quantity = max(D(1), (part * rate / price).quantize(D(1)))
        rows.append(
            {
                "document_id": document_id,
                "product_id": product_id,
                "quantity": quantity,
                "unit_price": (part / quantity).quantize(D("0.0001")),
                "amount": part,
                "cost": (part * cost_share).quantize(CENT),
            }
        )
    return rows
