"""Demo loyalty points: some clients in the program, their invoices and credit notes of the
last year and a half through the points ledger, and the points that expired since."""

import random
from datetime import timedelta

import sqlalchemy as sa

from app.clients.models import Client, ClientState
from app.core.types import local_today
from app.extensions import db
from app.ledger.models import Document, DocumentKind, DocumentState
from app.loyalty import services as loyalty

MEMBER_SHARE = 0.08
FEWEST_MEMBERS = 3
HISTORY_DAYS = 540


def add_demo_loyalty(rng: random.Random) -> int:
    """Enrol some active clients with invoices, run their documents through the points ledger
    in date order and expire what is due; returns how many clients joined."""
    since = local_today() - timedelta(days=HISTORY_DAYS)
    buyers = db.session.scalars(
        sa.select(Client)
        .where(
            Client.state == ClientState.ACTIVE,
            Client.id.in_(
                sa.select(Document.client_id).where(Document.kind == DocumentKind.INVOICE)
            ),
        )
        .order_by(Client.id)
    ).all()
    if not buyers:
        return 0
    count = min(len(buyers), max(FEWEST_MEMBERS, round(len(buyers) * MEMBER_SHARE)))
    members = rng.sample(buyers, count)
    for client in members:
        client.loyalty_enabled = True
    documents = db.session.scalars(
        sa.select(Document)
        .where(
            Document.client_id.in_([client.id for client in members]),
            Document.kind.in_([DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE]),
            Document.state != DocumentState.VOID,
            Document.date >= since,
        )
        .order_by(Document.date, Document.id)
    ).all()
    for document in documents:
        loyalty.on_document_posted(document)
    loyalty.expire(local_today())
    db.session.flush()
    return count
