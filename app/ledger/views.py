"""Account pages: a client's current account, documents, receipts, applications and voids."""

from app.ledger.blueprint import bp  # noqa: F401
