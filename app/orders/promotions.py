"""Promotions: a discount on a product for a period."""

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.clients.rules import search_tokens
from app.core.numbers import plain_decimal
from app.core.types import local_today, utcnow
from app.extensions import db
from app.orders.catalogue import (
    CatalogueError,
    cell_text,
    parse_percent,
    parse_period,
    plain_text,
    upsert,
)
from app.orders.models import Product, Promotion
from app.orders.products import product_by_code

PERIOD_LABELS = {
    "current": _l("Vigente"),
    "future": _l("Programada"),
    "past": _l("Vencida"),
}


def promotion_period(promotion: Promotion, on: date | None = None) -> str:
    """current, future or past (today unless told)."""
    on = on or local_today()
    if promotion.valid_from > on:
        return "future"
    if promotion.valid_to < on:
        return "past"
    return "current"


def promotions_query(when: str = "", text: str = "", product: Product | None = None) -> sa.Select:
    """Live promotions by period and words (name or product), the latest starting first."""
    today = local_today()
    query = (
        sa.select(Promotion)
        .join(Product, Product.id == Promotion.product_id)
        .options(selectinload(Promotion.product))
        .where(Promotion.deleted_at.is_(None))
    )
    if product is not None:
        query = query.where(Promotion.product_id == product.id)
    if when == "current":
        query = query.where(Promotion.valid_from <= today, Promotion.valid_to >= today)
    elif when == "future":
        query = query.where(Promotion.valid_from > today)
    elif when == "past":
        query = query.where(Promotion.valid_to < today)
    for token in search_tokens(text)[:8]:
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            sa.or_(
                Product.search_text.like(pattern, escape="\\"),
                sa.func.lower(Promotion.name).like(pattern, escape="\\"),
            )
        )
    return query.order_by(Promotion.valid_from.desc(), Promotion.id.desc())


def get_promotion(promotion_id: int) -> Promotion | None:
    """A live promotion, or None."""
    row = db.session.get(Promotion, promotion_id) if promotion_id else None
    return row if row is not None and not row.is_deleted else None


def promotion_view(promotion: Promotion) -> dict:
    """A promotion as the audit log keeps it."""
    return {
        "name": promotion.name,
        "product_id": promotion.product_id,
        "discount_pct": plain_decimal(promotion.discount_pct),
        "valid_from": promotion.valid_from.isoformat() if promotion.valid_from else None,
        "valid_to": promotion.valid_to.isoformat() if promotion.valid_to else None,
    }


def save_promotion(raw: Mapping, promotion: Promotion | None = None) -> Promotion:
    """Create or change a promotion: a name, a product (by code), a discount and its dates."""
    errors: dict[str, str] = {}
    name = plain_text(raw.get("name"), errors, "name", 120, _("Poné un nombre a la promoción."))
    code = cell_text(raw.get("product_code"))
    product = product_by_code(code) if code else None
    if not code:
        errors["product_code"] = _("Escribí el código del producto.")
    elif product is None:
        errors["product_code"] = _("No existe un producto con ese código.")
    pct = parse_percent(raw.get("discount_pct"), errors, "discount_pct")
    start, end = parse_period(raw, errors, need_end=True)
    if errors:
        raise CatalogueError(errors)
    values = {
        "name": name,
        "product_id": product.id,
        "discount_pct": pct,
        "valid_from": start,
        "valid_to": end,
    }
    return upsert(Promotion, promotion, values, "promotion", promotion_view)


def delete_promotion(promotion: Promotion) -> None:
    """Take a promotion down (soft delete; it stays in the audit log)."""
    if promotion.is_deleted:
        return
    promotion.deleted_at = utcnow()
    db.session.flush()
    record("promotion.delete", "promotion", promotion.id, promotion_view(promotion), None)
