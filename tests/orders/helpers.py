"""Catalogue rows for order tests: a price list, products and their prices."""

from decimal import Decimal

from app.extensions import db
from app.orders.models import Price, PriceList, Product


def price_list(code: str = "L1", currency: str = "ARS") -> PriceList:
    """A price list."""
    row = PriceList(code=code, name=f"Lista {code}", currency=currency)
    db.session.add(row)
    db.session.flush()
    return row


def product(code: str, price: str | None, in_list: PriceList | None = None, **fields) -> Product:
    """A product, with its price in the list when given."""
    row = Product(code=code, description=fields.pop("description", f"Producto {code}"), **fields)
    db.session.add(row)
    db.session.flush()
    if price is not None and in_list is not None:
        currency = fields.get("currency", in_list.currency)
        db.session.add(
            Price(
                price_list_id=in_list.id, product_id=row.id, currency=currency, price=Decimal(price)
            )
        )
        db.session.flush()
    return row
