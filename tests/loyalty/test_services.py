"""Points earned from invoices, taken back by credit notes and voids, expired, adjusted; the
balance is the sum of the points ledger and the card's loyalty_points follows it."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients import services as clients
from app.core.types import local_today
from app.extensions import db
from app.ledger import applications
from app.loyalty import services as loyalty
from app.loyalty.models import LoyaltyEntry
from tests import factories


@pytest.fixture
def member(app):
    return factories.make_client(loyalty_enabled=True)


def kinds(client) -> list[tuple[str, int]]:
    rows = db.session.scalars(
        sa.select(LoyaltyEntry).where(LoyaltyEntry.client_id == client.id).order_by(LoyaltyEntry.id)
    )
    return [(row.kind, row.points) for row in rows]


def test_an_invoice_earns_a_point_per_thousand_pesos_that_expire_in_a_year(member):
    invoice = factories.post_document(member, amount="25500.00", date="2026-11-30")
    assert kinds(member) == [("earned", 25)]
    assert member.loyalty_points == 25 and loyalty.balance(member.id) == 25
    entry = db.session.scalars(sa.select(LoyaltyEntry)).one()
    assert entry.document_id == invoice.id and entry.expires_on == date(2027, 11, 30)
    assert loyalty.next_expiry(member.id) == loyalty.NextExpiry(date(2027, 11, 30), 25)


def test_a_dollar_invoice_counts_in_pesos_at_its_rate(member):
    factories.post_document(member, amount="10.00", currency="USD", exchange_rate="1050")
    assert member.loyalty_points == 10


def test_clients_outside_the_program_and_a_stopped_rule_earn_nothing(app):
    outsider = factories.make_client()
    factories.post_document(outsider, amount="50000.00")
    assert kinds(outsider) == [] and outsider.loyalty_points == 0
    member = factories.make_client(loyalty_enabled=True)
    loyalty.save_settings({"amount_per_point": "1000", "expiry_months": "12", "active": False})
    factories.post_document(member, amount="50000.00")
    assert kinds(member) == []


def test_credit_notes_and_voids_take_the_points_back(member):
    invoice = factories.post_document(member, amount="30000.00")
    factories.post_document(member, kind="credit_note", amount="10000.00")
    assert kinds(member) == [("earned", 30), ("returned", -10)]
    applications.void_document(invoice, "Factura mal hecha", None)
    # the void takes back the invoice's 30, but the client has only 20 left
    assert kinds(member) == [("earned", 30), ("returned", -10), ("returned", -20)]
    assert member.loyalty_points == 0 == loyalty.balance(member.id)


def test_the_rule_sets_points_per_amount_and_months_and_is_audited(member):
    loyalty.save_settings({"amount_per_point": "500", "expiry_months": "6", "active": True})
    factories.post_document(member, amount="2600.00", date="2026-11-30")
    assert member.loyalty_points == 5
    assert loyalty.next_expiry(member.id).on == date(2027, 5, 30)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "loyalty.settings")
    ).one()
    assert entry.before == {"amount_per_point": "1000.00", "expiry_months": 12}
    assert entry.after == {"amount_per_point": "500.00", "expiry_months": 6}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount_per_point": "0", "expiry_months": "12"}, "amount_per_point"),
        ({"amount_per_point": "10,555", "expiry_months": "12"}, "amount_per_point"),
        ({"amount_per_point": "1000", "expiry_months": "0"}, "expiry_months"),
        ({"amount_per_point": "1000", "expiry_months": "doce"}, "expiry_months"),
    ],
)
def test_a_wrong_rule_is_refused(app, data, field):
    with pytest.raises(loyalty.LoyaltyError) as refused:
        loyalty.save_settings(data)
    assert field in refused.value.fields


def test_points_expire_when_their_day_comes(member):
    today = local_today()
    factories.post_document(
        member, amount="5000.00", date=(today - timedelta(days=400)).isoformat()
    )
    factories.post_document(member, amount="3000.00", date=today.isoformat())
    assert member.loyalty_points == 8
    assert loyalty.expire(today) == 5
    assert kinds(member)[-1] == ("expired", -5)
    assert member.loyalty_points == 3 == loyalty.balance(member.id)
    assert loyalty.expire(today) == 0  # a second run finds nothing
    assert loyalty.next_expiry(member.id).points == 3


def test_an_adjustment_by_hand_needs_a_reason_and_is_audited(member):
    factories.post_document(member, amount="5000.00")
    with pytest.raises(loyalty.LoyaltyError) as refused:
        loyalty.adjust(member, "-10", "", None)
    assert refused.value.fields == {
        "points": "El cliente no tiene tantos puntos.",
        "note": "Contá por qué se ajustan.",
    }
    loyalty.adjust(member, "-2", "Canje de una remera", None)
    assert member.loyalty_points == 3
    row = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "loyalty.adjust")
    ).one()
    assert row.before == {"loyalty_points": 5, "note": None}
    assert row.after == {"loyalty_points": 3, "note": "Canje de una remera"}


def test_points_typed_on_the_card_go_into_the_ledger(member):
    clients.update_client(member, {"loyalty_points": 40})
    assert kinds(member) == [("adjusted", 40)]
    clients.update_client(member, {"loyalty_points": 15})
    assert kinds(member) == [("adjusted", 40), ("adjusted", -25)]
    assert member.loyalty_points == 15 == loyalty.balance(member.id)
