"""Price lists, a product's price in each, and its volume breaks (discounts by quantity)."""

from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.clients.rules import search_tokens
from app.core.numbers import plain_decimal
from app.core.types import utcnow
from app.extensions import db
from app.ledger.models import CURRENCIES
from app.orders.catalogue import (
    CatalogueError,
    cell_text,
    parse_percent,
    parse_price,
    parse_quantity,
    plain_text,
    upsert,
)
from app.orders.models import Price, PriceList, Product, VolumeDiscount

# --- price lists and prices --------------------------------------------------------------------


def price_list_view(price_list: PriceList) -> dict:
    """A price list as the audit log keeps it."""
    return {"code": price_list.code, "name": price_list.name, "currency": price_list.currency}


def price_lists() -> list[PriceList]:
    """The live price lists, by code."""
    return list(
        db.session.scalars(
            sa.select(PriceList).where(PriceList.deleted_at.is_(None)).order_by(PriceList.code)
        )
    )


def default_price_list() -> PriceList | None:
    """The list shown when no client is chosen: the first live one by code."""
    return db.session.scalar(
        sa.select(PriceList)
        .where(PriceList.deleted_at.is_(None))
        .order_by(PriceList.code, PriceList.id)
        .limit(1)
    )


def get_price_list(price_list_id: int) -> PriceList | None:
    """A live price list, or None."""
    row = db.session.get(PriceList, price_list_id) if price_list_id else None
    return row if row is not None and not row.is_deleted else None


def save_price_list(raw: Mapping, price_list: PriceList | None = None) -> PriceList:
    """Create a price list, or change its code, name or currency."""
    errors: dict[str, str] = {}
    code = plain_text(raw.get("code"), errors, "code", 20, _("Escribí el código."))
    name = plain_text(raw.get("name"), errors, "name", 80, _("Escribí el nombre."))
    currency = cell_text(raw.get("currency")).upper()
    if currency not in CURRENCIES:
        errors["currency"] = _("Elegí la moneda de la lista.")
    if "code" not in errors:
        taken = sa.select(PriceList.id).where(PriceList.code == code)
        if price_list is not None:
            taken = taken.where(PriceList.id != price_list.id)
        if db.session.scalar(taken.limit(1)) is not None:
            errors["code"] = _("Ya existe una lista de precios con ese código.")
    if errors:
        raise CatalogueError(errors)
    values = {"code": code, "name": name, "currency": currency}
    return upsert(PriceList, price_list, values, "price_list", price_list_view)


def price_counts() -> dict[int, int]:
    """How many live prices each list holds: {price_list_id: count}."""
    rows = db.session.execute(
        sa.select(Price.price_list_id, sa.func.count())
        .where(Price.deleted_at.is_(None))
        .group_by(Price.price_list_id)
    )
    return dict(rows.all())


def product_prices(product: Product) -> list[Price]:
    """A product's live prices, by list and currency."""
    return list(
        db.session.scalars(
            sa.select(Price)
            .join(PriceList, PriceList.id == Price.price_list_id)
            .options(selectinload(Price.price_list))
            .where(Price.product_id == product.id, Price.deleted_at.is_(None))
            .order_by(PriceList.code, Price.currency)
        )
    )


def list_prices(price_list: PriceList, text: str = "") -> sa.Select:
    """The list's live prices with their products, searched by the product's words, by code."""
    query = (
        sa.select(Price)
        .join(Product, Product.id == Price.product_id)
        .options(selectinload(Price.product))
        .where(
            Price.price_list_id == price_list.id,
            Price.deleted_at.is_(None),
            Product.deleted_at.is_(None),
        )
    )
    for token in search_tokens(text)[:8]:
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Product.search_text.like(f"%{escaped}%", escape="\\"))
    return query.order_by(Product.code, Price.currency)


def get_price(price_id: int) -> Price | None:
    """A live price, or None."""
    price = db.session.get(Price, price_id) if price_id else None
    return price if price is not None and not price.is_deleted else None


def _price_view(price: Price) -> dict:
    """A price as the audit log keeps it."""
    return {
        "price_list": price.price_list.code,
        "product": price.product.code,
        "currency": price.currency,
        "price": None if price.is_deleted else plain_decimal(price.price),
    }


def set_price(price_list: PriceList, product: Product, raw: Mapping) -> Price:
    """Set the product's price in the list, in a currency (the list's when none is given)."""
    errors: dict[str, str] = {}
    currency = cell_text(raw.get("currency")).upper() or price_list.currency
    if currency not in CURRENCIES:
        errors["currency"] = _("Elegí una moneda: %(choices)s.", choices=", ".join(CURRENCIES))
    amount = parse_price(raw.get("price"), errors, "price")
    if errors:
        raise CatalogueError(errors)
    price = db.session.scalar(
        sa.select(Price).where(
            Price.price_list_id == price_list.id,
            Price.product_id == product.id,
            Price.currency == currency,
        )
    )
    if price is None:
        price = Price(price_list=price_list, product=product, currency=currency, price=amount)
        db.session.add(price)
        db.session.flush()
        record("price.set", "price", price.id, None, _price_view(price))
        return price
    before = _price_view(price)
    price.price, price.deleted_at = amount, None
    after = _price_view(price)
    if after != before:
        db.session.flush()
        record("price.set", "price", price.id, before, after)
    return price


def remove_price(price: Price) -> None:
    """Take a price out of its list (soft delete: phones see a tombstone)."""
    if price.is_deleted:
        return
    before = _price_view(price)
    price.deleted_at = utcnow()
    db.session.flush()
    record("price.delete", "price", price.id, before, _price_view(price))


# --- volume breaks -----------------------------------------------------------------------------


def volume_breaks(product: Product) -> list[VolumeDiscount]:
    """A product's live quantity breaks, smallest first."""
    return list(
        db.session.scalars(
            sa.select(VolumeDiscount)
            .where(VolumeDiscount.product_id == product.id, VolumeDiscount.deleted_at.is_(None))
            .order_by(VolumeDiscount.min_quantity)
        )
    )


def get_volume_discount(discount_id: int) -> VolumeDiscount | None:
    """A live quantity break, or None."""
    row = db.session.get(VolumeDiscount, discount_id) if discount_id else None
    return row if row is not None and not row.is_deleted else None


def _break_view(row: VolumeDiscount) -> dict:
    """A quantity break as the audit log keeps it."""
    return {
        "product_id": row.product_id,
        "min_quantity": plain_decimal(row.min_quantity),
        "discount_pct": plain_decimal(row.discount_pct),
    }


def save_volume_discount(product: Product, raw: Mapping) -> VolumeDiscount:
    """Add a quantity break; the same minimum again changes that break's discount."""
    errors: dict[str, str] = {}
    minimum = parse_quantity(raw.get("min_quantity"), errors, "min_quantity")
    pct = parse_percent(raw.get("discount_pct"), errors, "discount_pct")
    if errors:
        raise CatalogueError(errors)
    row = next((b for b in volume_breaks(product) if b.min_quantity == minimum), None)
    values = {"product_id": product.id, "min_quantity": minimum, "discount_pct": pct}
    return upsert(VolumeDiscount, row, values, "volume_discount", _break_view)


def delete_volume_discount(row: VolumeDiscount) -> None:
    """Take a quantity break away (soft delete)."""
    if row.is_deleted:
        return
    row.deleted_at = utcnow()
    db.session.flush()
    record("volume_discount.delete", "volume_discount", row.id, _break_view(row), None)
