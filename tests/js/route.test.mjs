// The route day from the phone's copy (static/js/offline/route-day.js): which clients, in what
// order, and each stop's state from the copy's visits and orders and from the outbox, as
// app/route/services.py route_day answers it. Run: node --test tests/js/

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { owedAndOverdue, reasonsFor, routeDay } from "../../static/js/offline/route-day.js";

const DAY = "2027-01-04"; // a Monday
const ME = 7;
const COLLECTOR = 9;

function client(id, fields = {}) {
  return {
    id,
    legal_name: `Cliente ${id} S.A.`,
    trade_name: null,
    state: "active",
    currency: "ARS",
    salesperson_id: ME,
    collector_id: COLLECTOR,
    visit_days: ["mon"],
    visit_every_weeks: 1,
    visit_week_of: null,
    visit_window: null,
    route_position: null,
    collection_visit_days: [],
    collection_visit_every_weeks: 1,
    collection_visit_week_of: null,
    collection_visit_window: null,
    collection_route_position: null,
    visits: [],
    recent_orders: [],
    open_items: [],
    ...fields,
  };
}

let nextId = 1;
function item(kind, clientId, fields = {}) {
  const body = kind === "visit" ? { client_id: clientId, date: DAY, ...fields.body } : {};
  return {
    id: nextId++,
    kind,
    client_id: clientId,
    user_id: ME,
    state: "pending",
    created_at: `${DAY}T12:00:00`,
    sent_at: null,
    ...fields,
    body,
  };
}

const REASONS = [
  { id: 1, code: "CER", name: "Cerrado", applies_to: "both", position: 1 },
  { id: 2, code: "STK", name: "Tenía stock", applies_to: "no_order", position: 2 },
  { id: 3, code: "LLU", name: "Lluvia", applies_to: "skipped", position: 3 },
];

const summary = (day) => day.stops.map((s) => [s.id, s.state, s.outcome, s.reason, s.planned]);

describe("which clients and in what order", () => {
  const clients = [
    client(1, { trade_name: "zapatería", route_position: null }),
    client(2, { trade_name: "Almacén", route_position: 2 }),
    client(3, { trade_name: "Kiosco", route_position: 1, visit_window: "08:00-10:00" }),
    client(4, { trade_name: "Bazar", visit_days: ["tue"] }), // not today
    client(5, { trade_name: "Ajeno", salesperson_id: 99 }), // someone else's
    client(6, { trade_name: "Baja", state: "disabled" }),
    client(7, { trade_name: "Quincenal", visit_every_weeks: 2, visit_week_of: "2026-12-28" }),
    client(8, { trade_name: "Mercado", visit_every_weeks: 2, visit_week_of: "2026-12-30" }),
  ];

  test("the user's due clients by position, then name; every 2 weeks counts weeks", () => {
    const day = routeDay({ clients, userId: ME, day: DAY });
    // 2 weeks from the week of 28 Dec: 4 Jan is the week after, not due (7 and 8 alike).
    assert.deepEqual(
      day.stops.map((s) => s.id),
      [3, 2, 1],
    );
    assert.equal(day.stops[0].window, "08:00-10:00");
    assert.deepEqual([day.done, day.planned, day.next.id], [0, 3, 3]);
    const later = routeDay({ clients, userId: ME, day: "2027-01-11" });
    assert.deepEqual(
      later.stops.map((s) => s.id),
      [3, 2, 8, 7, 1],
    );
  });

  test("a collector works the collection plan", () => {
    const mine = [
      client(1, { collection_visit_days: ["mon"], collection_route_position: 2 }),
      client(2, { collection_visit_days: ["mon"], collection_route_position: 1 }),
      client(3, { collection_visit_days: ["fri"] }),
    ];
    const day = routeDay({ clients: mine, userId: COLLECTOR, plan: "collection", day: DAY });
    assert.deepEqual(
      day.stops.map((s) => s.id),
      [2, 1],
    );
    assert.equal(day.stops[0].position, 1);
  });

  test("a collector's day adds the clients collections set something for that day", () => {
    const mine = [
      client(1, { collection_visit_days: ["mon"] }),
      client(2, { agenda: [{ day: DAY, kind: "promise" }] }),
      client(3, { agenda: [{ day: "2027-01-05", kind: "contact" }] }),
      client(4, {
        collection_visit_days: ["mon"],
        agenda: [{ day: DAY, kind: "visit", from: "10:00", to: "12:00" }],
      }),
      client(5, { collector_id: 99, agenda: [{ day: DAY, kind: "contact" }] }),
    ];
    const day = routeDay({ clients: mine, userId: COLLECTOR, plan: "collection", day: DAY });
    assert.deepEqual(
      day.stops.map((s) => [s.id, s.planned, s.agenda.map((a) => a.kind)]),
      [
        [1, true, []],
        [4, true, ["visit"]],
        [2, true, ["promise"]],
      ],
    );
    assert.equal(day.planned, 3);
    // a salesperson's day shows no collections agenda
    const seller = routeDay({ clients: mine, userId: ME, plan: "sales", day: DAY });
    assert.ok(seller.stops.every((s) => s.agenda.length === 0));
  });
});

describe("each stop's state", () => {
  test("a result in the outbox shows at once, with its reason's name", () => {
    const clients = [client(1), client(2), client(3)];
    const items = [
      item("visit", 1, { body: { outcome: "no_order", reason_id: 2 } }),
      item("visit", 2, { body: { outcome: "skipped", reason_id: 1 } }),
      item("order", 3),
    ];
    const day = routeDay({ clients, items, reasons: REASONS, userId: ME, day: DAY });
    assert.deepEqual(summary(day), [
      [1, "visited", "no_order", "Tenía stock", true],
      [2, "skipped", "skipped", "Cerrado", true],
      [3, "visited", "order", null, true],
    ]);
    assert.deepEqual([day.done, day.planned, day.next], [3, 3, null]);
    assert.ok(day.stops.every((s) => s.unsent));
  });

  test("an order wins over a result recorded before, in the copy or the outbox", () => {
    const skipped = { id: 50, user_id: ME, day: DAY, outcome: "skipped", reason: "Cerrado" };
    const clients = [
      client(1, { visits: [skipped], recent_orders: [{ id: 9, user_id: ME, date: DAY }] }),
      client(2),
    ];
    const items = [item("visit", 2, { body: { outcome: "no_order", reason_id: 1 } }), item("order", 2)];
    const day = routeDay({ clients, items, reasons: REASONS, userId: ME, day: DAY });
    assert.deepEqual(summary(day), [
      [1, "visited", "order", null, true],
      [2, "visited", "order", null, true],
    ]);
    assert.equal(day.stops[0].unsent, false);
  });

  test("what does not count: refused items, other users, other days, others' orders", () => {
    const clients = [
      client(1, {
        visits: [{ id: 1, user_id: COLLECTOR, day: DAY, outcome: "collected" }],
        recent_orders: [{ id: 2, user_id: COLLECTOR, date: DAY }],
      }),
      client(2, { recent_orders: [{ id: 3, user_id: ME, date: "2027-01-03" }] }),
      client(3),
    ];
    const items = [
      item("visit", 2, { state: "rejected", body: { outcome: "collected" } }),
      item("visit", 3, { user_id: 99, body: { outcome: "collected" } }),
      item("visit", 3, { body: { outcome: "collected", date: "2027-01-03" } }),
      item("order", 3, { created_at: "2027-01-03T12:00:00" }),
    ];
    const day = routeDay({ clients, items, userId: ME, day: DAY });
    assert.deepEqual(
      day.stops.map((s) => s.state),
      ["pending", "pending", "pending"],
    );
    assert.deepEqual([day.done, day.next.id], [0, 1]);
  });

  test("the copy's visit wins over an older one sent from this phone", () => {
    const newer = { id: 1, user_id: ME, day: DAY, outcome: "collected", recorded_at: "2027-01-04T15:00:00+00:00" };
    const clients = [client(1, { visits: [newer] }), client(2, { visits: [{ ...newer, recorded_at: "2027-01-04T10:00:00+00:00" }] })];
    const sent = { state: "done", sent_at: "2027-01-04T12:00:00.000Z", body: { outcome: "no_order", reason_id: 1 } };
    const items = [item("visit", 1, sent), item("visit", 2, sent)];
    const day = routeDay({ clients, items, reasons: REASONS, userId: ME, day: DAY });
    assert.deepEqual(
      day.stops.map((s) => s.outcome),
      ["collected", "no_order"],
    );
    assert.ok(day.stops.every((s) => !s.unsent));
  });

  test("a receipt taken that day with nothing recorded is a collected stop", () => {
    const day = routeDay({ clients: [client(1)], items: [item("receipt", 1)], userId: ME, day: DAY });
    assert.deepEqual(summary(day), [[1, "visited", "collected", null, true]]);
  });

  test("a client visited off the route comes after it, not counted", () => {
    const clients = [client(1), client(2, { visit_days: ["fri"], trade_name: "Extra" })];
    const items = [item("visit", 2, { body: { outcome: "collected" } })];
    const day = routeDay({ clients, items, userId: ME, day: DAY });
    assert.deepEqual(summary(day), [
      [1, "pending", null, null, true],
      [2, "visited", "collected", null, false],
    ]);
    assert.deepEqual([day.done, day.planned], [0, 1]);
  });
});

describe("debt and reasons", () => {
  test("what the client owes in its currency and the part past due on the day", () => {
    const shop = client(1, {
      open_items: [
        { currency: "ARS", open_amount: "100.50", due_date: "2027-01-03" },
        { currency: "ARS", open_amount: "200.00", due_date: DAY },
        { currency: "USD", open_amount: "10.00", due_date: "2026-01-01" },
      ],
    });
    assert.deepEqual(owedAndOverdue(shop, DAY), { owed: 30050n, overdue: 10050n });
  });

  test("the reasons that fit each outcome", () => {
    const codes = (outcome) => reasonsFor(REASONS, outcome).map((r) => r.code);
    assert.deepEqual(codes("no_order"), ["CER", "STK"]);
    assert.deepEqual(codes("skipped"), ["CER", "LLU"]);
    assert.deepEqual(codes("collected"), []);
  });
});
