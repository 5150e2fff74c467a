"""GET /api/v1/clients/{id}/credit: the decision for an order, with its figures."""

from datetime import timedelta
from decimal import Decimal

from app.core.types import local_today
from app.credit.models import CreditPolicy
from app.extensions import db
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)


def policy(**limits) -> CreditPolicy:
    """A credit policy with these limits."""
    row = CreditPolicy(code="P1", name="Minoristas", **limits)
    db.session.add(row)
    db.session.flush()
    return row


def test_an_order_over_the_limits_is_blocked_with_each_figure(api):  # noqa: F811
    seller = api("salesperson")
    limits = policy(money_limit=Decimal("1000"), max_documents=1, max_age_days=30)
    client = factories.make_client(salesperson_id=seller.user.id, credit_policy_id=limits.id)
    factories.post_document(client, amount="800", date=local_today() - timedelta(days=31))
    db.session.commit()
    answer = seller.get(f"/api/v1/clients/{client.id}/credit?amount=12500.50")
    assert answer.status_code == 200
    body = answer.json
    assert body["allowed"] is False and body["credit"] is True and body["policy"] == "Minoristas"
    money, documents, age = body["failures"]
    assert money == {
        "kind": "money", "limit": "1000.00", "current": "800.00", "after": "13300.50",
        "excess": "12300.50", "message": "Supera el límite en $ 12.300,50 (límite $ 1.000)",
    }  # fmt: skip
    assert (documents["limit"], documents["current"], documents["after"]) == (1, 1, 2)
    assert age["message"] == "Factura más antigua: 31 días (máximo 30)"
    cash = seller.get(f"/api/v1/clients/{client.id}/credit?amount=12500.50&payment_method=cash")
    applied = {
        "policy": "Minoristas", "policy_source": "client", "policy_holder": None,
        "money": {"limit": "1000.00", "source": "client", "holder": None,
                  "label": "política propia del cliente"},
        "documents": {"limit": 1, "source": "client", "holder": None,
                      "label": "política propia del cliente"},
        "age_days": {"limit": 30, "source": "client", "holder": None,
                     "label": "política propia del cliente"},
        "family": None, "family_exposure": None,
    }  # fmt: skip
    assert cash.json == {
        "allowed": True, "credit": False, "failures": [], "notices": [], "policy": "Minoristas",
        "currency": "ARS", "approvers": [], "applied": applied,
    }  # fmt: skip


def test_a_blocked_decision_names_the_supervisors_who_could_authorise_it(api):  # noqa: F811
    from app.credit.models import CreditBand

    boss = factories.make_user("supervisor", full_name="Marta Supervisora")
    narrow = factories.make_user("supervisor", full_name="Otro Supervisor")
    seller = api("salesperson", supervisor_id=boss.id)
    client = factories.make_client(
        salesperson_id=seller.user.id, credit_policy_id=policy(money_limit=Decimal("1000")).id
    )
    db.session.add_all([
        CreditBand(name="Amplia", user_id=boss.id, money=True, max_excess=Decimal("500")),
        CreditBand(name="Corta", user_id=narrow.id, money=True, max_excess=Decimal("10")),
    ])  # fmt: skip
    db.session.commit()
    body = seller.get(f"/api/v1/clients/{client.id}/credit?amount=1200").json
    assert body["allowed"] is False
    assert body["approvers"] == [{"id": boss.id, "full_name": "Marta Supervisora"}]
    far = seller.get(f"/api/v1/clients/{client.id}/credit?amount=2000").json
    assert far["approvers"] == []


def test_exactly_at_the_money_limit_passes(api):  # noqa: F811
    office = api("backoffice")
    client = factories.make_client(credit_policy_id=policy(money_limit=Decimal("1000")).id)
    factories.post_document(client, amount="400")
    factories.post_document(client, amount="400")
    db.session.commit()
    assert office.get(f"/api/v1/clients/{client.id}/credit?amount=200").json["allowed"]
    over = office.get(f"/api/v1/clients/{client.id}/credit?amount=200.01").json
    assert over["failures"][0]["excess"] == "0.01"


def test_bad_arguments_get_field_messages_in_spanish(api):  # noqa: F811
    office = api("backoffice")
    client = factories.make_client()
    db.session.commit()
    answer = office.get(f"/api/v1/clients/{client.id}/credit?amount=1.234&payment_method=gold")
    assert answer.status_code == 422
    fields = answer.json["error"]["fields"]
    assert set(fields) == {"amount", "payment_method"}
    assert fields["payment_method"] == ["Forma de pago desconocida."]
    assert office.get(f"/api/v1/clients/{client.id}/credit").status_code == 422


def test_scope_and_roles(api):  # noqa: F811
    seller = api("salesperson")
    other = factories.make_client()
    db.session.commit()
    assert seller.get(f"/api/v1/clients/{other.id}/credit?amount=1").status_code == 404
    collector = api("collector")
    assert collector.get(f"/api/v1/clients/{other.id}/credit?amount=1").status_code == 403
