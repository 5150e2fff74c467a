// A route day from the phone's copy, as app/route/services.py route_day answers it on the
// server: the user's clients whose plan calls for a visit that day, in route order, then the
// clients visited that day off the route; each stop with its state from the copy's visits and
// orders and from this phone's outbox (so a result shows at once, before it is sent).
// No DOM here: tests/js/route.test.mjs runs it under node.

import { toCents } from "../pricing.js";
import { PENDING, compareStops, isDue, stopState } from "../visit-plan.js";
import { today as localDay } from "./format.js";

// A salesperson's (and a supervisor's) plan, or a collector's: the client fields of each.
export const PLANS = {
  sales: {
    owner: "salesperson_id",
    days: "visit_days",
    every: "visit_every_weeks",
    weekOf: "visit_week_of",
    window: "visit_window",
    position: "route_position",
  },
  collection: {
    owner: "collector_id",
    days: "collection_visit_days",
    every: "collection_visit_every_weeks",
    weekOf: "collection_visit_week_of",
    window: "collection_visit_window",
    position: "collection_route_position",
  },
};
// Outcomes that need a reason, and the reasons that fit each (app/route/rules.py NEEDS_REASON).
export const NEEDS_REASON = { no_order: ["no_order", "both"], skipped: ["skipped", "both"] };
// What the phone records by hand: an order is recorded by taking it.
export const OUTCOMES = ["no_order", "collected", "skipped"];

/** The shop name first, as salespeople know the client by it. */
function nameOf(client) {
  return client.trade_name || client.legal_name;
}

/** The reasons that explain an outcome (none for one that takes no reason). */
export function reasonsFor(reasons, outcome) {
  const fits = NEEDS_REASON[outcome];
  return fits ? reasons.filter((reason) => fits.includes(reason.applies_to)) : [];
}

/** The day of an outbox item: its body's date, else the phone's day when it was made. */
function itemDay(item) {
  return item.body?.date ?? localDay(new Date(item.created_at));
}

/** This user's outbox items of a kind for the day that the server has not refused. */
function itemsOf(items, kind, userId, day) {
  return items.filter(
    (item) =>
      item.kind === kind &&
      item.state !== "rejected" &&
      (item.user_id == null || item.user_id === userId) &&
      itemDay(item) === day,
  );
}

/**
 * The visit that stands for the client: the latest of this user's results in the outbox when
 * it is unsent or newer than the copy's, else the copy's visit of that day.
 */
function recorded(client, visitItems, userId, day, reasonNames) {
  const copy = (client.visits ?? []).find((v) => v.user_id === userId && v.day === day) ?? null;
  const item = visitItems
    .filter((i) => i.client_id === client.id)
    .sort((a, b) => a.id - b.id)
    .at(-1);
  const later = (a, b) => Date.parse(a) >= Date.parse(b);
  if (item && (!copy || item.state !== "done" || later(item.sent_at, copy.recorded_at))) {
    const reasonId = item.body.reason_id ?? null;
    return {
      outcome: item.body.outcome,
      reason_id: reasonId,
      reason: reasonId == null ? null : (reasonNames.get(reasonId) ?? null),
      note: item.body.note ?? null,
    };
  }
  return copy;
}

/** The open debt in the account's currency and the part past due on the day, in cents. */
export function owedAndOverdue(client, day) {
  let owed = 0n;
  let overdue = 0n;
  for (const item of client.open_items ?? []) {
    if (item.currency !== client.currency) continue;
    const open = toCents(item.open_amount);
    owed += open;
    if (item.due_date < day) overdue += open;
  }
  return { owed, overdue };
}

/** What the collections side set for the client on the day (agreed visit, promise, next
 * contact), from the copy's `agenda` (app/route/agenda.py upcoming). */
export function agendaOn(client, day) {
  return (client.agenda ?? []).filter((item) => item.day === day);
}

/** One stop: the client, its place in the route and what happened there. */
function stop(client, plan, planned, context) {
  const { userId, day, visitItems, orderItems, receiptItems, reasonNames } = context;
  const visit = recorded(client, visitItems, userId, day, reasonNames);
  const mine = (list) => list.filter((item) => item.client_id === client.id);
  const orders =
    (client.recent_orders ?? []).filter((o) => o.user_id === userId && o.date === day).length +
    mine(orderItems).length;
  let outcome = visit?.outcome ?? null;
  // A receipt taken that day, with nothing recorded, is a stop where money was collected.
  if (!outcome && mine(receiptItems).length) outcome = "collected";
  const unsent = [visitItems, orderItems, receiptItems].some((list) =>
    mine(list).some((item) => item.state !== "done"),
  );
  const { state, outcome: shown } = stopState(outcome, orders);
  return {
    id: client.id,
    client,
    name: nameOf(client),
    position: client[plan.position] ?? null,
    window: client[plan.window] ?? null,
    planned,
    state,
    outcome: shown,
    reason: shown === outcome ? (visit?.reason ?? null) : null,
    note: visit?.note ?? null,
    unsent,
    orders,
    agenda: plan === PLANS.collection ? agendaOn(client, day) : [],
    ...owedAndOverdue(client, day),
  };
}

/**
 * The user's route on a day ("YYYY-MM-DD"): {stops, planned, done, next}. `plan` is "sales" or
 * "collection"; `items` the outbox; `reasons` the synced visit reasons.
 */
export function routeDay({ clients, items = [], reasons = [], userId, plan = "sales", day }) {
  const fields = PLANS[plan] ?? PLANS.sales;
  const context = {
    userId,
    day,
    visitItems: itemsOf(items, "visit", userId, day),
    orderItems: itemsOf(items, "order", userId, day),
    receiptItems: itemsOf(items, "receipt", userId, day),
    reasonNames: new Map(reasons.map((reason) => [reason.id, reason.name])),
  };
  const due = clients.filter(
    (client) =>
      client[fields.owner] === userId &&
      client.state !== "disabled" &&
      isDue(client[fields.days], client[fields.every], client[fields.weekOf], day),
  );
  const planned = due.map((client) => stop(client, fields, true, context)).sort(compareStops);
  const dueIds = new Set(due.map((client) => client.id));
  // A collector's day also holds the clients collections set something for, after the plan.
  if (fields === PLANS.collection) {
    const agendaDue = clients.filter(
      (client) =>
        !dueIds.has(client.id) &&
        client[fields.owner] === userId &&
        client.state !== "disabled" &&
        agendaOn(client, day).length > 0,
    );
    for (const client of agendaDue.sort((a, b) => a.id - b.id)) {
      planned.push(stop(client, fields, true, context));
      dueIds.add(client.id);
    }
  }
  const offRoute = clients
    .filter((client) => !dueIds.has(client.id))
    .map((client) => stop(client, fields, false, context))
    .filter((s) => s.state !== PENDING)
    .sort((a, b) => compareStops({ ...a, position: null }, { ...b, position: null }));
  const stops = [...planned, ...offRoute];
  return {
    stops,
    planned: planned.length,
    done: planned.filter((s) => s.state !== PENDING).length,
    next: stops.find((s) => s.state === PENDING) ?? null,
  };
}
