"""Pure rule: what an order line and an order cost, with every discount in a fixed order.

Plain values in, plain values out: no Flask, no database. The order, documented in the
README and shown on every line:

1. Unit price: the client's own price for the product when one is in force, else the
   client's price list price (in the order currency).
2. Line discounts, one after the other on what the previous left ("en cascada"):
   a. the promotion in force for the product on the order date (the best one if several);
   b. the volume discount: the highest quantity break the line's quantity reaches;
   c. the client's own discount in force: the one for this product, else the one for every
      product (never both);
   d. the client type's discount.
   A client's own *price* replaces the list price and the client's own discount does not
   apply on top of it (the special price already is the negotiated price); promotions,
   volume breaks and the type's discount still do.
   Line net = quantity x unit price x (1 - a) x (1 - b) x ..., rounded once to cents.
3. The sale condition's discount (e.g. 3 % pronto pago) on the sum of the line nets.
4. IVA on each line at its product's rate, on the line net less its share of the sale
   condition's discount, less the client's IVA liberation (Client.iva_exemption_pct: a
   client liberated of 40 % of the IVA pays 60 % of it), rounded once per rate; the IIBB
   perception on the order's net (the caller computes it with the taxes rule, which has its
   own minimums and exemptions).
5. Total = net + IVA + perception. The credit exposure counts this total, so the liberation
   lowers it too.

Gran Contribuyente (Client.large_taxpayer): a client AFIP lists among its large taxpayers is
an IVA withholding agent (RG 2854/10): when it pays, it withholds part of the IVA of the
distributor's invoice and hands a withholding certificate, which settles that part of the
debt like cash (a receipt's withholding lines). The invoice itself carries the full IVA by
law, so here the flag changes no amount: the order keeps the whole total, the credit exposure
counts it until the receipt with its withholding is applied, and the order's summary shows a
note (templates/orders/_summary.html) so the salesperson expects the certificate. The IIBB
perception keeps its own rules (the taxes rule and the registry decide it).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENTS = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def cents(amount: Decimal) -> Decimal:
    """Round to cents, half up, as invoices do."""
    return amount.quantize(CENTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Break:
    """A quantity break of a product: from min_quantity up, pct off."""

    min_quantity: Decimal
    pct: Decimal


@dataclass(frozen=True)
class Promo:
    """A promotion on a product between two dates, both included."""

    name: str
    pct: Decimal
    valid_from: date
    valid_to: date

    def in_force(self, on: date) -> bool:
        """True on the days the promotion runs."""
        return self.valid_from <= on <= self.valid_to


@dataclass(frozen=True)
class Own:
    """A client's own condition: a special price (one product) or a discount."""

    valid_from: date
    valid_to: date | None
    special_price: Decimal | None = None
    pct: Decimal | None = None
    product: bool = True  # for one product; False: for every product

    def in_force(self, on: date) -> bool:
        """True on the days the condition holds (open-ended when valid_to is None)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class LineInput:
    """What pricing needs to know about one line."""

    quantity: Decimal
    list_price: Decimal | None  # None: the product has no price in the client's list
    tax_rate: Decimal
    promotions: tuple[Promo, ...] = ()
    breaks: tuple[Break, ...] = ()
    own: tuple[Own, ...] = ()  # the client's conditions for this product and for all products


@dataclass(frozen=True)
class Discount:
    """One discount applied to a line, as the line shows it."""

    kind: str  # promotion | volume | client | client_type
    label: str
    pct: Decimal


@dataclass(frozen=True)
class PricedLine:
    """A line's price, its discounts in the order applied, and its net."""

    quantity: Decimal
    list_price: Decimal
    unit_price: Decimal  # the price the discounts start from (list or the client's own)
    special_price: bool
    discounts: tuple[Discount, ...]
    net: Decimal
    tax_rate: Decimal

    @property
    def net_unit(self) -> Decimal:
        """The unit price after the line's discounts, to show."""
        return cents(self.net / self.quantity)


@dataclass(frozen=True)
class Totals:
    """An order's amounts."""

    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    condition_pct: Decimal
    condition_discount: Decimal
    net: Decimal
    tax: Decimal
    perception: Decimal
    total: Decimal
    tax_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)


class NoPrice(ValueError):
    """The product has no price in the client's list and no special price for the client."""


def price_line(line: LineInput, type_pct: Decimal, on: date) -> PricedLine:
    """The line's unit price, its discounts in order and its net (rule steps 1 and 2)."""
    if line.quantity <= 0:
        raise ValueError("the quantity must be positive")
    own_now = [o for o in line.own if o.in_force(on)]
    special = next((o for o in own_now if o.special_price is not None), None)
    if special is None and line.list_price is None:
        raise NoPrice("no price for this product")
    unit = special.special_price if special else line.list_price
    discounts: list[Discount] = []
    promos = [p for p in line.promotions if p.in_force(on)]
    if promos:
        best = max(promos, key=lambda p: (p.pct, p.name))
        discounts.append(Discount("promotion", best.name, best.pct))
    reached = [b for b in line.breaks if line.quantity >= b.min_quantity]
    if reached:
        top = max(reached, key=lambda b: b.min_quantity)
        discounts.append(Discount("volume", f"desde {_qty(top.min_quantity)}", top.pct))
    if special is None:
        mine = [o for o in own_now if o.pct is not None]
        own_pct = next((o for o in mine if o.product), None) or next(iter(mine), None)
        if own_pct is not None:
            discounts.append(Discount("client", "del cliente", own_pct.pct))
    if type_pct:
        discounts.append(Discount("client_type", "del tipo de cliente", type_pct))
    factor = Decimal("1")
    for discount in discounts:
        factor *= 1 - discount.pct / HUNDRED
    net = cents(line.quantity * unit * factor)
    return PricedLine(
        line.quantity,
        line.list_price if line.list_price is not None else unit,
        unit,
        special is not None,
        tuple(discounts),
        net,
        line.tax_rate,
    )


def order_totals(
    lines: list[PricedLine],
    condition_pct: Decimal,
    perceive: Callable[[Decimal], Decimal] | None = None,
    iva_exemption_pct: Decimal = ZERO,
) -> Totals:
    """The order's subtotal, sale condition discount, IVA and total (rule steps 3 to 5).

    perceive gives the IIBB perception for a net amount (the taxes rule, with the client's
    rates bound); without it nothing is perceived. iva_exemption_pct is the part of the IVA
    the client is liberated of (0 to 100).
    """
    if not ZERO <= iva_exemption_pct <= HUNDRED:
        raise ValueError("the IVA liberation must be from 0 to 100 %")
    subtotal = sum((line.net for line in lines), ZERO)
    condition_discount = cents(subtotal * condition_pct / HUNDRED)
    net = subtotal - condition_discount
    keep = 1 - condition_pct / HUNDRED
    by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        by_rate[line.tax_rate] = by_rate.get(line.tax_rate, ZERO) + line.net
    liable = 1 - iva_exemption_pct / HUNDRED
    tax_by_rate = {
        rate: cents(base * keep * rate / HUNDRED * liable) for rate, base in by_rate.items()
    }
    tax = sum(tax_by_rate.values(), ZERO)
    perception = cents(perceive(net)) if perceive else ZERO
    return Totals(
        tuple(lines),
        cents(subtotal),
        condition_pct,
        condition_discount,
        cents(net),
        cents(tax),
        perception,
        cents(net + tax + perception),
        tax_by_rate,
    )


def _qty(quantity: Decimal) -> str:
    """A quantity without trailing zeros: 12, 2,5."""
    text = f"{quantity.normalize():f}"
    return text.replace(".", ",")
