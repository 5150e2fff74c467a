"""The loyalty program's pages: the rule (back office) and a client's adjustment by hand."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import requires
from app.clients.services import visible_client
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.extensions import db
from app.loyalty import services
from app.loyalty.blueprint import bp


def _settings_page(status: int = 200, values: dict | None = None, errors: dict | None = None):
    """The rule's form and the nightly command."""
    rule = services.loyalty_settings()
    if values is None:
        values = {
            "amount_per_point": f"{rule.amount_per_point:.2f}",
            "expiry_months": str(rule.expiry_months),
            "active": rule.active,
        }
    return render(
        "loyalty/settings.html", status=status, rule=rule, values=values, errors=errors or {}
    )


@bp.route("/settings", methods=["GET", "POST"])
@requires("loyalty.manage")
@write_endpoint
def settings():
    """The loyalty rule: pesos of invoice per point, months until they expire, on or off."""
    if request.method == "GET":
        return _settings_page()
    values = {
        "amount_per_point": (request.form.get("amount_per_point") or "").strip(),
        "expiry_months": (request.form.get("expiry_months") or "").strip(),
        "active": bool(request.form.get("active")),
    }
    try:
        services.save_settings(values)
    except services.LoyaltyError as exc:
        db.session.rollback()
        return _settings_page(422, values, exc.fields)
    flash(_("Regla de puntos guardada."), "success")
    return redirect(url_for("loyalty.settings"), 303)


@bp.post("/clients/<int:client_id>/adjust")
@requires("loyalty.manage")
@write_endpoint
def adjust(client_id: int):
    """Add or take a client's points by hand, with the reason."""
    client = visible_client(current_user, client_id)
    values = {name: (request.form.get(name) or "").strip() for name in ("points", "note")}
    try:
        services.adjust(client, values["points"], values["note"], current_user.id)
    except services.LoyaltyError as exc:
        db.session.rollback()
        return render(
            "loyalty/adjust.html", status=422, client=client, values=values, errors=exc.fields
        )
    flash(_("Puntos ajustados."), "success")
    return redirect(url_for("clients.card", client_id=client.id) + "#loyalty", 303)
