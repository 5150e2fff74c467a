"""Statements (screen, PDF, CSV) and the aging report."""

from app.ledger.blueprint import bp  # noqa: F401
