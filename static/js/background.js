// What runs behind every page of a signed-in user: keep the phone's copy fresh (on sign-in,
// when the network returns, every few minutes, on pull-to-refresh) and send the outbox
// (on load, when the network returns — at once, whatever backoff an item was waiting out —
// and on a timer with backoff). Sign-out is refused while the outbox holds unsent writes.
import { getMeta, clearLocalData, unsentCount } from "./store.js";
import { REPLAY_LOCK, listItems, networkBack, onOutboxChange, replay } from "./outbox.js";
import { needsAttention } from "./outbox-rules.js";
import { SYNC_LOCK, syncNow } from "./sync.js";
import { moment } from "./offline/format.js";
import { watchPull } from "./pull.js";

const STALE_MS = 5 * 60_000;
const TICK_MS = 30_000;

export function startBackground(doc = document) {
  const userId = Number(doc.documentElement.dataset.userId) || null;
  showCachedCopy(doc);
  watchSignOut(doc);
  if (!userId || !("indexedDB" in window)) return;
  showUnsent(doc);
  onOutboxChange(() => showUnsent(doc));
  askToPersist();
  const refresh = async (force = false, networkSince = null) => {
    if (!navigator.onLine) return;
    if (networkSince) await networkBack(networkSince).catch(() => {});
    await replay().catch(() => {});
    const meta = await getMeta();
    const stale = !meta.last_sync || Date.now() - Date.parse(meta.last_sync) > STALE_MS;
    if (force || stale || meta.user_id !== userId) await syncNow(userId).catch(() => {});
  };
  refresh();
  window.addEventListener("online", () => refresh(true, Date.now()));
  setInterval(() => refresh(), TICK_MS);
  watchPull(doc, async () => {
    await refresh(true);
    doc.dispatchEvent(new CustomEvent("local-data-refreshed"));
  });
}

/** On the navigation's Sync item, how many writes are unsent or refused (sent ones are not). */
async function showUnsent(doc) {
  const badge = doc.querySelector("[data-outbox-badge]");
  if (!badge) return;
  const count = (await listItems()).filter(needsAttention).length;
  badge.dataset.count = String(count);
  badge.hidden = count === 0;
}

/** A page the service worker answered from its copy says so, and from when. */
function showCachedCopy(doc) {
  const when = doc.documentElement.dataset.fromCache;
  const banner = doc.querySelector("[data-cache-banner]");
  if (!when || !banner) return;
  banner.textContent = banner.dataset.text.replace("{when}", moment(when)); // 23/11/2026 19:25
  banner.hidden = false;
}

/** Sign-out is refused while writes wait in the outbox; otherwise it wipes the phone's copy. */
function watchSignOut(doc) {
  for (const form of doc.querySelectorAll("form[data-signout]")) {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.checked === "yes") return;
      event.preventDefault();
      const refused = form.querySelector("[data-signout-refused]");
      if ("indexedDB" in window && (await unsentCount()) > 0) {
        refused.hidden = false;
        return;
      }
      // Wait for a running sync or replay: one that ended after the sign-out would write
      // this user's data back, or answer with a cookie that signs them in again.
      await afterBackgroundWork(async () => {
        if ("indexedDB" in window) await clearLocalData().catch(() => {});
        navigator.serviceWorker?.controller?.postMessage({ type: "signed-out" });
        form.dataset.checked = "yes";
        form.requestSubmit();
      });
    });
  }
}

/** Run `task` holding the sync and replay locks (other tabs' work included). */
function afterBackgroundWork(task) {
  if (!("locks" in navigator)) return task();
  return navigator.locks.request(SYNC_LOCK, () => navigator.locks.request(REPLAY_LOCK, task));
}

async function askToPersist() {
  try {
    if (navigator.storage?.persist && !(await navigator.storage.persisted())) {
      await navigator.storage.persist();
    }
  } catch {
    // The browser may say no; the copy still works, it may just be evicted under pressure.
  }
}
