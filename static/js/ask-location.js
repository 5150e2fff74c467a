// The phone's position asked when a form is sent (an order's "Confirmar"), never on the way
// in: its status line says why in one sentence while the phone asks, and a refusal is
// remembered on this phone, which is then never asked again. Whatever the answer, the form
// goes.

export const REFUSED_KEY = "location-refused";
const WAIT_MS = 20_000; // the longest a form waits for an answer before it goes without one
const PERMISSION_DENIED = 1; // GeolocationPositionError.PERMISSION_DENIED

function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage switched off: nothing is remembered
  }
}

/** True when this phone's owner already refused to share the location. */
export function refusedHere(store = storage()) {
  try {
    return store?.getItem(REFUSED_KEY) === "1";
  } catch {
    return false;
  }
}

function rememberRefusal(store) {
  try {
    store?.setItem(REFUSED_KEY, "1");
  } catch {
    // full or switched off: the phone asks again next time, nothing else changes
  }
}

/** Put a position into a form's hidden fields (data-location="latitude", ...). */
export function fill(form, coords) {
  const field = (name) => form.querySelector(`[data-location="${name}"]`);
  if (!field("latitude") || !field("longitude")) return;
  field("latitude").value = coords.latitude.toFixed(6);
  field("longitude").value = coords.longitude.toFixed(6);
  if (field("accuracy")) field("accuracy").value = String(Math.round(coords.accuracy));
}

/** True when there is something to ask: a phone with a position, not refused here before. */
export function mayAsk(geolocation = globalThis.navigator?.geolocation, store = storage()) {
  return Boolean(geolocation) && !refusedHere(store);
}

/**
 * Ask for the position for the form, unless refused here before; resolves once answered (or
 * after WAIT_MS), never rejects. The status line ([data-location-status]) shows its data-why
 * while asking, then data-shared or data-refused.
 */
export function askBeforeSending(
  form,
  geolocation = globalThis.navigator?.geolocation,
  store = storage(),
) {
  if (!mayAsk(geolocation, store)) return Promise.resolve();
  const status = form.querySelector("[data-location-status]");
  const say = (key) => {
    if (!status?.dataset[key]) return;
    status.textContent = status.dataset[key];
    status.hidden = false;
  };
  say("why");
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, WAIT_MS);
    const done = (key) => {
      clearTimeout(timer);
      say(key);
      resolve();
    };
    geolocation.getCurrentPosition(
      ({ coords }) => {
        fill(form, coords);
        done("shared");
      },
      (error) => {
        if (error?.code === PERMISSION_DENIED) rememberRefusal(store);
        done("refused");
      },
      { enableHighAccuracy: false, timeout: 8000, maximumAge: 5 * 60 * 1000 },
    );
  });
}
