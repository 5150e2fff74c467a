// The order's lines, online (order.js) and offline (offline/order.js) alike: what a − / + tap
// makes of a typed quantity, adding a product that is already a line (one line per product:
// the quantities add up), showing the line added, and the form's room for its floating bar.

import { quantityText } from "./offline/format.js";

/** A typed quantity ("2", "2,5", "1.234,5", as decimalText reads it) as a number; else 0. */
export function parseQuantity(text) {
  const value = Number(quantityText(text) ?? 0);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** A number as the quantity box shows it: three decimals at most, a decimal comma. */
function shown(value) {
  return String(Math.round(value * 1000) / 1000).replace(".", ",");
}

/** The quantity after a − or + tap: never below 1 by a tap, three decimals at most. */
export function stepped(text, delta) {
  const current = parseQuantity(text);
  let next = current + delta;
  if (next < 1) next = current > 0 && current < 1 ? current : 1;
  return shown(next);
}

/** A line's quantity after adding more of it; a line whose box holds no quantity takes it. */
export function summed(text, more) {
  return shown(parseQuantity(text) + parseQuantity(more));
}

/** The line of a product in a list of lines ([data-line][data-product-id]), or null. */
export function lineOf(lines, productId) {
  return lines.querySelector(`[data-line][data-product-id="${Number(productId)}"]`);
}

/** Scroll a line into sight (the sticky bars keep clear by its scroll margins) and mark it. */
export function showLine(line) {
  line.scrollIntoView({ block: "nearest", behavior: "smooth" });
  line.classList.remove("just-added");
  void line.offsetWidth; // restart the mark's animation on a line added to again
  line.classList.add("just-added");
}

/** The form keeps its end clear of the bar that floats over it (its height, as it changes). */
export function keepClearOfBar(form, bar) {
  if (!bar || !("ResizeObserver" in window)) return;
  new ResizeObserver(() => {
    form.style.setProperty("--order-bar-h", `${Math.ceil(bar.offsetHeight)}px`);
  }).observe(bar);
}
