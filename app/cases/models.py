"""Cases, their history of changes and comments, their photos, and the target days per kind."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.cases.rules import MAX_SUBJECT, MAX_TEXT, CaseKind, CaseState
from app.clients.models import Client
from app.core.changes import Synced
from app.core.types import UTCDateTime, utcnow
from app.extensions import db


def _one_of(column: str, values: type) -> str:
    """A CHECK that the column holds one of an enum's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Case(Synced, db.Model):
    """A claim, return, complaint or question a client brought up, and who works on it.

    It syncs to phones with its client (the card's latest cases); a comment or a photo
    touches the case, so the client goes out again."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    subject: Mapped[str] = mapped_column(sa.String(MAX_SUBJECT))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(16), default=CaseState.OPEN, index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    due_on: Mapped[date | None]
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_documents.id"))
    # The credit note a return accepted by the office posted to the account.
    credit_note_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_documents.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id")
    photos: Mapped[list["CasePhoto"]] = relationship(back_populates="case", order_by="CasePhoto.id")

    __table_args__ = (
        sa.CheckConstraint(_one_of("kind", CaseKind), name="kind"),
        sa.CheckConstraint(_one_of("state", CaseState), name="state"),
        sa.CheckConstraint(f"length(subject) <= {MAX_SUBJECT}", name="subject_length"),
        sa.CheckConstraint(f"length(description) <= {MAX_TEXT}", name="description_length"),
    )


class CaseEvent(db.Model):
    """One line of a case's history: its creation, a comment, or a change (who, when, what)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # created | comment | state | owner | due_on | photo | credit_note
    action: Mapped[str] = mapped_column(sa.String(16))
    before: Mapped[str | None] = mapped_column(sa.String(64))
    after: Mapped[str | None] = mapped_column(sa.String(64))
    text: Mapped[str | None] = mapped_column(sa.Text)

    case: Mapped[Case] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class CasePhoto(db.Model):
    """A photo taken with the phone's camera, kept in the database (its type read from it)."""

    __tablename__ = "case_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    content_type: Mapped[str] = mapped_column(sa.String(20))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="photos")


class CaseTarget(db.Model):
    """Working days to answer a kind of case, set by the back office."""

    __tablename__ = "case_targets"

    kind: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    days: Mapped[int]

    __table_args__ = (
        sa.CheckConstraint(_one_of("kind", CaseKind), name="kind"),
        sa.CheckConstraint("days >= 0", name="days"),
    )
