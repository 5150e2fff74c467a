// A server form drawn from the phone's cache carries the idempotency key of the day it was
// drawn: give it a new one, so a second case written from the same copy is not taken for the
// first one's replay.
import { newKey } from "./outbox.js";

if (document.documentElement.dataset.fromCache) {
  for (const field of document.querySelectorAll("form[data-fresh-key] input[name=idempotency_key]")) {
    field.value = newKey();
  }
}
