// The order form: "Repetir último pedido", the usual products, a quantity on each search
// result, one line per product (adding one already there adds to its quantity), big − / +
// steppers and removing a line. Every change is announced with a bubbling "change" so the
// summary re-prices. The line rows come ready from the server in <template data-line-for>
// (the search results carry theirs, the page those of the quick picks), so nothing is written
// twice. The location is asked at "Confirmar" (location.js, data-locate-submit).

import {
  keepClearOfBar,
  lineOf,
  parseQuantity,
  showLine,
  stepped,
  summed,
} from "./order-lines.js";

const form = document.querySelector("[data-order-form]");

function announce(element) {
  element.dispatchEvent(new Event("change", { bubbles: true }));
}

/** The line row of a product: the search result's own, else the page's. */
function lineTemplate(productId, near) {
  const selector = `template[data-line-for="${Number(productId)}"]`;
  return near?.querySelector(selector) ?? form.querySelector(selector);
}

/**
 * Put a product in the order at a quantity: a new line, or its line's quantity raised by it
 * (set to it with `replace`). Returns the line, or null when the page has no row for it.
 */
function putLine(productId, quantity, { near = null, replace = false } = {}) {
  const lines = form.querySelector("#lines");
  let line = lineOf(lines, productId);
  const box = () => line.querySelector("input[name=quantity]");
  if (line) {
    box().value = replace ? summed("", quantity) : summed(box().value, quantity);
  } else {
    const template = lineTemplate(productId, near);
    if (!template) return null;
    line = template.content.querySelector("[data-line]").cloneNode(true);
    lines.append(line);
    box().value = summed("", quantity);
  }
  return line;
}

/** Empty the product search and its results (a late answer included). */
function clearSearch() {
  const search = form.querySelector("#product-q");
  if (!search) return;
  window.htmx?.trigger(search, "htmx:abort");
  search.value = "";
  form.querySelector("#product-results")?.replaceChildren();
}

/** "Agregar" on a search result or a usual product: its quantity, then show the line. */
function addProduct(button) {
  const hit = button.closest("[data-hit]");
  const box = hit?.querySelector(".qty");
  const quantity = box ? box.value : button.dataset.quantity;
  if (!parseQuantity(quantity)) {
    box?.setAttribute("aria-invalid", "true");
    box?.focus();
    return;
  }
  const line = putLine(button.dataset.addProduct, quantity, { near: hit });
  if (!line) return;
  if (hit) clearSearch();
  announce(form);
  showLine(line);
}

/** "Repetir último pedido": the last order's products at its quantities. */
function repeatOrder(button) {
  const added = JSON.parse(button.dataset.lines || "[]")
    .map(([productId, quantity]) => putLine(productId, quantity, { replace: true }))
    .filter(Boolean);
  if (!added.length) return;
  announce(form);
  showLine(added.at(-1));
}

function onClick(event) {
  const step = event.target.closest("[data-step]");
  if (step) {
    const input = step.closest(".stepper")?.querySelector(".qty");
    if (!input) return;
    input.value = stepped(input.value, Number(step.dataset.step));
    input.removeAttribute("aria-invalid");
    if (step.closest("[data-line]")) announce(input);
    return;
  }
  const add = event.target.closest("[data-add-product]");
  if (add) return addProduct(add);
  const repeat = event.target.closest("[data-repeat-order]");
  if (repeat) return repeatOrder(repeat);
  const remove = event.target.closest("[data-remove-line]");
  if (remove) {
    remove.closest("[data-line]")?.remove();
    announce(form);
  }
}

// Enter in a box (the product search, a quantity) must not send the order by accident; in a
// search result's quantity it adds the product.
function onKeydown(event) {
  if (event.key !== "Enter" || !event.target.matches("input")) return;
  event.preventDefault();
  const add = event.target.closest("[data-hit]")?.querySelector("[data-add-product]");
  if (add) addProduct(add);
}

if (form && !form.dataset.orderReady) {
  form.dataset.orderReady = "1";
  form.addEventListener("click", onClick);
  form.addEventListener("keydown", onKeydown);
  // A search result's quantity is not part of the order: the summary need not re-price.
  form.querySelector("#product-results")?.addEventListener("change", (e) => e.stopPropagation());
  keepClearOfBar(form, form.querySelector(".order-submit"));
}
