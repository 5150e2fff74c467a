// Delta sync: brings the phone's copy of "my clients" up to date from /api/v1/sync, page by
// page; each page lands in a few IndexedDB transactions, its cursor with the last, so a sync
// cut halfway resumes where it stopped. One sync at a time across tabs (a Web Lock).
import { CATALOGUE, REPLACED, clearLocalData, getMeta, openStore, setMeta } from "./store.js";
import { serverAnswered } from "./outbox.js";

const SYNC_URL = "/api/v1/sync";
const SHELL_URL = "/offline/shell";
export const SYNC_LOCK = "sync";
const CHANNEL = "sync";
const MAX_PAGES = 1000; // a runaway guard: 100,000 clients at 100 a page
// Rows per IndexedDB transaction, and the time spent queueing them (each put clones its row
// on the main thread): each chunk stays well under a 50 ms long task on a cheap phone.
const CHUNK_ROWS = 100;
const CHUNK_MS = 8;

const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
const listeners = new Set();

/** Call `callback(result)` after each sync, here or in another tab. */
export function onSynced(callback) {
  listeners.add(callback);
  channel?.addEventListener("message", (event) => callback(event.data));
}

function announce(result) {
  channel?.postMessage(result);
  for (const listener of listeners) listener(result);
}

/**
 * Sync now for `userId` (the signed-in user). Resolves to {ok, error, changed}: error is
 * "network", "signin", "server", "pending" (another user's copy holds unsent writes) or null.
 */
export async function syncNow(userId = pageUser(), { fetcher = fetch } = {}) {
  const run = () => runSync(userId, fetcher);
  const result = "locks" in navigator ? await navigator.locks.request(SYNC_LOCK, run) : await run();
  announce(result);
  return result;
}

async function runSync(userId, fetcher) {
  let meta = await getMeta();
  if (userId !== null && meta.user_id !== null && meta.user_id !== userId) {
    // Another user's copy: it goes before this user's data comes in.
    try {
      await clearLocalData();
    } catch (error) {
      if (error.code === "pending") return { ok: false, error: "pending", changed: [] };
      throw error;
    }
    meta = await getMeta();
  }
  let cursor = meta.cursor || "0";
  const changed = [];
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const started = Date.now();
    let response;
    try {
      response = await fetcher(`${SYNC_URL}?since=${encodeURIComponent(cursor)}`, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
    } catch {
      return failed("network", changed);
    }
    if (response.status === 401) return failed("signin", changed);
    if (response.status === 422 && cursor !== "0") {
      cursor = "0"; // a cursor the server no longer knows: start over
      continue;
    }
    if (!response.ok) return failed("server", changed);
    // The server answers: the outbox need not wait out a network failure from before.
    serverAnswered(started, { fetcher }).catch(() => {});
    const body = await response.json();
    await store(body, userId, cursor === "0"); // "0" asks for the first page of a full sync
    changed.push(...body.clients.map((c) => c.id), ...body.tombstones);
    cursor = body.cursor;
    if (!body.more) break;
  }
  await warmShell(fetcher);
  await setMeta({ last_sync: new Date().toISOString(), last_error: null, last_error_at: null });
  return { ok: true, error: null, changed };
}

/**
 * Put one page in: clients, tombstones, catalogue rows and the new cursor. The rows go in
 * several transactions of a few hundred, the page idle between them, so a first sync never
 * holds the page for long; the cursor lands with the last of them. A sync cut halfway leaves
 * the cursor where it was: the next one asks for this page again and writes it again (puts
 * and deletes by id, so twice is the same as once).
 */
async function store(body, userId, first) {
  const db = await openStore();
  const names = ["clients", ...CATALOGUE];
  const clears = first && body.full ? names : body.catalogue ? REPLACED : [];
  const writes = changes(body);
  let next = 0;
  for (;;) {
    const tx = db.transaction([...names, "meta"], "readwrite");
    if (next === 0) for (const name of clears) tx.objectStore(name).clear();
    const started = performance.now();
    const end = Math.min(next + CHUNK_ROWS, writes.length);
    while (next < end && performance.now() - started < CHUNK_MS) {
      const [name, row, remove] = writes[next++];
      if (remove) tx.objectStore(name).delete(row);
      else tx.objectStore(name).put(row);
    }
    const last = next >= writes.length;
    if (last) await setMeta({ cursor: body.cursor, on: body.on, user_id: userId }, tx);
    await tx.done;
    if (last) return;
    await yieldToPage();
  }
}

/** The page's writes in order, as [store, row, false] to put or [store, id, true] to delete. */
function changes(body) {
  const writes = [];
  for (const client of body.clients) writes.push(["clients", client, false]);
  for (const id of body.tombstones) writes.push(["clients", id, true]);
  for (const name of CATALOGUE) {
    for (const row of body.catalogue?.[name] || []) {
      const gone = row.deleted || row.active === false;
      writes.push([name, gone ? row.id : row, gone]);
    }
  }
  return writes;
}

/** Let the page handle input and paint before the next chunk. */
function yieldToPage() {
  if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve));
}

async function failed(error, changed) {
  await setMeta({ last_error: error, last_error_at: Date.now() });
  return { ok: false, error, changed };
}

/** Refresh the page the service worker answers offline navigations with. */
async function warmShell(fetcher) {
  if (!globalThis.document) return;
  try {
    await fetcher(SHELL_URL, { credentials: "same-origin" });
  } catch {
    // The old copy stays; the next sync tries again.
  }
}

function pageUser() {
  const id = globalThis.document?.documentElement?.dataset?.userId;
  return id ? Number(id) : null;
}
