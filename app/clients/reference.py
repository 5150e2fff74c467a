"""Reference tables the client card points to; an admin keeps them."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.changes import Synced
from app.core.reference_cache import cache_reads_of
from app.core.types import Money
from app.extensions import db


class Zone(Synced, db.Model):
    """A sales or delivery zone: how routes are grouped."""

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(10), default="sales")  # sales | delivery
    province: Mapped[str | None] = mapped_column(sa.String(60))
    # the credit policy its clients take (app/credit/rules.py resolve_limits says which wins)
    credit_policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_policies.id"))

    credit_policy: Mapped["CreditPolicy | None"] = relationship()  # noqa: F821


class ClientType(Synced, db.Model):
    """A group of clients sharing allowed documents, a discount and a default sale condition."""

    __tablename__ = "client_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    cash_only: Mapped[bool] = mapped_column(default=False)
    # ledger document kinds clients of this type may receive; None: all of them
    allowed_document_kinds: Mapped[list | None] = mapped_column(sa.JSON)
    discount_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0"))
    default_sale_condition_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sale_conditions.id")
    )

    credit_policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_policies.id"))

    default_sale_condition: Mapped["SaleCondition | None"] = relationship()  # noqa: F821
    credit_policy: Mapped["CreditPolicy | None"] = relationship()  # noqa: F821


class Transport(Synced, db.Model):
    """A carrier that delivers to clients."""

    __tablename__ = "transports"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(40))


class Channel(Synced, db.Model):
    """A sales channel: wholesale, retail, horeca..."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))


class Segment(Synced, db.Model):
    """A value of one of the four free grouping levels."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[int] = mapped_column(sa.SmallInteger)  # 1..4
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(80))
    # the credit policy its clients take (app/credit/rules.py resolve_limits says which wins)
    credit_policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_policies.id"))

    credit_policy: Mapped["CreditPolicy | None"] = relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("level", "code", name="uq_segments_level_code"),)


class Category(Synced, db.Model):
    """Category 1 or 2 of a client; a row with a parent is a subcategory."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[int] = mapped_column(sa.SmallInteger)  # 1 or 2
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(80))
    # the credit policy its clients take (app/credit/rules.py resolve_limits says which wins)
    credit_policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_policies.id"))

    parent: Mapped["Category | None"] = relationship(remote_side=[id])
    credit_policy: Mapped["CreditPolicy | None"] = relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("scheme", "code", name="uq_categories_scheme_code"),)


class Family(Synced, db.Model):
    """Related clients (a group, its branches) seen together."""

    __tablename__ = "families"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # the credit policy its clients take (app/credit/rules.py resolve_limits says which wins)
    credit_policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_policies.id"))
    # a money limit shared by its members: their exposures summed must not pass it
    credit_limit: Mapped[Decimal | None] = mapped_column(Money)

    credit_policy: Mapped["CreditPolicy | None"] = relationship()  # noqa: F821


# read by every order and credit decision, changed a few times a month
cache_reads_of(Zone, ClientType, Segment, Category, Family)
