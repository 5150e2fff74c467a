"""Helpers every template may call."""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale
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


AUDIT_LABELS = {
    "client.create": _l("Alta del cliente"),
    "client.update": _l("Cambio de datos"),
    "client.note": _l("Nota agregada"),
    "client.trash": _l("Enviado a la papelera"),
    "client.restore": _l("Restaurado de la papelera"),
    "client.attributes": _l("Otros datos modificados"),
    "client.contacts.create": _l("Contacto agregado"),
    "client.contacts.update": _l("Contacto modificado"),
    "client.contacts.delete": _l("Contacto eliminado"),
    "client.pickups.create": _l("Autorizado a retirar agregado"),
    "client.pickups.update": _l("Autorizado a retirar modificado"),
    "client.pickups.delete": _l("Autorizado a retirar eliminado"),
    "client.addresses.create": _l("Domicilio agregado"),
    "client.addresses.update": _l("Domicilio modificado"),
    "client.addresses.delete": _l("Domicilio eliminado"),
    "ledger.document.create": _l("Comprobante registrado"),
    "ledger.receipt.create": _l("Recibo registrado"),
    "ledger.receipt.voided_entry": _l("Recibo anulado registrado"),
    "ledger.apply": _l("Aplicación de comprobantes"),
    "ledger.unapply": _l("Aplicación deshecha"),
    "ledger.document.void": _l("Comprobante anulado"),
    "collection.call": _l("Gestión de cobranza registrada"),
    "collection.field_receipt": _l("Cobro en la calle registrado"),
    "collection.receipt_confirm": _l("Cobro en la calle confirmado"),
    "collection.receipt_reject": _l("Cobro en la calle rechazado"),
    "collection.delinquency_rule": _l("Regla de morosidad modificada"),
    "notice.create": _l("Aviso creado"),
    "notice.update": _l("Aviso modificado"),
    "notice.delete": _l("Aviso eliminado"),
    "notice.seen": _l("Aviso marcado como visto"),
    "product.create": _l("Producto creado"),
    "product.update": _l("Producto modificado"),
    "product.import": _l("Importación de productos"),
    "price_list.create": _l("Lista de precios creada"),
    "price_list.update": _l("Lista de precios modificada"),
    "price_list.import": _l("Importación de precios"),
    "price.set": _l("Precio cargado"),
    "price.delete": _l("Precio quitado de la lista"),
    "volume_discount.create": _l("Descuento por cantidad agregado"),
    "volume_discount.update": _l("Descuento por cantidad modificado"),
    "volume_discount.delete": _l("Descuento por cantidad quitado"),
    "promotion.create": _l("Promoción creada"),
    "promotion.update": _l("Promoción modificada"),
    "promotion.delete": _l("Promoción eliminada"),
    "client.condition": _l("Condición comercial agregada"),
    "client.condition.end": _l("Condición comercial terminada"),
    "order.create": _l("Pedido tomado"),
    "order.accept": _l("Pedido aceptado"),
    "order.cancel": _l("Pedido cancelado"),
    "order.dispatched": _l("Pedido despachado"),
    "order.delivered": _l("Pedido entregado"),
    "order.invoiced": _l("Pedido facturado"),
    "credit.blocked": _l("Pedido bloqueado por crédito"),
    "override.request": _l("Autorización pedida"),
    "override.approve": _l("Autorización aprobada"),
    "override.reject": _l("Autorización rechazada"),
    "override.use": _l("Autorización usada en el pedido"),
    "override.cancel": _l("Autorización retirada al cancelar el pedido"),
    "client.email": _l("Correo al cliente"),
    "email_account.create": _l("Cuenta de correo creada"),
    "email_account.update": _l("Cuenta de correo modificada"),
    "email_template.create": _l("Planilla de correo creada"),
    "email_template.update": _l("Planilla de correo modificada"),
}

CURRENCY_SYMBOLS = {"ARS": "$", "USD": "US$"}


def audit_value(value) -> str:
    """A value in the change history, in words."""
    if value is None or value == "":
        return "—"
    if value is True or value == "true":
        return str(_l("Sí"))
    if value is False or value == "false":
        return str(_l("No"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def field_label(name: str) -> str:
    """The card form's label for a field name in the audit log."""
    from app.clients.forms import FIELD_LABELS

    return str(FIELD_LABELS.get(name, name))


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


def datetime_short(value) -> str:
    """A timestamp in the user's language and the company's time zone."""
    return format_datetime(value, "short") if value else "—"


def payment_labels(methods: list | None) -> str:
    """Allowed payment methods, in words."""
    from app.clients.forms import PAYMENT_LABELS

    return ", ".join(str(PAYMENT_LABELS.get(m, m)) for m in methods or [])


def register(app: Flask) -> None:
    """Expose the helpers to Jinja."""
    from app.clients.forms import TAX_ID_LABELS
    from app.core.views import shell_version

    app.jinja_env.filters["datetime_short"] = datetime_short
    app.jinja_env.filters["audit_value"] = audit_value
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date_short"] = date_short

    app.jinja_env.globals.update(
        html_lang=html_lang,
        initials=initials,
        new_idempotency_key=new_idempotency_key,
        role_label=lambda role: ROLE_LABELS.get(role, role),
        state_label=lambda state: STATE_LABELS.get(state, state),
        error_title=lambda status: ERROR_TITLES.get(status, _l("Error")),
        shell_version=shell_version,
        tax_id_label=lambda kind: TAX_ID_LABELS.get(kind, kind),
        payment_labels=payment_labels,
        audit_label=lambda action: AUDIT_LABELS.get(action, action),
        field_label=field_label,
    )
