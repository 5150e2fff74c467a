"""Client notices and who has seen them; both sync to phones."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.changes import Synced
from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.notices.rules import MAX_MESSAGE, Audience, Severity, TargetKind


def _one_of(column: str, values: type) -> str:
    """A CHECK that the column holds one of an enum's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Notice(Synced, db.Model):
    """A message shown to whoever selects a client, while it is in force.

    It targets one client, or every client of a type, sales zone, family, segment or category
    (target_id is that row's id; which table depends on target_kind).
    """

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    message: Mapped[str] = mapped_column(sa.String(MAX_MESSAGE))
    severity: Mapped[str] = mapped_column(sa.String(10), default=Severity.INFO)
    audience: Mapped[str] = mapped_column(
        sa.String(12), default=Audience.ALL, server_default=Audience.ALL.value
    )
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    target_kind: Mapped[str] = mapped_column(sa.String(12))
    target_id: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_dates"),
        sa.CheckConstraint(_one_of("severity", Severity), name="severity"),
        sa.CheckConstraint(_one_of("audience", Audience), name="audience"),
        sa.CheckConstraint(_one_of("target_kind", TargetKind), name="target_kind"),
        sa.Index("ix_notices_target", "target_kind", "target_id"),
    )


class NoticeSeen(Synced, db.Model):
    """A user marked a notice as seen on a client's card (once per notice, user and client)."""

    __tablename__ = "notice_seen"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notice: Mapped[Notice] = relationship()

    __table_args__ = (
        sa.UniqueConstraint(
            "notice_id", "user_id", "client_id", name="uq_notice_seen_notice_user_client"
        ),
    )
