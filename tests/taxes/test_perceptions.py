"""The IIBB perception rule: examples and properties."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.taxes.perceptions import (
    JurisdictionSettings,
    PerceptionReason,
    RateSource,
    RegistryRate,
    compute_perception,
    perception_rate,
)

CUIT = "30712345671"
ON = date(2026, 12, 15)
ARBA = JurisdictionSettings(
    code="902",
    name="Buenos Aires",
    default_rate=Decimal("6.00"),
    minimum_amount=Decimal("50.00"),
    include_multilateral=True,
)


def registry(rate: str, tax_id: str = CUIT) -> RegistryRate:
    return RegistryRate(tax_id, Decimal(rate), date(2026, 12, 1), date(2026, 12, 31))


def perceive(net: str, rate: str | None = "2.50", settings=ARBA, multilateral=False, on=ON):
    found = registry(rate) if rate is not None else None
    return compute_perception(CUIT, multilateral, settings, found, Decimal(net), on)


def test_the_registry_rate_applies_to_the_net_amount():
    perception = perceive("10000.00")
    assert perception.rate == Decimal("2.50")
    assert perception.base == Decimal("10000.00")
    assert perception.amount == Decimal("250.00")
    assert perception.reason is PerceptionReason.APPLIED
    assert perception.source is RateSource.REGISTRY


def test_the_amount_is_rounded_half_up_to_cents():
    # 1234.50 × 3.50 % = 43.2075 -> 43.21; 0.10 × 5.00 % = 0.005 -> 0.01
    assert perceive("1234.50", "3.50").amount == Decimal("43.21")
    settings = JurisdictionSettings("902", "Buenos Aires", None, Decimal("0"), True)
    assert perceive("0.10", "5.00", settings=settings).amount == Decimal("0.01")


def test_below_the_minimum_there_is_no_perception():
    perception = perceive("49.99")
    assert perception.amount == Decimal("0.00")
    assert perception.reason is PerceptionReason.BELOW_MINIMUM
    assert perceive("50.00").amount == Decimal("1.25")


def test_a_zero_rate_in_the_registry_means_exempt():
    perception = perceive("10000.00", "0.00")
    assert perception.amount == 0
    assert perception.reason is PerceptionReason.EXEMPT


def test_a_client_not_in_the_registry_gets_the_default_rate():
    perception = perceive("1000.00", None)
    assert perception.rate == Decimal("6.00")
    assert perception.amount == Decimal("60.00")
    assert perception.source is RateSource.DEFAULT


def test_without_a_default_rate_clients_not_in_the_registry_are_not_perceived():
    settings = JurisdictionSettings("902", "Buenos Aires", None, Decimal("50"), True)
    perception = perceive("1000.00", None, settings=settings)
    assert perception.amount == 0
    assert perception.reason is PerceptionReason.NOT_REGISTERED


def test_a_registry_row_of_another_period_or_cuit_is_ignored():
    assert perceive("1000.00", on=date(2027, 1, 1)).source is RateSource.DEFAULT
    other = registry("2.50", tax_id="20111111112")
    perception = compute_perception(CUIT, False, ARBA, other, Decimal("1000"), ON)
    assert perception.source is RateSource.DEFAULT


def test_multilateral_clients_can_be_excluded():
    settings = JurisdictionSettings("902", "Buenos Aires", Decimal("6"), Decimal("0"), False)
    perception = perceive("1000.00", settings=settings, multilateral=True)
    assert perception.amount == 0
    assert perception.reason is PerceptionReason.EXCLUDED
    assert perceive("1000.00", settings=settings, multilateral=False).amount == Decimal("25.00")


def test_an_inactive_jurisdiction_perceives_nothing():
    settings = JurisdictionSettings("902", "Buenos Aires", Decimal("6"), Decimal("0"), True, False)
    assert perceive("1000.00", settings=settings).reason is PerceptionReason.INACTIVE


def test_a_negative_net_amount_is_refused():
    with pytest.raises(ValueError):
        perceive("-1.00")


def test_the_rate_decision_carries_the_registry_end_date():
    decision = perception_rate(CUIT, False, ARBA, registry("2.50"), ON)
    assert decision.applies
    assert decision.valid_to == date(2026, 12, 31)


money = st.decimals(min_value=0, max_value=Decimal("1e10"), places=2, allow_nan=False)
rates = st.decimals(min_value=0, max_value=Decimal("99.99"), places=2, allow_nan=False)
settings_strategy = st.builds(
    JurisdictionSettings,
    code=st.just("902"),
    name=st.just("Buenos Aires"),
    default_rate=st.none() | rates,
    minimum_amount=money,
    include_multilateral=st.booleans(),
    active=st.booleans(),
)
registry_strategy = st.none() | st.builds(
    RegistryRate,
    tax_id=st.sampled_from([CUIT, "20111111112"]),
    rate=rates,
    valid_from=st.just(date(2026, 12, 1)),
    valid_to=st.just(date(2026, 12, 31)),
)
dates = st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 1, 31))


@given(settings_strategy, registry_strategy, money, dates, st.booleans())
def test_the_amount_is_never_negative_nor_above_base_times_rate(
    settings, found, net, on, multilateral
):
    perception = compute_perception(CUIT, multilateral, settings, found, net, on)
    assert perception.amount >= 0
    assert perception.amount == perception.amount.quantize(Decimal("0.01"))
    # Rounding half up may add at most half a cent.
    assert perception.amount <= perception.base * perception.rate / 100 + Decimal("0.005")
    if perception.amount > 0:
        assert perception.reason is PerceptionReason.APPLIED


@given(settings_strategy, registry_strategy, money, dates, st.booleans())
def test_below_the_minimum_the_amount_is_zero(settings, found, net, on, multilateral):
    perception = compute_perception(CUIT, multilateral, settings, found, net, on)
    if net < settings.minimum_amount:
        assert perception.amount == 0
