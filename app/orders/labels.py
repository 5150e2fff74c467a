"""The words of the orders' codes, for the pages and the phone's offline views."""

from flask_babel import lazy_gettext as _l

from app.orders.models import OrderStatus

STATUS_LABELS = {
    OrderStatus.ACCEPTED: _l("Aceptado"),
    OrderStatus.BLOCKED: _l("Bloqueado"),
    OrderStatus.AWAITING_APPROVAL: _l("Esperando aprobación"),
    OrderStatus.APPROVED: _l("Aprobado"),
    OrderStatus.REJECTED: _l("Rechazado"),
    OrderStatus.INVOICED: _l("Facturado"),
    OrderStatus.CANCELLED: _l("Cancelado"),
}
DISCOUNT_LABELS = {
    "promotion": _l("Promo"),
    "volume": _l("Volumen"),
    "client": _l("Cliente"),
    "client_type": _l("Tipo de cliente"),
}
