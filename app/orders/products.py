"""Products: their checks, saving, search and look-ups by id or code."""

from collections.abc import Mapping
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.clients.rules import search_tokens
from app.core.numbers import plain_decimal
from app.core.spreadsheets import parse_flag
from app.core.types import MAX_AMOUNT
from app.extensions import db
from app.orders.catalogue import (
    CatalogueError,
    cell_text,
    parse_number,
    plain_text,
    upsert,
)
from app.orders.models import Product

IVA_RATES = (Decimal("0"), Decimal("10.5"), Decimal("21"), Decimal("27"))
NEW_PRODUCT = {"unit": "un", "tax_rate": Decimal("21"), "active": True}


def product_view(product: Product) -> dict:
    """A product as the audit log keeps it."""
    return {
        "code": product.code,
        "description": product.description,
        "unit": product.unit,
        "tax_rate": plain_decimal(product.tax_rate),
        "active": product.active,
        "cost": plain_decimal(product.cost) if product.cost is not None else None,
    }


def check_product(raw: Mapping, defaults: Mapping | None = None) -> tuple[dict, dict[str, str]]:
    """Typed product values from text, and what is wrong per field.

    A field left empty (or missing) takes its value from `defaults` when it has one: the
    product as it is, or a new product's defaults; code and description are always needed.
    """
    defaults = NEW_PRODUCT if defaults is None else defaults
    errors: dict[str, str] = {}
    values = {
        "code": plain_text(raw.get("code"), errors, "code", 30, _("Escribí el código.")),
        "description": plain_text(
            raw.get("description"), errors, "description", 160, _("Escribí la descripción.")
        ),
    }
    unit = plain_text(raw.get("unit"), errors, "unit", 12, None)
    values["unit"] = unit or defaults.get("unit") or NEW_PRODUCT["unit"]
    rate_text = cell_text(raw.get("tax_rate"))
    rate = parse_number(rate_text) if rate_text else defaults.get("tax_rate")
    match = next((r for r in IVA_RATES if rate is not None and r == rate), None)
    if match is None:
        errors["tax_rate"] = _("La alícuota de IVA tiene que ser 0, 10,5, 21 o 27.")
    values["tax_rate"] = match
    active_text = cell_text(raw.get("active"))
    active = parse_flag(active_text) if active_text else defaults.get("active", True)
    if active is None:
        errors["active"] = _("Escribí S (activo) o N (inactivo).")
    values["active"] = active
    cost_text = cell_text(raw.get("cost"))
    cost = parse_number(cost_text) if cost_text else defaults.get("cost")
    if cost_text and (
        cost is None or cost < 0 or cost > MAX_AMOUNT or cost.as_tuple().exponent < -2
    ):
        errors["cost"] = _("Escribí el costo en pesos: cero o más, con hasta dos decimales.")
    values["cost"] = cost
    return values, errors


def _code_taken(code: str, product: Product | None) -> bool:
    """True when another product (even one in the trash) has this code."""
    query = sa.select(Product.id).where(Product.code == code)
    if product is not None:
        query = query.where(Product.id != product.id)
    return db.session.scalar(query.limit(1)) is not None


def save_product(raw: Mapping, product: Product | None = None) -> Product:
    """Create a product, or change one; an edit that changes nothing writes nothing."""
    current = None
    if product is not None:
        current = {
            "unit": product.unit,
            "tax_rate": product.tax_rate,
            "active": product.active,
            "cost": product.cost,
        }
    values, errors = check_product(raw, current)
    if "code" not in errors and _code_taken(values["code"], product):
        errors["code"] = _("Ya existe un producto con ese código.")
    if errors:
        raise CatalogueError(errors)
    return upsert(Product, product, values, "product", product_view)


def product_query(text: str = "", only_active: bool = False) -> sa.Select:
    """Live products whose code or description hold every word typed, by code."""
    query = sa.select(Product).where(Product.deleted_at.is_(None))
    if only_active:
        query = query.where(Product.active)
    for token in search_tokens(text)[:8]:
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Product.search_text.like(f"%{escaped}%", escape="\\"))
    return query.order_by(Product.code, Product.id)


def get_product(product_id: int) -> Product | None:
    """A live product, or None."""
    product = db.session.get(Product, product_id) if product_id else None
    return product if product is not None and not product.is_deleted else None


def product_by_code(code: str) -> Product | None:
    """The live product with this code, or None."""
    return db.session.scalar(
        sa.select(Product).where(Product.code == code.strip(), Product.deleted_at.is_(None))
    )
