// The phone's order estimate (static/js/pricing.js) against cases computed by hand with the
// rules of app/orders/pricing.py. Run: node --test tests/js/

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  fromCents,
  orderTotals,
  perception,
  priceLine,
  priceListFor,
  priceOrder,
  saleConditionFor,
  toCents,
  unitPrice,
} from "../../static/js/pricing.js";

const ON = "2026-11-23";

/** The totals of an order without a sale condition discount nor a perception. */
function plain(subtotal, tax, total) {
  return {
    subtotal,
    condition_pct: "0",
    condition_discount: "0.00",
    net: subtotal,
    tax,
    perception: "0.00",
    total,
  };
}

/** A line input with nothing but a list price and IVA. */
function line(quantity, listPrice, extra = {}) {
  return { product_id: 7, quantity, list_price: listPrice, tax_rate: "21", ...extra };
}

describe("money as cents", () => {
  test("rounds half up, away from zero", () => {
    assert.equal(toCents("12.345"), 1235n);
    assert.equal(toCents("12.344"), 1234n);
    assert.equal(toCents("-0.005"), -1n);
    assert.equal(toCents("7"), 700n);
  });
  test("writes the API's decimal form", () => {
    assert.equal(fromCents(123450n), "1234.50");
    assert.equal(fromCents(5n), "0.05");
    assert.equal(fromCents(-5n), "-0.05");
  });
});

describe("priceLine", () => {
  test("list price times quantity, no discounts", () => {
    const priced = priceLine(line("3", "100.00"), ON);
    assert.equal(priced.net, "300.00");
    assert.equal(priced.unit_price, "100.00");
    assert.equal(priced.special_price, false);
    assert.deepEqual(priced.discounts, []);
  });

  test("promotion, volume break and the client's discount in cascade", () => {
    // 12 x 250 = 3000; -10 % = 2700; -5 % = 2565; -3 % = 2488.05
    const priced = priceLine(
      line("12", "250.00", {
        promotions: [{ name: "Promo", discount_pct: "10.00", valid_from: "2026-11-01", valid_to: "2026-11-30" }],
        breaks: [{ min_quantity: "10.000", discount_pct: "5.00" }],
        own: [{ product_id: null, special_price: null, discount_pct: "3.00", valid_from: "2026-01-01", valid_to: null }],
      }),
      ON,
    );
    assert.deepEqual(
      priced.discounts.map((d) => [d.kind, d.pct]),
      [["promotion", "10.00"], ["volume", "5.00"], ["client", "3.00"]],
    );
    assert.equal(priced.net, "2488.05");
  });

  test("a special price replaces the list price and the client's discount, not promotions", () => {
    // 2 x 450 (special) = 900; -10 % promotion = 810; the 5 % own discount does not apply
    const priced = priceLine(
      line("2", "500.00", {
        promotions: [{ name: "Promo", discount_pct: "10", valid_from: ON, valid_to: ON }],
        own: [
          { product_id: null, special_price: null, discount_pct: "5.00", valid_from: "2026-01-01", valid_to: null },
          { product_id: 7, special_price: "450.00", discount_pct: null, valid_from: "2026-01-01", valid_to: null },
        ],
      }),
      ON,
    );
    assert.equal(priced.unit_price, "450.00");
    assert.equal(priced.list_price, "500.00");
    assert.equal(priced.special_price, true);
    assert.deepEqual(priced.discounts.map((d) => d.kind), ["promotion"]);
    assert.equal(priced.net, "810.00");
  });

  test("only what is in force counts: the best promotion, the highest break reached", () => {
    // 7 x 100 = 700; best promotion in force 15 % -> 595; break from 5 (3 %) -> 577.15
    const priced = priceLine(
      line("7", "100", {
        promotions: [
          { name: "Vieja", discount_pct: "50", valid_from: "2026-10-01", valid_to: "2026-10-31" },
          { name: "Chica", discount_pct: "5", valid_from: "2026-11-01", valid_to: "2026-11-30" },
          { name: "Grande", discount_pct: "15", valid_from: "2026-11-20", valid_to: "2026-11-23" },
        ],
        breaks: [
          { min_quantity: "10", discount_pct: "6" },
          { min_quantity: "5", discount_pct: "3" },
          { min_quantity: "1", discount_pct: "1" },
        ],
        own: [{ product_id: 7, special_price: "1.00", discount_pct: null, valid_from: "2026-12-01", valid_to: null }],
      }),
      ON,
    );
    assert.deepEqual(
      priced.discounts.map((d) => [d.kind, d.pct, d.name ?? d.min_quantity]),
      [["promotion", "15", "Grande"], ["volume", "3", "5"]],
    );
    assert.equal(priced.special_price, false);
    assert.equal(priced.net, "577.15");
  });

  test("the client's discount for the product wins over the one for every product", () => {
    // 1 x 1000 - 8 % = 920
    const priced = priceLine(
      line("1", "1000.00", {
        own: [
          { product_id: null, special_price: null, discount_pct: "5", valid_from: "2026-01-01", valid_to: null },
          { product_id: 7, special_price: null, discount_pct: "8", valid_from: "2026-01-01", valid_to: "2026-12-31" },
        ],
      }),
      ON,
    );
    assert.deepEqual(priced.discounts.map((d) => d.pct), ["8"]);
    assert.equal(priced.net, "920.00");
  });

  test("the net is rounded half up once, after every discount", () => {
    // 1 x 0.05 x 0.5 = 0.025 -> 0.03
    const half = { promotions: [{ name: "P", discount_pct: "50", valid_from: ON, valid_to: ON }] };
    assert.equal(priceLine(line("1", "0.05", half), ON).net, "0.03");
    // 2.5 x 99.99 = 249.975 -> 249.98
    assert.equal(priceLine(line("2.5", "99.99"), ON).net, "249.98");
    // 3 x 100 x (1 - 0.3333) = 200.01 (the demo's "3x2" promotion)
    const thirds = { promotions: [{ name: "3x2", discount_pct: "33.33", valid_from: ON, valid_to: ON }] };
    assert.equal(priceLine(line("3", "100.00", thirds), ON).net, "200.01");
    // a price with four decimals: 3 x 12.3456 = 37.0368 -> 37.04
    assert.equal(priceLine(line("3", "12.3456"), ON).net, "37.04");
  });

  test("no price in the list and no special price is an error", () => {
    assert.throws(() => priceLine(line("1", null), ON), (error) => error.code === "no_price");
  });

  test("a quantity of zero is refused", () => {
    assert.throws(() => priceLine(line("0", "10.00"), ON), /positive/);
  });
});

describe("orderTotals", () => {
  test("IVA by rate, rounded once per rate on the sum of its nets", () => {
    // 21 %: 0.03 + 0.03 = 0.06 -> 0.0126 -> 0.01 (per line it would be 0.01 + 0.01)
    // 10.5 %: 100.00 -> 10.50
    const totals = orderTotals([
      { net: "0.03", tax_rate: "21" },
      { net: "0.03", tax_rate: "21.00" },
      { net: "100.00", tax_rate: "10.5" },
    ]);
    assert.deepEqual(totals, plain("100.06", "10.51", "110.57"));
  });

  test("IVA of a line: 2488.05 at 10.5 % = 261.24525 -> 261.25", () => {
    assert.deepEqual(
      orderTotals([{ net: "2488.05", tax_rate: "10.5" }]),
      plain("2488.05", "261.25", "2749.30"),
    );
  });

  test("an empty order is zero", () => {
    assert.deepEqual(orderTotals([]), plain("0.00", "0.00", "0.00"));
  });

  test("the sale condition's discount comes off the sum, and IVA off its share", () => {
    // 1000.00 (21 %) + 333.33 (10.5 %) = 1333.33; 3 % = 39.9999 -> 40.00; net 1293.33
    // IVA 21 %: 1000 x 0.97 x 0.21 = 203.70; 10.5 %: 333.33 x 0.97 x 0.105 = 33.9495... -> 33.95
    const totals = orderTotals(
      [
        { net: "1000.00", tax_rate: "21" },
        { net: "333.33", tax_rate: "10.5" },
      ],
      "3.00",
    );
    assert.deepEqual(totals, {
      subtotal: "1333.33",
      condition_pct: "3.00",
      condition_discount: "40.00",
      net: "1293.33",
      tax: "237.65",
      perception: "0.00",
      total: "1530.98",
    });
  });

  test("the perception is taken on the net after the condition's discount", () => {
    // net 970.00; a perceiver of 2.5 % gives 24.25
    const seen = [];
    const totals = orderTotals([{ net: "1000.00", tax_rate: "21" }], "3", (net) => {
      seen.push(net);
      return (net * 25n + 500n) / 1000n;
    });
    assert.deepEqual(seen, [97000n]);
    assert.equal(totals.perception, "24.25");
    assert.equal(totals.total, "1197.95"); // 970.00 + 203.70 + 24.25
  });

  test("the client type's discount goes last in the cascade", () => {
    // 10 x 100 -10 % promotion = 900; -5 % type = 855.00
    const promo = { promotions: [{ name: "P", discount_pct: "10", valid_from: ON, valid_to: ON }] };
    const priced = priceLine(line("10", "100.00", promo), ON, "5.00");
    assert.deepEqual(
      priced.discounts.map((d) => [d.kind, d.pct]),
      [["promotion", "10"], ["client_type", "5.00"]],
    );
    assert.equal(priced.net, "855.00");
    assert.deepEqual(priceLine(line("1", "10"), ON, "0.00").discounts, []);
  });
});

describe("the sale condition an order takes", () => {
  const catalogue = {
    sale_conditions: [
      { id: 1, code: "30D", description: "30 días", discount_pct: "0.00", immediate: false },
      { id: 2, code: "CONT", description: "Contado", discount_pct: "3.00", immediate: true },
      { id: 3, code: "CAJA", description: "Caja", discount_pct: "1.00", immediate: true },
      { id: 4, code: "ANT", description: "Anterior", discount_pct: "9.00", immediate: true, deleted: true },
    ],
  };

  test("the client's on credit; a cash payment takes the first cash condition by code", () => {
    const client = { sale_condition_id: 1 };
    assert.equal(saleConditionFor(client, catalogue, "current_account").id, 1);
    assert.equal(saleConditionFor(client, catalogue, "mixed").id, 1);
    assert.equal(saleConditionFor(client, catalogue, "cash").id, 3);
  });

  test("a cash condition stays with any payment; none is none", () => {
    assert.equal(saleConditionFor({ sale_condition_id: 2 }, catalogue, "cash").id, 2);
    assert.equal(saleConditionFor({ sale_condition_id: 2 }, catalogue, "current_account").id, 2);
    assert.equal(saleConditionFor({ sale_condition_id: null }, catalogue, "cash"), null);
  });
});

describe("the IIBB perception", () => {
  const arba = {
    id: 1,
    province: "Buenos Aires",
    default_rate: "6.00",
    minimum_amount: "50.00",
    include_multilateral: false,
  };
  const caba = { id: 2, province: "CABA", default_rate: null, minimum_amount: "0", include_multilateral: true };
  const row = (jurisdiction, rate, from, to, published = from) => ({
    jurisdiction_id: jurisdiction,
    rate,
    valid_from: from,
    valid_to: to,
    published_on: published,
  });

  test("the registry rate of the day wins, the latest published if several", () => {
    const client = {
      tax_id: "30711111118",
      province: "Córdoba",
      iibb_rates: [
        row(1, "2.50", "2026-11-01", "2026-11-30", "2026-10-25"),
        row(1, "3.00", "2026-11-01", "2026-11-30", "2026-11-05"),
        row(1, "1.00", "2026-12-01", "2026-12-31"),
      ],
    };
    // 1000.00 x 3 % = 30.00 in November; 1 % in December
    assert.equal(perception(client, [arba], 100000n, ON), 3000n);
    assert.equal(perception(client, [arba], 100000n, "2026-12-02"), 1000n);
  });

  test("outside the registry: the default rate in the card's province, nothing elsewhere", () => {
    const porteño = { tax_id: "30711111118", province: "Buenos Aires", iibb_rates: [] };
    // 333.33 x 6 % = 19.9998 -> 20.00
    assert.equal(perception(porteño, [arba, caba], 33333n, ON), 2000n);
    const far = { tax_id: "30711111118", province: "Salta", iibb_rates: [] };
    assert.equal(perception(far, [arba, caba], 33333n, ON), 0n);
  });

  test("exempt, below the minimum, Convenio Multilateral left out, no CUIT", () => {
    const exempt = { tax_id: "30711111118", province: "Buenos Aires", iibb_rates: [row(1, "0.00", ON, ON)] };
    assert.equal(perception(exempt, [arba], 100000n, ON), 0n);
    const small = { tax_id: "30711111118", province: "Buenos Aires", iibb_rates: [] };
    assert.equal(perception(small, [arba], 4999n, ON), 0n);
    assert.equal(perception(small, [arba], 5000n, ON), 300n);
    const multilateral = { ...small, iibb_multilateral: true };
    assert.equal(perception(multilateral, [arba], 100000n, ON), 0n);
    const registered = { tax_id: null, province: "Córdoba", iibb_rates: [row(1, "2.00", ON, ON)] };
    assert.equal(perception(registered, [arba], 100000n, ON), 0n);
  });

  test("every jurisdiction that reaches the client adds its own, each rounded", () => {
    const both = {
      tax_id: "30711111118",
      province: "Buenos Aires",
      iibb_rates: [row(2, "1.25", ON, ON)],
    };
    // 6 % of 100.01 = 6.0006 -> 6.00; 1.25 % = 1.250125 -> 1.25
    assert.equal(perception(both, [arba, caba], 10001n, ON), 725n);
  });
});

describe("priceOrder from the synced rows", () => {
  const catalogue = {
    products: [
      { id: 1, code: "A", description: "Agua", tax_rate: "21", active: true },
      { id: 2, code: "B", description: "Bizcochos", tax_rate: "10.5", active: true },
      { id: 3, code: "C", description: "Caramelos", tax_rate: "21", active: true },
    ],
    prices: [
      { id: 1, price_list_id: 1, product_id: 1, currency: "ARS", price: "100.00" },
      { id: 2, price_list_id: 1, product_id: 2, currency: "ARS", price: "200.00" },
      { id: 3, price_list_id: 2, product_id: 1, currency: "ARS", price: "90.00" },
      { id: 4, price_list_id: 1, product_id: 1, currency: "USD", price: "1.00" },
      { id: 5, price_list_id: 1, product_id: 3, currency: "ARS", price: "50.00", deleted: true },
    ],
    promotions: [
      { id: 1, name: "Bizco", product_id: 2, discount_pct: "10", valid_from: "2026-11-01", valid_to: "2026-11-30" },
      { id: 2, name: "Borrada", product_id: 1, discount_pct: "90", valid_from: "2026-11-01", valid_to: "2026-11-30", deleted: true },
    ],
    volume_discounts: [{ id: 1, product_id: 1, min_quantity: "10", discount_pct: "5" }],
  };
  const client = {
    id: 12,
    currency: "ARS",
    price_list_id: 1,
    addresses: [
      { id: 30, kind: "shipping", branch_price_list_id: null },
      { id: 31, kind: "branch", branch_price_list_id: 2 },
    ],
    conditions: [
      { product_id: null, special_price: null, discount_pct: "2", valid_from: "2026-01-01", valid_to: null },
      { product_id: 2, special_price: "150.00", discount_pct: null, valid_from: "2026-01-01", valid_to: null },
    ],
  };

  test("prices each line for the client and adds up the estimate", () => {
    // Agua: 10 x 100 -5 % -2 % = 931.00 (21 %: 195.51)
    // Bizcochos: 3 x 150 (special) -10 % = 405.00, no own discount (10.5 %: 42.525 -> 42.53)
    const result = priceOrder(
      client,
      catalogue,
      [
        { product_id: 1, quantity: "10" },
        { product_id: 2, quantity: "3" },
      ],
      { on: ON, priceListId: 1 },
    );
    assert.deepEqual(result.missing, []);
    assert.deepEqual(result.lines.map((l) => l.net), ["931.00", "405.00"]);
    assert.deepEqual(result.totals, plain("1336.00", "238.04", "1574.04"));
  });

  test("a product without a live price is reported, the rest still priced", () => {
    const result = priceOrder(
      client,
      catalogue,
      [
        { product_id: 3, quantity: "1" },
        { product_id: 1, quantity: "1" },
      ],
      { on: ON, priceListId: 1 },
    );
    assert.deepEqual(result.missing, [0]);
    assert.equal(result.lines[0], null);
    // 1 x 100 - 2 % = 98.00 + 21 % = 118.58
    assert.equal(result.totals.total, "118.58");
  });

  test("a branch with its own list prices from that list", () => {
    assert.equal(priceListFor(client, 31), 2);
    assert.equal(priceListFor(client, 30), 1);
    assert.equal(priceListFor(client, null), 1);
    assert.equal(unitPrice(client, catalogue, 1, { on: ON, priceListId: 2 }), "90.00");
  });

  test("the special price is in the account currency only", () => {
    assert.equal(unitPrice(client, catalogue, 2, { on: ON, priceListId: 1 }), "150.00");
    assert.equal(unitPrice(client, catalogue, 2, { on: ON, priceListId: 1, currency: "USD" }), null);
    assert.equal(unitPrice(client, catalogue, 1, { on: ON, priceListId: 1, currency: "USD" }), "1.00");
  });
});
