"""The reports' settings (the ABC thresholds, the days that make a client inactive and where
each at-risk rule starts) and the last reckoning of the clients at risk."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import Money, UTCDateTime, utcnow
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


class RiskRun(db.Model):
    """One reckoning of every client against the at-risk rules (nightly, after a change of the
    thresholds, or on demand). The page and the API read the last one: going through every
    account takes seconds at 100,000 clients, reading its result milliseconds."""

    __tablename__ = "risk_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date)  # the day the rules looked back from
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the thresholds in force then (RiskThresholds as text), to tell when they changed since
    thresholds: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    clients_at_risk: Mapped[int] = mapped_column(default=0)


class ClientRisk(db.Model):
    """A client the last run found at risk, with its reasons (code and figures, as text)."""

    __tablename__ = "client_risks"

    client_id: Mapped[int] = mapped_column(
        sa.ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("risk_runs.id", ondelete="CASCADE"))
    reason_count: Mapped[int] = mapped_column(sa.SmallInteger)
    reasons: Mapped[list] = mapped_column(sa.JSON)


class SalesMonth(db.Model):
    """A client's sales, their cost and its collections in one month, in pesos at each
    document's rate: what the rankings and trends add up for whole months instead of going
    through every document and line.

    The database keeps it, whoever writes the ledger (posting, voids, the demo's bulk loads):
    triggers on ledger_documents and ledger_document_lines add each standing document as it is
    inserted and take it away when it is voided (migration 5e3c0d7a9b21). Nothing in the app
    writes it.
    """

    __tablename__ = "sales_months"

    client_id: Mapped[int] = mapped_column(
        sa.ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)  # its first day
    # invoices and debit notes less credit notes; their lines' cost; receipts
    sales: Mapped[Decimal] = mapped_column(sa.Numeric(24, 8), default=Decimal("0"))
    cost: Mapped[Decimal] = mapped_column(sa.Numeric(24, 8), default=Decimal("0"))
    collections: Mapped[Decimal] = mapped_column(sa.Numeric(24, 8), default=Decimal("0"))
    # how many standing sale documents and receipts make the sums (a month of voids only is 0)
    sale_documents: Mapped[int] = mapped_column(default=0)
    receipts: Mapped[int] = mapped_column(default=0)

    # on SQLite the rows are kept in key order: a client's months, or every client's, are read
    # without a second lookup per row
    __table_args__ = (
        sa.Index("ix_sales_months_month", "month", "client_id"),
        {"sqlite_with_rowid": False},
    )


class ProductMonth(db.Model):
    """A product's sales, their cost and quantity in one month, over every client, in pesos at
    each document's rate: what a product ranking of the whole company adds up for whole months
    instead of going through every line. Kept by triggers like SalesMonth (migration
    7c4b2e1d9f30); a ranking within a scope or a filter goes through the lines."""

    __tablename__ = "product_months"

    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(sa.Date, primary_key=True)  # its first day
    sales: Mapped[Decimal] = mapped_column(sa.Numeric(24, 8), default=Decimal("0"))
    cost: Mapped[Decimal] = mapped_column(sa.Numeric(24, 8), default=Decimal("0"))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(18, 3), default=Decimal("0"))
    lines: Mapped[int] = mapped_column(default=0)  # standing lines that make the sums

    __table_args__ = ({"sqlite_with_rowid": False},)
