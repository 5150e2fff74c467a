// The outbox: writes that have not reached the server yet, kept in IndexedDB and sent in
// order, exactly once (each carries the idempotency key the server keeps with its answer).
//
// One replay runs at a time across every tab and the service worker (a Web Lock). A network
// error or a 5xx keeps the item pending and ends the pass (later items wait, so order holds);
// a 401 or an expired CSRF token keeps it too, as "signin"; any other 4xx is the server's
// final answer, shown to the user. Shared by the pages and the service worker.
//
// An item that failed on the network waits out a backoff, but not once the network is back:
// the `online` event, or any answer of the server (a sync page, another write, the session),
// sends it at once (networkBack, serverAnswered).
import { UNSENT, getMeta, openStore, setMeta } from "./store.js";
import { backoffMs, forgettable, mayWaitForNetwork, sendAtOnce, waitsForNetwork } from "./outbox-rules.js";

export const REPLAY_LOCK = "outbox-replay";
const CHANNEL = "outbox";
const SESSION_URL = "/api/v1/session";
const SIGN_IN_PATH = "/login"; // where a server form's post lands when the session is gone
// Server forms whose post the service worker may keep when the network fails.
export const FORM_WRITES = [
  { kind: "order", pattern: /^\/orders\/$/ },
  { kind: "call", pattern: /^\/collections\/clients\/(\d+)\/call$/ },
  { kind: "receipt", pattern: /^\/collections\/clients\/(\d+)\/receipt$/ },
  { kind: "note", pattern: /^\/clients\/(\d+)\/notes$/ },
  { kind: "prospect", pattern: /^\/clients\/new$/ },
  { kind: "case", pattern: /^\/cases\/new$/ },
];

const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
const listeners = new Set();

function changed() {
  channel?.postMessage({ type: "changed" });
  for (const listener of listeners) listener();
}

/** Call `callback` whenever the outbox changes here or in another tab or the worker. */
export function onOutboxChange(callback) {
  listeners.add(callback);
  channel?.addEventListener("message", () => callback());
}

export function newKey() {
  return `ph-${crypto.randomUUID()}`;
}

/** Keep a write for sending, then try to send it at once. */
export async function enqueue({ kind, url, body, key, client_id = null, label = "", offline = null, format = "json", user_id = null }) {
  const meta = await getMeta();
  const item = {
    user_id: user_id ?? pageUser() ?? meta.user_id,
    kind,
    url,
    format, // "json": an API call; "form": a server form's urlencoded post
    body,
    key: key || newKey(),
    client_id: client_id === null ? null : Number(client_id),
    label,
    offline,
    state: "pending",
    attempts: 0,
    created_at: new Date().toISOString(),
    sent_at: null,
    next_try_at: 0,
    tried_at: null, // when the last try started (ms): a later answer of the server ends its wait
    problem: null, // "network" | "server" | "signin" | "other_user" | "rejected"
    error: null, // the server's message, already in the user's language
    fields: null,
    status: null,
    result: null,
  };
  const db = await openStore();
  item.id = await db.add("outbox", item);
  changed();
  await askForBackgroundSync();
  if (isOnline()) replay().catch(() => {});
  return item;
}

export async function listItems() {
  return (await openStore()).getAll("outbox");
}

export async function unsentItems() {
  return (await listItems()).filter((item) => UNSENT.includes(item.state));
}

/** Orders for this client still on the phone: the credit check counts them. */
export async function queuedOrders(clientId) {
  return (await unsentItems()).filter((item) => item.kind === "order" && item.client_id === Number(clientId));
}

export async function retryNow(id) {
  await update(id, (item) => (UNSENT.includes(item.state) ? { ...item, next_try_at: 0 } : item));
  return replay();
}

/**
 * The network is back as of `since` (ms; the `online` event): the items waiting for it go now,
 * in order, after the pass running at the moment (whose failure may predate `since`).
 */
export async function networkBack(since = Date.now(), { fetcher = fetch } = {}) {
  if (!(await unsentItems()).some((item) => mayWaitForNetwork(item, since))) return 0;
  await resetWaits(since); // at once, so the page stops saying the network is cut
  const pass = async () => {
    await resetWaits(since);
    return runPass(fetcher);
  };
  return "locks" in navigator ? navigator.locks.request(REPLAY_LOCK, pass) : pass();
}

/**
 * The server answered a request started at `started` (ms): what failed on the network before
 * then goes now, and a sync that failed on the network before then no longer says so.
 */
export async function serverAnswered(started, options = {}) {
  const meta = await getMeta();
  if (meta.last_error === "network" && (meta.last_error_at ?? 0) < started) {
    await setMeta({ last_error: null, last_error_at: null });
  }
  return networkBack(started, options);
}

/** End the backoff of the items that wait for the network since before `since`. */
async function resetWaits(since) {
  for (const item of (await unsentItems()).filter((i) => waitsForNetwork(i, since))) {
    await update(item.id, (i) => (waitsForNetwork(i, since) ? sendAtOnce(i) : i));
  }
}

/** Forget what the server took more than a day ago (the "Enviados" history is a day long). */
export async function forgetOldSent(now = Date.now()) {
  const db = await openStore();
  const old = (await db.getAll("outbox")).filter((item) => forgettable(item, now));
  for (const item of old) await db.delete("outbox", item.id);
  if (old.length) changed();
}

/** Forget an item the server answered (accepted or refused); unsent ones are never dropped. */
export async function discard(id) {
  const db = await openStore();
  const item = await db.get("outbox", id);
  if (item && !UNSENT.includes(item.state)) {
    await db.delete("outbox", id);
    changed();
  }
}

/** One replay pass, unless another tab or the worker is running one right now. */
export async function replay({ fetcher = fetch } = {}) {
  if (!("locks" in navigator)) return runPass(fetcher);
  return navigator.locks.request(REPLAY_LOCK, { ifAvailable: true }, (lock) => (lock ? runPass(fetcher) : null));
}

async function runPass(fetcher) {
  let session = null;
  let sent = 0;
  const skipped = new Set(); // another user's items: they wait for that user to sign in
  for (;;) {
    // Read again each time: a tab may have added an item while this one was sending.
    // The oldest first; while it waits out its backoff, the ones after it wait too.
    const item = (await unsentItems()).sort((a, b) => a.id - b.id).find((i) => !skipped.has(i.id));
    if (!item || item.next_try_at > Date.now()) break;
    if (!session) {
      session = await currentSession(fetcher);
      if (session.problem) {
        await markAll(session.problem, session.started);
        break;
      }
    }
    if (item.user_id !== null && item.user_id !== session.user_id) {
      skipped.add(item.id);
      await update(item.id, (i) => ({ ...i, state: "pending", problem: "other_user" }));
      continue;
    }
    let outcome = await send(item, session, fetcher);
    if (outcome === "csrf") {
      // The token went stale (a new session): ask for a fresh one, once.
      session = await currentSession(fetcher);
      outcome = session.problem ? "csrf" : await send(item, session, fetcher);
      if (outcome === "csrf") {
        await update(item.id, (i) => ({ ...i, state: "signin", problem: "signin" }));
        break;
      }
    }
    if (outcome === "stop") break;
    sent += 1;
  }
  return sent;
}

/** Who is signed in and a CSRF token for their writes, or why nothing can be sent. */
async function currentSession(fetcher) {
  const started = Date.now();
  let response;
  try {
    response = await fetcher(SESSION_URL, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
  } catch {
    return { problem: "network", started };
  }
  if (response.status === 401) return { problem: "signin" };
  if (!response.ok) return { problem: "server" };
  const body = await response.json();
  return { user_id: body.user_id, csrf: body.csrf_token };
}

/** Mark every unsent item with why this pass could not send them (tried at `started`). */
async function markAll(problem, started = null) {
  for (const item of await unsentItems()) {
    if (problem === "signin") {
      await update(item.id, (i) => ({ ...i, state: "signin", problem }));
    } else {
      await update(item.id, (i) => ({ ...i, state: "pending", problem, tried_at: started ?? i.tried_at }));
    }
  }
}

/** Send one item; "sent", "stop" (try later, keep the order) or "csrf" (token refused). */
async function send(item, session, fetcher) {
  const started = Date.now();
  await update(item.id, (i) => ({
    ...i,
    state: "sending",
    attempts: i.attempts + 1,
    sent_at: new Date(started).toISOString(),
    tried_at: started,
  }));
  let response;
  try {
    response = await fetcher(item.url, request(item, session));
  } catch {
    await later(item.id, "network");
    return "stop";
  }
  const body = await answer(response);
  const toSignIn = response.redirected && new URL(response.url).pathname === SIGN_IN_PATH;
  if (response.status === 401 || toSignIn) {
    await update(item.id, (i) => ({ ...i, state: "signin", problem: "signin" }));
    return "stop";
  }
  if (response.status === 400 && body?.error?.code === "csrf_failed") return "csrf";
  if (response.status >= 500 || response.status === 409 || response.status === 429 || response.status === 408) {
    await later(item.id, "server", body?.error?.message);
    return "stop";
  }
  if (response.ok) {
    await update(item.id, (i) => ({
      ...i,
      state: "done",
      problem: null,
      error: null,
      status: response.status,
      result: body,
      done_url: response.redirected ? new URL(response.url).pathname + new URL(response.url).search : null,
    }));
    // Another item may wait for the network since before this one went: not any more.
    serverAnswered(started, { fetcher }).catch(() => {});
    return "sent";
  }
  // A server form answers its page again with the messages by the fields: keep those.
  const fields = body ? body.error?.fields : formMessages(await response.text().catch(() => ""));
  await update(item.id, (i) => ({
    ...i,
    state: "rejected",
    problem: "rejected",
    status: response.status,
    error: body?.error?.message ?? null,
    fields: fields ?? null,
    result: body,
  }));
  return "sent";
}

const FIELD_ERROR = /<div class="field-error"(?:\s+id="([^"]*)-error")?[^>]*>([\s\S]*?)<\/div>/g;
const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#34;": '"' };

/**
 * A refused server form's messages, read from the page it answered with (no DOMParser in the
 * worker): {field: message}, by each message's id ("amount-error" -> amount).
 */
export function formMessages(html) {
  const fields = {};
  for (const [, id, text] of html.matchAll(FIELD_ERROR)) {
    const message = text.replace(/&(?:amp|lt|gt|quot|#39|#34);/g, (entity) => ENTITIES[entity]).trim();
    if (message) fields[id || `form-${Object.keys(fields).length}`] = message;
  }
  return Object.keys(fields).length ? fields : null;
}

function request(item, session) {
  const headers = { "Idempotency-Key": item.key, "X-CSRFToken": session.csrf, Accept: "application/json" };
  if (item.format === "form") {
    const form = new URLSearchParams(item.body);
    form.set("csrf_token", session.csrf);
    form.set("idempotency_key", item.key);
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    return { method: "POST", credentials: "same-origin", headers, body: form.toString(), redirect: "follow" };
  }
  headers["Content-Type"] = "application/json";
  return { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(item.body) };
}

/** The answer's JSON when it is JSON (API calls), else null (a server form's HTML page). */
async function answer(response) {
  if (!(response.headers.get("Content-Type") || "").includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

async function later(id, problem, error = null) {
  await update(id, (i) => ({
    ...i,
    state: "pending",
    problem,
    error,
    next_try_at: Date.now() + backoffMs(i.attempts),
  }));
}

async function update(id, change) {
  const db = await openStore();
  const tx = db.transaction("outbox", "readwrite");
  const item = await tx.store.get(id);
  if (item) await tx.store.put(change(item));
  await tx.done;
  changed();
}

async function askForBackgroundSync() {
  const registration = self.registration || (await navigator.serviceWorker?.getRegistration?.());
  try {
    await registration?.sync?.register("outbox");
  } catch {
    // Background Sync is a bonus: the online event and the periodic retry still run.
  }
}

function pageUser() {
  const id = globalThis.document?.documentElement?.dataset?.userId;
  return id ? Number(id) : null;
}

function isOnline() {
  return navigator.onLine !== false;
}
