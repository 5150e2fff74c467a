// The outbox's rules over plain items, with no IndexedDB and no network (outbox.js applies them):
// how long an item waits after a failed try, when the network's return ends that wait, and
// which items the "Pendientes" page lists, which it keeps as sent history and which it forgets.
import { UNSENT } from "./store.js";

const FIRST_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 5 * 60_000;
// The sent history: what the server took in the last day, at most this many shown.
export const SENT_KEPT_MS = 24 * 60 * 60_000;
export const SENT_SHOWN = 20;

/** How long an item waits after its `attempts`-th failed try: 5 s, 10 s, 20 s... up to 5 min. */
export function backoffMs(attempts) {
  return Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

/**
 * The item waits out a backoff only because the network failed it, on a try started before
 * `since` (ms): the network came back, or the server answered a request started, at `since`.
 * A try started later failed on the network as it is now: its backoff holds.
 */
export function waitsForNetwork(item, since) {
  return item.state === "pending" && item.problem === "network" && (item.tried_at ?? 0) < since;
}

/** As waitsForNetwork, or on its way on a try started before `since` that may yet fail so. */
export function mayWaitForNetwork(item, since) {
  return waitsForNetwork(item, since) || (item.state === "sending" && (item.tried_at ?? 0) < since);
}

/** The item once the network is back: it goes at once, and no longer says it is cut off. */
export function sendAtOnce(item) {
  return { ...item, next_try_at: 0, problem: null, error: null };
}

/** Not sent yet, or refused by the server: what the user still has to see to. */
export function needsAttention(item) {
  return UNSENT.includes(item.state) || item.state === "rejected";
}

function sentAt(item) {
  return Date.parse(item.sent_at ?? item.created_at) || 0;
}

/** The server took it more than a day before `now` (ms): the phone may forget it. */
export function forgettable(item, now) {
  return item.state === "done" && now - sentAt(item) > SENT_KEPT_MS;
}

/**
 * What the "Pendientes" page shows: `pending`, the items not sent yet and the ones the server
 * refused (kept until the user dismisses them), newest first; `sent`, the history of what
 * the server took in the last day, the last sent first, at most SENT_SHOWN.
 */
export function pendingList(items, now) {
  const pending = items.filter(needsAttention).sort((a, b) => b.id - a.id);
  const sent = items
    .filter((item) => item.state === "done" && !forgettable(item, now))
    .sort((a, b) => sentAt(b) - sentAt(a) || b.id - a.id)
    .slice(0, SENT_SHOWN);
  return { pending, sent };
}
