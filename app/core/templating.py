"""Helpers every template may call."""

import uuid

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.auth.forms import ROLE_LABELS
from app.clients.models import ClientState

STATE_LABELS = {
    ClientState.ACTIVE: _l("Activo"),
    ClientState.POTENTIAL: _l("Potencial"),
    ClientState.SUSPENDED: _l("Suspendido"),
    ClientState.CASH_ONLY: _l("Solo contado"),
    ClientState.DELINQUENT: _l("Moroso"),
    ClientState.DISABLED: _l("Inhabilitado"),
}
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


def register(app: Flask) -> None:
    """Expose the helpers to Jinja."""
    from app.core.views import shell_version

    app.jinja_env.globals.update(
        html_lang=html_lang,
        initials=initials,
        new_idempotency_key=new_idempotency_key,
        role_label=lambda role: ROLE_LABELS.get(role, role),
        state_label=lambda state: STATE_LABELS.get(state, state),
        error_title=lambda status: ERROR_TITLES.get(status, _l("Error")),
        shell_version=shell_version,
    )
