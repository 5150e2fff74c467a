"""The rate of a day, and keeping the table: by hand in the back office or through the API.

One rate per currency and day. Saving a rate for a day that has one replaces it, and the
audit log keeps the rate it had: a typo is fixed by typing the day's rate again.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.core.numbers import parse_decimal
from app.core.templating import date_short
from app.core.types import utcnow
from app.extensions import db
from app.rates.models import FOREIGN_CURRENCIES, LOCAL_CURRENCY, ExchangeRate

MAX_RATE = Decimal("99999999")
SIX_PLACES = Decimal("0.000001")


class RateError(ValueError):
    """A rate that cannot be saved or found; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


@dataclass(frozen=True)
class SavedRate:
    """A rate saved, and whether it replaced the day's earlier one."""

    row: ExchangeRate
    replaced: Decimal | None


def rate_on(currency: str, day: date) -> Decimal | None:
    """The pesos one unit of the currency is worth on that day; None when the day has none."""
    if currency == LOCAL_CURRENCY:
        return Decimal("1")
    return db.session.scalar(
        sa.select(ExchangeRate.rate).where(
            ExchangeRate.currency == currency, ExchangeRate.date == day
        )
    )


def missing_rate_message(currency: str, day: date) -> str:
    """What a refusal says when the day has no rate."""
    return _(
        "No hay cotización de %(currency)s para el %(date)s: cargala en Cotizaciones.",
        currency=currency,
        date=date_short(day),
    )


def required_rate(currency: str, day: date, field: str = "exchange_rate") -> Decimal:
    """The day's rate, or a RateError on that field saying the day has none."""
    rate = rate_on(currency, day)
    if rate is None:
        raise RateError({field: missing_rate_message(currency, day)})
    return rate


def rate_in_force(currency: str, day: date) -> Decimal | None:
    """The day's rate or, for a day without one, the last one before it (older orders)."""
    if currency == LOCAL_CURRENCY:
        return Decimal("1")
    return db.session.scalar(
        sa.select(ExchangeRate.rate)
        .where(ExchangeRate.currency == currency, ExchangeRate.date <= day)
        .order_by(ExchangeRate.date.desc())
        .limit(1)
    )


def convert(amount: Decimal, currency: str, to: str, day: date, field: str) -> Decimal:
    """The amount in another currency at the day's rates; RateError when a day has none."""
    if currency == to:
        return amount
    to_pesos = required_rate(currency, day, field)
    from_pesos = required_rate(to, day, field)
    return (amount * to_pesos / from_pesos).quantize(Decimal("0.01"))


def list_rates(
    currency: str | None = None, since: date | None = None, until: date | None = None
) -> sa.Select:
    """The rates, newest day first, filtered by currency and days (both ends included)."""
    query = sa.select(ExchangeRate)
    if currency:
        query = query.where(ExchangeRate.currency == currency)
    if since:
        query = query.where(ExchangeRate.date >= since)
    if until:
        query = query.where(ExchangeRate.date <= until)
    return query.order_by(ExchangeRate.date.desc(), ExchangeRate.currency)


def parse_rate_form(data: dict) -> tuple[date, str, Decimal]:
    """The day, currency and rate typed in the back office's form; RateError per field."""
    errors: dict[str, str] = {}
    day = None
    try:
        day = date.fromisoformat(str(data.get("date") or "").strip())
    except ValueError:
        errors["date"] = _("Ingresá una fecha.")
    currency = str(data.get("currency") or "").strip().upper()
    if currency not in FOREIGN_CURRENCIES:
        errors["currency"] = _("Elegí una moneda de la lista.")
    rate = None
    try:
        rate = parse_decimal(str(data.get("rate") or "").strip())
    except (ValueError, InvalidOperation):
        errors["rate"] = _("Ingresá la cotización: pesos por unidad, hasta seis decimales.")
    if rate is not None and not errors.get("rate"):
        problem = rate_problem(rate)
        if problem:
            errors["rate"] = problem
    if errors:
        raise RateError(errors)
    return day, currency, rate


def rate_problem(rate: Decimal) -> str | None:
    """Why a rate cannot be stored, or None."""
    if rate <= 0 or rate > MAX_RATE:
        return _("La cotización tiene que ser mayor que cero y menor que 100.000.000.")
    if rate != rate.quantize(SIX_PLACES):
        return _("Como máximo seis decimales.")
    return None


def save_rate(day: date, currency: str, rate: Decimal) -> SavedRate:
    """Store the day's rate of a currency, replacing the one it had; the change is audited."""
    if currency not in FOREIGN_CURRENCIES:
        raise RateError({"currency": _("Elegí una moneda de la lista.")})
    if problem := rate_problem(rate):
        raise RateError({"rate": problem})
    rate = rate.quantize(SIX_PLACES)
    row = db.session.scalar(
        sa.select(ExchangeRate)
        .where(ExchangeRate.currency == currency, ExchangeRate.date == day)
        .with_for_update()
    )
    before = _view(row) if row else None
    if row is None:
        row = ExchangeRate(date=day, currency=currency, rate=rate)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # the same day saved at the same moment: replace that one
            row = db.session.scalar(
                sa.select(ExchangeRate).where(
                    ExchangeRate.currency == currency, ExchangeRate.date == day
                )
            )
            before = _view(row)
    if before is not None:
        row.rate = rate
        row.updated_at = utcnow()
    db.session.flush()
    action = "rate.replaced" if before else "rate.created"
    record(action, "exchange_rate", row.id, before, _view(row))
    return SavedRate(row, Decimal(before["rate"]) if before else None)


def _view(row: ExchangeRate) -> dict:
    """The rate as the audit log keeps it."""
    return {"date": row.date.isoformat(), "currency": row.currency, "rate": f"{row.rate:f}"}


def weigh(amount: Decimal, currency: str, to: str, day: date) -> Decimal:
    """An order already taken, in another currency, at its day's rates (the credit exposure).

    Such an order was refused unless its day had a rate; an older one, taken before the table
    kept the day, counts at the last rate before it, and as it is when there is none at all.
    """
    if currency == to:
        return amount
    to_pesos, from_pesos = rate_in_force(currency, day), rate_in_force(to, day)
    if not to_pesos or not from_pesos:
        return amount
    return amount * to_pesos / from_pesos
