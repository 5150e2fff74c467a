// The pieces of the offline order form that do not need its state: where it may be delivered,
// its header, the payment and address choices, and what is wrong with a typed quantity.

import { fraction } from "../pricing.js";
import { clone, fill, label, slot, word } from "./dom.js";
import { quantityText } from "./format.js";
import { displayName, showBadges } from "./parts.js";
import { paths } from "./router.js";

const MAX_QUANTITY = "100000"; // MAX_QUANTITY in app/orders/services.py

/** Where an order may be delivered: shipping and branch addresses, else every address. */
export function deliveryAddresses(client) {
  const rank = { shipping: 0, branch: 1 };
  const order = (row) => rank[row.kind] ?? 2;
  const rows = [...(client.addresses ?? [])].sort((a, b) => order(a) - order(b) || a.id - b.id);
  const deliverable = rows.filter((row) => row.kind in rank);
  return deliverable.length ? deliverable : rows;
}

/** The card's header of the form: title, the client (a link to its card), badges. */
export function header(client) {
  const head = clone("tpl-client-head");
  fill(head, "title", word("title-order"));
  const link = fill(head, "name", displayName(client));
  link.href = paths.card(client.id);
  fill(head, "code", client.code);
  showBadges(head, client);
  if (client.state === "active") slot(head, "state").hidden = true;
  return head;
}

/** Radio chips for the client's payment methods, the usual one checked. */
export function paymentChoices(container, client) {
  for (const method of client.payment_methods ?? []) {
    const choice = clone("tpl-choice");
    const input = choice.querySelector("input");
    input.name = "payment_method";
    input.value = method;
    input.checked = method === client.default_payment_method;
    fill(choice, "label", label("payment_methods", method));
    container.append(choice);
  }
}

/** Radio cards for the delivery addresses, the first one checked. */
export function addressChoices(container, addresses) {
  addresses.forEach((address, index) => {
    const choice = clone("tpl-address-choice");
    const input = choice.querySelector("input");
    input.value = address.id;
    input.checked = index === 0;
    fill(choice, "title", address.label || address.street);
    fill(choice, "street", address.label ? address.street : "", true);
    fill(choice, "city", [address.city, address.province].filter(Boolean).join(", "), true);
    const hours = address.delivery_hours;
    fill(choice, "hours", hours ? word("hours", { hours }) : "", true);
    fill(choice, "instructions", address.delivery_instructions, true);
    container.append(choice);
  });
}

/** A typed quantity's problem, or null when it is a quantity the API takes. */
export function quantityProblem(typed) {
  const text = quantityText(typed);
  if (text === null || fraction(text).num <= 0n) return word("quantity-positive");
  if ((text.split(".")[1] ?? "").length > 3) return word("quantity-places");
  const { num, den } = fraction(text);
  if (num > fraction(MAX_QUANTITY).num * den) return word("quantity-large");
  return null;
}
