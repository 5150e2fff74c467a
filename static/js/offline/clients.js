// My clients from the phone's copy: a search box (name, trade name, code, tax id, city; case
// and accents ignored) and up to ROWS rows. The same list picks the client of a new order.

import { listClients } from "../store.js";
import { toCents } from "../pricing.js";
import { clear, clone, fill, show, slot, word } from "./dom.js";
import { money, today } from "./format.js";
import { displayName, noticesInForce, showBadges } from "./parts.js";
import { paths } from "./router.js";
import { matches, searchKey } from "./search.js";

const ROWS = 100;

/** The clients with their search keys, by display name. */
async function loadClients() {
  const clients = await listClients();
  return clients
    .map((client) => ({
      client,
      key: searchKey(client.code, client.legal_name, client.trade_name, client.tax_id, client.city),
      name: displayName(client),
    }))
    .sort((a, b) => a.name.localeCompare(b.name, "es"));
}

/** One row: name, code and legal name, address, a notice marker, state and balance. */
function row(client, href, on) {
  const item = clone("tpl-client-row");
  const link = item.querySelector("a");
  link.href = href;
  link.dataset.clientId = client.id;
  fill(item, "name", displayName(client));
  fill(item, "code", `${client.code} · ${client.legal_name}`);
  fill(item, "address", [client.street, client.city].filter(Boolean).join(", "), true);
  const notices = noticesInForce(client, on);
  if (notices.length) show(slot(item, "notice")).classList.add(notices[0].severity);
  showBadges(item, client);
  const balance = client.balances?.[client.currency];
  if (balance && toCents(balance) !== 0n) {
    const element = fill(item, "balance", money(balance, client.currency));
    element.classList.add(toCents(balance) > 0n ? "owes" : "favour");
  }
  return item;
}

/**
 * The list view. pick: choosing the client of a new order (rows link to the order form).
 * The query lives in ?q= so back and reload keep the search.
 */
export async function showClients(root, match, pick = false) {
  const view = clone("tpl-clients");
  root.replaceChildren(view);
  if (pick) fill(view, "title", word("title-pick-client"));
  show(slot(view, "new-prospect"), !pick);
  const input = view.querySelector("#q");
  const results = view.querySelector("#client-results");
  const more = view.querySelector("#client-more");
  const empty = view.querySelector("#client-empty");
  const on = today();
  let rows = await loadClients();

  const draw = () => {
    const query = input.value.trim();
    const found = query ? rows.filter((entry) => matches(entry.key, query)) : rows;
    clear(results);
    for (const { client } of found.slice(0, ROWS)) {
      const href = pick ? paths.order(client.id) : paths.card(client.id);
      results.append(row(client, href, on));
    }
    show(results, found.length > 0);
    const shown = Math.min(found.length, ROWS);
    more.textContent = word("clients-more", { shown, total: found.length });
    show(more, found.length > ROWS);
    fill(empty, "text", query ? word("clients-no-match", { q: query }) : word("clients-none"));
    show(empty, found.length === 0);
  };

  input.value = match.params.get("q") ?? "";
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const url = new URL(location.href);
      if (input.value.trim()) url.searchParams.set("q", input.value.trim());
      else url.searchParams.delete("q");
      history.replaceState(history.state, "", url);
      draw();
    }, 150);
  });
  view.querySelector("form").addEventListener("submit", (event) => event.preventDefault());
  draw();
  return {
    title: slot(view, "title").textContent,
    /** A sync changed the clients: reload them, keep the search. */
    async refresh(reason) {
      if (reason !== "synced") return;
      rows = await loadClients();
      draw();
    },
  };
}
