"""The notices' background job: one notice for a large set of clients."""

from flask_babel import gettext as _
from flask_babel import ngettext

from app.audit import services as audit
from app.auth.models import User
from app.extensions import db
from app.jobs.queue import JobContext, JobRefused, job
from app.notices import client_sets
from app.notices.services import NoticeError

FOR_CLIENTS = "notices.for_clients"


@job(FOR_CLIENTS, result_template="notices/_set_result.html")
def for_clients_job(ctx: JobContext) -> dict:
    """Make a client notice for each client of the set, all in the job's one transaction."""
    user = db.session.get(User, ctx.user_id) if ctx.user_id else None
    if user is None:
        raise JobRefused(_("La persona que pidió el aviso ya no existe."))
    values, client_ids = client_sets.values_from_job(ctx.params)
    ctx.progress(0, len(client_ids), _("Creando avisos"))
    try:
        with audit.acting_as(user.id):
            notices = client_sets.create_for_clients(values, user, client_ids)
    except NoticeError as exc:
        raise JobRefused("; ".join(exc.fields.values())) from exc
    ctx.progress(len(notices), len(client_ids), _("Creando avisos"))
    return {
        "clients": len(notices),
        "summary": ngettext(
            "Se creó el aviso para %(num)d cliente.",
            "Se creó el aviso para %(num)d clientes.",
            len(notices),
        ),
    }
