"""A visit (what happened at one stop of a route day) and the reasons the back office keeps."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.changes import Synced
from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class VisitOutcome(StrEnum):
    """What came of a stop."""

    ORDER = "order"
    NO_ORDER = "no_order"
    COLLECTED = "collected"
    SKIPPED = "skipped"


class ReasonUse(StrEnum):
    """Which outcome a reason explains."""

    NO_ORDER = "no_order"
    SKIPPED = "skipped"
    BOTH = "both"


class VisitReason(Synced, db.Model):
    """Why there was no order, or why a stop was skipped (closed, had stock, no money...)."""

    __tablename__ = "visit_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    applies_to: Mapped[str] = mapped_column(sa.String(10), default=ReasonUse.BOTH)
    position: Mapped[int] = mapped_column(default=0)


class Visit(Synced, db.Model):
    """The outcome of one stop: one per client, person and day (a later outcome replaces it)."""

    __tablename__ = "visits"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "user_id", "day", name="uq_visits_client_user_day"),
        sa.CheckConstraint(
            "outcome IN ('order', 'no_order', 'collected', 'skipped')", name="outcome"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(sa.String(12))
    reason_id: Mapped[int | None] = mapped_column(sa.ForeignKey("visit_reasons.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    # False for a client that was not on the day's route
    planned: Mapped[bool] = mapped_column(default=True)
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    location_accuracy: Mapped[int | None]  # metres
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reason: Mapped[VisitReason | None] = relationship()
    user: Mapped["User"] = relationship()  # noqa: F821
