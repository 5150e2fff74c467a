// A client's latest cases on the offline card (the sync brings them, open ones first), and a
// new case offline: the online form's fields (app/cases/views.py new), checked here with the
// server's own limits and messages, then kept in the outbox as the API's body
// (POST /api/v1/cases). Photos need the server: they are added on the case once it arrived.

import { newKey } from "../outbox.js";
import { getClient } from "../store.js";
import { clear, clone, fill, label, show, slot, word } from "./dom.js";
import { day, today } from "./format.js";
import { clearErrors, keepThenShowCard, showErrors } from "./forms.js";
import { displayName, showNotices } from "./parts.js";
import { paths } from "./router.js";

// The most each field takes, as app/cases/rules.py says (MAX_SUBJECT, MAX_TEXT).
const MOST = { subject: 160, description: 4000 };

/** The API's body for the case, or null with the messages shown next to the fields. */
export function caseBody(values, clientId) {
  const errors = {};
  const body = { client_id: clientId, kind: values.kind ?? "" };
  if (!body.kind) errors.kind = word("case-kind-required");
  for (const [name, most] of Object.entries(MOST)) {
    const text = (values[name] ?? "").trim();
    if (text.length > most) errors[name] = word("too-long", { max: most });
    body[name] = text;
  }
  if (!body.subject && !errors.subject) errors.subject = word("case-subject-required");
  return { body, errors };
}

/** The new-case form of a client the phone has. */
export async function showCase(root, match) {
  const client = match.clientId ? await getClient(match.clientId) : null;
  if (!client) return null;
  const view = clone("tpl-case");
  root.replaceChildren(view);
  showNotices(slot(view, "notices"), client, today());
  fill(view, "client", displayName(client)).href = paths.card(client.id);
  fill(view, "code", client.code);
  const form = view.querySelector("form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const values = {
      kind: form.querySelector("input[name=kind]:checked")?.value,
      subject: form.elements.subject.value,
      description: form.elements.description.value,
    };
    const { body, errors } = caseBody(values, client.id);
    if (showErrors(form, errors)) return;
    const write = {
      kind: "case",
      url: "/api/v1/cases",
      body,
      key: newKey(),
      client_id: client.id,
      label: word("label-case", { client: displayName(client) }),
      offline: null,
    };
    keepThenShowCard(form, write, `${paths.card(client.id)}?saved=case`);
  });
  return {};
}

const DONE = ["resolved", "closed"];

/** Still being worked on after its due date (as app/cases/rules.py is_overdue). */
export function overdue(item, on) {
  return Boolean(item.due_on) && !DONE.includes(item.state) && item.due_on < on;
}

/** Draw the client's latest cases into the card's cases section. */
export function showCardCases(section, client, on = today()) {
  if (!section) return;
  const list = clear(slot(section, "cases"));
  for (const item of client.cases ?? []) {
    const row = clone("tpl-case-row");
    row.dataset.caseId = item.id;
    fill(row, "subject", item.subject);
    fill(row, "kind", label("case-kinds", item.kind));
    fill(row, "state", label("case-states", item.state));
    const late = overdue(item, on);
    fill(row, "overdue", late ? word("case-overdue", { date: day(item.due_on) }) : "", true);
    list.append(row);
  }
  show(slot(section, "no-cases"), list.children.length === 0);
}
