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

/** A window as the Hoy page writes it: "08:30–12:00". */
function windowText(window) {
  return window ? window.replace("-", "\u2013") : "";
}

/** Fill a stop's parts that change with its state (the form is left as it is). */
function drawStop(element, stop, number, day, isToday) {
  element.dataset.state = stop.state;
  element.dataset.outcome = stop.outcome ?? "";
  element.className = `stop stop-${stop.state}${stop.planned ? "" : " stop-unplanned"}`;
  fill(element, "number", stop.planned ? String(number) : "+");
  fill(element, "name", stop.name).href = paths.card(stop.id);
  const notices = slot(element, "notices");
  show(notices, noticesInForce(stop.client, day).length > 0).href = paths.card(stop.id);
  fill(element, "window", windowText(stop.window));
  show(slot(element, "window-box"), Boolean(stop.window));
  const currency = stop.client.currency;
  fill(element, "owed", money(stop.owed, currency));
  show(slot(element, "owes"), stop.owed > 0n);
  fill(element, "overdue-amount", money(stop.overdue, currency));
  show(slot(element, "overdue"), stop.overdue > 0n);
  show(slot(element, "no-debt"), stop.owed <= 0n);
  fill(element, "city", stop.client.city, true);
  const state = fill(element, "state", stateText(stop));
  state.className = `state-chip state-${stop.state}`;
  show(slot(element, "unplanned"), !stop.planned);
  fill(element, "note", stop.note, true);
  const agenda = slot(element, "agenda");
  if (agenda) {
    agenda.replaceChildren(
      ...stop.agenda.map((item) => {
        const line = document.createElement("p");
        line.className = "stop-agenda";
        const hours = item.from ? ` ${item.from}${item.to ? `\u2013${item.to}` : ""}` : "";
        line.textContent = word(`agenda-${item.kind}`) + hours;
        return line;
      }),
    );
  }
  show(slot(element, "unsent"), stop.unsent);
  const summary = slot(element, "outcome-summary");
  if (summary) {
    summary.textContent = summary.dataset[stop.state === PENDING ? "pending" : "done"];
  }
  const order = element.querySelector("[data-action=order]");
  if (order) show(order, isToday && stop.client.state !== "disabled").href = paths.order(stop.id);
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

/** The next pending stop on top, once the route has started (as the Hoy page does). */
function drawNext(view, route) {
  const next = route.next;
  const started = next && route.stops[0]?.id !== next.id;
  show(slot(view, "next"), Boolean(started));
  if (!started) return;
  fill(view, "next-name", next.name).href = `#stop-${next.id}`;
  fill(view, "next-window", next.window ? ` · ${windowText(next.window)}` : "");
}

/** Previous and next day, back to today, and another day to look at. */
function dayLinks(view, day, on) {
  view.querySelector("[data-day=prev]").href = paths.route(addDays(day, -1));
  const next = view.querySelector("[data-day=next]");
  next.href = paths.route(addDays(day, 1));
  if (day === on) {
    next.textContent = word("day-tomorrow");
  } else {
    next.textContent = "›";
    next.setAttribute("aria-label", word("day-after"));
  }
  show(view.querySelector("[data-day=today]"), day !== on).href = paths.route();
  const form = view.querySelector("[data-day-form]");
  form.elements.date.value = day;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const asked = form.elements.date.value;
    if (ISO_DAY.test(asked)) location.assign(paths.route(asked === on ? null : asked));
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
    route.stops.forEach((stop, index) => {
      const element = elements.get(stop.id);
      element.stop = stop;
      drawStop(element, stop, index + 1, day, isToday);
    });
    fill(view, "count", word("route-count", { done: route.done, planned: route.planned }));
    drawNext(view, route);
    show(slot(view, "all-done"), route.planned > 0 && route.done === route.planned);
    show(list, route.stops.length > 0);
    show(slot(view, "empty"), route.stops.length === 0);
  };
  /** Draw the states again; a stop that came, left or moved means building the list again. */
  context.redraw = async () => {
    const route = await compute();
    const shown = [...elements.keys()];
    const same = route.stops.length === shown.length && route.stops.every((s, i) => s.id === shown[i]);
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
        if (!list.querySelector("details[open]")) return "rerender";
        clients = await listClients();
      }
      if (reason === "outbox" || reason === "synced") await context.redraw();
      return null;
    },
  };
}
