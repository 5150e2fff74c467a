"""The demo credit data: policies by type and by client, decisions both ways, and the bands."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.clients.models import Client, ClientType
from app.credit import services as credit
from app.credit.models import CreditBand, CreditPolicy, PolicyCategory
from app.demo.commands import load_demo_data
from app.extensions import db

D = Decimal
MODEST = D("20000")


@pytest.fixture
def demo(app):
    """A small demo database: 60 clients with their accounts and credit policies."""
    load_demo_data(clients=60, seed=3)


def test_policies_are_grouped_and_assigned_to_types_and_some_clients(demo):
    categories = {c.name for c in db.session.scalars(sa.select(PolicyCategory))}
    assert categories == {"Mayoristas", "Minoristas", "Especiales"}
    policies = {p.name: p for p in db.session.scalars(sa.select(CreditPolicy))}
    kiosk = policies["Kiosco estándar"]
    assert (kiosk.money_limit, kiosk.category.name) == (D("300000"), "Minoristas")
    assert policies["Mayorista"].max_documents is None
    assert policies["Contra-documento"].limits.documents == 1
    assert policies["Supermercado"].money_limit == D("15000000")
    types = {t.code: t for t in db.session.scalars(sa.select(ClientType))}
    assert types["KIO"].credit_policy == kiosk
    assert types["SUP"].credit_policy == policies["Supermercado"]
    assert types["CON"].credit_policy is None
    clients = db.session.scalars(sa.select(Client)).all()
    own = [c for c in clients if c.credit_policy_id is not None]
    assert 3 <= len(own) <= len(clients) // 5
    assert all(credit.effective_policy(c) == c.credit_policy for c in own)
    assert {p.change_seq for p in policies.values()}.isdisjoint({0})


def test_some_modest_credit_orders_pass_and_some_are_blocked(demo):
    decisions = [
        credit.decision(client, MODEST, "current_account")
        for client in db.session.scalars(sa.select(Client).order_by(Client.id))
    ]
    kinds = {failure.kind for d in decisions for failure in d.failures}
    assert any(d.allowed for d in decisions)
    assert {"money", "documents", "age", "state"} <= kinds
    assert sum(d.allowed for d in decisions) > len(decisions) / 3


def test_the_supervisor_may_authorise_a_small_excess_of_a_client_in_their_team(demo):
    supervisor = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    bands = db.session.scalars(sa.select(CreditBand).order_by(CreditBand.id)).all()
    assert [(b.user_id, b.role) for b in bands] == [(supervisor.id, None), (None, "admin")]
    assert bands[0].band.max_excess == D("200000") and bands[0].band.max_excess_pct == D("20")
    client = next(
        c
        for c in db.session.scalars(sa.select(Client).order_by(Client.id))
        if (policy := credit.effective_policy(c)) is not None
        and policy.money_limit
        and credit.decision(c, D("1"), "current_account").allowed
    )
    assert db.session.get(User, client.salesperson_id).supervisor_id == supervisor.id
    snap = credit.snapshot(client)
    # a small excess over what the client already uses (balance and orders not yet invoiced):
    # 1,000 or 5 % of the limit, whichever is less (both inside the band)
    used = snap.balance + snap.pending_orders
    small = snap.limits.money - used + min(D("1000"), snap.limits.money * D("0.05"))
    verdict = credit.decision(client, small, "current_account")
    assert [f.kind for f in verdict.failures] == ["money"]
    assert credit.approvers(client, verdict) == [admin, supervisor]
    far = credit.decision(client, small + D("250000"), "current_account")
    assert credit.approvers(client, far) == [admin]


def test_the_demo_shows_where_limits_come_from_and_iva_liberations(demo):
    from app.clients.models import Family, Zone

    zone = db.session.scalar(sa.select(Zone).where(Zone.code == "Z08"))
    assert zone.credit_policy.name == "Interior a 60 días"
    in_zone = db.session.scalars(
        sa.select(Client).where(Client.sales_zone_id == zone.id, Client.credit_policy_id.is_(None))
    ).all()
    assert in_zone
    assert all(credit.applied_limits(c).policy.source == "zone" for c in in_zone)
    family = db.session.scalar(sa.select(Family).where(Family.name == "Grupo Gómez Hnos."))
    assert family.credit_limit >= D("500000")
    members = db.session.scalars(sa.select(Client).where(Client.family_id == family.id)).all()
    assert len(members) >= 2
    assert all(credit.snapshot(m).family.money == family.credit_limit for m in members)
    own = db.session.scalars(
        sa.select(Client).where(
            sa.or_(
                Client.credit_money_limit.is_not(None),
                Client.credit_max_documents.is_not(None),
                Client.credit_max_age_days.is_not(None),
            )
        )
    ).all()
    assert len(own) == 3
    assert all("own" in credit.applied_limits(c).sources.values() for c in own)
    liberated = db.session.scalars(
        sa.select(Client).where(Client.iva_exemption_pct > 0).order_by(Client.iva_exemption_pct)
    ).all()
    assert [(c.iva_exemption_pct, c.large_taxpayer) for c in liberated] == [
        (D("50"), True),
        (D("100"), False),
    ]
