"""What a ledger form or API call types: amounts, dates, letters, numbers, currencies, and the
kinds and sale condition a client may use.
"""

import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.clients.models import Client
from app.core.numbers import parse_decimal
from app.core.types import MAX_AMOUNT
from app.extensions import db
from app.ledger.models import CURRENCIES, POSTABLE_KINDS, Document, DocumentKind, SaleCondition
from app.ledger.services import CENT, LETTERS
from app.rates import services as rates


def parse_amount(raw: object, name: str, errors: dict, positive: bool = True) -> Decimal | None:
    """A money amount with at most two decimals, typed as parse_decimal reads it."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors[name] = _("Ingresá un importe.")
        return None
    try:
        value = parse_decimal(raw, negative=True)
    except ValueError:
        errors[name] = _("Importe inválido.")
        return None
    if value.as_tuple().exponent < -2:
        errors[name] = _("Usá como mucho dos decimales.")
        return None
    if positive and value <= 0:
        errors[name] = _("El importe debe ser mayor que cero.")
        return None
    if abs(value) > MAX_AMOUNT:
        errors[name] = _("El importe es demasiado grande.")
        return None
    return value.quantize(CENT)


def parse_date(raw: object, name: str, errors: dict, required: bool = True) -> date | None:
    """An ISO date (2026-11-23) or a date object."""
    if isinstance(raw, date):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors[name] = _("Ingresá una fecha.")
        return None
    try:
        value = date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = _("Fecha inválida.")
        return None
    if not date(2000, 1, 1) <= value <= date(2099, 12, 31):
        errors[name] = _("La fecha está fuera de rango.")
        return None
    return value


def parse_letter(data: dict, default: str, errors: dict) -> str:
    """The document's letter (A, B, C, E, M, X or none), upper case."""
    letter = (data.get("letter") or default).strip().upper()
    if letter not in LETTERS:
        errors["letter"] = _("Letra inválida.")
    return letter


def parse_reason(raw: object, missing: str, errors: dict) -> str:
    """Why a document is voided: required, up to 200 characters."""
    reason = raw.strip() if isinstance(raw, str) else ""
    if not reason:
        errors["reason"] = missing
    elif len(reason) > 200:
        errors["reason"] = _("El motivo es demasiado largo.")
    return reason


NUMBER_PATTERN = re.compile(r"^(\d{1,5})-(\d{1,8})$")


def normalize_number(raw: str | None) -> str | None:
    """ "1-1234" -> "0001-00001234"; other numbers are kept as written (trimmed, upper case)."""
    text = (raw or "").strip().upper()
    if not text:
        return None
    match = NUMBER_PATTERN.match(text)
    if match:
        point, number = match.groups()
        return f"{int(point):04d}-{int(number):08d}"
    return text


def next_number(kind: str, letter: str, point_of_sale: int = 1) -> str:
    """The next free number of a kind and letter at a point of sale."""
    prefix = f"{point_of_sale:04d}-"
    last = db.session.scalar(
        sa.select(sa.func.max(Document.number)).where(
            Document.kind == kind,
            Document.letter == letter,
            Document.number.like(prefix + "%"),
            sa.func.length(Document.number) == len(prefix) + 8,
            Document.reverses_id.is_(None),
        )
    )
    following = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{following:08d}"


def check_number_free(kind: str, letter: str, number: str, errors: dict) -> None:
    """A number identifies one document of its kind and letter."""
    taken = db.session.scalar(
        sa.select(Document.id).where(
            Document.kind == kind,
            Document.letter == letter,
            Document.number == number,
            Document.reverses_id.is_(None),
        )
    )
    if taken:
        errors["number"] = _("Ya existe un comprobante de ese tipo con ese número.")


def currency_and_rate(
    data: dict, client: Client, errors: dict, on: date | None = None
) -> tuple[str, Decimal]:
    """The document's currency and its exchange rate: the one typed, or else the day's rate
    of the rate table (app/rates); a day without one is refused."""
    currency = (data.get("currency") or client.currency or "ARS").strip().upper()
    if currency not in CURRENCIES:
        errors["currency"] = _("Moneda inválida: usá ARS o USD.")
        return "ARS", Decimal("1")
    if currency == "ARS":
        return currency, Decimal("1")
    raw = data.get("exchange_rate")
    if raw in (None, ""):
        rate = rates.rate_on(currency, on) if on else None
        if rate is None and on is not None:
            errors["exchange_rate"] = rates.missing_rate_message(currency, on)
        return currency, rate or Decimal("1")
    try:
        rate = parse_decimal(raw)
    except ValueError:
        rate = None
    if rate is None or rate <= 0 or rate > Decimal("99999999"):
        errors["exchange_rate"] = _("Ingresá la cotización del día para documentos en USD.")
        return currency, Decimal("1")
    return currency, rate.quantize(Decimal("0.000001"))


def client_sale_condition(client: Client) -> SaleCondition | None:
    """The client's own sale condition, or its type's default."""
    if client.sale_condition_id:
        return db.session.get(SaleCondition, client.sale_condition_id)
    if client.client_type and client.client_type.default_sale_condition_id:
        return db.session.get(SaleCondition, client.client_type.default_sale_condition_id)
    return None


def allowed_kinds(client: Client) -> tuple[str, ...]:
    """The document kinds the client's type allows (all of them when it says nothing)."""
    allowed = client.client_type.allowed_document_kinds if client.client_type else None
    if not allowed:
        return (*POSTABLE_KINDS, DocumentKind.RECEIPT)
    return tuple(kind for kind in (*POSTABLE_KINDS, DocumentKind.RECEIPT) if kind in allowed)


def cash_only(client: Client) -> bool:
    """True when the client's type sells only for cash."""
    return bool(client.client_type and client.client_type.cash_only)
