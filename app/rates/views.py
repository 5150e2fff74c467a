"""The back office's exchange-rate page: the rates by day, and the form to type one."""

from datetime import timedelta

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from app.auth.permissions import requires
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.templating import date_short
from app.core.types import local_today
from app.extensions import db
from app.rates import services
from app.rates.blueprint import bp
from app.rates.models import FOREIGN_CURRENCIES

DAYS_SHOWN = 62


def _page(status: int = 200, values: dict | None = None, errors: dict | None = None):
    """The form and the rates of the last two months."""
    today = local_today()
    if values is None:
        values = {"date": today.isoformat(), "currency": FOREIGN_CURRENCIES[0], "rate": ""}
    rows = db.session.scalars(services.list_rates(since=today - timedelta(days=DAYS_SHOWN))).all()
    return render(
        "rates/index.html",
        status=status,
        values=values,
        errors=errors or {},
        rows=rows,
        currencies=[(c, c) for c in FOREIGN_CURRENCIES],
        today_missing=[c for c in FOREIGN_CURRENCIES if services.rate_on(c, today) is None],
    )


@bp.route("/", methods=["GET", "POST"])
@requires("rates.manage")
@write_endpoint
def index():
    """The exchange rates by day; typing a day's rate again replaces it (audited)."""
    if request.method == "GET":
        return _page()
    values = {name: (request.form.get(name) or "").strip() for name in ("date", "currency", "rate")}
    try:
        day, currency, rate = services.parse_rate_form(values)
        saved = services.save_rate(day, currency, rate)
    except services.RateError as exc:
        db.session.rollback()
        return _page(422, values, exc.fields)
    if saved.replaced is not None:
        message = _(
            "Cotización de %(currency)s del %(date)s reemplazada (antes %(before)s).",
            currency=currency,
            date=date_short(day),
            before=f"{saved.replaced:f}",
        )
    else:
        message = _(
            "Cotización de %(currency)s del %(date)s guardada.",
            currency=currency,
            date=date_short(day),
        )
    flash(message, "success")
    return redirect(url_for("rates.index"), 303)
