"""Pure rule: the IIBB perception a seller adds to a sale, per jurisdiction.

Plain values in, plain values out: no Flask, no database. The caller looks up the
jurisdiction's settings and the client's registry rate (padrón de alícuotas) and passes them.

The rule, in order:
1. an inactive jurisdiction perceives nothing (reason INACTIVE);
2. a Convenio Multilateral client is left out when the jurisdiction excludes them (EXCLUDED);
3. the registry rate for the client's CUIT, valid on the date, wins; a registry rate of 0 means
   the registry exempts the client (EXEMPT); with no registry rate the jurisdiction's default
   rate applies, and with no default rate there is nothing to perceive (NOT_REGISTERED);
4. a net amount below the jurisdiction's minimum taxable amount perceives nothing
   (BELOW_MINIMUM);
5. otherwise the amount is base × rate / 100, rounded to cents with ROUND_HALF_UP (APPLIED).
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENTS = Decimal("0.01")
ZERO = Decimal("0.00")


class PerceptionReason(StrEnum):
    """Why a perception is what it is."""

    APPLIED = "applied"
    BELOW_MINIMUM = "below_minimum"
    EXCLUDED = "excluded"
    EXEMPT = "exempt"
    NOT_REGISTERED = "not_registered"
    INACTIVE = "inactive"


class RateSource(StrEnum):
    """Where the rate came from."""

    REGISTRY = "registry"
    DEFAULT = "default"
    NONE = "none"


@dataclass(frozen=True)
class JurisdictionSettings:
    """A jurisdiction's perception settings, as the company configured them."""

    code: str
    name: str
    default_rate: Decimal | None
    minimum_amount: Decimal
    include_multilateral: bool
    active: bool = True


@dataclass(frozen=True)
class RegistryRate:
    """One registry row: the rate for a CUIT over a validity period (both ends included)."""

    tax_id: str
    rate: Decimal
    valid_from: date
    valid_to: date

    def covers(self, tax_id: str, on: date) -> bool:
        """True when this row is for that CUIT and valid on that date."""
        return self.tax_id == tax_id and self.valid_from <= on <= self.valid_to


@dataclass(frozen=True)
class RateDecision:
    """The rate that applies to a client in a jurisdiction on a date, and why."""

    rate: Decimal
    source: RateSource
    reason: PerceptionReason
    valid_to: date | None = None

    @property
    def applies(self) -> bool:
        """True when a sale above the minimum would carry a perception."""
        return self.reason is PerceptionReason.APPLIED


@dataclass(frozen=True)
class Perception:
    """The perception on one sale: rate (%), base and amount, or zero with the reason."""

    rate: Decimal
    base: Decimal
    amount: Decimal
    reason: PerceptionReason
    source: RateSource


def perception_rate(
    tax_id: str | None,
    multilateral: bool,
    settings: JurisdictionSettings,
    registry: RegistryRate | None,
    on: date,
) -> RateDecision:
    """The rate for this client in this jurisdiction on this date (rules 1 to 3)."""
    if not settings.active:
        return RateDecision(ZERO, RateSource.NONE, PerceptionReason.INACTIVE)
    if multilateral and not settings.include_multilateral:
        return RateDecision(ZERO, RateSource.NONE, PerceptionReason.EXCLUDED)
    if registry is not None and tax_id and registry.covers(tax_id, on):
        reason = PerceptionReason.EXEMPT if registry.rate == 0 else PerceptionReason.APPLIED
        return RateDecision(registry.rate, RateSource.REGISTRY, reason, registry.valid_to)
    if settings.default_rate is None or settings.default_rate == 0:
        return RateDecision(ZERO, RateSource.NONE, PerceptionReason.NOT_REGISTERED)
    return RateDecision(settings.default_rate, RateSource.DEFAULT, PerceptionReason.APPLIED)


def compute_perception(
    tax_id: str | None,
    multilateral: bool,
    settings: JurisdictionSettings,
    registry: RegistryRate | None,
    net_amount: Decimal,
    on: date,
) -> Perception:
    """The perception on a sale of this net amount; ValueError for a negative amount.

    A credit note reverses the perception of the invoice it cancels; it is not computed here.
    """
    if net_amount < 0:
        raise ValueError("the net amount of a sale cannot be negative")
    base = net_amount.quantize(CENTS, ROUND_HALF_UP)
    decision = perception_rate(tax_id, multilateral, settings, registry, on)
    if not decision.applies:
        return Perception(decision.rate, base, ZERO, decision.reason, decision.source)
    if base < settings.minimum_amount:
        return Perception(
            decision.rate, base, ZERO, PerceptionReason.BELOW_MINIMUM, decision.source
        )
    amount = (base * decision.rate / 100).quantize(CENTS, ROUND_HALF_UP)
    return Perception(decision.rate, base, amount, PerceptionReason.APPLIED, decision.source)
