"""A job a user (or the system) started, as the user follows it, and the files it takes or makes."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class JobState(StrEnum):
    """Where a job is: waiting in the queue, being run by a worker, or ended."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ENDED = (JobState.DONE, JobState.FAILED)


class Job(db.Model):
    """One run of long work: what it is, who asked, how far it got and what it left."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    state: Mapped[str] = mapped_column(sa.String(10), default=JobState.QUEUED)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    # which worker run holds the job: a running job changes hands only from a silent worker
    runner: Mapped[str | None] = mapped_column(sa.String(40))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    files: Mapped[list["JobFile"]] = relationship(
        back_populates="job", order_by="JobFile.id", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.Index("ix_jobs_state_created", "state", "created_at"),)

    @property
    def ended(self) -> bool:
        """True once the job is done or failed for good."""
        return self.state in ENDED


class JobFile(db.Model):
    """A file a job reads (an uploaded spreadsheet) or writes (an export), kept in the database
    so that a worker on another host finds it."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(10))  # input | output
    name: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    job: Mapped[Job] = relationship(back_populates="files")
