"""The collections' background jobs: a bulk e-mail and the delinquency run."""

from flask_babel import gettext as _

from app.auth.models import User
from app.clients.models import Client
from app.collections import services
from app.collections.mail_bulk import bulk_clients, bulk_counts, has_email, parse_bulk_filters
from app.collections.mail_merge import parse_period
from app.collections.mail_sending import job_counts, job_failures, send_bulk
from app.collections.mail_settings import MailError
from app.collections.mail_templates import get_template
from app.extensions import db
from app.jobs.queue import JobContext, JobRefused, job

BULK_MAIL = "mail.bulk"
DELINQUENCY = "collections.delinquency"
SHOWN = 50  # failures and client names a result keeps
BULK_FIELDS = (
    "template_id",
    "zone_id",
    "collector_id",
    "min_overdue",
    "days_overdue",
    "date_from",
    "date_to",
)


def bulk_params(form) -> dict:
    """What a bulk send job needs from the bulk page's form: its filters and template."""
    return {name: (form.get(name) or "").strip() for name in BULK_FIELDS}


def _client_line(client: Client) -> dict:
    return {"id": client.id, "code": client.code, "name": client.display_name}


@job(BULK_MAIL, result_template="collections/_mail_bulk_result.html")
def bulk_mail_job(ctx: JobContext) -> dict:
    """Send a template to the clients the filters select, one message committed at a time."""
    user = db.session.get(User, ctx.user_id) if ctx.user_id else None
    params = ctx.params
    template = get_template(int(params["template_id"])) if params.get("template_id") else None
    errors: dict[str, str] = {}
    filters, filter_errors = parse_bulk_filters(params)
    period = parse_period(params.get("date_from"), params.get("date_to"), errors)
    if template is None or user is None or filter_errors or errors:
        raise JobRefused(_("El envío ya no se puede hacer: la planilla o el filtro cambiaron."))
    query = bulk_clients(user, filters)
    total, without_email = bulk_counts(query)
    ctx.progress(0, total, _("Enviando"))
    try:
        send_bulk(
            template,
            query,
            user,
            period,
            job_id=ctx.job_id,
            progress=lambda done, all_: ctx.progress(done, all_, _("Enviando")),
        )
    except MailError as error:
        raise JobRefused(" ".join(str(message) for message in error.fields.values())) from error
    counts = job_counts(ctx.job_id)
    skipped = db.session.scalars(query.where(~has_email()).order_by(Client.code).limit(SHOWN)).all()
    return {
        "template": template.name,
        "total": total,
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "skipped": without_email,
        "failures": [
            {"client_id": row.client_id, "to": row.to_address, "error": row.error}
            for row in job_failures(ctx.job_id, SHOWN)
        ],
        "skipped_clients": [_client_line(client) for client in skipped],
    }


@job(DELINQUENCY, result_template="collections/_delinquency_result.html")
def delinquency_job(ctx: JobContext) -> dict:
    """Run the delinquency rule, as the nightly command does."""
    ctx.progress(0, None, _("Revisando las cuentas"))
    run = services.run_delinquency()
    shown = run.marked[:SHOWN] + run.lifted[:SHOWN]
    names = {ident: _client_line(db.session.get(Client, ident)) for ident in shown}
    return {
        "marked": len(run.marked),
        "lifted": len(run.lifted),
        "marked_clients": [names[ident] for ident in run.marked[:SHOWN]],
        "lifted_clients": [names[ident] for ident in run.lifted[:SHOWN]],
    }
