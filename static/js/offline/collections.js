// The collection call and the field receipt offline: the forms of the online pages, checked
// here with the server's own rules and messages (app/collections/services.py log_call, the
// ledger's payment lines), then kept in the outbox with the API's body.

import { fromCents, toCents } from "../pricing.js";
import { getClient } from "../store.js";
import { newKey } from "../outbox.js";
import { clone, fill, label, slot, word } from "./dom.js";
import { addDays, amountValue, money, today } from "./format.js";
import { clearErrors, keepThenShowCard, locate, locationFields, showErrors } from "./forms.js";
import { balanceBlock, displayName, showNotices } from "./parts.js";
import { paths } from "./router.js";

const AHEAD_DAYS = 366; // MAX_AHEAD in app/collections/services.py
const NOTES_MAX = 2000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const CLOCK = /^\d{2}:\d{2}$/;

/** The parts both forms start with: notices, the client, its balance. Returns the form. */
function start(root, templateId, client, on) {
  const view = clone(templateId);
  root.replaceChildren(view);
  showNotices(slot(view, "notices"), client, on);
  const link = fill(view, "client", displayName(client));
  link.href = paths.card(client.id);
  fill(view, "code", client.code);
  slot(view, "balance").replaceChildren(balanceBlock(client, on));
  return view.querySelector("form");
}

/** Save a write to the outbox, then show the card with "saved on the phone". */
function keep(form, write, kind) {
  const card = `${paths.card(write.client_id)}?saved=${kind}`;
  return keepThenShowCard(form, { ...write, kind, key: newKey(), offline: null }, card);
}

/** A day field's problem: not a date, or outside today .. today + a year. */
function dayProblem(value, on, pastWord) {
  if (!ISO_DAY.test(value)) return word("date-invalid");
  if (value < on || value > addDays(on, AHEAD_DAYS)) return word(pastWord);
  return null;
}

/** The call's API body, or null with the messages shown next to the fields. */
function callBody(form, client, on) {
  clearErrors(form);
  const value = (name) => (form.elements[name]?.value ?? "").trim();
  const checked = (name) => form.querySelector(`input[name="${name}"]:checked`)?.value ?? "";
  const errors = {};
  const body = { client_id: client.id };
  body.channel = checked("channel");
  if (!body.channel) errors.channel = word("channel-required");
  body.outcome = checked("outcome");
  if (!body.outcome) errors.outcome = word("outcome-required");
  if (body.outcome === "promise") {
    const typed = value("promise_amount");
    const amount = amountValue(typed);
    if (!typed) errors.promise_amount = word("promise-amount-required");
    else if (!amount) errors.promise_amount = word("amount-invalid");
    else Object.assign(body, { promise_amount: amount, promise_currency: client.currency });
    const promised = value("promise_date");
    if (!promised) errors.promise_date = word("promise-date-required");
    else if (dayProblem(promised, on, "promise-date-past")) {
      errors.promise_date = dayProblem(promised, on, "promise-date-past");
    } else body.promise_date = promised;
  }
  const next = value("next_contact_at");
  const nextProblem = next && dayProblem(next, on, "next-contact-past");
  if (nextProblem) errors.next_contact_at = nextProblem;
  else if (next) body.next_contact_at = next;
  const visit = value("visit_date");
  const from = value("visit_from");
  const to = value("visit_to");
  const visitProblem = visit && dayProblem(visit, on, "visit-past");
  if (visitProblem) errors.visit_date = visitProblem;
  else if (visit) body.visit_date = visit;
  const badClock = (from && !CLOCK.test(from)) || (to && !CLOCK.test(to));
  if (badClock) errors.visit_from = word("date-invalid");
  else if (from && to && to <= from) errors.visit_to = word("visit-order");
  else if ((from || to) && !visit) errors.visit_date = word("visit-day-required");
  else Object.assign(body, from ? { visit_from: from } : {}, to ? { visit_to: to } : {});
  const notes = value("notes");
  if (notes.length > NOTES_MAX) errors.notes = word("too-long", { max: NOTES_MAX });
  else if (notes) body.notes = notes;
  if (showErrors(form, errors)) return null;
  return { ...body, ...locationFields(form) };
}

/** The collection call form. */
export async function showCall(root, match) {
  const client = await getClient(match.clientId);
  if (!client) return null;
  const on = today();
  const form = start(root, "tpl-call", client, on);
  for (const input of form.querySelectorAll("input[type=date]")) input.min = on;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = callBody(form, client, on);
    if (!body) return;
    keep(form, {
      url: "/api/v1/collection-calls",
      body,
      client_id: client.id,
      label: word("label-call", {
        client: displayName(client),
        outcome: label("outcomes", body.outcome),
      }),
    }, "call");
  });
  locate(form);
  return {};
}

const MAX_LINES = 10; // a receipt's payment lines, as the online form allows

/** Show only the fields the line's payment kind uses (data-kinds lists them). */
function showKindFields(line) {
  const kind = line.querySelector(".pay-kind").value;
  for (const field of line.querySelectorAll("[data-kinds]")) {
    field.hidden = !field.dataset.kinds.split(" ").includes(kind);
  }
}

/**
 * Name each line's fields lines.N.field (the API's error keys), with ids of their own, and
 * title them "Forma de pago N"; only lines after the first can be removed.
 */
function numberLines(form) {
  const lines = [...form.querySelectorAll("[data-line]")];
  lines.forEach((line, index) => {
    fill(line, "line-title", word("pay-line", { n: index + 1 }));
    for (const holder of line.querySelectorAll("[data-field], [data-error]")) {
      const base = (holder.dataset.base ||= (holder.dataset.field ?? holder.dataset.error));
      if ("field" in holder.dataset) holder.dataset.field = `lines.${index}.${base}`;
      if ("error" in holder.dataset) holder.dataset.error = `lines.${index}.${base}`;
    }
    for (const input of line.querySelectorAll("input, select")) {
      input.dataset.base ||= input.name;
      input.name = `lines.${index}.${input.dataset.base}`;
      const label = line.querySelector(`label[for="${input.id}"]`);
      input.id = `receipt-${input.dataset.base}-${index}`;
      if (label) label.htmlFor = input.id;
    }
    line.querySelector("[data-remove-line]").hidden = index === 0;
  });
  form.querySelector("[data-add-line]").hidden = lines.length >= MAX_LINES;
}

/** A new payment line at the end of the form's lines. */
function addLine(form) {
  const added = clone("tpl-pay-line");
  slot(form, "pay-lines").append(added);
  added.querySelector(".pay-kind").addEventListener("change", () => showKindFields(added));
  added.querySelector("[data-remove-line]").addEventListener("click", () => {
    added.remove();
    numberLines(form);
    showTotal(form);
  });
  showKindFields(added);
  numberLines(form);
  showTotal(form);
  return added;
}

/** The sum of decimal amounts (null ones count as nothing), as a decimal string. */
function sum(amounts) {
  return fromCents(amounts.reduce((total, amount) => total + (amount ? toCents(amount) : 0n), 0n));
}

/** The sum of the lines' amounts, shown once there is more than one line. */
function showTotal(form) {
  const lines = [...form.querySelectorAll("[data-line]")];
  const typed = lines.map((line) => amountValue(line.querySelector("input[data-base=amount]").value));
  const box = slot(form, "receipt-total");
  box.hidden = lines.length < 2;
  fill(box, "total-amount", money(sum(typed), form.dataset.currency));
}

/** The receipt's API body (every payment line), or null with the messages shown. */
function receiptBody(form, client) {
  clearErrors(form);
  const errors = {};
  const lines = [...form.querySelectorAll("[data-line]")].map((element, index) => {
    const key = (name) => `lines.${index}.${name}`;
    const kind = element.querySelector(".pay-kind").value;
    const line = { kind };
    if (!kind) errors[key("kind")] = word("kind-required");
    const amount = amountValue(element.querySelector("input[data-base=amount]").value);
    if (!amount) errors[key("amount")] = word("amount-invalid");
    else line.amount = amount;
    const kindName = label("receipt_kinds", kind).toLowerCase();
    for (const field of element.querySelectorAll("[data-kinds]")) {
      if (field.hidden) continue;
      const name = field.dataset.base;
      const value = element.querySelector(`[data-base="${name}"]:is(input, select)`).value.trim();
      if (!value) errors[key(name)] = word("kind-field-required", { kind: kindName });
      else line[name] = value;
    }
    return line;
  });
  const notes = form.elements.notes.value.trim();
  if (notes.length > NOTES_MAX) errors.notes = word("too-long", { max: NOTES_MAX });
  if (showErrors(form, errors)) return null;
  return {
    client_id: client.id,
    currency: client.currency,
    lines,
    ...(form.elements.apply_oldest.checked ? { apply_oldest: true } : {}),
    ...(notes ? { notes } : {}),
    ...locationFields(form),
  };
}

/** The field receipt form. */
export async function showReceipt(root, match) {
  const client = await getClient(match.clientId);
  if (!client) return null;
  const form = start(root, "tpl-receipt", client, today());
  form.dataset.currency = client.currency;
  addLine(form);
  form.querySelector("[data-add-line]").addEventListener("click", () => {
    addLine(form).querySelector(".pay-kind").focus();
  });
  form.addEventListener("input", (event) => {
    if (event.target.dataset.base === "amount") showTotal(form);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = receiptBody(form, client);
    if (!body) return;
    keep(form, {
      url: "/api/v1/field-receipts",
      body,
      client_id: client.id,
      label: word("label-receipt", {
        client: displayName(client),
        amount: money(sum(body.lines.map((line) => line.amount)), client.currency),
      }),
    }, "receipt");
  });
  locate(form);
  return {};
}
