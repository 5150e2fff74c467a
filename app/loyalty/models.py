"""The loyalty rule and the points ledger."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class LoyaltySettings(db.Model):
    """The company's rule (one row, made with its defaults the first time): a point per so
    many pesos of invoice, kept so many months."""

    __tablename__ = "loyalty_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)
    # one point for each whole amount of this many pesos of an invoice's total
    amount_per_point: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("1000"))
    expiry_months: Mapped[int] = mapped_column(sa.SmallInteger, default=12)
    last_expiry_run_on: Mapped[date | None]

    __table_args__ = (
        sa.CheckConstraint("amount_per_point > 0", name="amount"),
        sa.CheckConstraint("expiry_months BETWEEN 1 AND 120", name="months"),
    )


class EntryKind(StrEnum):
    """Why a client's points changed."""

    EARNED = "earned"  # an invoice (or a debit note) posted
    RETURNED = "returned"  # a credit note, or a void of an invoice, took them back
    EXPIRED = "expired"  # they reached their expiry unspent
    ADJUSTED = "adjusted"  # the back office changed them by hand


class LoyaltyEntry(db.Model):
    """One change to a client's points. The balance is the sum of the points; an entry that
    adds points is a lot that expires, and `remaining` says how many of it are still there
    (what the later subtractions took, oldest lot first)."""

    __tablename__ = "loyalty_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    points: Mapped[int]
    remaining: Mapped[int] = mapped_column(default=0)
    day: Mapped[date]
    expires_on: Mapped[date | None]
    document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ledger_documents.id"), index=True
    )
    note: Mapped[str | None] = mapped_column(sa.String(200))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("remaining >= 0", name="remaining"),
        sa.Index("ix_loyalty_entries_open_lots", "client_id", "expires_on"),
    )
