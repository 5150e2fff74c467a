// Entry of the offline app shell (templates/offline/app.html): draws the view the URL names
// from the phone's copy, keeps the banner current, and redraws what the outbox or a sync
// changed. Back and forward inside the page (popstate) draw the view of the new URL.

import { onOutboxChange } from "../outbox.js";
import { onSynced } from "../sync.js";
import { showBanner } from "./banner.js";
import { showCard } from "./card.js";
import { showCase } from "./cases.js";
import { showClients } from "./clients.js";
import { showCall, showReceipt } from "./collections.js";
import { clone, may, word } from "./dom.js";
import { showOrder } from "./order.js";
import { showPickups } from "./pickups.js";
import { showProspect } from "./prospect.js";
import { showRoute } from "./route.js";
import { NEEDS, NOT_FOR, route } from "./router.js";
import { showStatus } from "./status.js";

const BANNER_EVERY_MS = 30_000;

const VIEWS = {
  clients: (root, match) => showClients(root, match),
  pick: (root, match) => showClients(root, match, true),
  card: showCard,
  order: showOrder,
  call: showCall,
  receipt: showReceipt,
  pickups: showPickups,
  prospect: showProspect,
  case: showCase,
  status: showStatus,
  route: showRoute,
};

// The navigation item each view belongs to: the layout marks "Sync" (the shell's own page).
const SECTIONS = {
  clients: "/clients/",
  card: "/clients/",
  pickups: "/clients/",
  prospect: "/clients/",
  case: "/clients/",
  pick: "/orders/",
  order: "/orders/",
  call: "/collections/",
  receipt: "/collections/",
  status: "/sync/",
  route: "/route/",
};

let current = null;

/** Mark the navigation item of the view's section as the current page. */
function markSection(name) {
  for (const link of document.querySelectorAll("nav.bottomnav a")) {
    if (new URL(link.href).pathname === SECTIONS[name]) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** Draw a view that needs nothing from the store. */
function fixed(root, templateId) {
  root.replaceChildren(clone(templateId));
  return {};
}

/** Draw the view of the current URL. */
export async function render() {
  const root = document.getElementById("offline-view");
  const match = route(location.pathname, location.search);
  const needs = NEEDS[match.name];
  const allowed = (!needs || may(needs)) && !(NOT_FOR[match.name] && may(NOT_FOR[match.name]));
  const draw = allowed ? VIEWS[match.name] : null;
  root.dataset.ready = "false";
  root.dataset.route = allowed ? match.name : "unavailable";
  markSection(root.dataset.route);
  try {
    current = draw ? await draw(root, match) : fixed(root, "tpl-unavailable");
    // A view that needs a client answers null when the phone does not have it.
    if (current === null) current = fixed(root, "tpl-missing-client");
  } catch (error) {
    console.error("offline view failed", error);
    current = fixed(root, "tpl-store-failed");
  }
  const h1 = root.querySelector("h1")?.textContent.replace(/\s+/g, " ").trim();
  const heading = current.title ?? h1;
  document.title = heading ? `${heading} · ${word("app-name")}` : word("app-name");
  root.dataset.ready = "true";
  const detail = { view: root.dataset.route };
  root.dispatchEvent(new CustomEvent("offline:rendered", { bubbles: true, detail }));
}

/** Tell the view something changed; it redraws what it shows (or the whole view). */
async function changed(reason) {
  await showBanner().catch((error) => console.warn("banner", error));
  try {
    const answer = await current?.refresh?.(reason);
    if (answer === "rerender") await render();
  } catch (error) {
    console.error("offline view refresh failed", error);
  }
}

window.addEventListener("popstate", () => {
  showBanner().catch((error) => console.warn("banner", error));
  render();
});
window.addEventListener("online", () => changed("connection"));
window.addEventListener("offline", () => changed("connection"));
onOutboxChange(() => changed("outbox"));
onSynced(() => changed("synced"));
setInterval(() => showBanner().catch(() => {}), BANNER_EVERY_MS);

showBanner().catch((error) => console.warn("banner", error));
render();
