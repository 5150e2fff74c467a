"""The client master and its reference tables (zones, client types)."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.orders.models import PriceList
from app.sync.models import Synced


class ClientState(StrEnum):
    """Commercial state of a client (DESIGN.md section 3 says what each allows)."""

    ACTIVE = "active"
    POTENTIAL = "potential"
    SUSPENDED = "suspended"
    CASH_ONLY = "cash_only"
    DELINQUENT = "delinquent"
    DISABLED = "disabled"


class Zone(Synced, db.Model):
    """A sales or delivery zone: how routes are grouped."""

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(10), default="sales")  # sales | delivery
    province: Mapped[str | None] = mapped_column(sa.String(60))


class ClientType(Synced, db.Model):
    """A group of clients sharing allowed documents, a discount and a default sale condition."""

    __tablename__ = "client_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    cash_only: Mapped[bool] = mapped_column(default=False)


class Client(Synced, db.Model):
    """The client master record (ficha de cliente); the client card issue adds the rest."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    legal_name: Mapped[str] = mapped_column(sa.String(160))
    trade_name: Mapped[str | None] = mapped_column(sa.String(160))
    tax_id_type: Mapped[str] = mapped_column(sa.String(10), default="CUIT")
    tax_id: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    iva_condition: Mapped[str | None] = mapped_column(sa.String(40))
    state: Mapped[str] = mapped_column(sa.String(20), default=ClientState.ACTIVE, index=True)
    client_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client_types.id"))
    price_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("price_lists.id"))
    sales_zone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zones.id"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    collector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    street: Mapped[str | None] = mapped_column(sa.String(160))
    city: Mapped[str | None] = mapped_column(sa.String(80))
    province: Mapped[str | None] = mapped_column(sa.String(60))
    postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client_type: Mapped[ClientType | None] = relationship()
    price_list: Mapped[PriceList | None] = relationship()
    sales_zone: Mapped[Zone | None] = relationship()
    salesperson: Mapped[User | None] = relationship(foreign_keys=[salesperson_id])
    collector: Mapped[User | None] = relationship(foreign_keys=[collector_id])

    @property
    def display_name(self) -> str:
        """Shop name first, as salespeople know the client by it."""
        return self.trade_name or self.legal_name
