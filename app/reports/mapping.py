"""The clients on a map, coloured by ABC rating or by risk."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

import app.reports.risk as risk
from app.auth.models import User
from app.clients.models import Client
from app.extensions import db
from app.reports.services import reach
from app.route.services import client_coordinates

MOST = 3000  # clients drawn at most, largest first by code


@dataclass(frozen=True)
class MapClient:
    """A client where it is, with the colour its rating or risk gives it."""

    client_id: int
    name: str
    latitude: Decimal | None
    longitude: Decimal | None
    state: str  # abc-a, abc-b, abc-c, risk, other
    detail: str | None


def clients_on_map(user: User, by: str, today: date) -> list[MapClient]:
    """The clients in scope: by="abc" coloured by their letter, by="risk" red when at risk."""
    rows = db.session.execute(
        sa.select(Client.id, Client.trade_name, Client.legal_name, Client.abc_rating, Client.city)
        .where(Client.id.in_(reach(user)))
        .order_by(Client.code)
        .limit(MOST)
    ).all()
    where = client_coordinates([row.id for row in rows])
    reasons = {}
    if by == "risk":
        reasons = risk.reason_counts([row.id for row in rows])
    found = []
    for ident, trade, legal, rating, city in rows:
        if by == "risk":
            state = "risk" if ident in reasons else "other"
        else:
            state = f"abc-{rating.lower()}" if rating in ("A", "B", "C") else "other"
        lat, lng = where.get(ident, (None, None))
        found.append(MapClient(ident, trade or legal, lat, lng, state, city))
    return found
