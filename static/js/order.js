// The order form: big − / + steppers, removing a line, and the phone's location when its owner
// allows it. Every change is announced with a bubbling "change" so the summary re-prices.

import { quantityText } from "./offline/format.js";

const form = document.querySelector("[data-order-form]");

/** A typed quantity ("2", "2,5", "1.234,5", as decimalText reads it) as a number; else 0. */
export function parseQuantity(text) {
  const value = Number(quantityText(text) ?? 0);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** The quantity after a − or + tap: never below 1 by a tap, three decimals at most. */
export function stepped(text, delta) {
  const current = parseQuantity(text);
  let next = current + delta;
  if (next < 1) next = current > 0 && current < 1 ? current : 1;
  const rounded = Math.round(next * 1000) / 1000;
  return String(rounded).replace(".", ",");
}

function announce(element) {
  element.dispatchEvent(new Event("change", { bubbles: true }));
}

function onClick(event) {
  const step = event.target.closest("[data-step]");
  if (step) {
    const input = step.closest("[data-line]")?.querySelector("input[name=quantity]");
    if (!input) return;
    input.value = stepped(input.value, Number(step.dataset.step));
    announce(input);
    return;
  }
  const remove = event.target.closest("[data-remove-line]");
  if (remove) {
    remove.closest("[data-line]")?.remove();
    announce(form);
  }
}

// Enter in a box (the product search, a quantity) must not send the order by accident.
function onKeydown(event) {
  if (event.key === "Enter" && event.target.matches("input")) event.preventDefault();
}

function locate() {
  const status = form.querySelector("[data-location-status]");
  const field = (name) => form.querySelector(`[data-location="${name}"]`);
  const say = (key) => {
    if (!status) return;
    status.textContent = status.dataset[key] || "";
    status.hidden = false;
  };
  if (!("geolocation" in navigator)) return say("refused");
  navigator.geolocation.getCurrentPosition(
    ({ coords }) => {
      field("latitude").value = coords.latitude.toFixed(6);
      field("longitude").value = coords.longitude.toFixed(6);
      field("accuracy").value = String(Math.round(coords.accuracy));
      say("shared");
    },
    // Refused, unavailable or too slow: the order goes without a location, nothing else changes.
    () => say("refused"),
    { enableHighAccuracy: false, timeout: 8000, maximumAge: 5 * 60 * 1000 },
  );
}

if (form && !form.dataset.orderReady) {
  form.dataset.orderReady = "1";
  form.addEventListener("click", onClick);
  form.addEventListener("keydown", onKeydown);
  locate();
}
