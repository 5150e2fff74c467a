// The route day offline: the stops the phone's copy says are due (route-day.js), the next
// pending one on top, each with what it owes, its notices, its time window and its state, and
// the visit's actions: take an order, log a collection call, record the result. A result goes
// to the outbox (POST /api/v1/visits) and the stop shows it at once, before it is sent.

import { enqueue, listItems, newKey } from "../outbox.js";
import { getMeta, listClients, listVisitReasons } from "../store.js";
import { PENDING } from "../visit-plan.js";
import { clear, clone, fill, label, show, slot, word } from "./dom.js";
import { addDays, day as dayText, money, today } from "./format.js";
import { clearErrors, locate, locationFields, showErrors } from "./forms.js";
import { noticesInForce, savedMessage } from "./parts.js";
import { NEEDS_REASON, reasonsFor, routeDay } from "./route-day.js";
import { paths } from "./router.js";

const NOTE_MAX = 500;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The signed-in user: the page says who; else the copy's owner. */
async function currentUser() {
  const id = document.documentElement.dataset.userId;
  return id ? Number(id) : (await getMeta()).user_id;
}

/** Give the ids inside a cloned stop a suffix, and the labels and messages that name them. */
function uniqueIds(element, suffix) {
  for (const named of element.querySelectorAll("[id]")) named.id = `${named.id}-${suffix}`;
  for (const labelled of element.querySelectorAll("label[for]")) {
    labelled.htmlFor = `${labelled.htmlFor}-${suffix}`;
  }
}

/** The state in words: "Pendiente", "Visitado · Con pedido", "Sin pedido · Cerrado"... */
function stateText(stop) {
  if (stop.state === PENDING) return word("stop-pending");
  if (stop.outcome === "order") return word("stop-order");
  const outcome = label("visit_outcomes", stop.outcome);
  return stop.reason ? word("stop-with-reason", { outcome, reason: stop.reason }) : outcome;
}

/** "Horario 08:30-12:00 · Debe $ 1.500,00" for the next stop's line. */
function metaLine(stop) {
  const parts = [];
  if (stop.window) parts.push(word("window", { window: stop.window }));
  if (stop.owed > 0n) parts.push(word("owes-amount", { amount: money(stop.owed, stop.client.currency) }));
  if (stop.overdue > 0n) {
    parts.push(word("overdue-amount", { amount: money(stop.overdue, stop.client.currency) }));
  }
  return parts.join(" · ");
}

/** Fill a stop's parts that change with its state (the form is left as it is). */
function drawStop(element, stop, day, isToday) {
  element.dataset.state = stop.state;
  element.dataset.outcome = stop.outcome ?? "";
  fill(element, "position", stop.planned && stop.position != null ? String(stop.position) : "");
  const name = fill(element, "name", stop.name);
  name.href = paths.card(stop.id);
  const notices = noticesInForce(stop.client, day);
  const dot = show(slot(element, "notice"), notices.length > 0);
  dot.className = `notice-dot ${notices[0]?.severity ?? ""}`.trim();
  fill(element, "window", stop.window ? word("window", { window: stop.window }) : "", true);
  show(slot(element, "unplanned"), !stop.planned);
  const currency = stop.client.currency;
  fill(element, "owes", stop.owed > 0n ? word("owes-amount", { amount: money(stop.owed, currency) }) : "");
  const overdue = stop.overdue > 0n ? word("overdue-amount", { amount: money(stop.overdue, currency) }) : "";
  fill(element, "overdue", overdue, true);
  show(slot(element, "money"), stop.owed > 0n);
  const state = fill(element, "state", stateText(stop));
  state.className = `badge stop-state ${stop.state} ${stop.outcome ?? ""}`.trim();
  fill(element, "note", stop.note, true);
  show(slot(element, "unsent"), stop.unsent);
  element.classList.toggle("done", stop.state !== PENDING);
  const order = element.querySelector("[data-action=order]");
  const sellable = isToday && stop.client.state !== "disabled";
  if (order) show(order, sellable).href = paths.order(stop.id);
  const call = element.querySelector("[data-action=call]");
  if (call) show(call, isToday && element.dataset.plan === "collection").href = paths.call(stop.id);
}

/** The reason select for an outcome: its reasons, or hidden when the outcome takes none. */
function fillReasons(form, reasons, outcome) {
  const field = slot(form, "reason-field");
  const select = form.elements.reason_id;
  const placeholder = select.options[0];
  const kept = select.value;
  select.replaceChildren(placeholder);
  for (const reason of reasonsFor(reasons, outcome)) {
    const option = new Option(reason.name, String(reason.id));
    select.append(option);
  }
  select.value = [...select.options].some((o) => o.value === kept) ? kept : "";
  show(field, outcome in NEEDS_REASON);
}

/** The result's API body, or null with the messages shown next to the fields. */
function visitBody(form, stop, day) {
  clearErrors(form);
  const outcome = form.querySelector("input[name=outcome]:checked")?.value ?? "";
  const reasonId = outcome in NEEDS_REASON ? form.elements.reason_id.value : "";
  const note = form.elements.note.value.trim();
  const errors = {};
  if (!outcome) errors.outcome = word("visit-outcome-required");
  else if (outcome in NEEDS_REASON && !reasonId) errors.reason_id = word("visit-reason-required");
  if (note.length > NOTE_MAX) errors.note = word("too-long", { max: NOTE_MAX });
  if (showErrors(form, errors)) return null;
  return {
    client_id: stop.id,
    date: day,
    outcome,
    reason_id: reasonId ? Number(reasonId) : null,
    ...(note ? { note } : {}),
    ...locationFields(form),
  };
}

/** The outcome form of a stop: reasons follow the outcome; saving keeps it in the outbox. */
function outcomeForm(element, stop, context) {
  const box = slot(element, "outcome-box");
  if (!box) return;
  show(box, context.day <= context.on);
  const form = box.querySelector("form");
  form.addEventListener("change", (event) => {
    if (event.target.name === "outcome") fillReasons(form, context.reasons, event.target.value);
  });
  box.addEventListener("toggle", () => {
    if (box.open && !box.dataset.located) {
      box.dataset.located = "true";
      locate(form);
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = visitBody(form, element.stop, context.day);
    if (!body) return;
    const submit = form.querySelector("[data-submit]");
    const failed = form.querySelector("[data-error=save]");
    submit.disabled = true;
    failed.hidden = true;
    try {
      await enqueue({
        kind: "visit",
        url: "/api/v1/visits",
        body,
        key: newKey(),
        client_id: stop.id,
        label: word("label-visit", {
          client: stop.name,
          outcome: label("visit_outcomes", body.outcome),
        }),
      });
    } catch (error) {
      console.error("outbox: not kept", error);
      failed.hidden = false;
      return;
    } finally {
      submit.disabled = false;
    }
    form.reset();
    fillReasons(form, context.reasons, "");
    box.open = false;
    slot(context.view, "saved").replaceChildren(savedMessage());
    await context.redraw();
  });
}

/** The next pending stop, on top, with its actions. */
function drawNext(view, next, isToday, stops) {
  const section = slot(view, "next");
  show(section, Boolean(next));
  if (!next) return;
  const card = clone("tpl-next-stop");
  const name = fill(card, "name", next.name);
  name.href = paths.card(next.id);
  fill(card, "meta", metaLine(next), true);
  const order = card.querySelector("[data-action=order]");
  if (order) show(order, isToday && next.client.state !== "disabled").href = paths.order(next.id);
  const result = card.querySelector("[data-action=outcome]");
  const box = slot(stops.get(next.id), "outcome-box");
  if (result) {
    show(result, Boolean(box) && !box.hidden);
    result.href = `#stop-${next.id}`;
    result.addEventListener("click", (event) => {
      event.preventDefault();
      box.open = true;
      box.scrollIntoView({ block: "start" });
      box.querySelector("input[name=outcome]")?.focus({ preventScroll: true });
    });
  }
  slot(section, "next-stop").replaceChildren(card);
}

/** Previous and next day, back to today, and a date to jump to. */
function dayLinks(view, day, on) {
  const prev = view.querySelector("[data-day=prev]");
  prev.textContent = word(day === on ? "day-yesterday" : "day-before");
  prev.href = paths.route(addDays(day, -1));
  const next = view.querySelector("[data-day=next]");
  next.textContent = word(day === on ? "day-tomorrow" : "day-after");
  next.href = paths.route(addDays(day, 1));
  show(view.querySelector("[data-day=today]"), day !== on).href = paths.route();
  const input = slot(view, "date");
  input.value = day;
  input.addEventListener("change", () => {
    if (ISO_DAY.test(input.value)) location.assign(paths.route(input.value));
  });
}

/** The route view of ?date= (default today) from the phone's copy and its outbox. */
export async function showRoute(root, match) {
  const on = today();
  const asked = match.params.get("date") ?? "";
  const day = ISO_DAY.test(asked) ? asked : on;
  const isToday = day === on;
  const plan = root.dataset.routePlan === "collection" ? "collection" : "sales";
  const userId = await currentUser();
  const view = clone("tpl-route");
  root.replaceChildren(view);
  fill(view, "title", isToday ? word("route-today") : word("route-of", { date: dayText(day) }));
  dayLinks(view, day, on);

  const context = { view, day, on, reasons: await listVisitReasons(), redraw: null };
  let clients = await listClients();
  const compute = async () =>
    routeDay({ clients, items: await listItems(), reasons: context.reasons, userId, plan, day });
  const list = slot(view, "stops");
  const elements = new Map();

  /** Build the list (once per drawing of the view), then fill what changes. */
  const build = (route) => {
    clear(list);
    elements.clear();
    for (const stop of route.stops) {
      const element = clone("tpl-stop");
      uniqueIds(element, stop.id);
      element.id = `stop-${stop.id}`;
      element.dataset.clientId = stop.id;
      element.dataset.plan = plan;
      element.stop = stop;
      outcomeForm(element, stop, context);
      elements.set(stop.id, element);
      list.append(element);
    }
  };
  const draw = (route) => {
    for (const stop of route.stops) {
      const element = elements.get(stop.id);
      element.stop = stop;
      drawStop(element, stop, day, isToday);
    }
    fill(view, "count", word("route-count", { done: route.done, planned: route.planned }));
    drawNext(view, route.next, isToday, elements);
    show(slot(view, "all-done"), route.planned > 0 && route.done === route.planned);
    show(list, route.stops.length > 0);
    show(slot(view, "empty"), route.stops.length === 0);
  };
  /** Draw the states again; a stop that appeared or left means building the list again. */
  context.redraw = async () => {
    const route = await compute();
    const same =
      route.stops.length === elements.size && route.stops.every((s) => elements.has(s.id));
    if (!same) build(route);
    draw(route);
  };

  const route = await compute();
  build(route);
  draw(route);
  return {
    title: slot(view, "title").textContent,
    /** The outbox changed (a result saved or sent): redraw the states. A sync: reload. */
    async refresh(reason) {
      if (reason === "synced") {
        const editing = [...list.querySelectorAll("details[open]")].length > 0;
        if (!editing) return "rerender";
        clients = await listClients();
      }
      if (reason === "outbox" || reason === "synced") await context.redraw();
      return null;
    },
  };
}
