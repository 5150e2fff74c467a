"""The reports' settings: the ABC thresholds and the days that make a client inactive."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime
from app.extensions import db


class ReportSettings(db.Model):
    """The company's report settings (one row, made with its defaults the first time)."""

    __tablename__ = "report_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A: the clients making the first abc_a_pct % of sales; B: the next abc_b_pct %; C: the rest
    abc_a_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("80"))
    abc_b_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("15"))
    # no invoice in this many days makes a client inactive
    inactive_days: Mapped[int] = mapped_column(default=60)
    abc_last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint(
            "abc_a_pct > 0 AND abc_b_pct >= 0 AND abc_a_pct + abc_b_pct <= 100",
            name="ck_report_settings_abc",
        ),
        sa.CheckConstraint("inactive_days >= 1", name="ck_report_settings_inactive"),
    )
