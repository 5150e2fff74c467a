// The banner at the top of every offline view: online or not, since when the phone's data is
// ("Datos del 23/11/2026 14:05 (hace 12 min)") and how many writes wait to be sent.

import { getMeta } from "../store.js";
import { unsentItems } from "../outbox.js";
import { fill, plural, show, slot, word } from "./dom.js";
import { ago, moment } from "./format.js";

/** The "data since" sentence for the last sync (ISO or null). */
export function dataSince(lastSync) {
  if (!lastSync) return word("never-synced");
  return word("data-since", { when: moment(lastSync), ago: ago(lastSync) });
}

/** Redraw the banner from the store and the outbox. */
export async function showBanner() {
  const banner = document.getElementById("shell-banner");
  if (!banner) return;
  const online = navigator.onLine;
  banner.classList.toggle("offline", !online);
  banner.classList.toggle("online", online);
  fill(banner, "net", word(online ? "net-online" : "net-offline"));
  const [meta, unsent] = await Promise.all([getMeta(), unsentItems()]);
  banner.classList.toggle("never", !meta.last_sync);
  fill(banner, "since", dataSince(meta.last_sync));
  const link = slot(banner, "unsent");
  link.textContent = plural("unsent", unsent.length);
  show(link, unsent.length > 0);
}
