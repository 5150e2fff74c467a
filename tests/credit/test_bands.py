"""Credit bands: who may authorise how far over which limit."""

from datetime import date
from decimal import Decimal

import pytest

from app.credit import services as credit
from app.credit.models import CreditBand, CreditPolicy
from app.credit.rules import Band, Decision, Failure, band_covers
from app.extensions import db
from tests import factories

D = Decimal


def blocked(*failures: Failure) -> Decision:
    """A blocked decision with these failures."""
    return Decision(allowed=False, credit=True, failures=failures)


MONEY_10_PCT = Failure("money", "", D("1000"), D("900"), D("1100"), D("100"))
DOCS_1_OVER = Failure("documents", "", 1, 1, 2, 1)
AGE_5_DAYS = Failure("age", "", 30, 35, 35, 5)
STATE = Failure("state", "Cliente inhabilitado: no se le puede vender.")


@pytest.mark.parametrize(
    ("band", "decision", "covered"),
    [
        (Band(frozenset({"money"})), blocked(MONEY_10_PCT), True),
        (Band(frozenset({"money"}), max_excess=D("100")), blocked(MONEY_10_PCT), True),
        (Band(frozenset({"money"}), max_excess=D("99.99")), blocked(MONEY_10_PCT), False),
        (Band(frozenset({"money"}), max_excess_pct=D("10")), blocked(MONEY_10_PCT), True),
        (Band(frozenset({"money"}), max_excess_pct=D("9.99")), blocked(MONEY_10_PCT), False),
        (Band(frozenset({"money"}), max_excess=D("500"), max_excess_pct=D("5")),
         blocked(MONEY_10_PCT), False),
        (Band(frozenset({"money"})), blocked(MONEY_10_PCT, DOCS_1_OVER), False),
        (Band(frozenset({"money", "documents"}), max_extra_documents=1),
         blocked(MONEY_10_PCT, DOCS_1_OVER), True),
        (Band(frozenset({"documents"}), max_extra_documents=0), blocked(DOCS_1_OVER), False),
        (Band(frozenset({"age"}), max_extra_days=5), blocked(AGE_5_DAYS), True),
        (Band(frozenset({"age"}), max_extra_days=4), blocked(AGE_5_DAYS), False),
        (Band(frozenset({"money", "documents", "age"})), blocked(STATE), False),
        (Band(frozenset({"money"}), max_excess_pct=D("50")),
         blocked(Failure("money", "", D("0"), D("0"), D("10"), D("10"))), False),
        (Band(frozenset({"money"})), Decision(allowed=True, credit=True), False),
    ],
)  # fmt: skip
def test_a_band_covers_a_decision_only_if_it_reaches_every_failure(band, decision, covered):
    assert band_covers(band, decision) is covered


def test_approvers_are_the_supervisors_whose_band_and_team_reach_the_client(app):
    boss = factories.make_user("supervisor", full_name="Ana Jefa")
    other_boss = factories.make_user("supervisor", full_name="Beto Otro")
    seller = factories.make_user("salesperson", supervisor_id=boss.id)
    admin = factories.make_user("admin", full_name="Zoe Admin")
    db.session.add_all(
        [
            CreditBand(name="Ana 20 %", user_id=boss.id, money=True, max_excess_pct=D("20")),
            CreditBand(name="Beto todo", user_id=other_boss.id, money=True, documents=True),
            CreditBand(name="Admins", role="admin", money=True, documents=True, age=True),
        ]
    )
    policy = CreditPolicy(code="P", name="P", money_limit=D("1000"), max_documents=5)
    db.session.add(policy)
    db.session.flush()
    client = factories.make_client(salesperson_id=seller.id, credit_policy_id=policy.id)
    factories.post_document(client, amount="1000", date=date(2026, 1, 1))
    verdict = credit.decision(client, D("150"), "current_account", date(2026, 1, 2))
    assert [u.full_name for u in credit.approvers(client, verdict)] == ["Ana Jefa", "Zoe Admin"]
    far = credit.decision(client, D("300"), "current_account", date(2026, 1, 2))
    assert credit.approvers(client, far) == [admin]
    admin.active = False
    assert credit.approvers(client, far) == []
