// The credit decision on the phone: the client's synced snapshot plus the orders this phone
// took and has not sent yet, decided with the port of app/credit/rules.py (../credit.js).

import { CREDIT_METHODS, decide } from "../credit.js";
import { fromCents, toCents } from "../pricing.js";
import { clear, clone, fill, plural, show } from "./dom.js";
import { money } from "./format.js";

/** The smallest credit order, as the card's credit status probes it (app/credit/status.py). */
export const PROBE = "0.01";

/**
 * What the queued orders add to the exposure: those on credit that the phone saw within the
 * limit (a blocked one will not count on the server either), each one more unpaid document.
 */
export function queuedCredit(items) {
  const counted = items.filter(
    (item) =>
      item.kind === "order" &&
      CREDIT_METHODS.includes(paymentMethod(item)) &&
      item.offline?.decision !== "blocked",
  );
  // An online form's post the service worker kept has no estimate: one document, no amount.
  const cents = counted.reduce((sum, item) => sum + toCents(item.offline?.total ?? "0"), 0n);
  return { cents, count: counted.length };
}

/** The payment method of a queued order: an API body, or a server form's urlencoded post. */
function paymentMethod(item) {
  if (typeof item.body === "string") return new URLSearchParams(item.body).get("payment_method");
  return item.body?.payment_method;
}

/** The snapshot with the queued orders counted as pending orders. */
export function withQueued(snapshot, queued) {
  return {
    ...snapshot,
    pending_orders: fromCents(toCents(snapshot.pending_orders ?? "0") + queued.cents),
    pending_documents: (snapshot.pending_documents ?? 0) + queued.count,
  };
}

/** The decision for an order of this amount, or null when there is nothing to decide yet. */
export function decision(snapshot, amount, method, on) {
  if (!snapshot || !method || toCents(amount) <= 0n) return null;
  return decide(snapshot, amount, method, on);
}

/** A failure's figure as the online form shows it: money, invoices or days. */
function figure(kind, value, currency) {
  if (value === null || value === undefined) return "—";
  if (kind === "money") return money(value, currency);
  if (kind === "documents") return plural("invoices", value);
  if (kind === "age") return plural("days", value);
  return String(value);
}

/** Fill a list with a decision's failures and their figures (limit, now, after, excess). */
export function showFailures(list, failures, currency) {
  clear(list);
  for (const failure of failures) {
    const item = clone("tpl-failure");
    item.classList.add(`failure-${failure.kind}`);
    fill(item, "message", failure.message);
    for (const name of ["limit", "current", "after", "excess"]) {
      fill(item, name, figure(failure.kind, failure[name], currency));
    }
    show(item.querySelector("[data-slot=figures]"), failure.limit !== null);
    list.append(item);
  }
}

/** The note under the credit panel: how many queued orders it counted. */
export function queuedNote(element, queued) {
  element.textContent = queued.count ? plural("queued-orders", queued.count) : "";
  show(element, queued.count > 0);
}
