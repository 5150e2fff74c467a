"""The credit decision's helpers, its refusals of bad input, and its properties."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.credit.rules import Decision, Limits, Snapshot, decide, money_text

ON = date(2026, 2, 1)
PROPERTY = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize("amount", ["0", "0.00", "-0.01", "-100"])
def test_amount_must_be_positive(amount):
    with pytest.raises(ValueError, match="positive"):
        decide(Snapshot(), Decimal(amount), "cash", ON)


@pytest.mark.parametrize("method", ["", "credit", "Cash", "cheque", "cuenta_corriente"])
def test_unknown_payment_method(method):
    with pytest.raises(ValueError, match="payment method"):
        decide(Snapshot(), Decimal("10"), method, ON)


@pytest.mark.parametrize("state", ["", "inactive", "Active", "deleted", "moroso"])
def test_unknown_state(state):
    with pytest.raises(ValueError, match="client state"):
        decide(Snapshot(state=state), Decimal("10"), "cash", ON)


def test_unknown_state_is_refused_even_when_deleted():
    with pytest.raises(ValueError, match="client state"):
        decide(Snapshot(state="nope", deleted=True), Decimal("10"), "current_account", ON)


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Money with two decimals between low and high (in cents)."""
    return st.integers(low, high).map(lambda value: Decimal(value).scaleb(-2))


MAX_CENTS = 99_999_999_999_999  # 999999999999.99
unpaid_dates = st.lists(
    st.integers(-30, 400).map(lambda days: ON - timedelta(days=days)), max_size=6
).map(tuple)


@PROPERTY
@given(
    limit=cents(0, MAX_CENTS),
    balance=cents(-MAX_CENTS, MAX_CENTS),
    pending=cents(0, MAX_CENTS),
    amount=cents(1, MAX_CENTS),
    dates=unpaid_dates,
    method=st.sampled_from(["current_account", "mixed"]),
)
def test_money_limit_alone(limit, balance, pending, amount, dates, method):
    snapshot = Snapshot(
        limits=Limits(money=limit), balance=balance, pending_orders=pending, unpaid_dates=dates
    )
    decision = decide(snapshot, amount, method, ON)
    after = balance + pending + amount
    assert decision.credit is True
    assert decision.allowed == (after <= limit)
    if decision.allowed:
        assert decision.failures == ()
    else:
        (failure,) = decision.failures
        assert failure.kind == "money"
        assert failure.limit == limit
        assert failure.current == balance + pending
        assert failure.after == after
        assert failure.excess == failure.after - limit
        assert failure.excess > 0
        assert failure.message == (
            f"Supera el límite en {money_text(failure.excess)} (límite {money_text(limit)})"
        )


optional_limits = st.builds(
    Limits,
    money=st.none() | cents(0, MAX_CENTS),
    documents=st.none() | st.integers(0, 10),
    age_days=st.none() | st.integers(0, 400),
)


@PROPERTY
@given(
    limits=optional_limits,
    balance=cents(-MAX_CENTS, MAX_CENTS),
    pending=cents(0, MAX_CENTS),
    amount=cents(1, MAX_CENTS),
    dates=unpaid_dates,
    method=st.sampled_from(["cash", "transfer", "check", "card"]),
    state=st.sampled_from(["active", "potential", "suspended", "cash_only", "delinquent"]),
    credit_blocked=st.booleans(),
)
def test_immediate_payment_is_always_allowed(
    limits, balance, pending, amount, dates, method, state, credit_blocked
):
    """Active and not blocked, and also any state but disabled, blocked or not."""
    snapshot = Snapshot(
        state=state,
        credit_blocked=credit_blocked,
        limits=limits,
        balance=balance,
        pending_orders=pending,
        unpaid_dates=dates,
    )
    assert decide(snapshot, amount, method, ON) == Decision(allowed=True, credit=False)


@PROPERTY
@given(
    limits=optional_limits,
    dates=unpaid_dates,
    method=st.sampled_from(["cash", "transfer", "check", "card", "current_account", "mixed"]),
    state=st.sampled_from(["active", "potential", "suspended", "cash_only", "delinquent"]),
    amount=cents(1, MAX_CENTS),
)
def test_deleted_clients_are_never_sold_to(limits, dates, method, state, amount):
    snapshot = Snapshot(state=state, deleted=True, limits=limits, unpaid_dates=dates)
    decision = decide(snapshot, amount, method, ON)
    assert decision.allowed is False
    assert [failure.kind for failure in decision.failures] == ["state"]
