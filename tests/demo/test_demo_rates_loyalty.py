"""The demo's exchange rates, card issuers' company data and loyalty points."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from stdnum.ar import cuit

from app.clients.models import Client
from app.core.types import local_today
from app.demo.accounts import usd_rate
from app.demo.commands import load_demo_data
from app.extensions import db
from app.ledger.models import CardIssuer
from app.loyalty import services as loyalty
from app.loyalty.models import LoyaltyEntry
from app.rates import services as rates
from app.rates.models import ExchangeRate


@pytest.fixture
def demo(app):
    load_demo_data(clients=60, seed=3)


def test_a_month_of_dollar_rates_up_to_today(demo):
    today = local_today()
    days = db.session.scalars(sa.select(ExchangeRate.date).order_by(ExchangeRate.date)).all()
    assert days[0] == today - timedelta(days=30) and days[-1] == today and len(days) == 31
    assert rates.rate_on("USD", today) == usd_rate(today)


def test_the_card_issuers_have_their_company_data(demo):
    for issuer in db.session.scalars(sa.select(CardIssuer)):
        assert issuer.legal_name and issuer.bank and issuer.supplier_account and issuer.contact
        assert cuit.is_valid(issuer.tax_id)


def test_some_clients_earned_points_that_the_ledger_explains(demo):
    members = db.session.scalars(sa.select(Client).where(Client.loyalty_enabled)).all()
    assert len(members) >= 3
    assert any(member.loyalty_points > 0 for member in members)
    for member in members:
        assert member.loyalty_points == loyalty.balance(member.id) >= 0
    kinds = set(db.session.scalars(sa.select(LoyaltyEntry.kind)))
    assert {"earned", "expired"} <= kinds
