"""One notice for a set of clients picked on the client list (or every client of its search)."""

from flask import flash, redirect, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from app.auth.permissions import requires
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.types import local_today
from app.jobs.queue import start_job
from app.notices import client_sets
from app.notices.blueprint import bp
from app.notices.forms import ClientSetNoticeForm
from app.notices.jobs import FOR_CLIENTS
from app.notices.services import NoticeError


def _chosen() -> tuple[list[int], dict | None]:
    """The picked ids, or the list search (when "every client of this search" was ticked)."""
    args = request.values
    if args.get("all") == "1":
        return [], {name: args.get(name, "") for name in client_sets.SEARCH_FIELDS}
    return client_sets.picked_ids(args.getlist("client_id")), None


@bp.route("/for-clients", methods=["GET", "POST"])
@requires("notices.manage")
@write_endpoint
def for_clients():
    """Write one notice for the clients picked on the list; a large set is made by a job."""
    ids, search = _chosen()
    if request.method == "GET":
        form = ClientSetNoticeForm(data={"valid_from": local_today()})
        errors: dict[str, str] = {}
    else:
        form = ClientSetNoticeForm()
        form.validate()
        client_ids = client_sets.chosen_ids(current_user, ids, search)
        errors = client_sets.set_problems(form.values(), current_user, client_ids)
        for name, message in errors.items():
            if name in form and not form[name].errors:
                form[name].errors = [message]
        if not errors and not any(field.errors for field in form):
            if len(client_ids) > client_sets.DIRECT_MOST:
                started = start_job(
                    FOR_CLIENTS,
                    ngettext(
                        "Aviso para %(num)d cliente", "Aviso para %(num)d clientes", len(client_ids)
                    ),
                    current_user.id,
                    client_sets.job_params(form.values(), client_ids),
                )
                return redirect(url_for("jobs.show", job_id=started.id), 303)
            try:
                notices = client_sets.create_for_clients(form.values(), current_user, client_ids)
            except NoticeError as exc:  # pragma: no cover - set_problems said the same
                errors = exc.fields
            else:
                flash(
                    ngettext(
                        "Se creó el aviso para %(num)d cliente.",
                        "Se creó el aviso para %(num)d clientes.",
                        len(notices),
                    ),
                    "success",
                )
                return redirect(url_for("notices.index"), 303)
    count, first = client_sets.preview(current_user, ids, search)
    status = 422 if request.method == "POST" else 200
    return render(
        "notices/for_clients.html",
        status=status,
        form=form,
        ids=ids,
        search=search,
        count=count,
        first=first,
        set_error=errors.get("client_ids"),
        too_many=count > client_sets.SET_MOST,
        by_job=count > client_sets.DIRECT_MOST,
    )
