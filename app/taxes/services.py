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
    The jurisdictions and the client's registry rows come in one query (an order reads them).
    """
    listed = (
        sa.and_(
            IibbRate.jurisdiction_id == IibbJurisdiction.id,
            IibbRate.tax_id == client.tax_id,
            IibbRate.valid_from <= on,
            IibbRate.valid_to >= on,
        )
        if client.tax_id
        else sa.false()
    )
    rows = db.session.execute(
        sa.select(IibbJurisdiction, IibbRate.rate, IibbRate.valid_from, IibbRate.valid_to)
        .outerjoin(IibbRate, listed)
        .where(IibbJurisdiction.active)
        # each jurisdiction's registry row in force published last comes first
        .order_by(
            IibbJurisdiction.name,
            IibbJurisdiction.id,
            IibbRate.published_on.desc(),
            IibbRate.id.desc(),
        )
    ).all()
    seen = set()
    for jurisdiction, rate, valid_from, valid_to in rows:
        if jurisdiction.id in seen:
            continue
        seen.add(jurisdiction.id)
        registry = (
            RegistryRate(client.tax_id, rate, valid_from, valid_to) if rate is not None else None
        )
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
