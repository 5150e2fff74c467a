"""The clients' background jobs: checking and importing a spreadsheet of clients, and
exporting a long client list."""

from flask_babel import gettext as _

from app.auth.models import User
from app.clients import transfer, transfer_export
from app.extensions import db
from app.jobs.queue import JobContext, JobRefused, job

IMPORT = "clients.import"
EXPORT = "clients.export"
TYPES = {"csv": "text/csv", "xlsx": transfer_export.XLSX_TYPE}


def _user(ctx: JobContext) -> User | None:
    return db.session.get(User, ctx.user_id) if ctx.user_id else None


@job(IMPORT, result_template="clients/_import_result.html")
def import_job(ctx: JobContext) -> dict:
    """Check (dry run) or import the uploaded file; a refused file fails the job with its
    report, and writes nothing."""
    (upload,) = ctx.input_files()
    dry_run = bool(ctx.params.get("dry_run", True))
    report = transfer.import_clients(
        upload.data,
        upload.name,
        _user(ctx),
        dry_run=dry_run,
        valid_only=bool(ctx.params.get("valid_only")),
        progress=lambda done, total: ctx.progress(
            done, total, _("Revisando filas") if dry_run else _("Importando")
        ),
    )
    result = report.to_dict() | {"summary": transfer.report_summary(report)}
    if report.refused:
        raise JobRefused(result["summary"], result)
    return result


@job(EXPORT)
def export_job(ctx: JobContext) -> dict:
    """Write the client list (the list page's filters, in the user's scope) to a file."""
    fmt = ctx.params["format"]
    data = transfer_export.export_clients(
        _user(ctx),
        ctx.params.get("filters") or {},
        fmt,
        progress=lambda done, total: ctx.progress(done, total, _("Escribiendo clientes")),
    )
    ctx.keep_output(f"{ctx.params.get('name') or 'clientes'}.{fmt}", TYPES[fmt], data)
    return {"bytes": len(data)}
