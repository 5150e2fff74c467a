"""Credit bands: who may authorise how far over which limit."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.credit import services as credit
from app.credit.models import CreditBand, CreditPolicy
from app.credit.rules import Band, Decision, Failure, band_covers
from app.extensions import db
from tests import factories

D = Decimal
CASES = json.loads(Path(__file__).with_name("band_cases.json").read_text(encoding="utf-8"))["cases"]


def band(data: dict) -> Band:
    """The Band a shared case describes."""
    number = {"max_excess": Decimal, "max_excess_pct": Decimal}
    ceilings = {
        name: number.get(name, int)(data[name]) if data[name] is not None else None
        for name in ("max_excess", "max_excess_pct", "max_extra_documents", "max_extra_days")
    }
    return Band(kinds=frozenset(data["kinds"]), **ceilings)


def decision(data: dict) -> Decision:
    """The Decision a shared case describes (money figures as Decimal, the others as int)."""
    failures = []
    for row in data["failures"]:
        figures = {
            name: Decimal(row[name]) if row["kind"] == "money" else row[name]
            for name in ("limit", "current", "after", "excess")
        }
        failures.append(Failure(row["kind"], row["message"], **figures))
    return Decision(allowed=data["allowed"], credit=data["credit"], failures=tuple(failures))


def test_the_band_cases_have_unique_names():
    assert len({case["name"] for case in CASES}) == len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_a_band_covers_a_decision_only_if_it_reaches_every_failure(case):
    assert band_covers(band(case["band"]), decision(case["decision"])) is case["expected"]


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
