// The offline credit decision (static/js/credit.js) passes the shared vectors that
// tests/credit/test_vectors.py runs against app/credit/rules.py. Run: node --test tests/js/

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { bandCovers, decide, moneyText, resolveLimits } from "../../static/js/credit.js";

const VECTORS = JSON.parse(
  readFileSync(new URL("../credit/vectors.json", import.meta.url), "utf8"),
);
const BANDS = JSON.parse(
  readFileSync(new URL("../credit/band_cases.json", import.meta.url), "utf8"),
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

describe("shared resolution cases: which limits apply", () => {
  test("there are the cases the Python suite runs", () => {
    assert.ok(VECTORS.resolution.length >= 10, `only ${VECTORS.resolution.length} cases`);
  });

  for (const vector of VECTORS.resolution) {
    test(vector.name, () => {
      assert.deepStrictEqual(resolveLimits(vector.own, vector.assigned), vector.expected);
    });
  }

  test("an unknown source is refused", () => {
    assert.throws(
      () => resolveLimits({}, [{ source: "channel", name: "x", limits: {} }]),
      /unknown policy source/,
    );
  });
});

describe("moneyText (its shared cases are in tests/js/numbers.test.mjs)", () => {
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

describe("bandCovers, like band_covers (band_cases.json)", () => {
  for (const { name, band, decision, expected } of BANDS.cases) {
    test(name, () => assert.equal(bandCovers(band, decision), expected));
  }

  test("a state failure of a real decision is never covered", () => {
    const state = decide({ state: "disabled" }, "1.00", "cash", "2026-02-01");
    assert.equal(bandCovers({ kinds: ["money", "documents", "age"] }, state), false);
  });
});
