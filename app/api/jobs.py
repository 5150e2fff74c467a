"""The JSON API for background jobs: how far one got and what it left."""

from flask import abort, jsonify, url_for
from flask_login import current_user

from app.api.blueprint import bp
from app.api.docs import OUT_OF_SCOPE, api_doc, name_schemas, read_errors
from app.auth.permissions import can, requires
from app.jobs import queue
from app.jobs.schemas import JobSchema

name_schemas(Job=JobSchema)


@bp.get("/jobs/<int:job_id>")
@api_doc(
    "A background job the caller started (any job, for the admin): its state, progress and, "
    "once ended, its result or error; poll it until the state is done or failed",
    answers={"200": ("The job", "Job")},
    errors=read_errors(OUT_OF_SCOPE),
)
@requires("app.use")
def job(job_id: int):
    """One job's state and progress."""
    row = queue.visible_job(job_id, current_user.id, can(current_user, "jobs.all"))
    if row is None:
        abort(404)
    progress = queue.progress_of(row)
    files = [
        {
            "id": each.id,
            "name": each.name,
            "size": each.size,
            "url": url_for("jobs.download", job_id=row.id, file_id=each.id),
        }
        for each in row.files
        if each.role == "output"
    ]
    body = {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "state": row.state,
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "message": progress.message,
        "result": row.result,
        "error": row.error,
        "attempts": row.attempts,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "files": files,
    }
    return jsonify(JobSchema().dump(body))
