"""The credit decision passes the shared vectors (the offline JavaScript port runs them too)."""

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.credit.rules import (
    Applied,
    Assigned,
    Decision,
    Failure,
    FamilyLimit,
    Limits,
    Snapshot,
    decide,
    resolve_limits,
)

VECTORS = json.loads((Path(__file__).with_name("vectors.json")).read_text(encoding="utf-8"))
CASES = VECTORS["cases"]
RESOLUTION = VECTORS["resolution"]
MONEY = re.compile(r"-?\d+\.\d{2}")
FIGURES = ("limit", "current", "after", "excess")


def money(text: str | None) -> Decimal | None:
    """A money string of the vectors (two decimals) as a Decimal."""
    if text is None:
        return None
    assert MONEY.fullmatch(text), f"money must have two decimals: {text!r}"
    return Decimal(text)


def limits_of(limits: dict) -> Limits:
    """The Limits a vector describes."""
    return Limits(
        money=money(limits["money"]), documents=limits["documents"], age_days=limits["age_days"]
    )


def snapshot(data: dict) -> Snapshot:
    """The Snapshot a vector describes."""
    limits = data["limits"]
    family = data.get("family")
    return Snapshot(
        state=data["state"],
        credit_blocked=data["credit_blocked"],
        deleted=data["deleted"],
        limits=Limits(
            money=money(limits["money"]),
            documents=limits["documents"],
            age_days=limits["age_days"],
        ),
        balance=money(data["balance"]),
        pending_orders=money(data["pending_orders"]),
        unpaid_dates=tuple(date.fromisoformat(day) for day in data["unpaid_dates"]),
        pending_documents=data.get("pending_documents", 0),
        family=family
        and FamilyLimit(family["name"], money(family["money"]), money(family["others"])),
    )


def figure(kind: str, value: object) -> object:
    """A failure figure in the vectors' form: money as "0.00", counts and days as int."""
    if kind == "state":
        assert value is None, f"a state failure has no figures, got {value!r}"
        return None
    if kind == "money":
        assert isinstance(value, Decimal), f"money figure {value!r} is not a Decimal"
        assert value == value.quantize(Decimal("0.01")), f"money figure {value!r} has >2 places"
        return f"{value:.2f}"
    assert isinstance(value, int) and not isinstance(value, bool), f"{kind} figure {value!r}"
    return value


def as_vector(decision: Decision) -> dict:
    """The whole decision in the vectors' JSON form."""
    assert isinstance(decision, Decision)
    failures = []
    for failure in decision.failures:
        assert isinstance(failure, Failure)
        row = {"kind": failure.kind}
        row.update({name: figure(failure.kind, getattr(failure, name)) for name in FIGURES})
        row["message"] = failure.message
        failures.append(row)
    return {"allowed": decision.allowed, "credit": decision.credit, "failures": failures}


def test_there_are_enough_cases_with_unique_names():
    names = [case["name"] for case in CASES]
    assert len(names) >= 60
    assert len(names) == len(set(names))


def test_every_case_has_the_shared_shape():
    """The file stays plain data the JavaScript port can read the same way."""
    for case in CASES:
        assert set(case) == {"name", "snapshot", "amount", "payment_method", "on", "expected"}
        money(case["amount"])
        date.fromisoformat(case["on"])
        expected = case["expected"]
        assert set(expected) == {"allowed", "credit", "failures"}
        assert expected["allowed"] == (not expected["failures"]), case["name"]
        for failure in expected["failures"]:
            assert list(failure) == ["kind", *FIGURES, "message"], case["name"]
            if failure["kind"] == "money":
                for name in FIGURES:
                    money(failure[name])


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_vector(case):
    decision = decide(
        snapshot(case["snapshot"]),
        money(case["amount"]),
        case["payment_method"],
        date.fromisoformat(case["on"]),
    )
    assert as_vector(decision) == case["expected"]


def applied_vector(applied: Applied) -> dict:
    """Which limits apply, in the resolution cases' JSON form."""
    limits = applied.limits
    policy = applied.policy
    return {
        "limits": {
            "money": None if limits.money is None else f"{limits.money:.2f}",
            "documents": limits.documents,
            "age_days": limits.age_days,
        },
        "policy": policy
        and {"source": policy.source, "name": policy.name, "holder": policy.holder},
        "sources": applied.sources,
    }


def test_there_are_resolution_cases_with_unique_names():
    names = [case["name"] for case in RESOLUTION]
    assert len(names) >= 10
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", RESOLUTION, ids=[case["name"] for case in RESOLUTION])
def test_resolution(case):
    assigned = [
        Assigned(item["source"], item["name"], limits_of(item["limits"]), item["holder"])
        for item in case["assigned"]
    ]
    assert applied_vector(resolve_limits(limits_of(case["own"]), assigned)) == case["expected"]


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError, match="unknown policy source"):
        resolve_limits(Limits(), [Assigned("channel", "x", Limits())])
