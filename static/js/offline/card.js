// A client's card from the phone's copy: notices in force first, then what to do (order, call,
// receipt), this client's writes not sent yet, balance, credit, open documents, contacts,
// addresses, authorised pickups, what it bought, and its notes with a note form that goes to the
// outbox.

import { getClient } from "../store.js";
import { enqueue, listItems, newKey, queuedOrders } from "../outbox.js";
import { toCents } from "../pricing.js";
import { clear, clone, fill, label, may, plural, show, slot, word } from "./dom.js";
import { day, daysBetween, money, today } from "./format.js";
import { PROBE, decision, queuedCredit, withQueued } from "./credit.js";
import { clearErrors, showError } from "./forms.js";
import { linkTo, telHref, whatsappHref } from "./links.js";
import { outboxItem } from "./outbox-view.js";
import { showCardCases } from "./cases.js";
import { showNotes } from "./notes.js";
import { balanceBlock, displayName, savedMessage, showBadges, showNotices } from "./parts.js";
import { paths } from "./router.js";

const NOTE_MAX = 2000;
const UNSENT = ["pending", "sending", "signin", "rejected"];

/** The open documents, oldest due date first, late ones marked. */
function showOpenItems(section, client, on) {
  const list = clear(slot(section, "items"));
  for (const item of client.open_items ?? []) {
    const row = clone("tpl-open-item");
    fill(row, "title", item.title);
    fill(row, "due", word("due", { date: day(item.due_date) }));
    fill(row, "amount", money(item.open_amount, item.currency));
    row.classList.toggle("overdue", item.due_date < on);
    list.append(row);
  }
  show(slot(section, "none"), list.children.length === 0);
}

/** Contacts with call, WhatsApp and mail links. */
function showContacts(section, client) {
  const list = clear(slot(section, "contacts"));
  for (const contact of client.contacts ?? []) {
    const row = clone("tpl-contact");
    fill(row, "name", contact.name);
    fill(row, "role", contact.role ? `· ${contact.role}` : "", true);
    const numbers = [contact.phone, contact.mobile, contact.email].filter(Boolean);
    fill(row, "numbers", numbers.join(" · "), true);
    linkTo(row.querySelector("[data-action=tel]"), telHref(contact.mobile || contact.phone));
    linkTo(row.querySelector("[data-action=whatsapp]"), whatsappHref(contact.mobile));
    const mail = contact.email ? `mailto:${contact.email}` : null;
    linkTo(row.querySelector("[data-action=mail]"), mail);
    list.append(row);
  }
  show(slot(section, "none"), list.children.length === 0);
}

/** Fiscal, shipping and branch addresses with delivery hours and instructions. */
function showAddresses(section, client) {
  const list = clear(slot(section, "addresses"));
  for (const address of client.addresses ?? []) {
    const row = clone("tpl-address");
    fill(row, "kind", label("address_kinds", address.kind));
    fill(row, "label", address.label, true);
    const place = [address.street, address.city].filter(Boolean).join(", ");
    fill(row, "street", address.province ? `${place} (${address.province})` : place);
    const hours = address.delivery_hours;
    fill(row, "hours", hours ? word("hours", { hours }) : "", true);
    fill(row, "instructions", address.delivery_instructions, true);
    list.append(row);
  }
  show(slot(section, "none"), list.children.length === 0);
}

/** The people allowed to collect goods, with their validity. */
function showPickups(section, client) {
  const list = clear(slot(section, "pickups"));
  for (const pickup of client.pickups ?? []) {
    const row = clone("tpl-pickup");
    fill(row, "name", pickup.name);
    fill(row, "document", pickup.document);
    const from = pickup.valid_from ? day(pickup.valid_from) : "…";
    const to = pickup.valid_to ? day(pickup.valid_to) : "…";
    const dated = pickup.valid_from || pickup.valid_to;
    const validity = dated ? word("pickup-valid", { from, to }) : word("pickup-forever");
    fill(row, "validity", validity);
    list.append(row);
  }
  show(slot(section, "none"), list.children.length === 0);
  section.querySelector("[data-action=verify]").href = paths.pickups(client.id);
}

/** One limit's line: its figure, "de <limit>" and red when the decision failed on it. */
function limitLine(section, kind, value, of, reached, why = "") {
  const line = section.querySelector(`[data-limit="${kind}"]`);
  fill(line, "value", value);
  fill(line, "of", of);
  fill(line, "why", why, true);
  line.classList.toggle("reached", reached);
  show(line);
}

/**
 * The credit block: the figures of each limit with this phone's unsent orders counted, and
 * the note when the client's state rules credit out, from the same decision an order takes.
 */
function showCredit(section, client, queued, on) {
  const snapshot = withQueued(client.credit, queued);
  const result = decision(snapshot, PROBE, "current_account", on);
  const failed = new Set(result.failures.map((f) => f.kind));
  const state = result.failures.find((f) => f.kind === "state");
  const note = state ? label("credit_notes", state.message) : "";
  fill(section, "note", note, true);
  const limits = snapshot.limits ?? {};
  // why each limit applies ("límite propio", "política de la zona Norte"), as the server said
  const why = snapshot.why ?? {};
  for (const line of section.querySelectorAll("[data-limit]")) show(line, false);
  const exposure = toCents(snapshot.balance) + toCents(snapshot.pending_orders);
  if (limits.money != null) {
    const left = toCents(limits.money) - exposure;
    const of = word("of-limit", { limit: money(limits.money, client.currency) });
    const value = money(left > 0n ? left : 0n, client.currency);
    limitLine(section, "money", value, of, left <= 0n, why.money);
  }
  const family = snapshot.family;
  if (family) {
    const left = toCents(family.money) - toCents(family.others) - exposure;
    const of = word("of-limit", { limit: money(family.money, client.currency) });
    const value = money(left > 0n ? left : 0n, client.currency);
    limitLine(section, "family", value, of, left <= 0n, why.family);
  }
  if (limits.documents != null) {
    const unpaid = (snapshot.unpaid_dates ?? []).length + snapshot.pending_documents;
    const of = word("of-limit", { limit: limits.documents });
    limitLine(section, "documents", String(unpaid), of, failed.has("documents"), why.documents);
  }
  if (limits.age_days != null) {
    const dates = [...(snapshot.unpaid_dates ?? [])].sort();
    const value = dates.length ? plural("days", daysBetween(dates[0], on)) : word("none-invoice");
    const of = word(dates.length ? "max" : "max-days", { limit: limits.age_days });
    limitLine(section, "age", value, of, failed.has("age"), why.age_days);
  }
  const unlimited =
    limits.money == null && limits.documents == null && limits.age_days == null && !family;
  show(slot(section, "policy"), unlimited);
  const queuedText = slot(section, "queued");
  queuedText.textContent = queued.count ? plural("queued-orders", queued.count) : "";
  show(queuedText, queued.count > 0);
}

/** This client's writes the server has not taken yet (or refused), from the outbox's `items`. */
function showUnsent(section, client, items) {
  const mine = items.filter((item) => item.client_id === client.id && UNSENT.includes(item.state));
  const list = clear(slot(section, "unsent"));
  for (const item of mine.reverse()) list.append(outboxItem(item, false));
  show(section, mine.length > 0);
}

/** The note form: a note is a write, so it goes to the outbox with its own key. */
function noteForm(view, client, refresh) {
  const form = view.querySelector("[data-note-form]");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const text = form.elements.text.value.trim();
    if (!text) return showError(form, "text", word("note-required"));
    if (text.length > NOTE_MAX) return showError(form, "text", word("too-long", { max: NOTE_MAX }));
    form.querySelector("button[type=submit]").disabled = true;
    try {
      await enqueue({
        kind: "note",
        url: `/api/v1/clients/${client.id}/notes`,
        body: { text },
        key: newKey(),
        client_id: client.id,
        label: word("label-note", { client: displayName(client) }),
        offline: null,
      });
      form.reset();
      slot(view, "saved").replaceChildren(savedMessage());
      await refresh();
    } finally {
      form.querySelector("button[type=submit]").disabled = false;
    }
  });
}

/** The card view; ?saved=<kind> after a form saved to the outbox shows the message once. */
export async function showCard(root, match) {
  const client = await getClient(match.clientId);
  if (!client) return null;
  const on = today();
  const view = clone("tpl-card");
  root.replaceChildren(view);
  showNotices(slot(view, "notices"), client, on);
  fill(view, "name", displayName(client));
  fill(view, "code", `${client.code} · ${client.legal_name}`);
  showBadges(view, client);
  const sellable = client.state !== "disabled";
  linkTo(view.querySelector("[data-action=order]"), sellable ? paths.order(client.id) : null);
  linkTo(view.querySelector("[data-action=call]"), paths.call(client.id));
  linkTo(view.querySelector("[data-action=receipt]"), paths.receipt(client.id));
  linkTo(view.querySelector("[data-action=case]"), paths.case(client.id));
  showCardCases(view.querySelector("#cases"), client, on);
  const phone = client.mobile || client.phone;
  linkTo(slot(view, "phones").querySelector("[data-action=tel]"), telHref(phone));
  linkTo(slot(view, "phones").querySelector("[data-action=whatsapp]"), whatsappHref(client.mobile));
  show(slot(view, "phones"), Boolean(telHref(phone)));

  if (may("ledger.view")) {
    const account = balanceBlock(client, on);
    account.id = "account";
    show(slot(account, "heading"));
    slot(view, "account").replaceChildren(account);
  }
  showOpenItems(view.querySelector("#open-items"), client, on);
  showContacts(view.querySelector("#contacts"), client);
  showAddresses(view.querySelector("#addresses"), client);
  showPickups(view.querySelector("#pickups"), client);
  showPurchases(view.querySelector("#purchases"), client);

  if (match.params.get("saved")) {
    slot(view, "saved").replaceChildren(savedMessage());
    const url = new URL(location.href);
    url.searchParams.delete("saved");
    history.replaceState(history.state, "", url);
  }

  const credit = view.querySelector("#credit");
  const refresh = async () => {
    const items = await listItems();
    showUnsent(view.querySelector("#client-unsent"), client, items);
    showNotes(view.querySelector("#notes"), client, items);
    if (credit) showCredit(credit, client, queuedCredit(await queuedOrders(client.id)), on);
  };
  noteForm(view, client, refresh);
  await refresh();
  return {
    title: displayName(client),
    /**
     * The outbox changed (an item sent, a note saved): redraw the parts that show it. A sync
     * may have changed the client: draw the card again, unless a note is being written.
     */
    async refresh(reason) {
      if (reason === "outbox") await refresh();
      const note = view.querySelector("#note-text");
      if (reason === "synced" && !note?.value.trim()) return "rerender";
      return null;
    },
  };
}

/** What the client bought in the last 12 months, as the last sync left it: the year beside
 * the one before, what it stopped buying, its top products. */
function showPurchases(section, client) {
  const bought = client.purchases;
  if (!bought) return;
  show(section);
  const cents = (months, key) => months.reduce((sum, month) => sum + toCents(month[key]), 0n);
  fill(section, "year", word("year-sales", {
    amount: money(cents(bought.months, "sales")),
    before: money(cents(bought.months, "sales_year_before")),
  }));
  const row = (product, withAmount) => {
    const item = clone("tpl-bought");
    fill(item, "name", product.description);
    const amount = slot(item, "amount");
    amount.textContent = money(product.amount);
    show(amount, withAmount);
    const units = Math.trunc(Number(product.quantity));
    const last = word("last-bought", { date: day(product.last_date) });
    fill(item, "detail", withAmount ? `${plural("units", units)} · ${last}` : last);
    return item;
  };
  slot(section, "stopped").replaceChildren(...bought.stopped.map((p) => row(p, false)));
  show(slot(section, "stopped-block"), bought.stopped.length > 0);
  slot(section, "products").replaceChildren(...bought.products.map((p) => row(p, true)));
  show(slot(section, "products-head"), bought.products.length > 0);
  show(slot(section, "none"), bought.products.length === 0);
}
