"""The admin's view of the audit log: search by record, action, person and dates."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.audit.blueprint import bp
from app.audit.models import AuditEntry
from app.auth.models import User
from app.auth.permissions import requires
from app.core.rendering import render
from app.extensions import db

PAGE_SIZE = 50
AUDIT_LABELS = {
    "client.create": _l("Alta del cliente"),
    "client.update": _l("Cambio de datos"),
    "client.credit_limits": _l("Límites de crédito propios"),
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
    "rate.created": _l("Cotización cargada"),
    "rate.replaced": _l("Cotización reemplazada"),
    "loyalty.settings": _l("Regla de puntos modificada"),
    "loyalty.adjust": _l("Puntos ajustados a mano"),
    "case.create": _l("Caso abierto"),
    "case.update": _l("Caso modificado"),
    "case.comment": _l("Comentario en un caso"),
    "case.photo": _l("Foto agregada a un caso"),
    "case.targets": _l("Plazos de los casos modificados"),
    "notice.create": _l("Aviso creado"),
    "notice.update": _l("Aviso modificado"),
    "notice.delete": _l("Aviso eliminado"),
    "notice.seen": _l("Aviso marcado como visto"),
    "iibb.jurisdiction": _l("Jurisdicción de IIBB guardada"),
    "client.padron_recheck": _l("Datos actualizados desde el padrón"),
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
    "order.delivery_failed": _l("Entrega no realizada"),
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


def _day(text: str) -> date | None:
    """A yyyy-mm-dd query value, or None when missing or malformed."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def search_entries(args) -> sa.Select:
    """Audit rows matching the filters, newest first."""
    query = sa.select(AuditEntry).options(selectinload(AuditEntry.actor))
    if args.get("entity_type"):
        query = query.where(AuditEntry.entity_type == args["entity_type"])
    if args.get("entity_id"):
        query = query.where(AuditEntry.entity_id == args["entity_id"].strip())
    if args.get("action"):
        query = query.where(AuditEntry.action.like(f"{args['action'].strip()}%"))
    if args.get("actor_id", "").isdigit():
        query = query.where(AuditEntry.actor_id == int(args["actor_id"]))
    if since := _day(args.get("since", "")):
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min))
    if until := _day(args.get("until", "")):
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min))
    return query.order_by(AuditEntry.id.desc())


@bp.get("/")
@requires("audit.view")
def index():
    """Search the audit log."""
    page = db.paginate(search_entries(request.args), per_page=PAGE_SIZE, error_out=False)
    types = db.session.scalars(sa.select(AuditEntry.entity_type).distinct()).all()
    people = db.session.scalars(sa.select(User).order_by(User.full_name)).all()
    return render(
        "audit/index.html",
        block="results",
        page=page,
        args=request.args,
        types=types,
        people=people,
    )


@bp.app_template_global()
def audit_label(action: str) -> str:
    """An audit row's action in words."""
    return AUDIT_LABELS.get(action, action)


@bp.app_template_filter("audit_value")
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
