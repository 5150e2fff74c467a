"""Collections: calls to debtors and their promises, field receipts, e-mail reminders."""

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.changes import Synced
from app.core.types import Money, UTCDateTime, utcnow
from app.extensions import db


def _one_of(column: str, values: type) -> str:
    """A CHECK that the column holds one of an enum's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Channel(StrEnum):
    """How the debtor was contacted."""

    PHONE = "phone"
    VISIT = "visit"
    WHATSAPP = "whatsapp"
    EMAIL = "email"


class Outcome(StrEnum):
    """What came of the contact."""

    PROMISE = "promise"
    PAID = "paid"
    NO_ANSWER = "no_answer"
    REFUSED = "refused"
    DISPUTE = "dispute"
    WRONG_NUMBER = "wrong_number"


class CollectionCall(Synced, db.Model):
    """One contact with a debtor (llamada de cobranza) and its outcome."""

    __tablename__ = "collection_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(10))
    outcome: Mapped[str] = mapped_column(sa.String(15))
    promise_amount: Mapped[Decimal | None] = mapped_column(Money)
    promise_currency: Mapped[str | None] = mapped_column(sa.String(3))
    promise_date: Mapped[date | None] = mapped_column(index=True)
    next_contact_at: Mapped[date | None] = mapped_column(index=True)
    # the agreed visit: the day and the time window to send the collector
    visit_date: Mapped[date | None] = mapped_column(index=True)
    visit_from: Mapped[time | None]
    visit_to: Mapped[time | None]
    notes: Mapped[str | None] = mapped_column(sa.Text)
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    location_accuracy: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped["Client"] = relationship()  # noqa: F821
    user: Mapped["User"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(_one_of("channel", Channel), name="ck_calls_channel"),
        sa.CheckConstraint(_one_of("outcome", Outcome), name="ck_calls_outcome"),
        sa.CheckConstraint(
            "outcome <> 'promise' OR (promise_amount > 0 AND promise_date IS NOT NULL)",
            name="ck_calls_promise",
        ),
        sa.CheckConstraint(
            "visit_from IS NULL OR visit_to IS NULL OR visit_to > visit_from",
            name="ck_calls_window",
        ),
    )


class FieldReceiptState(StrEnum):
    """A receipt taken in the field waits for the back office."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class FieldReceipt(Synced, db.Model):
    """What a collector received, waiting for the back office to confirm it into the ledger.

    `data` holds the receipt as the ledger's post_receipt takes it (lines and allocations);
    confirming posts it and links the ledger document.
    """

    __tablename__ = "field_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(10), default=FieldReceiptState.PENDING, index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    total: Mapped[Decimal] = mapped_column(Money)
    data: Mapped[dict] = mapped_column(sa.JSON)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    location_accuracy: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reject_reason: Mapped[str | None] = mapped_column(sa.String(500))
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_documents.id"))

    client: Mapped["Client"] = relationship()  # noqa: F821
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(_one_of("state", FieldReceiptState), name="ck_field_receipts_state"),
        sa.CheckConstraint("total > 0", name="ck_field_receipts_total"),
    )


class EmailAccount(Synced, db.Model):
    """A sender identity for e-mails to clients (the SMTP server comes from the settings)."""

    __tablename__ = "email_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    from_name: Mapped[str] = mapped_column(sa.String(120))
    from_address: Mapped[str] = mapped_column(sa.String(254))
    reply_to: Mapped[str | None] = mapped_column(sa.String(254))
    active: Mapped[bool] = mapped_column(default=True)


class EmailTemplate(Synced, db.Model):
    """An e-mail template (planilla) with merge fields, for reminders and statements."""

    __tablename__ = "email_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(12), default="reminder")  # reminder | statement
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("email_accounts.id"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)

    account: Mapped[EmailAccount | None] = relationship()


class EmailSent(db.Model):
    """One e-mail sent (or tried) to a client: the client's mail log."""

    __tablename__ = "emails_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("email_templates.id"))
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("email_accounts.id"))
    to_address: Mapped[str] = mapped_column(sa.String(500))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # sending (written before the message leaves, so a worker killed midway never sends it
    # twice) | sent | failed
    status: Mapped[str] = mapped_column(sa.String(10))
    error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the bulk send (a background job) that wrote it; one row per client and job
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jobs.id"))

    __table_args__ = (
        sa.Index(
            "uq_emails_sent_job_client",
            "job_id",
            "client_id",
            unique=True,
            sqlite_where=sa.text("job_id IS NOT NULL"),
            postgresql_where=sa.text("job_id IS NOT NULL"),
        ),
    )


class DelinquencyRule(db.Model):
    """When a client becomes delinquent (moroso): overdue past these days and this amount."""

    __tablename__ = "delinquency_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    days_overdue: Mapped[int] = mapped_column(default=60)
    min_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(sa.String(3), default="ARS")
    active: Mapped[bool] = mapped_column(default=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("days_overdue >= 1", name="ck_delinquency_days"),
        sa.CheckConstraint("min_amount >= 0", name="ck_delinquency_amount"),
    )
