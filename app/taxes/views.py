"""Tax pages: the AFIP registry (padrón) lookup that fills the new-client form, and the upload
of a jurisdiction's IIBB rates registry."""

import sqlalchemy as sa
from flask import make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import requires
from app.clients.forms import ClientForm
from app.clients.prospect_forms import ProspectForm
from app.core.rendering import render, wants_fragment
from app.core.uploads import large_upload
from app.extensions import db
from app.jobs.queue import start_job
from app.taxes import padron
from app.taxes.blueprint import bp
from app.taxes.jobs import IIBB_IMPORT
from app.taxes.models import IibbJurisdiction
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


# --- the IIBB rates registry -----------------------------------------------------------------

REGISTRY_SUFFIXES = (".txt", ".zip")


def _registry_page(status: int = 200, errors: dict | None = None, chosen: str = ""):
    """The upload form, with the jurisdictions configured."""
    jurisdictions = db.session.scalars(
        sa.select(IibbJurisdiction).order_by(IibbJurisdiction.code)
    ).all()
    return render(
        "taxes/iibb.html",
        status=status,
        jurisdictions=jurisdictions,
        errors=errors or {},
        chosen=chosen,
    )


@bp.route("/iibb", methods=["GET", "POST"])
@requires("taxes.registry")
@large_upload
def iibb_registry():
    """Upload a jurisdiction's rates registry (TXT or ZIP) in the jurisdiction's layout; it is
    imported in the background and the page of its job follows it."""
    if request.method == "GET":
        return _registry_page()
    errors: dict[str, str] = {}
    chosen = (request.form.get("jurisdiction_id") or "").strip()
    jurisdiction = (
        db.session.get(IibbJurisdiction, int(chosen))
        if chosen.isascii() and chosen.isdigit()
        else None
    )
    if jurisdiction is None:
        errors["jurisdiction_id"] = _("Elegí la jurisdicción del padrón.")
    upload = request.files.get("file")
    data = upload.read() if upload and upload.filename else b""
    if not data:
        errors["file"] = _("Elegí el archivo del padrón (TXT o ZIP).")
    elif not upload.filename.lower().endswith(REGISTRY_SUFFIXES):
        errors["file"] = _("El padrón se sube como TXT o ZIP (un ZIP con el TXT adentro).")
    if errors:
        return _registry_page(422, errors, chosen)
    started = start_job(
        IIBB_IMPORT,
        _("Padrón de IIBB: %(name)s", name=jurisdiction.name),
        current_user.id,
        {"jurisdiction_id": jurisdiction.id},
        files=[(upload.filename, upload.mimetype or "application/octet-stream", data)],
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=started.id), 303)
