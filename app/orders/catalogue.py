"""The catalogue's shared ground: its error, its limits, and values read from text.

Values come in as text (a form or a file's cell) and are checked here, so the forms and the
imports refuse the same things with the same Spanish messages. Every change to the catalogue
writes its audit row and only flushes; the request commits.
"""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from app.audit.services import record
from app.core.spreadsheets import cell_text, parse_number
from app.extensions import db

MAX_PRICE = Decimal("9999999999.9999")  # NUMERIC(14, 4)
MAX_QUANTITY = Decimal("999999999.999")  # NUMERIC(12, 3)
PAGE_SIZE = 25


class CatalogueError(ValueError):
    """A change that cannot be made, with a Spanish message per field."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


# --- reading text ------------------------------------------------------------------------------


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


def parse_price(raw: object, errors: dict, name: str) -> Decimal | None:
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


def parse_percent(raw: object, errors: dict, name: str) -> Decimal | None:
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


def parse_quantity(raw: object, errors: dict, name: str) -> Decimal | None:
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


def plain_text(raw: object, errors: dict, name: str, most: int, required: str | None) -> str:
    """Trimmed text of at most `most` characters; `required` is the message when it is empty."""
    text = cell_text(raw)
    if not text and required:
        errors[name] = required
    elif len(text) > most:
        errors[name] = _("Como máximo %(max)d caracteres.", max=most)
    elif any(ord(ch) < 32 for ch in text):
        errors[name] = _("El texto tiene caracteres no válidos.")
    return text


def parse_period(raw: Mapping, errors: dict, need_end: bool) -> tuple[date | None, date | None]:
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


# --- saving ------------------------------------------------------------------------------------


def upsert(model, row, values: dict, entity: str, view: Callable[[object], dict]):
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
