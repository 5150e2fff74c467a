"""Demo IIBB: ARBA's settings and a current registry for Buenos Aires and CABA clients."""

import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.clients.models import Client
from app.core.types import local_today
from app.extensions import db


def add_iibb_registry(rng: random.Random, limit: int = 300) -> None:
    """ARBA's settings and a current registry for up to `limit` Buenos Aires and CABA clients."""
    from app.taxes.models import IibbJurisdiction, IibbRate

    arba = IibbJurisdiction(
        code="902",
        name="Buenos Aires",
        province="Buenos Aires",
        registry_format="ARBA",
        default_rate=Decimal("6.00"),
        minimum_amount=Decimal("50.00"),
        include_multilateral=True,
        active=True,
    )
    db.session.add(arba)
    db.session.flush()
    tax_ids = db.session.scalars(
        sa.select(Client.tax_id)
        .where(Client.province.in_(["Buenos Aires", "Ciudad Autónoma de Buenos Aires"]))
        .distinct()
        .order_by(Client.tax_id)
        .limit(limit)
    ).all()
    first = local_today().replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rates = ["0.00", "0.10", "1.00", "2.50", "3.00", "3.50", "4.00", "5.00"]
    rows = [
        {
            "jurisdiction_id": arba.id,
            "tax_id": tax_id,
            "published_on": first - timedelta(days=7),
            "valid_from": first,
            "valid_to": last,
            "rate": Decimal(rng.choice(rates)),
            "contributor_type": "D",
            "rate_group": f"{rng.randrange(0, 20):02d}",
        }
        for tax_id in tax_ids
    ]
    if rows:
        db.session.execute(sa.insert(IibbRate), rows)


AGIP_RATES = ["0.00", "0.50", "1.00", "1.50", "2.00", "3.00", "4.00"]


def add_agip_registry(rng: random.Random, limit: int = 40) -> None:
    """AGIP (Ciudad de Buenos Aires) with its registry layout and this month's rates for up to
    `limit` CABA clients; clients not in its registry are not perceived (no default rate)."""
    from app.taxes.models import IibbJurisdiction, IibbRate

    agip = IibbJurisdiction(
        code="901",
        name="Ciudad de Buenos Aires",
        province="Ciudad Autónoma de Buenos Aires",
        registry_format="AGIP",
        default_rate=None,
        minimum_amount=Decimal("0.00"),
        include_multilateral=True,
        active=True,
    )
    db.session.add(agip)
    db.session.flush()
    tax_ids = db.session.scalars(
        sa.select(Client.tax_id)
        .where(Client.province == "Ciudad Autónoma de Buenos Aires", Client.tax_id.is_not(None))
        .distinct()
        .order_by(Client.tax_id)
        .limit(limit)
    ).all()
    first = local_today().replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rows = [
        {
            "jurisdiction_id": agip.id,
            "tax_id": tax_id,
            "published_on": first - timedelta(days=5),
            "valid_from": first,
            "valid_to": last,
            "rate": Decimal(rng.choice(AGIP_RATES)),
            "contributor_type": rng.choice("CD"),
            "rate_group": f"{rng.randrange(0, 30):02d}",
        }
        for tax_id in tax_ids
    ]
    if rows:
        db.session.execute(sa.insert(IibbRate), rows)
