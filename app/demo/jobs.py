"""Demo background jobs: the office's past bulk reminder and its last IIBB registry import,
as /jobs shows them once they ended."""

import random
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.collections.jobs import BULK_MAIL
from app.collections.models import EmailSent, EmailTemplate
from app.core.types import local_today, utcnow
from app.extensions import db
from app.jobs.models import Job, JobState
from app.taxes.jobs import IIBB_IMPORT
from app.taxes.models import IibbJurisdiction, IibbRate

BULK_SHOWN = 50


def add_demo_jobs(rng: random.Random, sends: list[EmailSent]) -> None:
    """Two ended jobs of the back office: a bulk reminder (some of the demo's sends) and the
    month's registry import."""
    office = db.session.scalar(sa.select(User).where(User.username == "oficina"))
    if office is None:
        return
    now = utcnow()
    reminder = db.session.scalar(
        sa.select(EmailTemplate).where(EmailTemplate.code == "RECORDATORIO")
    )
    bulk = [row for row in sends if reminder and row.template_id == reminder.id][:12]
    if bulk:
        finished = max(row.sent_at for row in bulk) + timedelta(seconds=rng.randint(5, 40))
        job = Job(
            kind=BULK_MAIL,
            title=f"Envío masivo: {reminder.name}",
            state=JobState.DONE,
            user_id=office.id,
            params={"template_id": str(reminder.id)},
            attempts=1,
            created_at=finished - timedelta(minutes=2),
            started_at=finished - timedelta(minutes=2),
            finished_at=finished,
        )
        db.session.add(job)
        db.session.flush()
        for row in bulk:
            row.job_id, row.sent_by_id = job.id, office.id
        failed = [row for row in bulk if row.status == "failed"]
        job.result = {
            "template": reminder.name,
            "total": len(bulk),
            "sent": len(bulk) - len(failed),
            "failed": len(failed),
            "skipped": 0,
            "failures": [
                {"client_id": row.client_id, "to": row.to_address, "error": row.error}
                for row in failed[:BULK_SHOWN]
            ],
            "skipped_clients": [],
        }
    arba = db.session.scalar(sa.select(IibbJurisdiction).where(IibbJurisdiction.code == "902"))
    rates = db.session.scalar(sa.select(sa.func.count()).select_from(IibbRate))
    if arba is not None and rates:
        first = local_today().replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        started = now - timedelta(days=(local_today() - first).days, hours=3)
        db.session.add(
            Job(
                kind=IIBB_IMPORT,
                title=f"Padrón de IIBB: {arba.name}",
                state=JobState.DONE,
                user_id=office.id,
                params={"jurisdiction_id": arba.id},
                attempts=1,
                created_at=started,
                started_at=started,
                finished_at=started + timedelta(seconds=rng.randint(20, 90)),
                result={
                    "jurisdiction": arba.name,
                    "file": f"PadronRGSPer{first:%m%Y}.zip",
                    "lines": rates,
                    "imported": rates,
                    "skipped": 0,
                    "replaced": 0,
                    "periods": [[f"{first:%d/%m/%Y}", f"{last:%d/%m/%Y}"]],
                    "errors": [],
                },
            )
        )
    db.session.flush()
