"""The JSON API of the padrón recheck: a client's differences with AFIP's registry, and
copying the chosen ones to the card (audited)."""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.api.blueprint import bp
from app.api.common import load_json, refusals, visible_client
from app.api.docs import OUT_OF_SCOPE, UNKNOWN, api_doc, name_schemas, read_errors, write_errors
from app.auth.permissions import requires
from app.clients import services as clients
from app.clients.services import ClientError
from app.core.errors import json_error
from app.core.idempotency import write_endpoint
from app.core.sqlite import reads_first, take_write_lock
from app.extensions import db
from app.taxes import padron, recheck
from app.taxes.schemas import ApplyPadronSchema, PadronDifferencesSchema

name_schemas(PadronDifferences=PadronDifferencesSchema, ApplyPadron=ApplyPadronSchema)
NOT_IN_REGISTRY = (
    "422",
    "The client has no CUIT, or the registry has no active person with it (tax_id says why)",
)
UNAVAILABLE = (
    "424",
    "AFIP's registry did not answer, or its access is not configured: nothing changed; try "
    "later (not a 5xx: the fault is not this server's)",
)


def _person(client):
    """The registry's data for the client, or the error answer to give."""
    try:
        return padron.lookup(recheck.client_cuit(client)), None
    except recheck.NotRecheckable:
        message = _("El cliente no tiene un CUIT o CUIL para consultar en el padrón.")
        return None, json_error(422, "invalid", message, {"tax_id": [message]})
    except (padron.RegistryUnavailable, padron.NotConfigured) as exc:
        return None, json_error(424, "registry_unavailable", _(exc.message, **exc.params))
    except padron.PadronError as exc:
        message = _(exc.message, **exc.params)
        return None, json_error(422, "invalid", message, {"tax_id": [message]})


def _answer(client, person, changed=None):
    """The differences left between the card and the registry."""
    differences = [vars(d) for d in recheck.differences(client, person)]
    body = {"client_id": client.id, "cuit": person.cuit, "changed": changed or [],
            "differences": differences}  # fmt: skip
    return jsonify(PadronDifferencesSchema().dump(body))


@bp.get("/clients/<int:client_id>/padron")
@api_doc(
    "Ask AFIP's registry about the client again: the card's fields whose registry value "
    "differs (company name, IVA condition, fiscal address, activity...)",
    answers={"200": ("The differences", "PadronDifferences")},
    errors=read_errors(OUT_OF_SCOPE, NOT_IN_REGISTRY, UNAVAILABLE, ("403", "Not allowed")),
)
@requires("clients.edit")
def client_padron(client_id: int):
    """The client's differences with the registry."""
    client = visible_client(client_id)
    person, refused = _person(client)
    return refused if refused is not None else _answer(client, person)


@bp.post("/clients/<int:client_id>/padron")
@api_doc(
    "Copy the chosen differing fields from AFIP's registry to the card (one audit row for "
    "the change and one saying it came from the registry); answers what is left",
    body=("The fields to copy", "ApplyPadron"),
    answers={"200": ("The fields copied and the differences left", "PadronDifferences")},
    errors=write_errors(UNKNOWN, NOT_IN_REGISTRY, UNAVAILABLE),
)
@requires("clients.edit")
@write_endpoint
@reads_first
@refusals(ClientError)
def apply_client_padron(client_id: int):
    """Copy the chosen differences to the card; the registry is asked before the write lock."""
    fields = load_json(ApplyPadronSchema())["fields"]
    client = clients.visible_client(current_user, client_id, trash=False)
    person, refused = _person(client)
    if refused is not None:
        return refused
    take_write_lock()
    db.session.refresh(client)
    changed = recheck.apply_differences(client, person, fields)
    return _answer(client, person, changed)
