// The phone's location for a form, when its owner allows it: fills the hidden latitude,
// longitude and accuracy of every form marked data-locate (a collection, asked on load), of a
// button's form when that button (data-locate-tap, the prospect's "Usar mi ubicación") is
// tapped, or of a form marked data-locate-submit (an order) when it is sent, saying why and
// never again once refused on this phone (ask-location.js). A refusal changes nothing else.

import { askBeforeSending, fill, mayAsk } from "./ask-location.js";

export { fill };

function say(form, key) {
  const status = form.querySelector("[data-location-status]");
  if (!status) return;
  status.textContent = status.dataset[key] || "";
  status.hidden = false;
}

function locate(form) {
  if (form.dataset.located) return;
  form.dataset.located = "1";
  if (!("geolocation" in navigator)) return say(form, "refused");
  navigator.geolocation.getCurrentPosition(
    ({ coords }) => {
      fill(form, coords);
      say(form, "shared");
    },
    () => say(form, "refused"),
    { enableHighAccuracy: false, timeout: 8000, maximumAge: 5 * 60 * 1000 },
  );
}

document.querySelectorAll("form[data-locate]").forEach(locate);

// Asked only when tapped, and again on each tap (a better fix at the door).
document.addEventListener("click", (event) => {
  const button = event.target.closest?.("button[data-locate-tap]");
  if (!button?.form) return;
  delete button.form.dataset.located;
  locate(button.form);
});

// Asked when the form is sent, once: the form waits for the answer, then goes. With nothing
// to ask (refused on this phone before) it goes at once.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.matches?.("form[data-locate-submit]")) return;
  if (form.dataset.located || !mayAsk()) return;
  event.preventDefault();
  form.dataset.located = "1";
  const buttons = form.querySelectorAll("button[type=submit]");
  for (const button of buttons) button.disabled = true; // one order, however many taps
  await askBeforeSending(form);
  for (const button of buttons) button.disabled = false;
  // A task of its own: a form asked to submit while its submit event runs would not.
  setTimeout(() => form.requestSubmit());
});

// Forms marked data-locate-granted (a stop's outcome) take the location only when the owner
// already allowed it: never a prompt on the way through the route. Forms swapped in later
// (htmx) get the last position read.
let lastCoords = null;

function fillGranted(root) {
  if (!lastCoords) return;
  root.querySelectorAll("form[data-locate-granted]").forEach((form) => fill(form, lastCoords));
}

async function readIfGranted() {
  if (!document.querySelector("form[data-locate-granted]")) return;
  if (!("geolocation" in navigator) || !navigator.permissions?.query) return;
  try {
    const { state } = await navigator.permissions.query({ name: "geolocation" });
    if (state !== "granted") return;
  } catch {
    return;
  }
  navigator.geolocation.getCurrentPosition(
    ({ coords }) => {
      lastCoords = coords;
      fillGranted(document);
    },
    () => {},
    { enableHighAccuracy: false, timeout: 8000, maximumAge: 5 * 60 * 1000 },
  );
}

document.addEventListener("htmx:afterSwap", (event) => fillGranted(event.target));
readIfGranted();
