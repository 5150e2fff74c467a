// The sync status view (/sync/): online or not, the last sync, "Sincronizar ahora", the
// "Pendientes" list of the writes not sent yet and those the server refused, newest first, with
// "Reintentar" for a pending one that failed and "Descartar" for a refused one; and, folded,
// "Enviados": what the server took in the last day, which leaves "Pendientes" by itself.

import { UNSENT, getMeta } from "../store.js";
import { discard, forgetOldSent, listItems, retryNow } from "../outbox.js";
import { SENT_SHOWN, pendingList } from "../outbox-rules.js";
import { syncNow } from "../sync.js";
import { clear, clone, fill, label, show, slot, word } from "./dom.js";
import { ago, moment } from "./format.js";
import { outboxItem } from "./outbox-view.js";
import { savedMessage } from "./parts.js";

/** The status view; ?kept=<kind> (a form post the service worker kept) says it was saved. */
export async function showStatus(root, match) {
  const view = clone("tpl-status");
  root.replaceChildren(view);
  // The service worker kept a server form's post and sent the user here (?kept=<kind>).
  if (match.params.get("kept")) {
    slot(view, "saved").replaceChildren(savedMessage());
    const url = new URL(location.href);
    url.searchParams.delete("kept");
    history.replaceState(history.state, "", url);
  }
  const button = view.querySelector("[data-sync-now]");
  const result = slot(view, "sync-result");
  let syncing = false;

  fill(view, "sent-note", word("sent-note", { n: SENT_SHOWN }));

  const draw = async () => {
    const [meta, items] = await Promise.all([getMeta(), listItems()]);
    const online = navigator.onLine;
    fill(view, "net", word(online ? "net-online" : "net-offline"));
    const last = meta.last_sync;
    fill(view, "last-sync", last ? `${moment(last)} (${ago(last)})` : word("never-synced"));
    fill(view, "last-error", meta.last_error ? label("sync-error", meta.last_error) : "", true);
    fill(view, "unsent-count", String(items.filter((item) => UNSENT.includes(item.state)).length));
    button.disabled = syncing || !online;
    const { pending, sent } = pendingList(items, Date.now());
    const list = clear(slot(view, "items"));
    for (const item of pending) list.append(outboxItem(item));
    show(slot(view, "none"), pending.length === 0);
    // The history is folded; redrawing leaves it as the user left it (open or not).
    const history = clear(slot(view, "sent-items"));
    for (const item of sent) history.append(outboxItem(item, false));
    fill(view, "sent-count", `(${sent.length})`);
    show(slot(view, "sent"), sent.length > 0);
  };

  button.addEventListener("click", async () => {
    syncing = true;
    button.disabled = true;
    result.classList.remove("field-error");
    fill(view, "sync-result", word("syncing"), true);
    try {
      const outcome = await syncNow();
      const error = outcome?.error ? label("sync-error", outcome.error) : word("sync-offline");
      result.textContent = outcome?.ok ? word("synced") : error;
      result.classList.toggle("field-error", !outcome?.ok);
    } finally {
      syncing = false;
      await draw();
    }
  });

  slot(view, "items").addEventListener("click", async (event) => {
    const button = event.target.closest("[data-retry], [data-discard]");
    if (!button) return;
    const id = Number(button.closest("[data-outbox-id]").dataset.outboxId);
    button.disabled = true;
    if (button.matches("[data-retry]")) await retryNow(id);
    else await discard(id);
    await draw();
  });

  await forgetOldSent().catch(() => {});
  await draw();
  return {
    /** Anything changed (outbox, sync, connection): redraw; the list is not a form. */
    async refresh() {
      await draw();
    },
  };
}
