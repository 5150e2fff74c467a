// The order form offline: products priced for the client from the synced copy (../pricing.js,
// the server's rule), added at the quantity set on the search result, one line per product;
// the payment method and delivery address, and the credit decision with this phone's unsent
// orders counted, right above "Guardar pedido". A blocked order needs a reason, which goes to
// the supervisors as the override request. The location is asked on saving (never once
// refused on this phone). The order is saved to the outbox with the API's body and sent when
// the link returns.

import { getCatalogue, getClient } from "../store.js";
import { newKey, queuedOrders } from "../outbox.js";
import { askBeforeSending } from "../ask-location.js";
import {
  keepClearOfBar,
  lineOf,
  parseQuantity,
  showLine,
  stepped,
  summed,
} from "../order-lines.js";
import { priceListFor, priceOrder, unitPrice } from "../pricing.js";
import { clear, clone, fill, label, plural, show, slot, word } from "./dom.js";
import { money, number, quantityText, today } from "./format.js";
import { decision, queuedCredit, queuedNote, showFailures, withQueued } from "./credit.js";
import { clearErrors, keepThenShowCard, locationFields, showErrors } from "./forms.js";
import {
  addressChoices,
  deliveryAddresses,
  header,
  paymentChoices,
  quantityProblem,
} from "./order-parts.js";
import { displayName, showNotices } from "./parts.js";
import { paths } from "./router.js";
import { matches, searchKey } from "./search.js";

const HITS = 20;
const NOTES_MAX = 1000;
const REASON_MAX = 500;

/** The order form for the client of ?client_id=; null when the phone does not have it. */
export async function showOrder(root, match) {
  const [client, catalogue] = await Promise.all([getClient(match.clientId), getCatalogue()]);
  if (!client) return null;
  const on = today();
  const view = clone("tpl-order");
  root.replaceChildren(view);
  showNotices(slot(view, "notices"), client, on);
  slot(view, "head").replaceChildren(header(client));

  const form = view.querySelector("form");
  const linesBox = form.querySelector("#lines");
  const hits = form.querySelector("#product-results");
  const search = form.querySelector("#product-q");
  const panel = form.querySelector("#offline-credit");
  const reasonField = slot(panel, "reason-field");
  paymentChoices(slot(form, "methods"), client);
  const addresses = deliveryAddresses(client);
  addressChoices(slot(form, "addresses"), addresses);
  show(slot(form, "no-address"), addresses.length === 0);

  const products = (catalogue.products ?? [])
    .filter((product) => product.active && !product.deleted)
    .map((product) => ({ product, key: searchKey(product.code, product.description) }))
    .sort((a, b) => a.product.code.localeCompare(b.product.code));
  const byId = new Map(products.map(({ product }) => [product.id, product]));
  let queued = queuedCredit(await queuedOrders(client.id));
  let current = { totals: null, decision: null };

  const chosen = (name) => form.querySelector(`input[name="${name}"]:checked`)?.value ?? null;
  const addressId = () => {
    const picked = chosen("shipping_address_id");
    return picked ? Number(picked) : (addresses[0]?.id ?? null);
  };
  const options = () => ({
    on,
    priceListId: priceListFor(client, addressId()),
    currency: client.currency,
    paymentMethod: chosen("payment_method"),
  });
  const priceText = (product) => {
    const price = unitPrice(client, catalogue, product.id, options());
    if (price === null) return null;
    return word("per-unit", { price: money(price, client.currency), unit: product.unit });
  };
  const lineRows = () => [...linesBox.querySelectorAll("[data-line]")];

  /** Price the lines, redraw the summary and the credit panel. */
  const reprice = () => {
    const rows = lineRows();
    for (const row of rows) {
      const product = byId.get(Number(row.dataset.productId));
      const text = priceText(product);
      fill(row, "price", `${product.code} · ${text ?? word("no-price", { code: product.code })}`);
    }
    const wanted = rows
      .map((row) => ({
        product_id: Number(row.dataset.productId),
        quantity: quantityText(row.querySelector(".qty").value),
      }))
      .filter((line) => line.quantity !== null && !quantityProblem(line.quantity));
    const result = priceOrder(client, catalogue, wanted, options());
    const priced = result.lines.filter(Boolean);
    const list = clear(slot(form, "priced"));
    for (const line of priced) {
      const item = clone("tpl-priced-line");
      const product = byId.get(line.product_id);
      fill(item, "what", `${number(line.quantity)} × ${product.description}`);
      fill(item, "net", money(line.net, client.currency));
      const unit = word("each", { price: money(line.unit_price, client.currency) });
      fill(item, "unit", line.special_price ? `${unit} · ${word("special-price")}` : unit);
      const chips = slot(item, "discounts");
      for (const discount of line.discounts) {
        const chip = clone("tpl-discount-chip");
        chip.textContent = `${label("discounts", discount.kind)} −${number(discount.pct)} %`;
        if (discount.name) chip.title = discount.name;
        chips.append(chip);
      }
      list.append(item);
    }
    const totals = priced.length ? result.totals : null;
    fill(form, "subtotal", totals ? money(totals.subtotal, client.currency) : "");
    const conditionOff = Boolean(totals) && totals.condition_discount !== "0.00";
    show(slot(form, "condition-row"), conditionOff);
    if (conditionOff) {
      const condition = result.condition.description;
      fill(form, "condition-label", word("condition-discount", { condition }));
      fill(form, "condition-discount", `−${money(totals.condition_discount, client.currency)}`);
    }
    fill(form, "tax", totals ? money(totals.tax, client.currency) : "");
    fill(form, "perception", totals ? money(totals.perception, client.currency) : "");
    fill(form, "total", totals ? money(totals.total, client.currency) : "");
    show(slot(form, "summary"), Boolean(totals));
    show(slot(form, "empty"), !totals);
    const decided = totals
      ? decision(withQueued(client.credit, queued), totals.total, chosen("payment_method"), on)
      : null;
    current = { totals, decision: decided };
    showCredit(decided);
    fill(form, "bar-amount", totals ? money(totals.total, client.currency) : "");
    fill(form, "bar-lines", totals ? plural("estimate-products", priced.length) : word("no-products"));
    show(slot(form, "bar-total"), Boolean(totals));
  };

  /** The verdict, its failures, the queued-orders note and the reason field when blocked. */
  const showCredit = (decided) => {
    show(panel, Boolean(decided));
    const allowed = Boolean(decided?.allowed);
    const blocked = Boolean(decided) && !allowed;
    show(panel.querySelector("[data-verdict=allowed]"), allowed);
    show(panel.querySelector("[data-verdict=blocked]"), blocked);
    show(slot(panel, "immediate"), allowed && !decided.credit);
    if (blocked) showFailures(slot(panel, "failures"), decided.failures, client.currency);
    queuedNote(slot(panel, "queued"), queued);
    show(reasonField, blocked);
    show(form.querySelector("[data-bar=allowed]"), allowed);
    show(form.querySelector("[data-bar=blocked]"), blocked);
  };

  /** Add a product at a quantity: a new line, or more of its line when it is one already. */
  const addLine = (product, quantity) => {
    let row = lineOf(linesBox, product.id);
    if (row) {
      const input = row.querySelector(".qty");
      input.value = summed(input.value, quantity);
    } else {
      row = clone("tpl-order-line");
      row.dataset.productId = product.id;
      fill(row, "description", product.description);
      const input = row.querySelector(".qty");
      input.value = summed("", quantity);
      const named = `${input.getAttribute("aria-label")}: ${product.description}`;
      input.setAttribute("aria-label", named);
      linesBox.append(row);
    }
    search.value = "";
    clear(hits);
    reprice();
    showLine(row);
  };

  /** The products matching the search, with the client's price and "Agregar". */
  const showHits = () => {
    clear(hits);
    const query = search.value.trim();
    if (!query) return;
    const found = products.filter((entry) => matches(entry.key, query)).slice(0, HITS);
    if (!found.length) {
      const none = document.createElement("p");
      none.className = "muted small";
      none.textContent = word("products-no-match", { q: query });
      hits.append(none);
      return;
    }
    const list = document.createElement("ul");
    list.className = "list product-hits";
    for (const { product } of found) {
      const item = clone("tpl-product-hit");
      item.dataset.productId = product.id;
      fill(item, "description", product.description);
      const price = priceText(product);
      fill(item, "price", `${product.code} · ${price ?? word("no-price", { code: product.code })}`);
      const button = item.querySelector("[data-add-product]");
      const box = item.querySelector(".qty");
      if (price === null) slot(item, "add").remove();
      else {
        button.setAttribute("aria-label", `${button.textContent.trim()}: ${product.description}`);
        box.setAttribute("aria-label", `${box.getAttribute("aria-label")}: ${product.description}`);
      }
      list.append(item);
    }
    hits.append(list);
  };

  /** "Agregar" on a search result: the product at the result's quantity. */
  const addHit = (hit) => {
    const box = hit.querySelector(".qty");
    if (!parseQuantity(box.value)) {
      box.setAttribute("aria-invalid", "true");
      box.focus();
      return;
    }
    addLine(byId.get(Number(hit.dataset.productId)), box.value);
  };

  search.addEventListener("input", showHits);
  hits.addEventListener("click", (event) => {
    const step = event.target.closest("[data-step]");
    if (step) {
      const box = step.closest(".stepper").querySelector(".qty");
      box.value = stepped(box.value, Number(step.dataset.step));
      box.removeAttribute("aria-invalid");
    } else if (event.target.closest("[data-add-product]")) {
      addHit(event.target.closest("[data-hit]"));
    }
  });
  // A search result's quantity is not part of the order: nothing to re-price.
  hits.addEventListener("change", (event) => event.stopPropagation());
  linesBox.addEventListener("click", (event) => {
    const step = event.target.closest("[data-step]");
    const remove = event.target.closest("[data-remove-line]");
    if (step) {
      const input = step.closest("[data-line]").querySelector(".qty");
      input.value = stepped(input.value, Number(step.dataset.step));
    } else if (remove) {
      remove.closest("[data-line]").remove();
    } else return;
    reprice();
  });
  linesBox.addEventListener("input", reprice);
  form.addEventListener("change", (event) => {
    if (event.target.name === "shipping_address_id") showHits();
    if (event.target.name !== "quantity") reprice();
  });
  // Enter in a box (the product search, a quantity) must not save the order by accident; in a
  // search result's quantity it adds the product.
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.target.matches("input")) return;
    event.preventDefault();
    const hit = event.target.closest("[data-hit]");
    if (hit) addHit(hit);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });

  /** Check the form; the API body when it is right, else null with the messages shown. */
  const body = () => {
    clearErrors(form);
    const errors = {};
    const rows = lineRows();
    if (!rows.length) errors.lines = word("lines-required");
    const lines = [];
    for (const row of rows) {
      const typed = row.querySelector(".qty").value;
      const product = byId.get(Number(row.dataset.productId));
      const priced = priceText(product) !== null;
      const unpriced = priced ? null : word("no-price", { code: product.code });
      const problem = quantityProblem(typed) ?? unpriced;
      if (problem) {
        const holder = row.querySelector("[data-error=quantity]");
        holder.textContent = problem;
        holder.hidden = false;
        row.classList.add("invalid");
        row.querySelector(".qty").setAttribute("aria-invalid", "true");
        errors[`line-${lines.length}`] = problem;
      }
      lines.push({ product_id: product.id, quantity: quantityText(typed) });
    }
    const method = chosen("payment_method");
    if (!method) errors.payment_method = word("payment-required");
    const notes = form.elements.notes.value.trim();
    if (notes.length > NOTES_MAX) errors.notes = word("too-long", { max: NOTES_MAX });
    const blocked = current.decision && !current.decision.allowed;
    const reason = form.elements.override_reason.value.trim();
    if (blocked && !reason) errors.override_reason = word("reason-required");
    if (reason.length > REASON_MAX) errors.override_reason = word("too-long", { max: REASON_MAX });
    // Line errors are already under their lines; the rest go next to their fields.
    const shown = Object.fromEntries(
      Object.entries(errors).filter(([name]) => !name.startsWith("line-")),
    );
    showErrors(form, shown);
    if (Object.keys(errors).length) {
      show(form.querySelector("[data-error=form]"));
      return null;
    }
    return {
      client_id: client.id,
      payment_method: method,
      ...(addressId() ? { shipping_address_id: addressId() } : {}),
      ...(notes ? { notes } : {}),
      lines,
      override_reason: blocked ? reason : word("override-allowed"),
      ...locationFields(form),
    };
  };

  /** Keep the order in the outbox, then go to the card that says so. */
  const save = async () => {
    if (!body()) return;
    const submit = form.querySelector("[data-submit]");
    submit.disabled = true;
    await askBeforeSending(form);
    submit.disabled = false;
    const order = body(); // now with the location, if shared
    const total = current.totals?.total ?? "0.00";
    const blocked = Boolean(current.decision) && !current.decision.allowed;
    const labelText = word("label-order", {
      client: displayName(client),
      total: money(total, client.currency),
    });
    const write = {
      kind: "order",
      url: "/api/v1/orders",
      body: order,
      key: newKey(),
      client_id: client.id,
      label: labelText,
      offline: { decision: blocked ? "blocked" : "allowed", total },
    };
    keepThenShowCard(form, write, `${paths.card(client.id)}?saved=order`);
  };

  keepClearOfBar(form, form.querySelector(".order-submit"));
  reprice();
  return {
    title: word("title-order"),
    /** Another tab sent or queued an order: count it again in the decision. */
    async refresh(reason) {
      if (reason !== "outbox") return;
      queued = queuedCredit(await queuedOrders(client.id));
      reprice();
    },
  };
}
