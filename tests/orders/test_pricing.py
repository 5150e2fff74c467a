"""The pricing rule: every discount, the documented order, and the order's totals.

Every expected value is worked out by hand in the comment next to it.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.orders.pricing import (
    Break,
    LineInput,
    NoPrice,
    Own,
    Promo,
    cents,
    order_totals,
    price_line,
)

D = Decimal
price = price_line
TODAY = date(2026, 11, 23)
NO_TYPE = D("0")


def line(quantity="1", list_price="100.00", tax_rate="21", **parts) -> LineInput:
    """A line of a product at a list price, with the promotions, breaks and conditions given."""
    return LineInput(
        D(quantity),
        None if list_price is None else D(list_price),
        D(tax_rate),
        tuple(parts.get("promotions", ())),
        tuple(parts.get("breaks", ())),
        tuple(parts.get("own", ())),
    )


def promo(pct: str, name: str = "Promo", start: int = -1, end: int = 1) -> Promo:
    """A promotion from `start` to `end` days around TODAY."""
    return Promo(name, D(pct), TODAY + timedelta(days=start), TODAY + timedelta(days=end))


def own(pct=None, special=None, product=True, start=-10, end=None) -> Own:
    """A client's own condition from `start` days around TODAY, open-ended unless told."""
    return Own(
        TODAY + timedelta(days=start),
        None if end is None else TODAY + timedelta(days=end),
        None if special is None else D(special),
        None if pct is None else D(pct),
        product,
    )


def kinds(priced) -> list[str]:
    return [discount.kind for discount in priced.discounts]


# --- 1. the unit price -------------------------------------------------------------------------


def test_without_discounts_the_net_is_quantity_times_list_price():
    priced = price(line("3", "12.50"), NO_TYPE, TODAY)
    assert priced.net == D("37.50")  # 3 x 12.50
    assert priced.unit_price == priced.list_price == D("12.50")
    assert priced.special_price is False
    assert priced.discounts == ()


def test_a_special_price_replaces_the_list_price():
    priced = price(line("2", "100.00", own=[own(special="80.00")]), NO_TYPE, TODAY)
    assert priced.unit_price == D("80.00")
    assert priced.list_price == D("100.00")  # kept, to show what the client saves
    assert priced.special_price is True
    assert priced.net == D("160.00")  # 2 x 80


def test_a_special_price_sells_a_product_missing_from_the_list():
    priced = price(line("1", None, own=[own(special="55.00")]), NO_TYPE, TODAY)
    assert priced.net == D("55.00")
    assert priced.list_price == D("55.00")


def test_no_price_in_the_list_and_no_special_price_is_refused():
    with pytest.raises(NoPrice):
        price(line("1", None), NO_TYPE, TODAY)


def test_a_special_price_out_of_its_dates_does_not_count():
    expired = own(special="50.00", start=-30, end=-1)
    with pytest.raises(NoPrice):
        price(line("1", None, own=[expired]), NO_TYPE, TODAY)
    assert price(line("1", "70.00", own=[expired]), NO_TYPE, TODAY).net == D("70.00")


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_the_quantity_must_be_positive(quantity):
    with pytest.raises(ValueError):
        price(line(quantity), NO_TYPE, TODAY)


# --- 2a. promotions ----------------------------------------------------------------------------


def test_the_best_promotion_in_force_applies_alone():
    promotions = [promo("10", "Diez"), promo("15", "Quince"), promo("50", "Vencida", -9, -1)]
    priced = price(line("1", "200.00", promotions=promotions), NO_TYPE, TODAY)
    assert [(d.kind, d.label, d.pct) for d in priced.discounts] == [
        ("promotion", "Quince", D("15"))
    ]
    assert priced.net == D("170.00")  # 200 x 0.85


@pytest.mark.parametrize(
    ("start", "end", "applies"),
    [
        (0, 5, True),  # starts today: the first day counts
        (-5, 0, True),  # ends today: the last day counts
        (1, 5, False),  # starts tomorrow
        (-5, -1, False),  # ended yesterday
    ],
)
def test_promotion_dates_are_inclusive(start, end, applies):
    priced = price(line("1", "100.00", promotions=[promo("20", start=start, end=end)]), 0, TODAY)
    assert priced.net == (D("80.00") if applies else D("100.00"))


# --- 2b. volume breaks -------------------------------------------------------------------------

BREAKS = [Break(D("10"), D("5")), Break(D("50"), D("10")), Break(D("100"), D("15"))]


@pytest.mark.parametrize(
    ("quantity", "pct", "net"),
    [
        ("9", None, "900.00"),  # below the first break: 9 x 100
        ("10", "5", "950.00"),  # exactly at the break: 1000 x 0.95
        ("49", "5", "4655.00"),  # 4900 x 0.95
        ("50", "10", "4500.00"),  # 5000 x 0.90
        ("120", "15", "10200.00"),  # the highest reached: 12000 x 0.85
    ],
)
def test_the_highest_break_reached_applies(quantity, pct, net):
    priced = price(line(quantity, "100.00", breaks=BREAKS), NO_TYPE, TODAY)
    assert [d.pct for d in priced.discounts] == ([] if pct is None else [D(pct)])
    assert priced.net == D(net)


def test_a_break_is_labelled_by_its_quantity():
    priced = price(line("3", "10.00", breaks=[Break(D("2.500"), D("4"))]), NO_TYPE, TODAY)
    assert priced.discounts[0].label == "desde 2,5"
    priced = price(line("12", "10.00", breaks=[Break(D("12.000"), D("4"))]), NO_TYPE, TODAY)
    assert priced.discounts[0].label == "desde 12"


# --- 2c. the client's own discount -------------------------------------------------------------


def test_the_discount_for_the_product_wins_over_the_one_for_every_product():
    conditions = [own(pct="5", product=False), own(pct="8", product=True)]
    priced = price(line("1", "100.00", own=conditions), NO_TYPE, TODAY)
    assert [(d.kind, d.pct) for d in priced.discounts] == [("client", D("8"))]  # never both
    assert priced.net == D("92.00")


def test_the_discount_for_every_product_applies_when_none_is_for_the_product():
    priced = price(line("1", "100.00", own=[own(pct="5", product=False)]), NO_TYPE, TODAY)
    assert priced.net == D("95.00")


def test_an_own_discount_counts_only_within_its_dates():
    ended = own(pct="8", product=True, start=-30, end=-1)
    upcoming = own(pct="9", product=True, start=1)
    general = own(pct="5", product=False, start=-30, end=0)  # ends today: still in force
    priced = price(line("1", "100.00", own=[ended, upcoming, general]), NO_TYPE, TODAY)
    assert [d.pct for d in priced.discounts] == [D("5")]


def test_a_special_price_skips_the_own_discount_but_keeps_the_others():
    conditions = [own(special="90.00"), own(pct="10", product=False)]
    priced = price(
        line("10", "100.00", own=conditions, promotions=[promo("10")], breaks=BREAKS),
        D("5"),
        TODAY,
    )
    assert kinds(priced) == ["promotion", "volume", "client_type"]
    # 10 x 90 = 900; x 0.90 (promo) = 810; x 0.95 (volume) = 769.50; x 0.95 (type) = 731.025
    # -> 731.03 (half up)
    assert priced.net == D("731.03")


# --- 2d. the client type's discount, and the whole cascade -------------------------------------


def test_the_client_types_discount_comes_last():
    priced = price(line("1", "100.00"), D("12.5"), TODAY)
    assert [(d.kind, d.label, d.pct) for d in priced.discounts] == [
        ("client_type", "del tipo de cliente", D("12.5"))
    ]
    assert priced.net == D("87.50")


def test_the_discounts_apply_in_the_documented_order_one_on_the_other():
    priced = price(
        line(
            "12",
            "250.00",
            promotions=[promo("10")],
            breaks=[Break(D("12"), D("5"))],
            own=[own(pct="4", product=False)],
        ),
        D("3"),
        TODAY,
    )
    assert kinds(priced) == ["promotion", "volume", "client", "client_type"]
    # 12 x 250 = 3000; x 0.90 = 2700; x 0.95 = 2565; x 0.96 = 2462.40; x 0.97 = 2388.528
    assert priced.net == D("2388.53")
    assert priced.net_unit == D("199.04")  # 2388.53 / 12 = 199.044...


def test_the_line_is_rounded_once_not_at_each_discount():
    priced = price(line("1", "0.15", promotions=[promo("10")], own=[own(pct="10")]), 0, TODAY)
    # once: 0.15 x 0.9 x 0.9 = 0.1215 -> 0.12; step by step it would be 0.135 -> 0.14, then
    # 0.14 x 0.9 = 0.126 -> 0.13
    assert priced.net == D("0.12")


def test_rounding_is_half_up_as_invoices_do():
    assert price(line("1", "0.125"), NO_TYPE, TODAY).net == D("0.13")  # banker's: 0.12
    assert cents(D("2.675")) == D("2.68")
    assert cents(D("-2.675")) == D("-2.68")


# --- 3 to 5. the order -------------------------------------------------------------------------


def priced_lines(*specs):
    """Lines priced without discounts: (quantity, list price, IVA rate)."""
    return [price(line(q, p, rate), NO_TYPE, TODAY) for q, p, rate in specs]


def test_the_sale_condition_discount_is_taken_on_the_subtotal():
    lines = priced_lines(("1", "100.00", "21"), ("2", "25.00", "21"))
    totals = order_totals(lines, D("3"))
    assert totals.subtotal == D("150.00")  # 100 + 2 x 25
    assert totals.condition_pct == D("3")
    assert totals.condition_discount == D("4.50")  # 150 x 3 %
    assert totals.net == D("145.50")
    assert totals.tax == D("30.56")  # 145.50 x 21 % = 30.555 -> 30.56
    assert totals.total == D("176.06")


def test_iva_is_by_rate_on_the_nets_less_the_condition_discount():
    lines = priced_lines(("1", "100.00", "21"), ("1", "50.00", "10.5"), ("2", "10.00", "21"))
    totals = order_totals(lines, D("10"))
    # subtotal 170; condition 17.00; net 153.00
    assert (totals.subtotal, totals.condition_discount, totals.net) == (
        D("170.00"),
        D("17.00"),
        D("153.00"),
    )
    # 21 %: (100 + 20) x 0.9 x 0.21 = 22.68; 10.5 %: 50 x 0.9 x 0.105 = 4.725 -> 4.73
    assert totals.tax_by_rate == {D("21"): D("22.68"), D("10.5"): D("4.73")}
    assert totals.tax == D("27.41")
    assert totals.perception == D("0")
    assert totals.total == D("180.41")  # 153 + 27.41


def test_the_perception_is_asked_for_the_orders_net_and_added_to_the_total():
    asked = []

    def perceive(net):
        asked.append(net)
        return net * D("3.5") / 100

    lines = priced_lines(("1", "100.00", "21"), ("1", "50.00", "10.5"))
    totals = order_totals(lines, D("10"), perceive)
    assert asked == [D("135.00")]  # 150 less 10 %
    assert totals.perception == D("4.73")  # 135 x 3.5 % = 4.725 -> 4.73
    # IVA: 100 x 0.9 x 0.21 = 18.90; 50 x 0.9 x 0.105 = 4.725 -> 4.73; 23.63
    assert totals.tax == D("23.63")
    assert totals.total == D("163.36")  # 135 + 23.63 + 4.73


def test_an_order_without_a_sale_condition_discount():
    totals = order_totals(priced_lines(("3", "33.33", "27")), D("0"))
    assert totals.subtotal == totals.net == D("99.99")
    assert totals.condition_discount == D("0.00")
    assert totals.tax == D("27.00")  # 99.99 x 27 % = 26.9973 -> 27.00
    assert totals.total == D("126.99")
