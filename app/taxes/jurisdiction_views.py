"""The office's pages for the IIBB jurisdictions: list, create and edit (audited)."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from app.auth.permissions import requires
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.extensions import db
from app.taxes import jurisdictions as services
from app.taxes.blueprint import bp
from app.taxes.jurisdiction_forms import JurisdictionForm
from app.taxes.models import IibbJurisdiction


@bp.get("/jurisdictions/")
@requires("taxes.registry")
def jurisdictions():
    """The jurisdictions the company perceives for, with their registry layout."""
    return render(
        "taxes/jurisdictions.html",
        jurisdictions=services.all_jurisdictions(),
        layouts=services.LAYOUT_LABELS,
    )


@bp.route("/jurisdictions/new", methods=["GET", "POST"])
@bp.route("/jurisdictions/<int:jurisdiction_id>", methods=["GET", "POST"])
@requires("taxes.registry")
@write_endpoint
def jurisdiction(jurisdiction_id: int | None = None):
    """Add a jurisdiction, or change one's settings."""
    row = db.get_or_404(IibbJurisdiction, jurisdiction_id) if jurisdiction_id else None
    form = JurisdictionForm(obj=row)
    if row is None and request.method == "GET":
        form.active.data = form.include_multilateral.data = True
    if form.validate_on_submit():
        try:
            row = services.save_jurisdiction(row, form.values())
        except services.JurisdictionError as exc:
            for field, message in exc.fields.items():
                form[field].errors.append(message)
        else:
            flash(
                _("Se guardó la jurisdicción %(code)s · %(name)s.", code=row.code, name=row.name),
                "success",
            )
            return redirect(url_for("taxes.jurisdictions"), 303)
    status = 422 if request.method == "POST" else 200
    return render("taxes/jurisdiction_form.html", form=form, row=row, status=status)
