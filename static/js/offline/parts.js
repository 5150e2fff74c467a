// Pieces several offline views share: the client's notices in force, its account balance, the
// "saved on the phone" message and a client's display name.

import { foldReadNotices } from "../notice-fold.js";
import { toCents } from "../pricing.js";
import { clear, clone, fill, label, plural, show, slot, word } from "./dom.js";
import { day, daysBetween, money } from "./format.js";
import { paths } from "./router.js";

const SEVERITY_ORDER = ["important", "warning", "info"];

/** The shop name first, as salespeople know the client by it. */
export function displayName(client) {
  return client.trade_name || client.legal_name;
}

/** The notices whose dates hold today, most pressing first, then the newest. */
export function noticesInForce(client, on) {
  return (client.notices ?? [])
    .filter((n) => n.valid_from <= on && (!n.valid_to || on <= n.valid_to))
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || b.id - a.id,
    );
}

/** Fill a notices section with the client's notices in force (hidden when there are none). */
export function showNotices(section, client, on) {
  const shown = noticesInForce(client, on);
  clear(section);
  for (const notice of shown) {
    const article = clone("tpl-notice");
    article.classList.add(notice.severity);
    if (notice.seen_at) article.classList.add("seen");
    if (notice.severity === "important" && !notice.seen_at) article.setAttribute("role", "alert");
    article.id = `notice-${notice.id}`;
    for (const icon of article.querySelectorAll("svg[data-severity]")) {
      if (icon.dataset.severity !== notice.severity) icon.remove();
    }
    fill(article, "kind", `${label("severities", notice.severity)}:`);
    fill(article, "message", notice.message);
    const reach = notice.target_kind === "client" ? "" : notice.target;
    const until = notice.valid_to ? word("until", { date: day(notice.valid_to) }) : "";
    fill(article, "meta", [reach, until].filter(Boolean).join(" · "), true);
    article.dataset.noticeKey = `${document.documentElement.dataset.userId}:${client.id}:${notice.id}`;
    section.append(article);
  }
  show(section, shown.length > 0);
  foldReadNotices(section);
  return shown;
}

/** The state and credit-blocked badges of a client. */
export function showBadges(root, client) {
  const state = fill(root, "state", label("states", client.state));
  state?.classList.add(client.state);
  show(slot(root, "blocked"), Boolean(client.credit_blocked));
}

/** Sum the open amount past due per currency, and the oldest due date, from the open items. */
function overdue(client, on) {
  const late = new Map();
  let oldest = null;
  for (const item of client.open_items ?? []) {
    if (!oldest || item.due_date < oldest) oldest = item.due_date;
    if (item.due_date < on) {
      late.set(item.currency, (late.get(item.currency) ?? 0n) + toCents(item.open_amount));
    }
  }
  return { late, oldest };
}

/** A balance figure: "Debe $ 1.234,00" (owes), "A favor" or "Saldo". */
function figure(balance, currency, several) {
  const cents = toCents(balance);
  const element = clone("tpl-figure");
  const name = cents > 0n ? "owes" : cents < 0n ? "favour" : "balance";
  if (cents !== 0n) element.classList.add(name);
  fill(element, "label", several ? `${word(name)} · ${currency}` : word(name));
  fill(element, "amount", money(cents < 0n ? -cents : cents, currency));
  element.querySelector("[data-slot=amount]").dataset.balance = currency;
  return element;
}

/** The account block: balance per currency, overdue amount and the oldest due date. */
export function balanceBlock(client, on) {
  const block = clone("tpl-balance");
  const currencies = Object.keys(client.balances ?? {});
  const { late, oldest } = overdue(client, on);
  const figures = slot(block, "figures");
  for (const currency of currencies) {
    figures.append(figure(client.balances[currency], currency, currencies.length > 1));
    const lateCents = late.get(currency) ?? 0n;
    if (lateCents > 0n) {
      const overdueFigure = clone("tpl-figure");
      overdueFigure.classList.add("overdue");
      const name = word("overdue");
      fill(overdueFigure, "label", currencies.length > 1 ? `${name} · ${currency}` : name);
      fill(overdueFigure, "amount", money(lateCents, currency));
      figures.append(overdueFigure);
    }
  }
  if (oldest) {
    const lateDays = Math.max(0, daysBetween(oldest, on));
    const text = word("oldest-due", { date: day(oldest) });
    const late = lateDays ? ` · ${plural("ago-days", lateDays)}` : "";
    const element = fill(block, "oldest", `${text}${late}`);
    show(element);
    element.classList.toggle("overdue-text", lateDays > 0);
  }
  show(slot(block, "none"), currencies.length === 0 && !oldest);
  show(figures, currencies.length > 0);
  return block;
}

/** The "saved on the phone" message, with a link to the pending list. */
export function savedMessage() {
  const message = clone("tpl-saved");
  fill(message, "text", word("saved"));
  message.querySelector("a").href = paths.status();
  return message;
}
