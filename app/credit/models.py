"""Credit policies (límites de crédito), grouped in categories and assigned to types or clients."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.changes import Synced
from app.core.reference_cache import cache_reads_of
from app.core.types import Money, UTCDateTime, utcnow
from app.credit.rules import Band, Limits
from app.extensions import db


class PolicyCategory(Synced, db.Model):
    """A group of credit policies (e.g. "Mayoristas", "Minoristas")."""

    __tablename__ = "credit_policy_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))


class CreditPolicy(Synced, db.Model):
    """Up to three limits enforced together; a limit left empty is not enforced."""

    __tablename__ = "credit_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_policy_categories.id"))
    # in the client's account currency
    money_limit: Mapped[Decimal | None] = mapped_column(Money)
    max_documents: Mapped[int | None]
    max_age_days: Mapped[int | None]

    category: Mapped[PolicyCategory | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("money_limit IS NULL OR money_limit >= 0", name="ck_credit_money"),
        sa.CheckConstraint("max_documents IS NULL OR max_documents >= 0", name="ck_credit_docs"),
        sa.CheckConstraint("max_age_days IS NULL OR max_age_days >= 0", name="ck_credit_age"),
    )

    @property
    def limits(self) -> Limits:
        """The policy's limits as the decision takes them."""
        return Limits(self.money_limit, self.max_documents, self.max_age_days)


class CreditBand(Synced, db.Model):
    """How far over the limits a supervisor (or every user of a role) may authorise."""

    __tablename__ = "credit_bands"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[str | None] = mapped_column(sa.String(20))
    # which limits it may override
    money: Mapped[bool] = mapped_column(default=True)
    documents: Mapped[bool] = mapped_column(default=False)
    age: Mapped[bool] = mapped_column(default=False)
    max_excess: Mapped[Decimal | None] = mapped_column(Money)
    max_excess_pct: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    max_extra_documents: Mapped[int | None]
    max_extra_days: Mapped[int | None]

    user: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(
            "(user_id IS NULL) <> (role IS NULL)", name="ck_credit_bands_user_or_role"
        ),
    )

    @property
    def band(self) -> Band:
        """The band as the pure rule takes it."""
        kinds = {k for k, on in (("money", self.money), ("documents", self.documents),
                                 ("age", self.age)) if on}  # fmt: skip
        return Band(
            frozenset(kinds),
            self.max_excess,
            self.max_excess_pct,
            self.max_extra_documents,
            self.max_extra_days,
        )


class RequestStatus(StrEnum):
    """Where an override request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"  # its order was cancelled while it waited


class OverrideRequest(Synced, db.Model):
    """A blocked order sent to the supervisors: bound to that order and amount, used once."""

    __tablename__ = "override_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    reason: Mapped[str] = mapped_column(sa.String(500))
    # the failures when it was asked (DecisionSchema's failures)
    failures: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(10), default=RequestStatus.PENDING, index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    # when the approval was spent on the order (once)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped["Order"] = relationship()  # noqa: F821
    client: Mapped["Client"] = relationship()  # noqa: F821
    requested_by: Mapped["User"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'expired', 'cancelled')",
            name="ck_override_status",
        ),
        sa.CheckConstraint("amount > 0", name="ck_override_amount"),
        # one request waiting per order at a time
        sa.Index(
            "uq_override_pending_order",
            "order_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )


# read by every order and credit decision, changed a few times a month
cache_reads_of(CreditPolicy, CreditBand)
