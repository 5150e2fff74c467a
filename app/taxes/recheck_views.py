"""The client card's "check again in the padrón": the registry's differences, field by field,
and applying the ones the office chose."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import requires
from app.clients.services import ClientError, visible_client
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.taxes import padron, recheck
from app.taxes.blueprint import bp


def _lookup(client) -> tuple[padron.RegistryPerson | None, str | None]:
    """The registry's data for the client, or the Spanish reason there is none."""
    try:
        return padron.lookup(recheck.client_cuit(client)), None
    except recheck.NotRecheckable:
        return None, _("El cliente no tiene un CUIT o CUIL para consultar en el padrón.")
    except padron.PadronError as exc:
        return None, _(exc.message, **exc.params)


@bp.route("/clients/<int:client_id>/padron", methods=["GET", "POST"])
@requires("clients.edit")
@write_endpoint
def recheck_client(client_id: int):
    """Ask the registry about the client again; show what differs; apply the chosen fields."""
    client = visible_client(current_user, client_id, trash=False)
    person, error = _lookup(client)
    status = 200
    if person is not None and request.method == "POST":
        chosen = request.form.getlist("field")
        if not chosen:
            error, status = _("Elegí al menos un dato para copiar del padrón."), 422
        else:
            try:
                changed = recheck.apply_differences(client, person, chosen)
            except ClientError as exc:
                error, status = "; ".join(exc.fields.values()), 422
            else:
                if changed:
                    flash(
                        _("Se copiaron %(count)d datos del padrón.", count=len(changed)), "success"
                    )
                else:
                    flash(_("La ficha ya coincide con el padrón."), "success")
                return redirect(url_for("clients.card", client_id=client.id), 303)
    elif request.method == "POST":
        status = 422
    differences = recheck.differences(client, person) if person is not None else []
    return render(
        "taxes/recheck.html",
        status=status,
        client=client,
        person=person,
        error=error,
        differences=differences,
        chosen=set(request.form.getlist("field")) if request.method == "POST" else None,
        kinds=recheck.KIND_LABELS,
    )
