// Delta sync: brings the phone's copy of "my clients" up to date from /api/v1/sync, page by
// page; each page lands in one IndexedDB transaction with its cursor, so a sync cut halfway
// resumes where it stopped. One sync at a time across tabs (a Web Lock).
import { CATALOGUE, REPLACED, clearLocalData, getMeta, openStore, setMeta } from "./store.js";
import { serverAnswered } from "./outbox.js";

const SYNC_URL = "/api/v1/sync";
const SHELL_URL = "/offline/shell";
export const SYNC_LOCK = "sync";
const CHANNEL = "sync";
const MAX_PAGES = 500; // a runaway guard: 100,000 clients at 200 a page

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

/** Put one page in: clients, tombstones, catalogue rows and the new cursor, all or nothing. */
async function store(body, userId, first) {
  const db = await openStore();
  const tx = db.transaction(["clients", ...CATALOGUE, "meta"], "readwrite");
  if (first && body.full) {
    await Promise.all(["clients", ...CATALOGUE].map((name) => tx.objectStore(name).clear()));
  }
  const clients = tx.objectStore("clients");
  for (const client of body.clients) clients.put(client);
  for (const id of body.tombstones) clients.delete(id);
  for (const name of CATALOGUE) {
    const rows = body.catalogue?.[name] || [];
    const objects = tx.objectStore(name);
    if (body.catalogue && REPLACED.includes(name)) objects.clear();
    for (const row of rows) {
      if (row.deleted || row.active === false) objects.delete(row.id);
      else objects.put(row);
    }
  }
  await setMeta({ cursor: body.cursor, on: body.on, user_id: userId }, tx);
  await tx.done;
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
