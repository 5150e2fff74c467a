"""IIBB perception tables: the jurisdictions the company perceives for and their registries."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.taxes.perceptions import JurisdictionSettings


class IibbJurisdiction(db.Model):
    """A province the company is a perception agent for, with its settings."""

    __tablename__ = "iibb_jurisdictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Convenio Multilateral jurisdiction code: 901 CABA, 902 Buenos Aires, ...
    code: Mapped[str] = mapped_column(sa.String(3), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    # Clients whose card province is this one are subject to it even when not in its registry.
    province: Mapped[str] = mapped_column(sa.String(60))
    registry_format: Mapped[str] = mapped_column(sa.String(10), default="ARBA")
    # For clients not in the registry; None: they are not perceived.
    default_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    minimum_amount: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("0"))
    include_multilateral: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)

    def settings(self) -> JurisdictionSettings:
        """The plain values the perception rule takes."""
        return JurisdictionSettings(
            code=self.code,
            name=self.name,
            default_rate=self.default_rate,
            minimum_amount=self.minimum_amount,
            include_multilateral=self.include_multilateral,
            active=self.active,
        )


class IibbRate(db.Model):
    """One registry line: a CUIT's perception rate in a jurisdiction over a validity period."""

    __tablename__ = "iibb_rates"
    __table_args__ = (
        sa.Index("ix_iibb_rates_lookup", "jurisdiction_id", "tax_id", "valid_from"),
        sa.Index("ix_iibb_rates_period", "jurisdiction_id", "valid_from", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(
        sa.ForeignKey("iibb_jurisdictions.id", ondelete="CASCADE")
    )
    tax_id: Mapped[str] = mapped_column(sa.String(11))
    published_on: Mapped[date]
    valid_from: Mapped[date]
    valid_to: Mapped[date]
    # Percent with two places ("2,50" in the file).
    rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    # ARBA: C Convenio Multilateral, D direct (local) contributor.
    contributor_type: Mapped[str] = mapped_column(sa.String(1))
    rate_group: Mapped[str] = mapped_column(sa.String(2))
