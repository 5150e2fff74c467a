"""A client's credit snapshot comes from its policy and its current account."""

from datetime import date, timedelta
from decimal import Decimal

from app.core.types import local_today, utcnow
from app.credit import services as credit
from app.credit.models import CreditPolicy
from app.extensions import db
from tests import factories


def make_policy(**fields) -> CreditPolicy:
    """A credit policy with the given limits."""
    policy = CreditPolicy(**({"code": "P1", "name": "Minoristas"} | fields))
    db.session.add(policy)
    db.session.flush()
    return policy


def test_the_clients_own_policy_wins_over_its_types(app):
    loose = make_policy(code="MAY", name="Mayoristas", money_limit=Decimal("500000"))
    strict = make_policy(code="MIN", name="Minoristas", money_limit=Decimal("1000"))
    client_type = factories.make_client_type(credit_policy_id=loose.id)
    by_type = factories.make_client(client_type_id=client_type.id)
    own = factories.make_client(client_type_id=client_type.id, credit_policy_id=strict.id)
    assert credit.effective_policy(by_type) == loose
    assert credit.effective_policy(own) == strict
    strict.deleted_at = utcnow()
    assert credit.effective_policy(own) == loose


def test_the_snapshot_reads_balance_and_unpaid_documents_of_the_account_currency(app):
    client = factories.make_client(credit_policy_id=make_policy(max_documents=2).id)
    old = local_today() - timedelta(days=40)
    first = factories.post_document(client, amount="400", date=old)
    factories.post_document(client, amount="300")
    factories.post_document(client, amount="99", currency="USD", exchange_rate="1000")
    factories.post_receipt(client, amount="400", apply_oldest=True)
    snap = credit.snapshot(client)
    assert snap.balance == Decimal("300.00")
    assert snap.unpaid_dates == (local_today(),)
    assert snap.limits.documents == 2 and snap.limits.money is None
    assert first.state == "paid"


def test_a_decision_names_every_failing_limit(app):
    policy = make_policy(money_limit=Decimal("1000"), max_documents=1, max_age_days=30)
    client = factories.make_client(credit_policy_id=policy.id)
    factories.post_document(client, amount="900", date=local_today() - timedelta(days=45))
    blocked = credit.decision(client, Decimal("300"), "current_account")
    assert not blocked.allowed
    assert [f.kind for f in blocked.failures] == ["money", "documents", "age"]
    assert blocked.failures[0].message == "Supera el límite en $ 200 (límite $ 1.000)"
    assert blocked.failures[2].message == "Factura más antigua: 45 días (máximo 30)"
    assert credit.decision(client, Decimal("300"), "cash").allowed


def test_a_client_without_a_policy_has_no_limits_but_its_state_still_rules(app):
    client = factories.make_client(state="delinquent")
    assert credit.decision(client, Decimal("1"), "cash", date(2026, 1, 1)).allowed
    refused = credit.decision(client, Decimal("1"), "current_account", date(2026, 1, 1))
    assert [f.kind for f in refused.failures] == ["state"]
