"""What makes a row syncable to phones: a change sequence number handed out as rows are
flushed, and soft deletes.

The counter is one row updated inside the writing transaction. Its row lock is held until
commit, so numbers become visible in the order they were given: a phone that synced up to
cursor N can never later see a row committed with a number at or below N.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

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


_counter = ChangeCounter.__table__


def reserve_change_seqs(connection: sa.Connection, count: int) -> range:
    """Reserve `count` consecutive change numbers and return them."""
    last = connection.execute(
        sa.update(_counter)
        .where(_counter.c.id == 1)
        .values(value=_counter.c.value + count)
        .returning(_counter.c.value)
    ).scalar_one_or_none()
    if last is None:
        raise RuntimeError("change_counter is empty: run the migrations (flask db upgrade)")
    return range(last - count + 1, last + 1)


def current_change_seq(connection: sa.Connection) -> int:
    """The last number handed out (the cursor of a full sync)."""
    return connection.execute(sa.select(_counter.c.value).where(_counter.c.id == 1)).scalar_one()


@event.listens_for(Session, "before_flush")
def _number_changes(session: Session, _context, _instances) -> None:
    """Give each new or changed synced row the next sequence number."""
    for obj in session.deleted:
        if isinstance(obj, Synced):
            raise RuntimeError(f"{type(obj).__name__} rows are soft-deleted: set deleted_at")
    changed = [obj for obj in session.new if isinstance(obj, Synced)]
    changed += [
        obj
        for obj in session.dirty
        if isinstance(obj, Synced) and session.is_modified(obj, include_collections=False)
    ]
    if not changed:
        return
    for obj, seq in zip(
        changed, reserve_change_seqs(session.connection(), len(changed)), strict=True
    ):
        obj.change_seq = seq
