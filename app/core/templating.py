"""Helpers every template may call; each domain registers the words of its own codes."""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from app.core.maps import map_points

ERROR_TITLES = {
    400: _l("Solicitud inválida"),
    401: _l("Tenés que iniciar sesión"),
    403: _l("Sin permiso"),
    404: _l("Página no encontrada"),
    409: _l("Operación en curso"),
    413: _l("Envío demasiado grande"),
    422: _l("Datos inválidos"),
    429: _l("Demasiados intentos"),
    500: _l("Error del servidor"),
}


def html_lang() -> str:
    """The page's lang attribute: es-AR or en."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale else "es-AR"


def initials(full_name: str) -> str:
    """Up to two initials for the avatar."""
    parts = [p for p in full_name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def new_idempotency_key() -> str:
    """A fresh key for a form that writes."""
    return uuid.uuid4().hex


CURRENCY_SYMBOLS = {"ARS": "$", "USD": "US$"}


def money(value, currency: str = "ARS") -> str:
    """An amount as people read it: "$ 12.300,50" (negative: "-$ 12.300,50")."""
    if value is None:
        return "—"
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    cents = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # as the phone rounds
    amount = format_decimal(abs(cents), format="#,##0.00")
    return f"{'-' if cents < 0 else ''}{symbol}\u00a0{amount}"


def date_short(value) -> str:
    """A date as people write it here (23/11/2026)."""
    return format_date(value, "dd/MM/yyyy") if value else "—"


def time_short(value) -> str:
    """A timestamp's time of day on the 24-hour clock, in the company's time zone (14:05)."""
    return format_datetime(value, "HH:mm") if value else "—"


def datetime_short(value) -> str:
    """A timestamp in the company's time zone, as dates are written here and on a 24-hour
    clock (23/11/2026 19:25), whatever the interface's language."""
    return format_datetime(value, "dd/MM/yyyy HH:mm") if value else "—"


def thousands(value) -> str:
    """A count with the thousands marked as the language writes them (12.500)."""
    return format_decimal(value or 0, format="#,##0")


def register(app: Flask) -> None:
    """Expose the helpers to Jinja."""
    app.jinja_env.filters["datetime_short"] = datetime_short
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date_short"] = date_short
    app.jinja_env.filters["time_short"] = time_short
    app.jinja_env.filters["thousands"] = thousands

    app.jinja_env.globals.update(
        html_lang=html_lang,
        initials=initials,
        map_points=map_points,
        new_idempotency_key=new_idempotency_key,
        error_title=lambda status: ERROR_TITLES.get(status, _l("Error")),
    )
