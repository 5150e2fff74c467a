"""What makes a row syncable to phones: a change sequence number and soft deletes."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime
from app.extensions import db


class ChangeCounter(db.Model):
    """One row holding the last change sequence number handed out."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class Synced:
    """Mixin for tables phones copy: every insert, update and soft delete takes a new number."""

    change_seq: Mapped[int] = mapped_column(sa.BigInteger, index=True, default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def is_deleted(self) -> bool:
        """True once the row went to the trash."""
        return self.deleted_at is not None


class IdempotencyRecord(db.Model):
    """A write's idempotency key and, once done, the response it produced."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(sa.String(100))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(10))  # running | done
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None]
    response_headers: Mapped[dict | None] = mapped_column(sa.JSON)
    response_body: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)
