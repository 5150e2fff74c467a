// May the person in front of me collect goods for the client today? The rule of
// app/clients/rules.py (pickup_allowed): the document matches, dots and dashes aside, and
// today is within the person's validity dates.

import { getClient } from "../store.js";
import { clone, fill, show, slot, word } from "./dom.js";
import { day, today } from "./format.js";
import { displayName } from "./parts.js";
import { paths } from "./router.js";

/** A document number without dots, dashes or spaces, letters upper-cased. */
export function compactDocument(text) {
  return String(text ?? "").toUpperCase().replace(/[^0-9A-Z]/g, "");
}

/** True when this person's document matches and today is within the validity dates. */
export function pickupAllowed(pickup, document, on) {
  const wanted = compactDocument(document);
  if (!wanted || wanted !== compactDocument(pickup.document)) return false;
  if (pickup.valid_from && on < pickup.valid_from) return false;
  return !(pickup.valid_to && on > pickup.valid_to);
}

/** The verification page; ?document= (as the online form sends it) checks at once. */
export async function showPickups(root, match) {
  const client = await getClient(match.clientId);
  if (!client) return null;
  const view = clone("tpl-pickups");
  root.replaceChildren(view);
  fill(view, "client", displayName(client));
  slot(view, "back").href = paths.card(client.id);
  const form = view.querySelector("form");
  const allowed = view.querySelector("[data-verdict=allowed]");
  const refused = view.querySelector("[data-verdict=refused]");

  const check = (document) => {
    show(allowed, false);
    show(refused, false);
    if (!document) return;
    const found = (client.pickups ?? []).find((pickup) => pickupAllowed(pickup, document, today()));
    if (found) {
      fill(allowed, "title", word("pickup-allowed", { name: found.name }));
      fill(allowed, "document", found.document);
      const until = found.valid_to ? word("pickup-until", { date: day(found.valid_to) }) : "";
      fill(allowed, "until", until, true);
      show(allowed);
    } else {
      fill(refused, "text", word("pickup-refused", { document }));
      show(refused);
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const document = form.elements.document.value.trim();
    const url = new URL(location.href);
    url.searchParams.set("document", document);
    history.replaceState(history.state, "", url);
    check(document);
  });
  const given = (match.params.get("document") ?? "").trim();
  form.elements.document.value = given;
  check(given);
  return {};
}
