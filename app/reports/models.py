"""The reports' settings: the ABC thresholds, the days that make a client inactive and where
each at-risk rule starts."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import Money, UTCDateTime
from app.extensions import db
from app.reports.rules import RiskThresholds

DEFAULT_RISK = RiskThresholds()


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
    # where the at-risk rules start (RiskThresholds)
    risk_broken_promises: Mapped[int] = mapped_column(default=DEFAULT_RISK.broken_promises)
    risk_paying_slower_days: Mapped[int] = mapped_column(default=DEFAULT_RISK.paying_slower_days)
    risk_credit_use_pct: Mapped[Decimal] = mapped_column(
        sa.Numeric(5, 2), default=DEFAULT_RISK.credit_use_pct
    )
    risk_sales_fall_pct: Mapped[Decimal] = mapped_column(
        sa.Numeric(5, 2), default=DEFAULT_RISK.sales_fall_pct
    )
    risk_sales_floor: Mapped[Decimal] = mapped_column(Money, default=DEFAULT_RISK.sales_floor)

    __table_args__ = (
        sa.CheckConstraint(
            "abc_a_pct > 0 AND abc_b_pct >= 0 AND abc_a_pct + abc_b_pct <= 100",
            name="ck_report_settings_abc",
        ),
        sa.CheckConstraint("inactive_days >= 1", name="ck_report_settings_inactive"),
        sa.CheckConstraint(
            "risk_broken_promises >= 1 AND risk_paying_slower_days >= 0"
            " AND risk_credit_use_pct > 0 AND risk_sales_fall_pct > 0"
            " AND risk_sales_fall_pct < 100 AND risk_sales_floor >= 0",
            name="ck_report_settings_risk",
        ),
    )

    @property
    def risk_thresholds(self) -> RiskThresholds:
        """The at-risk rules' thresholds as the rule takes them."""
        return RiskThresholds(
            broken_promises=self.risk_broken_promises,
            paying_slower_days=self.risk_paying_slower_days,
            credit_use_pct=self.risk_credit_use_pct,
            sales_fall_pct=self.risk_sales_fall_pct,
            sales_floor=self.risk_sales_floor,
        )
