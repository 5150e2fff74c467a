"""An order and the invoice that bills it: the ERP names the order when it posts the invoice.

Kept apart from orders/services.py, which reads the ledger: the ledger's posting calls this.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.core.types import utcnow
from app.extensions import db
from app.ledger.models import Document, DocumentKind
from app.orders.models import Order, OrderStatus


def order_to_bill(client_id: int, order_id: object, kind: str, errors: dict) -> Order | None:
    """The order an invoice of this client names (None when it names none); errors by field."""
    if order_id in (None, ""):
        return None
    order = db.session.get(Order, order_id) if isinstance(order_id, int) else None
    if order is None or order.deleted_at is not None:
        errors["order_id"] = _("No existe.")
    elif kind != DocumentKind.INVOICE:
        errors["order_id"] = _("Solo una factura se vincula a un pedido.")
    elif order.client_id != client_id:
        errors["order_id"] = _("El pedido es de otro cliente.")
    elif order.status not in (OrderStatus.ACCEPTED, OrderStatus.APPROVED, OrderStatus.INVOICED):
        errors["order_id"] = _("Ese pedido no se factura (está bloqueado, rechazado o cancelado).")
    else:
        return order
    return None


def mark_invoiced(order: Order, document: Document) -> None:
    """The order is invoiced by this document (the first invoice sets the date)."""
    if order.invoiced_at is not None and order.status == OrderStatus.INVOICED:
        return
    before = {"status": order.status, "invoiced_at": None}
    order.invoiced_at = order.invoiced_at or utcnow()
    order.status = OrderStatus.INVOICED
    db.session.flush()
    after = {"status": order.status, "invoiced_at": "now", "document_id": document.id}
    record("order.invoiced", "order", order.id, before, after)


def invoices_of(order: Order) -> list[Document]:
    """The invoices that bill the order, oldest first (voided ones too: the page says so)."""
    return db.session.scalars(
        sa.select(Document)
        .where(Document.order_id == order.id, Document.kind == DocumentKind.INVOICE)
        .where(Document.reverses_id.is_(None))
        .order_by(Document.date, Document.id)
    ).all()
