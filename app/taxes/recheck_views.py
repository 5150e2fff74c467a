"""The client card's "check again in the padrón": the registry's differences, field by field,
and applying the ones the office chose."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import requires
from app.clients.models import Client
from app.clients.services import ClientError, visible_client
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.sqlite import reads_first, take_write_lock
from app.extensions import db
from app.taxes import padron, recheck
from app.taxes.blueprint import bp


def _lookup(client: Client) -> tuple[padron.RegistryPerson | None, str | None]:
    """The registry's data for the client, or the Spanish reason there is none."""
    try:
        return padron.lookup(recheck.client_cuit(client)), None
    except recheck.NotRecheckable:
        return None, _("El cliente no tiene un CUIT o CUIL para consultar en el padrón.")
    except padron.PadronError as exc:
        return None, _(exc.message, **exc.params)


def _page(client: Client, person, error: str | None, chosen=None, status: int = 200):
    """The differences between the card and the registry, to choose the ones to copy."""
    differences = recheck.differences(client, person) if person is not None else []
    return render(
        "taxes/recheck.html",
        status=status,
        client=client,
        person=person,
        error=error,
        differences=differences,
        chosen=chosen,
        kinds=recheck.KIND_LABELS,
    )


@bp.get("/clients/<int:client_id>/padron")
@requires("clients.edit")
def recheck_client(client_id: int):
    """Ask the registry about the client again and show what differs from the card."""
    client = visible_client(current_user, client_id, trash=False)
    person, error = _lookup(client)
    return _page(client, person, error)


@bp.post("/clients/<int:client_id>/padron")
@requires("clients.edit")
@write_endpoint
@reads_first
def apply_recheck(client_id: int):
    """Copy the chosen differences from the registry to the card (audited); back to the card.

    The registry is asked before the write lock is taken, so a slow AFIP holds no writer up.
    """
    client = visible_client(current_user, client_id, trash=False)
    person, error = _lookup(client)
    chosen = request.form.getlist("field")
    if person is None:
        return _page(client, None, error, chosen, status=422)
    if not chosen:
        return _page(client, person, _("Elegí al menos un dato para copiar del padrón."), [], 422)
    take_write_lock()
    db.session.refresh(client)  # decide on the card as it is under the lock
    try:
        changed = recheck.apply_differences(client, person, chosen)
    except ClientError as exc:
        return _page(client, person, "; ".join(exc.fields.values()), chosen, status=422)
    if changed:
        flash(_("Se copiaron %(count)d datos del padrón.", count=len(changed)), "success")
    else:
        flash(_("La ficha ya coincide con el padrón."), "success")
    return redirect(url_for("clients.card", client_id=client.id), 303)
