"""A client's own conditions: a special price or a discount, on one product or on every one."""

from collections.abc import Mapping
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.models import User
from app.clients.models import Client
from app.clients.services import scoped_clients
from app.core.numbers import plain_decimal
from app.core.types import local_today, utcnow
from app.extensions import db
from app.orders.catalogue import (
    CatalogueError,
    cell_text,
    parse_percent,
    parse_period,
    parse_price,
    plain_text,
)
from app.orders.models import ClientCondition, Product
from app.orders.products import product_by_code

CONDITION_KINDS = {"discount": _l("Descuento"), "price": _l("Precio especial")}


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
        "special_price": plain_decimal(condition.special_price),
        "discount_pct": plain_decimal(condition.discount_pct),
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
        special = parse_price(raw.get("value"), errors, "value")
    elif kind == "discount":
        pct = parse_percent(raw.get("value"), errors, "value")
    else:
        errors["kind"] = _("Elegí descuento o precio especial.")
    if not cell_text(raw.get("valid_from")):
        raw = {**raw, "valid_from": today}
    start, end = parse_period(raw, errors, need_end=False)
    if start is not None and start < today and "valid_from" not in errors:
        errors["valid_from"] = _("No puede empezar antes de hoy.")
    reason = plain_text(
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
