"""Queries over the client master, always within the caller's scope."""

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.services import team_ids
from app.clients.models import Client

PAGE_SIZE = 25


def scoped_clients(user: User) -> sa.Select:
    """Clients the user may see: own for salespeople and collectors, team for supervisors."""
    query = sa.select(Client).where(Client.deleted_at.is_(None))
    role = Role(user.role)
    if role is Role.SALESPERSON:
        return query.where(Client.salesperson_id == user.id)
    if role is Role.COLLECTOR:
        return query.where(Client.collector_id == user.id)
    if role is Role.SUPERVISOR:
        team = team_ids(user)
        return query.where(sa.or_(Client.salesperson_id.in_(team), Client.collector_id.in_(team)))
    return query


def search_clients(query: sa.Select, text: str) -> sa.Select:
    """Filter by part of the code, names or tax id (dashes ignored)."""
    text = text.strip()
    if not text:
        return query
    pattern = f"%{text}%"
    digits = "".join(ch for ch in text if ch.isdigit())
    conditions = [
        Client.code.ilike(pattern),
        Client.legal_name.ilike(pattern),
        Client.trade_name.ilike(pattern),
    ]
    if len(digits) >= 3:
        conditions.append(Client.tax_id.like(f"%{digits}%"))
    return query.where(sa.or_(*conditions))
