"""Previews: a template merged with a client in the user's scope, or with made-up data."""

import sqlalchemy as sa

from app.auth.models import User
from app.clients.models import Client
from app.clients.services import scoped_clients, search_clients
from app.collections.mail_bulk import has_email
from app.collections.mail_merge import (
    CompiledTemplate,
    Merged,
    Period,
    client_merge_data,
    sample_data,
)
from app.core.types import local_today
from app.extensions import db
from app.ledger.models import DocumentInstallment


def preview_client(user: User, text: str) -> Client | None:
    """A client in scope to preview a template with: the one the words find, else a late payer."""
    query = scoped_clients(user)
    if text.strip():
        return db.session.scalar(search_clients(query, text).order_by(Client.code).limit(1))
    indebted = query.where(
        sa.exists().where(
            DocumentInstallment.client_id == Client.id,
            DocumentInstallment.open_amount > 0,
            DocumentInstallment.due_date < local_today(),
        ),
        has_email(),
    )
    return db.session.scalar(indebted.order_by(Client.code).limit(1)) or db.session.scalar(
        query.order_by(Client.code).limit(1)
    )


def preview(
    subject: str, body: str, client: Client | None, kind: str, period: Period | None = None
) -> Merged:
    """A template's text merged with a client (or made-up data); TemplateError if it cannot."""
    compiled = CompiledTemplate(subject, body)
    if client is None:
        return compiled.merge(sample_data())
    return compiled.merge(client_merge_data(kind, client, period))
