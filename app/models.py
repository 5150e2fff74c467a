"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from app.audit.models import AuditEntry
from app.auth.models import ApiToken, User
from app.clients.models import Client, ClientType, Zone
from app.orders.models import PriceList
from app.sync.models import ChangeCounter, IdempotencyRecord

__all__ = [
    "ApiToken",
    "AuditEntry",
    "ChangeCounter",
    "Client",
    "ClientType",
    "IdempotencyRecord",
    "PriceList",
    "User",
    "Zone",
]
