// One outbox item as the "Pendientes" list and the card show it: what it is, where it stands,
// the server's answer (an order over the limit says so plainly), and what the user can do.

import { clear, fill, clone, label, show, slot, word } from "./dom.js";
import { moment } from "./format.js";
import { paths } from "./router.js";

const OVER_LIMIT = ["awaiting_approval", "blocked"];

/** The server's messages of a refused write: {field: [message]} or {field: message}. */
function fieldMessages(fields) {
  return Object.values(fields ?? {}).flatMap((value) => (Array.isArray(value) ? value : [value]));
}

/** What the server made of an order the phone sent, in words; null for other writes. */
function orderVerdict(item) {
  if (item.kind !== "order" || item.state !== "done" || !item.result) return null;
  const status = item.result.status;
  const statusText = word("order-status", { status: label("order_statuses", status) });
  if (OVER_LIMIT.includes(status) && item.offline?.decision === "allowed") {
    const sentence = status === "blocked" ? word("server-blocked") : word("server-over-limit");
    return { text: `${sentence} ${statusText}`, warn: true };
  }
  if (status === "awaiting_approval") {
    return { text: `${word("server-awaiting")} ${statusText}`, warn: true };
  }
  return { text: statusText, warn: OVER_LIMIT.includes(status) };
}

/** A list item for an outbox item; withActions adds "Reintentar" / "Descartar" (refused ones). */
export function outboxItem(item, withActions = true) {
  const element = clone("tpl-outbox-item");
  element.dataset.outboxId = item.id;
  element.dataset.state = item.state;
  element.dataset.kind = item.kind;
  fill(element, "label", item.label || label("kinds", item.kind));
  const state = fill(element, "state", word(`state-${item.state}`));
  state.classList.add(`state-${item.state}`);
  const sent = item.state === "done" && item.sent_at;
  const when = sent
    ? word("sent", { when: moment(item.sent_at) })
    : word("created", { when: moment(item.created_at) });
  fill(element, "when", when);

  const verdict = orderVerdict(item);
  if (verdict) {
    const box = fill(element, "verdict", verdict.text, true);
    box.classList.toggle("warn", verdict.warn);
  }
  // The server's own message when it gave one, else why the last try failed, in words.
  const problem = item.problem && item.problem !== "rejected" ? label("problem", item.problem) : "";
  fill(element, "error", item.error || (item.state === "done" ? "" : problem), true);
  const messages = [...fieldMessages(item.fields), ...fieldMessages(item.result?.override_error)];
  const list = clear(slot(element, "fields"));
  for (const message of messages) {
    const line = document.createElement("li");
    line.textContent = message;
    list.append(line);
  }
  show(list, messages.length > 0);

  const retry = element.querySelector("[data-retry]");
  const discard = element.querySelector("[data-discard]");
  show(retry, withActions && item.state === "pending" && Boolean(item.error || item.problem));
  show(discard, withActions && item.state === "rejected"); // sent ones leave by themselves
  const link = slot(element, "order-link");
  if (item.kind === "order" && item.state === "done" && item.result?.id) {
    link.href = paths.order_page(item.result.id);
    show(link);
  }
  // A prospect that arrived is a client: its card (the API's answer names it; a kept server
  // form was sent on to it).
  const card = slot(element, "card-link");
  const cardUrl = item.result?.id ? paths.card(item.result.id) : item.done_url;
  if (item.kind === "prospect" && item.state === "done" && cardUrl) {
    card.href = cardUrl;
    show(card);
  }
  const links = !link.hidden || !card.hidden;
  show(slot(element, "actions"), !retry.hidden || !discard.hidden || links);
  return element;
}
