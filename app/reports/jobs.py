"""The reports' background job: the ABC rating, on demand (cron runs `flask abc-rating`)."""

from flask_babel import gettext as _

from app.clients.models import Client
from app.extensions import db
from app.jobs.queue import JobContext, job
from app.reports.abc import rate_clients

ABC = "reports.abc"
SHOWN = 50


@job(ABC, result_template="reports/_abc_result.html")
def abc_job(ctx: JobContext) -> dict:
    """Rate every customer A, B or C from the last 12 months' sales (pinned ratings stay)."""
    ctx.progress(0, None, _("Sumando las ventas de 12 meses"))
    run = rate_clients(
        dry_run=False,
        progress=lambda done, total: ctx.progress(done, total, _("Guardando calificaciones")),
    )
    result = run.to_dict() | {"start": f"{run.start:%d/%m/%Y}", "end": f"{run.end:%d/%m/%Y}"}
    shown = result["changes"][:SHOWN]
    names = {
        client.id: client
        for client in db.session.scalars(
            db.select(Client).where(Client.id.in_([each["client_id"] for each in shown]))
        )
    }
    result["changes"] = [
        each
        | {"code": names[each["client_id"]].code, "name": names[each["client_id"]].display_name}
        for each in shown
    ]
    return result
