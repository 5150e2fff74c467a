"""A job as its user follows it: the progress bar the page polls, the result, the files."""

from io import BytesIO

import sqlalchemy as sa
from flask import abort, send_file
from flask_login import current_user

from app.auth.permissions import can, requires
from app.core.rendering import render
from app.extensions import db
from app.jobs import queue
from app.jobs.blueprint import bp
from app.jobs.models import Job

POLL_SECONDS = 1
LISTED = 30


def _job_or_404(job_id: int) -> Job:
    row = queue.visible_job(job_id, current_user.id, can(current_user, "jobs.all"))
    if row is None:
        abort(404)
    return row


@bp.get("/")
@requires("app.use")
def index():
    """The last jobs the user started (every user's, for the admin)."""
    query = sa.select(Job).order_by(Job.id.desc()).limit(LISTED)
    if not can(current_user, "jobs.all"):
        query = query.where(Job.user_id == current_user.id)
    return render("jobs/index.html", jobs=db.session.scalars(query).all())


@bp.get("/<int:job_id>")
@requires("app.use")
def show(job_id: int):
    """The job's page; an htmx poll gets only its status, until the job ends."""
    row = _job_or_404(job_id)
    handler = queue.handler_for(row.kind)
    return render(
        "jobs/show.html",
        block="status",
        job=row,
        progress=queue.progress_of(row),
        result_template=handler.result_template if handler else None,
        outputs=[each for each in row.files if each.role == "output"],
        poll_seconds=POLL_SECONDS,
    )


@bp.get("/<int:job_id>/files/<int:file_id>")
@requires("app.use")
def download(job_id: int, file_id: int):
    """A file the job made (an export)."""
    kept = queue.output_file(_job_or_404(job_id), file_id)
    if kept is None:
        abort(404)
    return send_file(
        BytesIO(kept.data),
        mimetype=kept.content_type,
        as_attachment=True,
        download_name=kept.name,
    )
