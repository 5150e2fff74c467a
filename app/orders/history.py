"""What a client buys again: the lines of its last order and its usual products.

The order form offers both at the top, so a salesperson repeats a known order in one tap.
Cancelled and deleted orders do not count; products no longer sold (inactive or deleted) are
left out.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.clients.models import Client
from app.core.types import local_today
from app.extensions import db
from app.orders.models import Order, OrderLine, OrderStatus, Product

USUAL_DAYS = 90


@dataclass(frozen=True)
class Pick:
    """A product to offer again, at the quantity the client took last time."""

    product: Product
    quantity: Decimal


# Newest order first: by date, then by when it was taken.
NEWEST_FIRST = (Order.date.desc(), Order.created_at.desc(), Order.id.desc())


def _bought(client: Client) -> tuple:
    """What makes an order one the client bought: its own, neither cancelled nor deleted."""
    return (
        Order.client_id == client.id,
        Order.deleted_at.is_(None),
        Order.status != OrderStatus.CANCELLED,
    )


def _sold(product: Product) -> bool:
    """True when the product can still be ordered."""
    return product.active and not product.is_deleted


def last_order_lines(client: Client) -> list[Pick]:
    """The lines of the client's last order, one per product (quantities summed), in order."""
    order = db.session.scalar(
        sa.select(Order).where(*_bought(client)).order_by(*NEWEST_FIRST).limit(1)
    )
    if order is None:
        return []
    quantities: dict[int, Decimal] = {}
    products: dict[int, Product] = {}
    for line in order.lines:
        if _sold(line.product):
            products[line.product_id] = line.product
            quantities[line.product_id] = (
                quantities.get(line.product_id, Decimal(0)) + line.quantity
            )
    return [Pick(products[ident], quantity) for ident, quantity in quantities.items()]


def usual_products(client: Client, limit: int = 8, on: date | None = None) -> list[Pick]:
    """The products the client ordered most often in the last 90 days, at their last quantity.

    Most often = in the most orders; a tie goes to the one ordered last.
    """
    since = (on or local_today()) - timedelta(days=USUAL_DAYS)
    rows = db.session.execute(
        sa.select(Order.id, OrderLine.quantity, Product)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(*_bought(client), Order.date >= since, Product.active, Product.deleted_at.is_(None))
        .order_by(*NEWEST_FIRST, OrderLine.position)
    ).all()
    products: dict[int, Product] = {}  # in the order first met: the newest order first
    ordered_in: dict[int, set[int]] = {}
    newest: dict[int, tuple[int, Decimal]] = {}  # product -> (its newest order, quantity there)
    for order_id, quantity, product in rows:
        products.setdefault(product.id, product)
        ordered_in.setdefault(product.id, set()).add(order_id)
        seen = newest.get(product.id)
        if seen is None:
            newest[product.id] = (order_id, quantity)
        elif seen[0] == order_id:  # the same product twice in one order
            newest[product.id] = (order_id, seen[1] + quantity)
    ranked = sorted(products, key=lambda ident: len(ordered_in[ident]), reverse=True)
    return [Pick(products[ident], newest[ident][1]) for ident in ranked[:limit]]
