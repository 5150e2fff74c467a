"""The back office's client import (check, then confirm) and the client list's export."""

from flask import Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import requires
from app.clients import transfer_export
from app.clients.blueprint import bp
from app.clients.jobs import EXPORT, IMPORT, TYPES
from app.clients.transfer_rules import CLIENT_COLUMNS
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.spreadsheets import file_bytes
from app.core.uploads import large_upload
from app.extensions import db
from app.jobs.models import Job
from app.jobs.queue import start_job, visible_job

FILTERS = ("q", "state", "client_type_id", "sales_zone_id", "salesperson_id", "collector_id",
           "segment1_id", "family_id", "credit", "sort")  # fmt: skip
EXPORTED_AT_ONCE = 2_000  # longer lists are written by a background job


def _page(status: int = 200, **context) -> Response:
    """The import page: the upload form, or a report and the confirm step."""
    return render(
        "clients/import.html",
        status=status,
        columns=CLIENT_COLUMNS,
        attributes=transfer_export.custom_headers(),
        **context,
    )


@bp.get("/import")
@requires("clients.import")
def import_page():
    """Upload a CSV or XLSX of clients to check it."""
    return _page()


@bp.post("/import")
@requires("clients.import")
@large_upload
def check_import():
    """Check the uploaded file in the background (nothing changes); its job's page shows the
    report and offers the import."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(422, upload_error=_("Elegí un archivo .csv o .xlsx."))
    data, filename = file_bytes(upload)
    started = start_job(
        IMPORT,
        _("Verificación de %(file)s", file=filename),
        current_user.id,
        {"dry_run": True},
        files=[(filename, upload.mimetype or "application/octet-stream", data)],
    )
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=started.id), 303)


@bp.post("/import/confirm")
@requires("clients.import")
@write_endpoint
def confirm_import():
    """Import a checked file, every row or only the valid ones, as a new background job."""
    checked = transfer_job(request.form.get("job_id"))
    if checked is None:
        return _page(422, upload_error=_("Esa verificación ya no está: subí el archivo de nuevo."))
    (upload,) = [each for each in checked.files if each.role == "input"]
    valid_only = request.form.get("mode") == "valid"
    started = start_job(
        IMPORT,
        _("Importación de %(file)s", file=upload.name),
        current_user.id,
        {"dry_run": False, "valid_only": valid_only, "checked_by_job": checked.id},
        files=[(upload.name, upload.content_type, upload.data)],
    )
    return redirect(url_for("jobs.show", job_id=started.id), 303)


def transfer_job(raw: str | None) -> Job | None:
    """The user's own dry-run import job named in a form, with its file still kept."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    checked = visible_job(int(text), current_user.id, sees_all=False)
    if checked is None or checked.kind != IMPORT or not checked.params.get("dry_run"):
        return None
    if not any(each.role == "input" for each in checked.files):
        return None  # its files were forgotten (JOBS_FILES_DAYS)
    return checked


@bp.get("/import/template.<fmt>")
@requires("clients.import")
def import_template(fmt: str):
    """The import template with its columns and two example rows."""
    if fmt not in TYPES:
        abort(404)
    return _download(transfer_export.template_file(fmt), fmt, _("plantilla-clientes"))


@bp.get("/export.<fmt>")
@requires("clients.export")
def export(fmt: str):
    """The client list as the user sees it with the list's filters, as CSV or XLSX."""
    if fmt not in TYPES:
        abort(404)
    filters = {name: request.args.get(name, "") for name in FILTERS}
    if transfer_export.export_size(current_user, filters) > EXPORTED_AT_ONCE:
        started = start_job(
            EXPORT,
            _("Exportación de clientes (%(fmt)s)", fmt=fmt.upper()),
            current_user.id,
            {"filters": filters, "format": fmt, "name": _("clientes")},
        )
        db.session.commit()
        return redirect(url_for("jobs.show", job_id=started.id), 303)
    data = transfer_export.export_clients(current_user, filters, fmt)
    return _download(data, fmt, _("clientes"))


def _download(data: bytes, fmt: str, name: str) -> Response:
    """A file the browser saves."""
    response = Response(data, mimetype=TYPES[fmt])
    if fmt == "csv":
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
