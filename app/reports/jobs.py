"""The reports' background jobs: the ABC rating on demand (cron runs `flask abc-rating`), and
the reckoning of the clients at risk, nightly and on demand."""

from flask_babel import gettext as _

import app.reports.risk as risk
from app.clients.models import Client
from app.core.types import local_today
from app.extensions import db
from app.jobs.models import Job
from app.jobs.queue import JobContext, job, pending, start_job
from app.reports.abc import rate_clients

ABC = "reports.abc"
RISK = "reports.risk"
RISK_TITLE = "Clientes en riesgo: recalcular"
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


@job(RISK, nightly=RISK_TITLE)
def risk_job(ctx: JobContext) -> dict:
    """Reckon every client against the at-risk rules; the page and the API read the result."""
    ctx.progress(0, None, _("Revisando las cuentas de todos los clientes"))
    run = risk.refresh(local_today())
    return {"day": run.day.isoformat(), "clients_at_risk": run.clients_at_risk}


def refresh_risk(user_id: int | None) -> Job:
    """Start a reckoning of the clients at risk, unless one is already on its way."""
    return pending(RISK) or start_job(RISK, RISK_TITLE, user_id)


def refresh_risk_if_stale(user_id: int | None) -> Job | None:
    """Start a reckoning when the last one is from an earlier day or other thresholds (the
    night's run did not happen, or the back office changed a threshold); the job on its way, if
    any. Committed here, so that the queue gets it now."""
    if not risk.is_stale(risk.last_run(), local_today()):
        return None
    started = refresh_risk(user_id)
    db.session.commit()
    return None if started.ended else started
