// The offline credit decision (static/js/credit.js) passes the shared vectors that
// tests/credit/test_vectors.py runs against app/credit/rules.py. Run: node --test tests/js/

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { bandCovers, decide, moneyText } from "../../static/js/credit.js";

const VECTORS = JSON.parse(
  readFileSync(new URL("../credit/vectors.json", import.meta.url), "utf8"),
);

describe("shared vectors", () => {
  test("there are the cases the Python suite runs", () => {
    assert.ok(VECTORS.cases.length >= 60, `only ${VECTORS.cases.length} cases`);
  });

  for (const vector of VECTORS.cases) {
    test(vector.name, () => {
      const decision = decide(vector.snapshot, vector.amount, vector.payment_method, vector.on);
      assert.deepStrictEqual(decision, vector.expected);
      // The key order is the vectors' too, so JSON.stringify gives the same text.
      assert.equal(JSON.stringify(decision), JSON.stringify(vector.expected));
    });
  }
});

describe("moneyText", () => {
  const cases = [
    ["0", "$ 0"],
    ["0.00", "$ 0"],
    ["5", "$ 5"],
    ["0.01", "$ 0,01"],
    ["999.99", "$ 999,99"],
    ["1000", "$ 1.000"],
    ["12300.50", "$ 12.300,50"],
    ["1234567.89", "$ 1.234.567,89"],
    ["100000000000000000000.10", "$ 100.000.000.000.000.000.000,10"],
    ["-1500.00", "-$ 1.500"],
    ["-0.05", "-$ 0,05"],
    // ROUND_HALF_UP: halves go away from zero, anything below half goes toward it.
    ["0.005", "$ 0,01"],
    ["0.0049", "$ 0"],
    ["2.675", "$ 2,68"],
    ["999.995", "$ 1.000"],
    ["-0.005", "-$ 0,01"],
    ["-0.004", "$ 0"],
    ["-0.00", "$ 0"],
  ];
  for (const [amount, text] of cases) {
    test(`${amount} -> ${text}`, () => assert.equal(moneyText(amount), text));
  }

  test("refuses what is not a decimal string", () => {
    assert.throws(() => moneyText("12,50"), /not a decimal amount/);
    assert.throws(() => moneyText("abc"), /not a decimal amount/);
    assert.throws(() => moneyText(12.5), TypeError);
  });
});

describe("bad input throws, as rules.py raises ValueError", () => {
  const snapshot = {
    state: "active",
    credit_blocked: false,
    deleted: false,
    limits: { money: "1000.00", documents: null, age_days: null },
    balance: "0.00",
    pending_orders: "0.00",
    unpaid_dates: [],
  };

  test("an amount of zero or less", () => {
    for (const amount of ["0.00", "0", "-1.00"]) {
      assert.throws(
        () => decide(snapshot, amount, "cash", "2026-02-01"),
        /^Error: the order amount must be positive$/,
      );
    }
  });

  test("an unknown payment method", () => {
    assert.throws(
      () => decide(snapshot, "10.00", "barter", "2026-02-01"),
      /^Error: unknown payment method 'barter'$/,
    );
  });

  test("an unknown client state", () => {
    assert.throws(
      () => decide({ ...snapshot, state: "asleep" }, "10.00", "cash", "2026-02-01"),
      /^Error: unknown client state 'asleep'$/,
    );
  });

  test("an inherited name is not a state", () => {
    assert.throws(
      () => decide({ ...snapshot, state: "toString" }, "10.00", "cash", "2026-02-01"),
      /unknown client state/,
    );
  });

  test("money as a float or with more than two decimals", () => {
    assert.throws(() => decide(snapshot, 10.5, "cash", "2026-02-01"), /amount/);
    assert.throws(() => decide(snapshot, "10.005", "cash", "2026-02-01"), /two decimals/);
    const balance = { ...snapshot, balance: "1.001" };
    assert.throws(() => decide(balance, "10.00", "current_account", "2026-02-01"), /balance/);
  });

  test("a date that is not YYYY-MM-DD or not on the calendar", () => {
    assert.throws(() => decide(snapshot, "10.00", "cash", "01/02/2026"), /ISO date/);
    assert.throws(() => decide(snapshot, "10.00", "cash", "2026-02-30"), /calendar date/);
    const unpaid = { ...snapshot, limits: { ...snapshot.limits, age_days: 30 } };
    unpaid.unpaid_dates = ["2026-13-01"];
    assert.throws(() => decide(unpaid, "10.00", "current_account", "2026-02-01"), /calendar/);
  });
});

describe("defaults and days", () => {
  test("a bare snapshot is an active client with no limits", () => {
    const decision = decide({}, "10.00", "current_account", "2026-02-01");
    assert.deepStrictEqual(decision, { allowed: true, credit: true, failures: [] });
  });

  test("day differences ignore time zones and DST (across a leap day and a year)", () => {
    const snapshot = { limits: { age_days: 0 }, unpaid_dates: ["2023-03-25", "2024-03-31"] };
    const [age] = decide(snapshot, "1.00", "current_account", "2024-03-25").failures;
    assert.equal(age.current, 366);
    const [one] = decide(
      { limits: { age_days: 0 }, unpaid_dates: ["2026-10-03"] },
      "1.00",
      "current_account",
      "2026-10-04",
    ).failures;
    assert.equal(one.message, "Factura más antigua: 1 día (máximo 0)");
  });
});

describe("bandCovers, like band_covers", () => {
  const over = (limit, excess) => ({
    allowed: false,
    credit: true,
    failures: [
      { kind: "money", limit, current: "0.00", after: "0.00", excess, message: "" },
    ],
  });
  const days = (excess) => ({
    allowed: false,
    credit: true,
    failures: [{ kind: "age", limit: 30, current: 30 + excess, after: 30 + excess, excess }],
  });

  const money = (band) => ({ kinds: ["money"], ...band });

  test("an allowed decision is never covered", () => {
    const allowed = { allowed: true, credit: true, failures: [] };
    assert.equal(bandCovers(money({}), allowed), false);
  });

  test("a state failure is never covered", () => {
    const state = decide({ state: "disabled" }, "1.00", "cash", "2026-02-01");
    assert.equal(bandCovers({ kinds: ["money", "documents", "age"] }, state), false);
  });

  test("money by amount and by percentage, exactly at the ceiling", () => {
    assert.equal(bandCovers(money({ max_excess: "50.00" }), over("1000.00", "50.00")), true);
    assert.equal(bandCovers(money({ max_excess: "50.00" }), over("1000.00", "50.01")), false);
    assert.equal(bandCovers(money({ max_excess_pct: "12.5" }), over("1000.00", "125.00")), true);
    assert.equal(bandCovers(money({ max_excess_pct: "12.5" }), over("1000.00", "125.01")), false);
    assert.equal(bandCovers(money({ max_excess_pct: "10" }), over("0.00", "1.00")), false);
    assert.equal(bandCovers({ kinds: ["age"] }, over("1000.00", "1.00")), false);
  });

  test("documents and days by their ceilings", () => {
    assert.equal(bandCovers({ kinds: ["age"], max_extra_days: 5 }, days(5)), true);
    assert.equal(bandCovers({ kinds: ["age"], max_extra_days: 5 }, days(6)), false);
    assert.equal(bandCovers({ kinds: ["age"], max_extra_days: null }, days(600)), true);
  });
});
