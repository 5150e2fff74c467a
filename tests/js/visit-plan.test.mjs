// The visit plan on the phone passes the shared cases that tests/clients/test_plan_cases.py runs
// against app/clients/visit_plan.py; and the route order and a stop's state as the server's.
// Run: node --test tests/js/

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { compareStops, isDue, stopState, weekdayName } from "../../static/js/visit-plan.js";

const PLAN = JSON.parse(readFileSync(new URL("../clients/plan_cases.json", import.meta.url), "utf8"));

describe("visit plan (plan_cases.json)", () => {
  for (const { name, days, every_weeks, week_of, date, due } of PLAN.cases) {
    test(name, () => assert.equal(isDue(days, every_weeks, week_of, date), due));
  }
});

describe("weekdays in UTC, whatever the phone's zone", () => {
  test("names", () => {
    assert.equal(weekdayName("2026-12-28"), "mon");
    assert.equal(weekdayName("2027-01-03"), "sun");
    assert.equal(weekdayName("1969-12-31"), "wed");
  });
});

describe("route order like app/route/services.py", () => {
  test("position first, none last, then the name without case, then the id", () => {
    const stops = [
      { id: 5, name: "zeta", position: null },
      { id: 4, name: "Beta", position: null },
      { id: 3, name: "alfa", position: 2 },
      { id: 2, name: "Omega", position: 1 },
      { id: 1, name: "beta", position: null },
      { id: 6, name: "Alfa", position: 10 },
    ];
    assert.deepEqual(
      stops.sort(compareStops).map((s) => s.id),
      [2, 3, 6, 1, 4, 5],
    );
  });
});

describe("stop state like app/route/rules.py stop_state", () => {
  const cases = [
    [null, 0, "pending", null],
    ["no_order", 0, "visited", "no_order"],
    ["collected", 0, "visited", "collected"],
    ["skipped", 0, "skipped", "skipped"],
    ["skipped", 1, "visited", "order"],
    [null, 2, "visited", "order"],
  ];
  for (const [outcome, orders, state, shown] of cases) {
    test(`${outcome} with ${orders} orders -> ${state}`, () => {
      assert.deepEqual(stopState(outcome, orders), { state, outcome: shown });
    });
  }
});
