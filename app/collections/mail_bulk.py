"""Bulk sends: which clients the filters reach, how many of them, and the first few."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.auth.models import User
from app.clients.models import Client
from app.clients.services import scoped_clients
from app.core.types import local_today
from app.extensions import db
from app.ledger.models import DocumentInstallment
from app.ledger.parsing import parse_amount


@dataclass
class BulkFilters:
    """Which clients a bulk send reaches (empty: no condition)."""

    zone_id: int | None = None
    collector_id: int | None = None
    min_overdue: Decimal | None = None
    days_overdue: int | None = None


def _id(raw: object) -> int | None:
    """A row id sent as text, or None."""
    text = str(raw or "").strip()
    return (
        int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= 2_147_483_647 else None
    )


def parse_bulk_filters(raw: Mapping) -> tuple[BulkFilters, dict[str, str]]:
    """The bulk send's filters from a form or query string, with the Spanish messages."""
    errors: dict[str, str] = {}
    filters = BulkFilters(
        zone_id=_id(raw.get("zone_id")), collector_id=_id(raw.get("collector_id"))
    )
    amount = (raw.get("min_overdue") or "").strip()
    if amount:
        filters.min_overdue = parse_amount(amount, "min_overdue", errors, positive=False)
        if filters.min_overdue is not None and filters.min_overdue < 0:
            errors["min_overdue"] = _("El importe no puede ser negativo.")
    days = (raw.get("days_overdue") or "").strip()
    if days:
        if days.isascii() and days.isdigit() and 1 <= int(days) <= 3650:
            filters.days_overdue = int(days)
        else:
            errors["days_overdue"] = _("Ingresá una cantidad de días entre 1 y 3650.")
    return filters, errors


def bulk_clients(user: User, filters: BulkFilters, as_of: date | None = None) -> sa.Select:
    """The clients in the user's scope that the filters select."""
    query = scoped_clients(user)
    if filters.zone_id:
        query = query.where(Client.sales_zone_id == filters.zone_id)
    if filters.collector_id:
        query = query.where(Client.collector_id == filters.collector_id)
    if filters.min_overdue is not None or filters.days_overdue:
        today = as_of or local_today()
        part = DocumentInstallment
        late = (
            sa.select(
                part.client_id.label("client_id"),
                sa.func.sum(part.open_amount).label("amount"),
                sa.func.min(part.due_date).label("oldest"),
            )
            .join(Client, Client.id == part.client_id)
            .where(part.open_amount > 0, part.due_date < today, part.currency == Client.currency)
            .group_by(part.client_id)
            .subquery()
        )
        query = query.join(late, late.c.client_id == Client.id)
        if filters.min_overdue is not None:
            query = query.where(late.c.amount >= filters.min_overdue)
        if filters.days_overdue:
            query = query.where(late.c.oldest <= today - timedelta(days=filters.days_overdue))
    return query


def has_email():
    """SQL: the client has a main e-mail."""
    return sa.func.length(sa.func.trim(sa.func.coalesce(Client.email, ""))) > 0


def bulk_counts(query: sa.Select) -> tuple[int, int]:
    """How many clients the select yields, and how many of them have no e-mail."""
    ids = query.with_only_columns(Client.id, has_email().label("reachable")).order_by(None)
    sub = ids.subquery()
    total, reachable = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((sub.c.reachable, 1), else_=0)), 0),
        )
    ).one()
    return total, total - reachable


def bulk_sample(query: sa.Select, limit: int = 5) -> list[Client]:
    """The first clients a bulk send reaches (those with an e-mail), to show who they are."""
    return list(db.session.scalars(query.where(has_email()).order_by(Client.code).limit(limit)))
