// A prospect registered at the door, offline: the online short form's fields (no padrón
// lookup without a network), checked here as far as the phone can, then kept in the outbox as
// the API's body (POST /api/v1/clients). The server checks the tax id when it arrives; a
// refusal (a tax id another client holds) shows in the "Pendientes" list with its message.

import { newKey } from "../outbox.js";
import { clone, word } from "./dom.js";
import { clearErrors, keepThenShowCard, locate, locationFields, showErrors } from "./forms.js";
import { paths } from "./router.js";

// The most each field takes, as the server's form and API do (app/clients/prospect_forms.py).
const MOST = {
  trade_name: 160,
  legal_name: 160,
  tax_id: 20,
  phone: 40,
  mobile: 40,
  email: 254,
  street: 160,
  city: 80,
  province: 60,
  note: 2000,
};
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The API's body, or null with the messages shown next to the fields. */
function prospectBody(form) {
  clearErrors(form);
  const value = (name) => (form.elements[name]?.value ?? "").trim();
  const errors = {};
  const body = { state: "potential" };
  for (const [name, most] of Object.entries(MOST)) {
    const text = value(name);
    if (text.length > most) errors[name] = word("too-long", { max: most });
    else if (text) body[name] = text;
  }
  if (!body.trade_name && !errors.trade_name) errors.trade_name = word("trade-name-required");
  if (body.email && !EMAIL.test(body.email)) errors.email = word("email-invalid");
  if (body.tax_id) body.tax_id_type = value("tax_id_type");
  if (showErrors(form, errors)) return null;
  return { ...body, ...locationFields(form) };
}

/** The new prospect form. */
export async function showProspect(root) {
  const view = clone("tpl-prospect");
  root.replaceChildren(view);
  const form = view.querySelector("form");
  // Asked only when tapped: the door's place, not wherever the form was opened.
  form.querySelector("[data-locate-now]").addEventListener("click", () => locate(form));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = prospectBody(form);
    if (!body) return;
    const write = {
      kind: "prospect",
      url: "/api/v1/clients",
      body,
      key: newKey(),
      client_id: null,
      label: word("label-prospect", { name: body.trade_name }),
      offline: null,
    };
    keepThenShowCard(form, write, `${paths.status()}?kept=prospect`);
  });
  return {};
}
