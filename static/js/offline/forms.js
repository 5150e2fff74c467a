// What the offline forms share: a message next to a wrong field, the phone's location in the
// hidden fields and the location numbers the API takes, and saving a write to the outbox.

import { enqueue } from "../outbox.js";

/** Hide every field message and unmark the fields. */
export function clearErrors(form) {
  for (const element of form.querySelectorAll("[data-error]")) {
    element.hidden = true;
    if (element.dataset.error !== "form") element.textContent = ""; // the summary keeps its words
  }
  for (const element of form.querySelectorAll(".invalid")) element.classList.remove("invalid");
  for (const element of form.querySelectorAll("[aria-invalid]")) {
    element.removeAttribute("aria-invalid");
  }
}

/** Show a message under a field (data-error="name") and mark the field as wrong. */
export function showError(form, name, message) {
  const holder = form.querySelector(`[data-error="${name}"]`);
  if (holder) {
    holder.textContent = message;
    holder.hidden = false;
    holder.id ||= `${form.id || "form"}-${name}-error`;
  }
  const field =
    form.querySelector(`[data-field="${name}"]`) ??
    holder?.closest(".field, fieldset, [data-line]");
  field?.classList.add("invalid");
  const named = field?.querySelectorAll(`[name="${name}"]`);
  const inputs = named?.length ? named : field?.querySelectorAll("input, select, textarea");
  for (const input of inputs ?? []) {
    input.setAttribute("aria-invalid", "true");
    if (holder) input.setAttribute("aria-describedby", holder.id);
  }
}

/** Show every error of {name: message}; true when there were some (the form then stops). */
export function showErrors(form, errors) {
  const names = Object.keys(errors);
  for (const name of names) showError(form, name, errors[name]);
  const summary = form.querySelector("[data-error=form]");
  if (summary) summary.hidden = names.length === 0;
  if (names.length) {
    const first = form.querySelector("[aria-invalid=true]") ?? summary;
    first?.focus?.({ preventScroll: true });
    first?.scrollIntoView?.({ block: "center" });
  }
  return names.length > 0;
}

/** Ask for the phone's location once; fill the form's hidden fields if its owner allows it. */
export function locate(form) {
  const status = form.querySelector("[data-location-status]");
  const say = (key) => {
    if (!status) return;
    status.textContent = status.dataset[key] || "";
    status.hidden = false;
  };
  if (!("geolocation" in navigator)) return;
  navigator.geolocation.getCurrentPosition(
    ({ coords }) => {
      form.querySelector("[data-location=latitude]").value = coords.latitude.toFixed(6);
      form.querySelector("[data-location=longitude]").value = coords.longitude.toFixed(6);
      form.querySelector("[data-location=accuracy]").value = String(Math.round(coords.accuracy));
      say("shared");
    },
    () => say("refused"),
    { enableHighAccuracy: false, timeout: 8000, maximumAge: 5 * 60 * 1000 },
  );
}

/** The location fields for the API body (numbers), or none when the phone did not share it. */
export function locationFields(form) {
  const value = (name) => form.querySelector(`[data-location=${name}]`)?.value;
  if (!value("latitude") || !value("longitude")) return {};
  const fields = { latitude: Number(value("latitude")), longitude: Number(value("longitude")) };
  if (value("accuracy")) fields.accuracy = Number(value("accuracy"));
  return fields;
}

/**
 * Keep a write in the outbox, then open the client's card that says it was saved. If the
 * phone cannot store it, say so on the form and let the user try again.
 */
export async function keepThenShowCard(form, write, cardUrl) {
  const submit = form.querySelector("[data-submit]");
  const failed = form.querySelector("[data-save-failed]");
  submit.disabled = true;
  if (failed) failed.hidden = true;
  try {
    await enqueue(write);
  } catch (error) {
    console.error("outbox: not kept", error);
    submit.disabled = false;
    if (failed) failed.hidden = false;
    return;
  }
  location.assign(cardUrl);
}
