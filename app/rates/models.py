"""The exchange-rate table: one rate per currency and day."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class ExchangeRate(db.Model):
    """The pesos one unit of a currency is worth on a day (cotización del día)."""

    __tablename__ = "exchange_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    date: Mapped[date]
    currency: Mapped[str] = mapped_column(sa.String(3))
    rate: Mapped[Decimal] = mapped_column(sa.Numeric(14, 6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("currency", "date", name="uq_exchange_rates_currency_date"),
        sa.CheckConstraint("rate > 0", name="positive"),
    )


# The currencies that take a rate; the peso is worth one peso.
FOREIGN_CURRENCIES = ("USD",)
LOCAL_CURRENCY = "ARS"
