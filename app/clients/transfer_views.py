"""The back office's client import (check, then confirm) and the client list's export."""

from flask import Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import requires
from app.clients import transfer, transfer_export
from app.clients.blueprint import bp
from app.clients.transfer_rules import CLIENT_COLUMNS
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.spreadsheets import file_bytes

FILTERS = ("q", "state", "client_type_id", "sales_zone_id", "salesperson_id", "collector_id",
           "segment1_id", "family_id", "credit", "sort")  # fmt: skip
TYPES = {"csv": "text/csv", "xlsx": transfer_export.XLSX_TYPE}


def _page(status: int = 200, **context) -> Response:
    """The import page: the upload form, or a report and the confirm step."""
    if context.get("report") is not None:
        context["summary"] = transfer.report_summary(context["report"])
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
def check_import():
    """Keep the uploaded file and check it: what would be created, updated, and each error."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(422, upload_error=_("Elegí un archivo .csv o .xlsx."))
    data, filename = file_bytes(upload)
    upload_id = transfer.store_upload(data, filename)
    report = transfer.run_import(upload_id, filename, current_user, dry_run=True)
    return _page(200 if not report.refused else 422, report=report, upload_id=upload_id)


@bp.post("/import/confirm")
@requires("clients.import")
@write_endpoint
def confirm_import():
    """Import a checked file: every row, or only the valid ones."""
    upload_id, filename = request.form.get("upload", ""), request.form.get("filename", "")
    valid_only = request.form.get("mode") == "valid"
    report = transfer.run_import(
        upload_id, filename, current_user, dry_run=False, valid_only=valid_only
    )
    status = 422 if report.refused else 200
    return _page(status, report=report, upload_id=None if report.applied else upload_id)


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
    data = transfer_export.export_clients(current_user, filters, fmt)
    return _download(data, fmt, _("clientes"))


def _download(data: bytes, fmt: str, name: str) -> Response:
    """A file the browser saves."""
    response = Response(data, mimetype=TYPES[fmt])
    if fmt == "csv":
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
