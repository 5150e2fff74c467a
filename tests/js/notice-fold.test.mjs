// Notices read in full once a day, then folded (static/js/notice-fold.js). Run: node --test tests/js/

import assert from "node:assert/strict";
import { test } from "node:test";

import { foldPlan, readLog } from "../../static/js/notice-fold.js";

const DAY = "2026-12-07";

function storage(initial = {}) {
  const items = new Map(Object.entries(initial));
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v) };
}

test("the first page of the day shows every notice; the next folds those already read", () => {
  const notices = [
    { key: "7:12:1", important: false, seen: false },
    { key: "7:12:2", important: false, seen: false },
  ];
  const first = foldPlan({}, DAY, notices);
  assert.deepEqual(first.fold, []);
  const second = foldPlan(first.log, DAY, notices);
  assert.deepEqual(second.fold, ["7:12:1", "7:12:2"]);
});

test("a notice read yesterday, another user's or another client's reads in full again", () => {
  const log = { "2026-12-06": ["7:12:1"], [DAY]: ["8:12:1", "7:13:1"] };
  const plan = foldPlan(log, DAY, [{ key: "7:12:1", important: false, seen: false }]);
  assert.deepEqual(plan.fold, []);
  assert.deepEqual(plan.log[DAY], ["8:12:1", "7:13:1", "7:12:1"]);
});

test("an important notice stays open until it is marked seen", () => {
  const log = { [DAY]: ["7:12:1", "7:12:2"] };
  const plan = foldPlan(log, DAY, [
    { key: "7:12:1", important: true, seen: false },
    { key: "7:12:2", important: true, seen: true },
  ]);
  assert.deepEqual(plan.fold, ["7:12:2"]);
});

test("the log keeps two days and survives bad storage", () => {
  const old = { "2026-12-01": ["a"], "2026-12-06": ["b"], [DAY]: ["c"] };
  assert.deepEqual(Object.keys(readLog(storage({ "notices-read": JSON.stringify(old) }), DAY)), [
    "2026-12-06",
    DAY,
  ]);
  assert.deepEqual(readLog(storage({ "notices-read": "{not json" }), DAY), {});
  assert.deepEqual(readLog(storage(), DAY), {});
});
