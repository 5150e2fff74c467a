// The phone's order total less the client's IVA liberation (static/js/pricing.js) passes the
// shared cases that tests/orders/test_iva_cases.py runs against app/orders/pricing.py.
// Run: node --test tests/js/

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { orderTotals } from "../../static/js/pricing.js";

const CASES = JSON.parse(
  readFileSync(new URL("../orders/iva_cases.json", import.meta.url), "utf8"),
).cases;

describe("shared IVA liberation cases", () => {
  for (const vector of CASES) {
    test(vector.name, () => {
      const totals = orderTotals(
        vector.lines,
        vector.condition_pct,
        null,
        vector.iva_exemption_pct,
      );
      const got = Object.fromEntries(Object.keys(vector.expected).map((k) => [k, totals[k]]));
      assert.deepStrictEqual(got, vector.expected);
    });
  }

  test("a liberation out of range is refused", () => {
    for (const pct of ["-1", "100.01"]) {
      assert.throws(
        () => orderTotals([{ net: "1.00", tax_rate: "21" }], "0", null, pct),
        /from 0 to 100/,
      );
    }
  });
});
