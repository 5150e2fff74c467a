"""Tax pages: the AFIP registry (padrón) lookup that fills the new-client form."""

from flask import make_response, render_template, request
from flask_babel import gettext as _

from app.auth.permissions import requires
from app.clients.forms import ClientForm
from app.clients.prospect_forms import ProspectForm
from app.core.rendering import wants_fragment
from app.taxes import padron
from app.taxes.blueprint import bp
from app.taxes.rules import TaxIdType, format_tax_id

# The new-client form's inputs a lookup fills, each swapped in by its id (hx-swap-oob).
FILLED_FIELDS = (
    *("kind", "legal_name", "last_name", "first_name", "tax_id_type", "tax_id", "activity"),
    *("street", "city", "province", "postal_code", "iva_condition"),
)
# The prospect's short form (?form=prospect) has only some of them.
PROSPECT_FILLED = tuple(name for name in FILLED_FIELDS if hasattr(ProspectForm, name))


def filled_form(person: padron.RegistryPerson) -> ClientForm:
    """The card form holding what the registry said, to render its inputs."""
    activity = person.activities[0].description[:120] if person.activities else ""
    data = {
        "kind": person.kind,
        "legal_name": person.legal_name,
        "last_name": person.last_name or "",
        "first_name": person.first_name or "",
        "tax_id_type": TaxIdType.CUIT.value,
        "tax_id": format_tax_id(TaxIdType.CUIT, person.cuit),
        "activity": activity,
        "street": person.street or "",
        "city": person.city or "",
        "province": person.province or "",
        "postal_code": person.postal_code or "",
        "iva_condition": person.iva_condition,
    }
    return ClientForm(formdata=None, data=data, meta={"csrf": False})


@bp.get("/padron")
@requires("padron.lookup")
def padron_lookup():
    """Look a CUIT up in AFIP's registry: the form's inputs for htmx, else a page.

    `form=prospect` fills only the inputs of the prospect's short form.
    """
    text = request.args.get("tax_id", "").strip()
    person, error, status = None, None, 200
    if not text:
        error = _("Escribí un CUIT para buscarlo en el padrón.") if wants_fragment() else None
        status = 422 if error else 200
    else:
        try:
            person = padron.lookup(text)
        except padron.InvalidCuit as exc:
            error, status = _(exc.message), 422
        except padron.PadronError as exc:
            error = _(exc.message, **exc.params)
    filled = PROSPECT_FILLED if request.args.get("form") == "prospect" else FILLED_FIELDS
    context = {"person": person, "error": error, "tax_id": text, "fields": filled}
    if person is not None:
        context["form"] = filled_form(person)
    template = "taxes/_padron_result.html" if wants_fragment() else "taxes/padron.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
