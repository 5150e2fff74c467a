"""The admin's pages for the reference tables: one set of views over the domains' registry."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import can, requires
from app.core.changes import Synced
from app.core.idempotency import write_endpoint
from app.core.reference_admin import (
    TABLES,
    AdminTable,
    ReferenceRowError,
    list_query,
    row_label,
)
from app.core.reference_forms import ReferenceForm
from app.core.rendering import render
from app.extensions import db
from app.reference import services
from app.reference.blueprint import reference_bp

PAGE_SIZE = 50


def _table(slug: str) -> AdminTable:
    """The table a URL names (404), if the user may keep it (403)."""
    table = TABLES.get(slug)
    if table is None:
        abort(404)
    if not can(current_user, table.permission):
        abort(403)
    return table


def _form(table: AdminTable, row: Synced | None = None, **kwargs) -> ReferenceForm:
    """The table's form over a row (or empty), with its choices from the database."""
    form = table.form(obj=row, **kwargs)
    if table.choices is not None:
        table.choices(form, row)
    return form


def _form_page(slug: str, table: AdminTable, form: ReferenceForm, row: Synced | None, **context):
    """A row's page: its form, and the toggle that takes it out of use or back."""
    return render(
        "admin/reference/form.html",
        slug=slug,
        kind=table,
        form=form,
        row=row,
        preview=table.preview(form) if table.preview is not None else None,
        **context,
    )


@reference_bp.get("/")
@requires("reference.manage")
def index():
    """The reference tables, with how many rows of each are in use."""
    counts = services.active_counts()
    tables = [
        (slug, table, counts[table.model])
        for slug, table in TABLES.items()
        if can(current_user, table.permission)
    ]
    return render("admin/reference/index.html", tables=tables)


@reference_bp.get("/<kind>/")
@requires("reference.manage")
def rows(kind: str):
    """The rows in use of one table, or its deactivated rows with ?deleted=1."""
    table = _table(kind)
    deleted = request.args.get("deleted") == "1"
    page = db.paginate(
        list_query(table.model, deleted=deleted), per_page=PAGE_SIZE, error_out=False
    )
    return render("admin/reference/list.html", slug=kind, kind=table, page=page, deleted=deleted)


@reference_bp.route("/<kind>/new", methods=["GET", "POST"])
@reference_bp.route("/<kind>/<int:row_id>", methods=["GET", "POST"])
@requires("reference.manage")
@write_endpoint
def edit(kind: str, row_id: int | None = None):
    """Add a row, or change one (its page also takes it out of use or back)."""
    table = _table(kind)
    row = db.get_or_404(table.model, row_id) if row_id else None
    form = _form(table, row)
    if form.validate_on_submit():
        try:
            if row is None:
                row = services.create_row(table.model, form.values())
            else:
                services.update_row(row, form.values())
        except ReferenceRowError as exc:
            for field, message in exc.fields.items():
                form[field].errors.append(message)
        else:
            flash(_("Se guardó %(name)s.", name=row_label(row)), "success")
            return redirect(url_for("reference.rows", kind=kind), 303)
    status = 422 if request.method == "POST" else 200
    return _form_page(kind, table, form, row, status=status)


@reference_bp.post("/<kind>/<int:row_id>/toggle")
@requires("reference.manage")
@write_endpoint
def toggle(kind: str, row_id: int):
    """Deactivate (active=0) or reactivate (active=1) a row; asking for its state is a no-op."""
    table = _table(kind)
    row = db.get_or_404(table.model, row_id)
    active = request.form.get("active")
    if active not in ("0", "1"):
        abort(400)
    try:
        if active == "1":
            services.reactivate_row(row)
        else:
            services.deactivate_row(row)
    except ReferenceRowError as exc:
        form = _form(table, row, formdata=None)  # the row as it is, not the toggle's fields
        return _form_page(kind, table, form, row, toggle_error=exc.fields["deleted"], status=422)
    if active == "1":
        flash(_("Se reactivó %(name)s.", name=row_label(row)), "success")
    else:
        flash(_("Se dio de baja %(name)s.", name=row_label(row)), "success")
    return redirect(url_for("reference.rows", kind=kind), 303)
