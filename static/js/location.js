// The phone's location for a collection form, when its owner allows it: fills the hidden
// latitude, longitude and accuracy of every form marked data-locate, or of a button's form when
// that button (data-locate-tap, the prospect's "Usar mi ubicación") is tapped. A refusal
// changes nothing.

/** Put a position into a form's hidden fields. */
export function fill(form, coords) {
  const field = (name) => form.querySelector(`[data-location="${name}"]`);
  if (!field("latitude") || !field("longitude")) return;
  field("latitude").value = coords.latitude.toFixed(6);
  field("longitude").value = coords.longitude.toFixed(6);
  if (field("accuracy")) field("accuracy").value = String(Math.round(coords.accuracy));
}

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
