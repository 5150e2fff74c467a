"""The catalogue: products, price lists and prices, volume breaks, promotions, a client's own
conditions, and the CSV/XLSX imports of products and prices.

Every change writes its audit row and only flushes; the request commits. Values come in as
text (a form or a file's cell) and are checked here, so the forms and the imports refuse the
same things with the same Spanish messages.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.models import User
from app.clients.models import Client
from app.clients.rules import fold, search_key, search_tokens
from app.clients.services import scoped_clients
from app.core.changes import reserve_change_seqs
from app.core.numbers import parse_decimal
from app.core.types import local_today, utcnow
from app.extensions import db
from app.ledger.models import CURRENCIES
from app.orders.models import ClientCondition, Price, PriceList, Product, Promotion, VolumeDiscount

IVA_RATES = (Decimal("0"), Decimal("10.5"), Decimal("21"), Decimal("27"))
MAX_PRICE = Decimal("9999999999.9999")  # NUMERIC(14, 4)
MAX_QUANTITY = Decimal("999999999.999")  # NUMERIC(12, 3)
MAX_IMPORT_ROWS = 50_000
SHOWN_ERRORS = 50
PAGE_SIZE = 25
CHUNK = 500  # values per IN (...)
NEW_PRODUCT = {"unit": "un", "tax_rate": Decimal("21"), "active": True}
TRUE_WORDS = {"1", "s", "si", "y", "yes", "true", "on", "verdadero", "activo", "x"}
FALSE_WORDS = {"0", "n", "no", "false", "off", "falso", "inactivo"}

PERIOD_LABELS = {
    "current": _l("Vigente"),
    "future": _l("Programada"),
    "past": _l("Vencida"),
}
CONDITION_KINDS = {"discount": _l("Descuento"), "price": _l("Precio especial")}


class CatalogueError(ValueError):
    """A change that cannot be made, with a Spanish message per field."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class RowError:
    """What is wrong in one cell of an imported file (row 1 is the header)."""

    row: int
    column: str
    message: str


class ImportRefused(ValueError):
    """A file with errors: nothing was written. Keeps the first errors and counts them all."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        super().__init__(f"{total or len(errors)} errors")
        self.errors = errors[:SHOWN_ERRORS]
        self.total = len(errors) if total is None else total


@dataclass(frozen=True)
class ImportResult:
    """What an import did, row by row counted."""

    rows: int
    created: int
    updated: int
    unchanged: int


# --- reading text ------------------------------------------------------------------------------


def cell_text(raw: object) -> str:
    """A form value or a file's cell as trimmed text (a whole number from Excel without ".0")."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    return str(raw).strip()


def parse_number(raw: object) -> Decimal | None:
    """A cell's number, or text read by parse_decimal ("1.234,50", "1234.5", "21 %"); else None."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
        return number if number.is_finite() else None
    if isinstance(raw, float):  # a spreadsheet's number cell, exactly as it shows
        return Decimal(repr(raw)) if raw == raw and abs(raw) != float("inf") else None
    try:
        return parse_decimal(str(raw).strip().removesuffix("%"), negative=True)
    except ValueError:
        return None


def _places(number: Decimal) -> int:
    """How many decimals a number was written with."""
    return max(0, -number.as_tuple().exponent)


def parse_day(raw: object) -> date | None:
    """A date from a date input (2026-11-23) or as people write it (23/11/2026); else None."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = cell_text(raw)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def number_text(number: Decimal | None) -> str:
    """A number without trailing zeros, with a decimal comma: 10,5 · 21 · 1234,5."""
    if number is None:
        return ""
    return f"{number.normalize():f}".replace(".", ",")


def _num(number: Decimal | None) -> str | None:
    """A number as the audit log keeps it: plain, without trailing zeros."""
    return None if number is None else f"{number.normalize():f}"


def _price(raw: object, errors: dict, name: str) -> Decimal | None:
    """A unit price: zero or more, up to four decimals."""
    text = cell_text(raw)
    number = parse_number(raw)
    if not text:
        errors[name] = _("Escribí el precio.")
    elif number is None:
        errors[name] = _("El precio tiene que ser un número (por ejemplo 1234,50).")
    elif number < 0:
        errors[name] = _("El precio no puede ser negativo.")
    elif _places(number) > 4:
        errors[name] = _("Como máximo cuatro decimales.")
    elif number > MAX_PRICE:
        errors[name] = _("El precio es demasiado grande.")
    else:
        return number
    return None


def _percent(raw: object, errors: dict, name: str) -> Decimal | None:
    """A discount: more than zero, up to 100, two decimals at most."""
    number = parse_number(raw)
    if not cell_text(raw):
        errors[name] = _("Escribí el porcentaje de descuento.")
    elif number is None:
        errors[name] = _("El descuento tiene que ser un número (por ejemplo 7,5).")
    elif not 0 < number <= 100:
        errors[name] = _("El descuento tiene que ser mayor que 0 y hasta 100.")
    elif _places(number) > 2:
        errors[name] = _("Como máximo dos decimales.")
    else:
        return number
    return None


def _quantity(raw: object, errors: dict, name: str) -> Decimal | None:
    """A quantity: more than zero, three decimals at most."""
    number = parse_number(raw)
    if not cell_text(raw):
        errors[name] = _("Escribí la cantidad.")
    elif number is None or number <= 0:
        errors[name] = _("La cantidad tiene que ser un número mayor que cero.")
    elif _places(number) > 3:
        errors[name] = _("Como máximo tres decimales.")
    elif number > MAX_QUANTITY:
        errors[name] = _("La cantidad es demasiado grande.")
    else:
        return number
    return None


def _flag(raw: object) -> bool | None:
    """Yes or no as people write it (S/N, Sí/No, 1/0, true/false); None if it is neither."""
    if isinstance(raw, bool):
        return raw
    word = fold(cell_text(raw)).rstrip(".")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _plain_text(raw: object, errors: dict, name: str, most: int, required: str | None) -> str:
    """Trimmed text of at most `most` characters; `required` is the message when it is empty."""
    text = cell_text(raw)
    if not text and required:
        errors[name] = required
    elif len(text) > most:
        errors[name] = _("Como máximo %(max)d caracteres.", max=most)
    elif any(ord(ch) < 32 for ch in text):
        errors[name] = _("El texto tiene caracteres no válidos.")
    return text


def _fetch_in(query: sa.Select, column, values: list) -> list:
    """The rows of the query whose column is one of the values, a chunk at a time."""
    found = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        found.extend(db.session.execute(query.where(column.in_(chunk))).all())
    return found


# --- products ----------------------------------------------------------------------------------


def _upsert(model, row, values: dict, entity: str, view: Callable[[object], dict]):
    """Create the row with these values, or change it; audited, and silent when nothing changed."""
    if row is None:
        row = model(**values)
        db.session.add(row)
        db.session.flush()
        record(f"{entity}.create", entity, row.id, None, view(row))
        return row
    before = view(row)
    for name, value in values.items():
        setattr(row, name, value)
    after = view(row)
    if after != before:
        db.session.flush()
        record(f"{entity}.update", entity, row.id, before, after)
    return row


def product_view(product: Product) -> dict:
    """A product as the audit log keeps it."""
    return {
        "code": product.code,
        "description": product.description,
        "unit": product.unit,
        "tax_rate": _num(product.tax_rate),
        "active": product.active,
    }


def check_product(raw: Mapping, defaults: Mapping | None = None) -> tuple[dict, dict[str, str]]:
    """Typed product values from text, and what is wrong per field.

    A field left empty (or missing) takes its value from `defaults` when it has one: the
    product as it is, or a new product's defaults; code and description are always needed.
    """
    defaults = NEW_PRODUCT if defaults is None else defaults
    errors: dict[str, str] = {}
    values = {
        "code": _plain_text(raw.get("code"), errors, "code", 30, _("Escribí el código.")),
        "description": _plain_text(
            raw.get("description"), errors, "description", 160, _("Escribí la descripción.")
        ),
    }
    unit = _plain_text(raw.get("unit"), errors, "unit", 12, None)
    values["unit"] = unit or defaults.get("unit") or NEW_PRODUCT["unit"]
    rate_text = cell_text(raw.get("tax_rate"))
    rate = parse_number(rate_text) if rate_text else defaults.get("tax_rate")
    match = next((r for r in IVA_RATES if rate is not None and r == rate), None)
    if match is None:
        errors["tax_rate"] = _("La alícuota de IVA tiene que ser 0, 10,5, 21 o 27.")
    values["tax_rate"] = match
    active_text = cell_text(raw.get("active"))
    active = _flag(active_text) if active_text else defaults.get("active", True)
    if active is None:
        errors["active"] = _("Escribí S (activo) o N (inactivo).")
    values["active"] = active
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
        current = {"unit": product.unit, "tax_rate": product.tax_rate, "active": product.active}
    values, errors = check_product(raw, current)
    if "code" not in errors and _code_taken(values["code"], product):
        errors["code"] = _("Ya existe un producto con ese código.")
    if errors:
        raise CatalogueError(errors)
    return _upsert(Product, product, values, "product", product_view)


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
    code = _plain_text(raw.get("code"), errors, "code", 20, _("Escribí el código."))
    name = _plain_text(raw.get("name"), errors, "name", 80, _("Escribí el nombre."))
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
    return _upsert(PriceList, price_list, values, "price_list", price_list_view)


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
        "price": None if price.is_deleted else _num(price.price),
    }


def set_price(price_list: PriceList, product: Product, raw: Mapping) -> Price:
    """Set the product's price in the list, in a currency (the list's when none is given)."""
    errors: dict[str, str] = {}
    currency = cell_text(raw.get("currency")).upper() or price_list.currency
    if currency not in CURRENCIES:
        errors["currency"] = _("Elegí una moneda: %(choices)s.", choices=", ".join(CURRENCIES))
    amount = _price(raw.get("price"), errors, "price")
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
        "min_quantity": _num(row.min_quantity),
        "discount_pct": _num(row.discount_pct),
    }


def save_volume_discount(product: Product, raw: Mapping) -> VolumeDiscount:
    """Add a quantity break; the same minimum again changes that break's discount."""
    errors: dict[str, str] = {}
    minimum = _quantity(raw.get("min_quantity"), errors, "min_quantity")
    pct = _percent(raw.get("discount_pct"), errors, "discount_pct")
    if errors:
        raise CatalogueError(errors)
    row = next((b for b in volume_breaks(product) if b.min_quantity == minimum), None)
    values = {"product_id": product.id, "min_quantity": minimum, "discount_pct": pct}
    return _upsert(VolumeDiscount, row, values, "volume_discount", _break_view)


def delete_volume_discount(row: VolumeDiscount) -> None:
    """Take a quantity break away (soft delete)."""
    if row.is_deleted:
        return
    row.deleted_at = utcnow()
    db.session.flush()
    record("volume_discount.delete", "volume_discount", row.id, _break_view(row), None)


# --- promotions --------------------------------------------------------------------------------


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
        "discount_pct": _num(promotion.discount_pct),
        "valid_from": promotion.valid_from.isoformat() if promotion.valid_from else None,
        "valid_to": promotion.valid_to.isoformat() if promotion.valid_to else None,
    }


def _dates(raw: Mapping, errors: dict, need_end: bool) -> tuple[date | None, date | None]:
    """The from and to dates of a period; `to` may not come before `from`."""
    start, end = parse_day(raw.get("valid_from")), parse_day(raw.get("valid_to"))
    if start is None:
        errors["valid_from"] = (
            _("Fecha inválida.") if cell_text(raw.get("valid_from")) else _("Indicá desde cuándo.")
        )
    if end is None and cell_text(raw.get("valid_to")):
        errors["valid_to"] = _("Fecha inválida.")
    elif end is None and need_end:
        errors["valid_to"] = _("Indicá hasta cuándo.")
    elif start and end and end < start:
        errors["valid_to"] = _("La fecha hasta no puede ser anterior a la fecha desde.")
    return start, end


def save_promotion(raw: Mapping, promotion: Promotion | None = None) -> Promotion:
    """Create or change a promotion: a name, a product (by code), a discount and its dates."""
    errors: dict[str, str] = {}
    name = _plain_text(raw.get("name"), errors, "name", 120, _("Poné un nombre a la promoción."))
    code = cell_text(raw.get("product_code"))
    product = product_by_code(code) if code else None
    if not code:
        errors["product_code"] = _("Escribí el código del producto.")
    elif product is None:
        errors["product_code"] = _("No existe un producto con ese código.")
    pct = _percent(raw.get("discount_pct"), errors, "discount_pct")
    start, end = _dates(raw, errors, need_end=True)
    if errors:
        raise CatalogueError(errors)
    values = {
        "name": name,
        "product_id": product.id,
        "discount_pct": pct,
        "valid_from": start,
        "valid_to": end,
    }
    return _upsert(Promotion, promotion, values, "promotion", promotion_view)


def delete_promotion(promotion: Promotion) -> None:
    """Take a promotion down (soft delete; it stays in the audit log)."""
    if promotion.is_deleted:
        return
    promotion.deleted_at = utcnow()
    db.session.flush()
    record("promotion.delete", "promotion", promotion.id, promotion_view(promotion), None)


# --- a client's own conditions -----------------------------------------------------------------


def client_conditions(
    client: Client, on: date | None = None, history: int = 30
) -> tuple[list[ClientCondition], list[ClientCondition]]:
    """The client's conditions in force or still to come, and the ended ones (newest first)."""
    on = on or local_today()
    rows = db.session.scalars(
        sa.select(ClientCondition)
        .options(selectinload(ClientCondition.product), selectinload(ClientCondition.created_by))
        .where(ClientCondition.client_id == client.id)
        .order_by(ClientCondition.valid_from.desc(), ClientCondition.id.desc())
    ).all()
    current, ended = [], []
    for row in rows:
        over = row.is_deleted or (row.valid_to is not None and row.valid_to < on)
        (ended if over else current).append(row)
    current.sort(key=lambda row: (row.product is not None, row.product.code if row.product else ""))
    ended.sort(key=lambda row: (row.valid_to or row.valid_from, row.id), reverse=True)
    return current, ended[:history]


def get_condition(user: User, condition_id: int) -> ClientCondition | None:
    """A condition of a client in the user's scope, or None."""
    in_scope = scoped_clients(user).with_only_columns(Client.id)
    return db.session.scalar(
        sa.select(ClientCondition).where(
            ClientCondition.id == condition_id, ClientCondition.client_id.in_(in_scope)
        )
    )


def condition_view(condition: ClientCondition) -> dict:
    """A condition as the audit log keeps it."""
    return {
        "condition_id": condition.id,
        "product": condition.product.code if condition.product else None,
        "special_price": _num(condition.special_price),
        "discount_pct": _num(condition.discount_pct),
        "valid_from": condition.valid_from.isoformat(),
        "valid_to": condition.valid_to.isoformat() if condition.valid_to else None,
        "reason": condition.reason,
    }


def add_condition(
    client: Client, raw: Mapping, user: User | None, on: date | None = None
) -> ClientCondition:
    """Give the client its own price or discount, on one product or on every product.

    Conditions are never edited: the one in force for the same product (or for every
    product) that overlaps the new one ends the day before it starts; one that had not
    started yet is withdrawn. Both stay in the history.
    """
    today = on or local_today()
    errors: dict[str, str] = {}
    code = cell_text(raw.get("product_code"))
    product = product_by_code(code) if code else None
    if code and product is None:
        errors["product_code"] = _("No existe un producto con ese código.")
    kind = raw.get("kind")
    special = pct = None
    if kind == "price":
        if not code:
            errors["product_code"] = _("Un precio especial es para un producto: escribí su código.")
        special = _price(raw.get("value"), errors, "value")
    elif kind == "discount":
        pct = _percent(raw.get("value"), errors, "value")
    else:
        errors["kind"] = _("Elegí descuento o precio especial.")
    if not cell_text(raw.get("valid_from")):
        raw = {**raw, "valid_from": today}
    start, end = _dates(raw, errors, need_end=False)
    if start is not None and start < today and "valid_from" not in errors:
        errors["valid_from"] = _("No puede empezar antes de hoy.")
    reason = _plain_text(
        raw.get("reason"), errors, "reason", 200, _("Contá el motivo: queda en el historial.")
    )
    if client.is_deleted:
        errors["client"] = _("El cliente está en la papelera.")
    if errors:
        raise CatalogueError(errors)
    replaced = _end_overlapping(client, product, start, end)
    condition = ClientCondition(
        client_id=client.id,
        product=product,
        special_price=special,
        discount_pct=pct,
        valid_from=start,
        valid_to=end,
        reason=reason,
        created_by_id=user.id if user else None,
    )
    db.session.add(condition)
    db.session.flush()
    after = condition_view(condition) | {"replaced": [row.id for row in replaced]}
    record("client.condition", "client", client.id, None, after)
    return condition


def _end_overlapping(
    client: Client, product: Product | None, start: date, end: date | None
) -> list[ClientCondition]:
    """End (or withdraw) the live conditions for the same product that overlap the new one."""
    query = sa.select(ClientCondition).where(
        ClientCondition.client_id == client.id,
        ClientCondition.deleted_at.is_(None),
        (
            ClientCondition.product_id.is_(None)
            if product is None
            else ClientCondition.product_id == product.id
        ),
        sa.or_(ClientCondition.valid_to.is_(None), ClientCondition.valid_to >= start),
    )
    if end is not None:
        query = query.where(ClientCondition.valid_from <= end)
    rows = list(db.session.scalars(query))
    for row in rows:
        if row.valid_from < start:
            row.valid_to = start - timedelta(days=1)
        else:
            row.deleted_at = utcnow()
    return rows


def end_condition(condition: ClientCondition, on: date | None = None) -> None:
    """End a condition: from today it no longer applies (one not started yet is withdrawn)."""
    today = on or local_today()
    if condition.is_deleted or (condition.valid_to is not None and condition.valid_to < today):
        raise CatalogueError({"condition": _("Esta condición ya había terminado.")})
    if condition.valid_from < today:
        condition.valid_to = today - timedelta(days=1)
        ended_on = condition.valid_to.isoformat()
    else:
        condition.deleted_at = utcnow()
        ended_on = None
    db.session.flush()
    record(
        "client.condition.end",
        "client",
        condition.client_id,
        None,
        {"condition_id": condition.id, "ended_on": ended_on, "withdrawn": ended_on is None},
    )


# --- files -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of an import file: its name in the template and the names it is known by."""

    field: str
    header: str
    required: bool
    aliases: tuple[str, ...]
    example: tuple[str, ...]


PRODUCT_COLUMNS = (
    Column("code", "codigo", True, ("codigo", "cod", "code", "codproducto", "sku"),
           ("GAL001", "LIM010")),
    Column("description", "descripcion", True, ("descripcion", "description", "detalle", "nombre"),
           ("Galletitas de agua Criollitas 100 g", "Lavandina Ayudín 1 l")),
    Column("unit", "unidad", False, ("unidad", "unit", "um", "unidaddemedida"),
           ("caja x 12", "un")),
    Column("tax_rate", "iva", False, ("iva", "alicuota", "alicuotaiva", "taxrate", "tasaiva"),
           ("10,5", "21")),
    Column("active", "activo", False, ("activo", "active", "habilitado"), ("S", "S")),
)  # fmt: skip
PRICE_COLUMNS = (
    Column("code", "codigo", True, ("codigo", "cod", "code", "codproducto", "producto", "sku"),
           ("GAL001", "LIM010")),
    Column("price", "precio", True, ("precio", "price", "importe", "preciounitario"),
           ("12500,00", "1830,50")),
    Column("currency", "moneda", False, ("moneda", "currency"), ("ARS", "ARS")),
)  # fmt: skip
IMPORT_COLUMNS = {"products": PRODUCT_COLUMNS, "prices": PRICE_COLUMNS}


def _header_key(text: object) -> str:
    """A header cell folded for matching: "Código " -> "codigo"."""
    return re.sub(r"[^a-z0-9]", "", fold(cell_text(text)))


def _open(file) -> tuple[bytes, str]:
    """The file's bytes and its name (a FileStorage, a binary stream or bytes)."""
    name = getattr(file, "filename", None) or getattr(file, "name", None) or ""
    if isinstance(file, bytes | bytearray):
        return bytes(file), ""
    stream: BinaryIO = getattr(file, "stream", file)
    return stream.read(), str(name)


def read_table(file) -> list[tuple[int, list[object]]]:
    """Every row of a CSV or XLSX file with its number (from 1), the empty rows left out."""
    data, name = _open(file)
    lower = name.lower()
    if lower.endswith(".xls"):
        raise ImportRefused([RowError(0, "", _("Guardá la planilla como .xlsx o .csv."))])
    if data[:4] == b"PK\x03\x04" or lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    return [(n, cells) for n, cells in rows if any(cell_text(c) for c in cells)]


def _xlsx_rows(data: bytes) -> list[tuple[int, list[object]]]:
    """The first sheet's rows, values only (formulas as their last computed value)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        message = _("No pudimos leer la planilla: guardala de nuevo como .xlsx o como .csv.")
        raise ImportRefused([RowError(0, "", message)]) from error
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, list(cells)))
            if number > MAX_IMPORT_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[tuple[int, list[object]]]:
    """A CSV's rows: UTF-8 with or without BOM (else Windows' Latin-1), ";", "," or tab."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ImportRefused([RowError(0, "", _("El archivo no es un CSV ni una planilla XLSX."))])
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count) if first else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, list(cells)) for number, cells in enumerate(reader, start=1)]
    except csv.Error as error:
        raise ImportRefused([RowError(0, "", _("El CSV está mal formado."))]) from error


def _records(file, columns: tuple[Column, ...]) -> list[tuple[int, dict]]:
    """The data rows as {field: cell} with their row numbers (missing columns read as empty)."""
    rows = read_table(file)
    if not rows:
        raise ImportRefused([RowError(1, "", _("El archivo está vacío."))])
    header_number, header = rows[0]
    positions: dict[str, int] = {}
    errors = []
    for index, cell in enumerate(header):
        key = _header_key(cell)
        column = next((c for c in columns if key in c.aliases), None)
        if column is None:
            continue
        if column.field in positions:
            message = _("La columna %(name)s está repetida.", name=column.header)
            errors.append(RowError(header_number, column.header, message))
        positions[column.field] = index
    for column in columns:
        if column.required and column.field not in positions:
            message = _("Falta la columna %(name)s.", name=column.header)
            errors.append(RowError(header_number, column.header, message))
    if errors:
        raise ImportRefused(errors)
    data = rows[1:]
    if not data:
        raise ImportRefused([RowError(header_number + 1, "", _("El archivo no tiene filas."))])
    if len(data) > MAX_IMPORT_ROWS:
        message = _("Como máximo %(max)s filas por archivo.", max=f"{MAX_IMPORT_ROWS:,}")
        raise ImportRefused([RowError(0, "", message.replace(",", "."))])
    return [
        (number, {c.field: _cell(cells, positions.get(c.field)) for c in columns})
        for number, cells in data
    ]


def _cell(cells: list, index: int | None) -> object:
    """The cell at a column's position; None when the file lacks the column or the row is short."""
    return cells[index] if index is not None and index < len(cells) else None


def _refuse(problems: list[tuple[int, str, dict[str, str]]], columns: tuple[Column, ...]):
    """Raise ImportRefused with every problem found, per row and column."""
    headers = {c.field: c.header for c in columns}
    errors = [
        RowError(number, headers.get(field, field), message)
        for number, _key, fields in problems
        for field, message in fields.items()
    ]
    raise ImportRefused(errors)


def _forget_cached(*models: type) -> None:
    """Rows changed by bulk statements: reload them from the database when next read."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, models):
            db.session.expire(obj)


def import_products(file) -> ImportResult:
    """Create or update products by code from a CSV or XLSX; one bad row refuses the file.

    Columns: codigo, descripcion (required), unidad, iva, activo (optional: an empty cell or
    a missing column keeps the product's value, or a new product's default).
    """
    records = _records(file, PRODUCT_COLUMNS)
    codes = sorted({cell_text(raw["code"]) for _n, raw in records} - {""})
    existing = {
        row.code: row
        for row in _fetch_in(
            sa.select(
                Product.id,
                Product.code,
                Product.description,
                Product.unit,
                Product.tax_rate,
                Product.active,
                Product.deleted_at,
            ),
            Product.code,
            codes,
        )
    }
    problems, seen = [], {}
    creates, updates, unchanged = [], [], 0
    for number, raw in records:
        code = cell_text(raw["code"])
        current = existing.get(code)
        defaults = (
            {"unit": current.unit, "tax_rate": current.tax_rate, "active": current.active}
            if current
            else NEW_PRODUCT
        )
        values, errors = check_product(raw, defaults)
        if code and code in seen:
            errors["code"] = _("Código repetido: ya está en la fila %(row)d.", row=seen[code])
        seen.setdefault(code, number)
        if errors:
            problems.append((number, code, errors))
            continue
        if current is None:
            creates.append(values)
        elif current.deleted_at is not None or any(
            getattr(current, field) != value for field, value in values.items()
        ):
            updates.append(values | {"id": current.id})
        else:
            unchanged += 1
    if problems:
        _refuse(problems, PRODUCT_COLUMNS)
    connection = db.session.connection()
    for rows, statement in ((creates, sa.insert(Product)), (updates, sa.update(Product))):
        if not rows:
            continue
        for row, seq in zip(rows, reserve_change_seqs(connection, len(rows)), strict=True):
            row |= {
                "change_seq": seq,
                "deleted_at": None,
                "search_text": search_key(row["code"], row["description"]),
            }
        db.session.execute(statement, rows)
    _forget_cached(Product)
    result = ImportResult(len(records), len(creates), len(updates), unchanged)
    record("product.import", "product", "import", None, _result_view(result, file))
    return result


def import_prices(file, price_list: PriceList) -> ImportResult:
    """Set a list's prices by product code and currency from a CSV or XLSX; all or nothing.

    Columns: codigo, precio (required), moneda (optional: the list's currency).
    """
    records = _records(file, PRICE_COLUMNS)
    codes = sorted({cell_text(raw["code"]) for _n, raw in records} - {""})
    products = {
        row.code: row.id
        for row in _fetch_in(
            sa.select(Product.id, Product.code).where(Product.deleted_at.is_(None)),
            Product.code,
            codes,
        )
    }
    existing = {
        (row.product_id, row.currency): row
        for row in db.session.execute(
            sa.select(Price.id, Price.product_id, Price.currency, Price.price, Price.deleted_at)
            .where(Price.price_list_id == price_list.id)
        )
    }  # fmt: skip
    problems, seen = [], {}
    creates, updates, unchanged = [], [], 0
    for number, raw in records:
        errors: dict[str, str] = {}
        code = cell_text(raw["code"])
        product_id = products.get(code)
        if not code:
            errors["code"] = _("Escribí el código del producto.")
        elif product_id is None:
            errors["code"] = _("No existe un producto con ese código.")
        amount = _price(raw["price"], errors, "price")
        currency = cell_text(raw.get("currency")).upper() or price_list.currency
        if currency not in CURRENCIES:
            errors["currency"] = _(
                "La moneda tiene que ser %(choices)s.", choices=" o ".join(CURRENCIES)
            )
        key = (code, currency)
        if code and key in seen:
            errors["code"] = _(
                "Producto y moneda repetidos: ya están en la fila %(row)d.", row=seen[key]
            )
        seen.setdefault(key, number)
        if errors:
            problems.append((number, code, errors))
            continue
        current = existing.get((product_id, currency))
        if current is None:
            creates.append(
                {
                    "price_list_id": price_list.id,
                    "product_id": product_id,
                    "currency": currency,
                    "price": amount,
                }
            )
        elif current.deleted_at is not None or current.price != amount:
            updates.append({"id": current.id, "price": amount})
        else:
            unchanged += 1
    if problems:
        _refuse(problems, PRICE_COLUMNS)
    connection = db.session.connection()
    for rows, statement in ((creates, sa.insert(Price)), (updates, sa.update(Price))):
        if not rows:
            continue
        for row, seq in zip(rows, reserve_change_seqs(connection, len(rows)), strict=True):
            row |= {"change_seq": seq, "deleted_at": None}
        db.session.execute(statement, rows)
    _forget_cached(Price)
    result = ImportResult(len(records), len(creates), len(updates), unchanged)
    after = _result_view(result, file) | {"price_list": price_list.code}
    record("price_list.import", "price_list", price_list.id, None, after)
    return result


def _result_view(result: ImportResult, file) -> dict:
    """An import's counts as the audit log keeps them."""
    name = getattr(file, "filename", None) or getattr(file, "name", None)
    return {
        "file": str(name)[:200] if name else None,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def template_columns(kind: str) -> tuple[Column, ...]:
    """The columns of an import file ("products" or "prices")."""
    return IMPORT_COLUMNS[kind]


def template_rows(kind: str) -> list[list[str]]:
    """The template's header and example rows."""
    columns = IMPORT_COLUMNS[kind]
    examples = zip(*(column.example for column in columns), strict=True)
    return [[column.header for column in columns], *(list(row) for row in examples)]


def template_csv(kind: str) -> str:
    """The template as a CSV Excel in Spanish opens well: BOM, ";" and decimal comma."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(template_rows(kind))
    return "\ufeff" + buffer.getvalue()


def template_xlsx(kind: str) -> bytes:
    """The template as an XLSX sheet (numbers as numbers, codes as text)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "productos" if kind == "products" else "precios"
    numeric = {"tax_rate", "price"}
    fields = [column.field for column in IMPORT_COLUMNS[kind]]
    for index, row in enumerate(template_rows(kind)):
        if index == 0:
            sheet.append(row)
            continue
        sheet.append(
            [
                parse_number(value) if field in numeric else value
                for field, value in zip(fields, row, strict=True)
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def counts_text(result: ImportResult) -> str:
    """ "120 filas: 100 nuevos, 15 modificados, 5 sin cambios"."""
    return _(
        "%(rows)d filas: %(created)d nuevos, %(updated)d modificados, %(unchanged)d sin cambios.",
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
