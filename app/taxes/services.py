"""Tax rules applied with the company's own settings and tables."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from app.core.types import local_today
from app.extensions import db
from app.taxes.models import IibbJurisdiction, IibbRate
from app.taxes.perceptions import (
    Perception,
    RateDecision,
    RegistryRate,
    compute_perception,
    perception_rate,
)
from app.taxes.rules import InvoiceClass, invoice_class


def client_invoice(client) -> InvoiceClass | None:
    """The invoice letter (and legend) the company issues to this client; None if unknown."""
    return invoice_class(current_app.config["COMPANY_IVA_CONDITION"], client.iva_condition)


@dataclass(frozen=True)
class CardPerception:
    """One line of the card's IIBB section: a jurisdiction and the rate the client gets."""

    jurisdiction: str
    registry_format: str
    decision: RateDecision


def _reaching(client, on: date) -> Iterator[tuple[IibbJurisdiction, RegistryRate | None]]:
    """Each active jurisdiction that reaches the client, with the client's registry row.

    A jurisdiction reaches a client whose card province is its own, or who is in its registry.
    """
    jurisdictions = db.session.scalars(
        sa.select(IibbJurisdiction).where(IibbJurisdiction.active).order_by(IibbJurisdiction.name)
    ).all()
    for jurisdiction in jurisdictions:
        registry = _registry_rate(jurisdiction.id, client.tax_id, on) if client.tax_id else None
        if registry is not None or client.province == jurisdiction.province:
            yield jurisdiction, registry


def client_perception_rates(client, on: date | None = None) -> list[CardPerception]:
    """The IIBB perception rate for this client in each active jurisdiction that reaches it."""
    on = on or local_today()
    return [
        CardPerception(
            jurisdiction.name,
            jurisdiction.registry_format,
            perception_rate(
                client.tax_id, client.iibb_multilateral, jurisdiction.settings(), registry, on
            ),
        )
        for jurisdiction, registry in _reaching(client, on)
    ]


def client_perceptions(client, net: Decimal, on: date | None = None) -> list[Perception]:
    """The IIBB perception on a sale of this net amount, per jurisdiction reaching the client."""
    on = on or local_today()
    return [
        compute_perception(
            client.tax_id, client.iibb_multilateral, jurisdiction.settings(), registry, net, on
        )
        for jurisdiction, registry in _reaching(client, on)
    ]


def _registry_rate(jurisdiction_id: int, tax_id: str, on: date) -> RegistryRate | None:
    """The registry row for a CUIT valid on a date (the latest published if several)."""
    row = db.session.execute(
        sa.select(IibbRate.rate, IibbRate.valid_from, IibbRate.valid_to)
        .where(
            IibbRate.jurisdiction_id == jurisdiction_id,
            IibbRate.tax_id == tax_id,
            IibbRate.valid_from <= on,
            IibbRate.valid_to >= on,
        )
        .order_by(IibbRate.published_on.desc(), IibbRate.id.desc())
        .limit(1)
    ).first()
    return RegistryRate(tax_id, row.rate, row.valid_from, row.valid_to) if row else None
