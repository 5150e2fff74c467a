"""The reports' pages: the supervisor's dashboard, rankings with their downloads, clients at
risk and inactive, and a client's purchase history."""

from datetime import date
from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError

import app.reports.mapping as mapping
import app.reports.performance as performance
import app.reports.purchases as purchases
import app.reports.risk as risk
import app.reports.services as services
from app.auth.permissions import requires
from app.clients import services as clients
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.types import local_today
from app.jobs.queue import start_job
from app.reports.blueprint import bp
from app.reports.charts import paired_bars
from app.reports.forms import ReportSettingsForm
from app.reports.jobs import ABC, refresh_risk, refresh_risk_if_stale
from app.reports.schemas import RankingArgsSchema, TrendArgsSchema
from app.reports.tables import csv_bytes, xlsx_bytes

# the clients a list page shows; the downloads have them all
SHOWN = 500
MEASURE_LABELS = {"sales": _l("Ventas"), "collections": _l("Cobranzas"), "margin": _l("Margen")}
SUBJECT_LABELS = {
    "clients": _l("Clientes"),
    "products": _l("Productos"),
    "salespeople": _l("Vendedores"),
}
FILTER_FIELDS = {
    "zone_id": ("sales_zone_id", _l("Zona")),
    "salesperson_id": ("salesperson_id", _l("Vendedor")),
    "collector_id": ("collector_id", _l("Cobrador")),
    "client_type_id": ("client_type_id", _l("Tipo de cliente")),
    "segment_id": ("segment1_id", _l("Segmento")),
    "category_id": ("category1_id", _l("Categoría")),
}
TOP = 5


def _period(args: dict, today: date) -> tuple[date, date]:
    """The period asked for; by default from the 1st of this month to today."""
    end = args.get("end") or today
    return args.get("start") or end.replace(day=1), end


def _filters(args: dict) -> dict:
    """The client filters asked for."""
    return {name: args.get(name) for name in services.CLIENT_FILTERS}


def _filter_options() -> dict:
    """The choices of the filter bar."""
    return {name: clients.choosable(field) for name, (field, _label) in FILTER_FIELDS.items()}


def _chart(points: list[services.TrendPoint]):
    """The sales trend as paired bars."""
    return paired_bars([(p.month, p.sales, p.sales_year_before) for p in points])


def _percent(value) -> str:
    """A threshold as people write it: 80, 15.5."""
    return str(int(value)) if value == value.to_integral_value() else f"{value.normalize():f}"


@bp.get("/")
@requires("reports.dashboard")
def dashboard():
    """The supervisor's dashboard: this month's sales and trend, the leaders, who is at risk
    or idle. The page comes at once; its sections (each a report of its own, up to a second at
    100,000 clients) fill in as they arrive (`dashboard_section`)."""
    today = local_today()
    settings = services.report_settings()
    return render(
        "reports/dashboard.html",
        start=today.replace(day=1),
        end=today,
        at_risk=_at_risk_count(),
        abc_a=_percent(settings.abc_a_pct),
        abc_b=_percent(settings.abc_b_pct),
    )


@bp.get("/dashboard/<any(month, leaders, idle):section>")
@requires("reports.dashboard")
def dashboard_section(section: str):
    """One section of the dashboard: the month's sales and trend, the month's leaders, or the
    clients without invoices."""
    today = local_today()
    start = today.replace(day=1)
    if section == "month":
        points = services.monthly_trend(current_user, today)
        return render_template(
            "reports/_dashboard_month.html", month=points[-1], points=points, chart=_chart(points)
        )
    if section == "leaders":
        return render_template(
            "reports/_dashboard_leaders.html",
            clients=services.ranking(current_user, "sales", "clients", start, today, limit=TOP),
            products=services.ranking(current_user, "sales", "products", start, today, limit=TOP),
            salespeople=services.ranking(current_user, "sales", "salespeople", start, today),
        )
    days = services.report_settings().inactive_days
    return render_template(
        "reports/_dashboard_idle.html",
        inactive=risk.inactive_count(current_user, today, days),
        inactive_days=days,
    )


def _at_risk_count() -> int:
    """How many clients in scope are at risk, by the last run (started again when stale)."""
    refresh_risk_if_stale(current_user.id)
    return risk.listed_count(current_user)


def _ranking_query() -> tuple[dict, dict]:
    """The ranking's arguments from the query string, and the errors per field."""
    raw = request.args.to_dict()
    try:
        return RankingArgsSchema().load(raw), {}
    except ValidationError as error:
        messages = {name: " ".join(map(str, texts)) for name, texts in error.messages.items()}
        return {}, messages


@bp.get("/ranking")
@requires("reports.view")
def ranking():
    """A ranking of clients, products or salespeople by sales, collections or margin."""
    args, errors = _ranking_query()
    today = local_today()
    start, end = _period(args, today)
    result = None
    if not errors:
        try:
            result = services.ranking(
                current_user,
                args["by"],
                args["of"],
                start,
                end,
                _filters(args),
                limit=args["limit"],
            )
        except services.ReportError as refused:
            errors = refused.fields
    return render(
        "reports/ranking.html",
        block="report",
        result=result,
        errors=errors,
        by=args.get("by", request.args.get("by", "sales")),
        of=args.get("of", request.args.get("of", "clients")),
        start=start,
        end=end,
        filters=_filters(args),
        options=_filter_options(),
        filter_fields=FILTER_FIELDS,
        measures=MEASURE_LABELS,
        subjects=SUBJECT_LABELS,
        download_args={k: v for k, v in request.args.items() if v},
    )


@bp.get("/trend")
@requires("reports.view")
def trend():
    """Sales per month beside the same month a year before: of the clients a zone, a
    salesperson or a type leaves, or of one product."""
    try:
        args, errors = TrendArgsSchema().load(request.args.to_dict()), {}
    except ValidationError as error:
        args = {}
        errors = {name: " ".join(map(str, texts)) for name, texts in error.messages.items()}
    product = None
    if args.get("product_id") is not None:
        product = services.product(args["product_id"])
        if product is None:
            errors["product_id"] = _("Ese producto no existe.")
    points = []
    if not errors:
        points = services.monthly_trend(
            current_user,
            local_today(),
            args["months"],
            _filters(args),
            product_id=args.get("product_id"),
        )
    now = sum((p.sales for p in points), services.ZERO)
    before = sum((p.sales_year_before for p in points), services.ZERO)
    return render(
        "reports/trend.html",
        block="report",
        status=422 if errors else 200,
        errors=errors,
        points=points,
        chart=_chart(points) if points else None,
        months=args.get("months", 12),
        product=product,
        filters=_filters(args),
        options=_filter_options(),
        filter_fields=FILTER_FIELDS,
        total=now,
        total_before=before,
        change=((now - before) * 100 / before).quantize(Decimal("1")) if before else None,
    )


@bp.get("/ranking.<any(csv, xlsx):fmt>")
@requires("reports.view")
def ranking_download(fmt: str):
    """The ranking as a CSV or XLSX file."""
    args, errors = _ranking_query()
    if errors:
        abort(422)
    start, end = _period(args, local_today())
    try:
        result = services.ranking(
            current_user, args["by"], args["of"], start, end, _filters(args), limit=100_000
        )
    except services.ReportError:
        abort(422)
    header = [
        _("Puesto"),
        _("Código"),
        _("Nombre"),
        str(MEASURE_LABELS[result.by]),
        _("Parte del total"),
    ]
    if result.of == "products":
        header.append(_("Cantidad"))
    rows = [
        [place, item.code or "", item.name, item.total, item.share]
        + ([item.quantity] if result.of == "products" else [])
        for place, item in enumerate(result.items, start=1)
    ]
    name = f"ranking-{result.of}-{result.by}-{start.isoformat()}-{end.isoformat()}.{fmt}"
    return _download(fmt, name, str(SUBJECT_LABELS[result.of]), header, rows)


def _download(fmt: str, filename: str, title: str, header: list, rows: list) -> Response:
    """A table as a file to download."""
    if fmt == "csv":
        response = Response(csv_bytes(header, rows), mimetype="text/csv")
        response.charset = "utf-8"
    else:
        response = Response(
            xlsx_bytes(title, header, rows),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


PERFORMANCE_ROWS = (
    ("planned", _l("Visitas de la ruta"), False),
    ("planned_made", _l("Hechas de la ruta"), False),
    ("visits", _l("Visitas hechas (con las fuera de ruta)"), False),
    ("skipped", _l("Visitas salteadas"), False),
    ("orders", _l("Pedidos"), False),
    ("sales", _l("Ventas"), True),
    ("average_ticket", _l("Ticket promedio"), True),
    ("collections", _l("Cobranzas"), True),
    ("new_clients", _l("Clientes nuevos"), False),
)


def _performance_period() -> tuple[date, date, dict]:
    """The period asked for (default this month to today), and the errors per field."""
    try:
        args = RankingArgsSchema(only=("start", "end")).load(
            {k: v for k, v in request.args.items() if k in ("from", "to")}
        )
    except ValidationError as error:
        messages = {name: " ".join(map(str, texts)) for name, texts in error.messages.items()}
        args = {}
        return *_period(args, local_today()), messages
    start, end = _period(args, local_today())
    if end < start:
        return start, end, {"to": _("La fecha final es anterior a la inicial.")}
    return start, end, {}


@bp.get("/salespeople")
@requires("reports.view")
def salespeople():
    """Each salesperson's visits, orders, sales, collections and new clients, beside the
    period before."""
    start, end, errors = _performance_period()
    rows = [] if errors else performance.performance(current_user, start, end)
    return render(
        "reports/salespeople.html",
        block="report",
        rows=rows,
        errors=errors,
        start=start,
        end=end,
        measures=PERFORMANCE_ROWS,
        download_args={k: v for k, v in request.args.items() if v},
    )


@bp.get("/salespeople.<any(csv, xlsx):fmt>")
@requires("reports.view")
def salespeople_download(fmt: str):
    """The salespeople's performance as a CSV or XLSX file."""
    start, end, errors = _performance_period()
    if errors:
        abort(422)
    header = [_("Vendedor")]
    for _name, label, _money in PERFORMANCE_ROWS:
        header += [str(label), _("%(measure)s, período anterior", measure=label)]
    rows = []
    for row in performance.performance(current_user, start, end):
        values = [row.name]
        for name, _label, _money in PERFORMANCE_ROWS:
            values += [getattr(row.current, name), getattr(row.previous, name)]
        rows.append(values)
    name = f"vendedores-{start.isoformat()}-{end.isoformat()}.{fmt}"
    return _download(fmt, name, _("Vendedores"), header, rows)


@bp.get("/at-risk.<any(csv, xlsx):fmt>")
@requires("reports.view")
def at_risk_download(fmt: str):
    """The clients at risk as a CSV or XLSX file, a row per reason."""
    header = [_("Código"), _("Cliente"), _("Motivo")]
    refresh_risk_if_stale(current_user.id)
    rows = [
        [each.code, each.name, risk.reason_message(reason)]
        for each in risk.listed(current_user)
        for reason in each.reasons
    ]
    return _download(
        fmt, f"en-riesgo-{local_today().isoformat()}.{fmt}", _("En riesgo"), header, rows
    )


@bp.get("/inactive.<any(csv, xlsx):fmt>")
@requires("reports.view")
def inactive_download(fmt: str):
    """The inactive clients as a CSV or XLSX file."""
    days = _inactive_days()
    header = [_("Código"), _("Cliente"), _("Última factura"), _("Días")]
    rows = [
        [row.code, row.name, row.last_invoice, row.days]
        for row in risk.inactive_clients(current_user, local_today(), days, limit=None)
    ]
    name = f"sin-compras-{days}-dias-{local_today().isoformat()}.{fmt}"
    return _download(fmt, name, _("Sin compras"), header, rows)


def _inactive_days() -> int:
    """The days asked for, else the setting."""
    raw = request.args.get("days", "")
    days = int(raw) if raw.isdigit() and 1 <= int(raw) <= 3650 else None
    return days or services.report_settings().inactive_days


@bp.get("/at-risk")
@requires("reports.view")
def at_risk():
    """Clients at risk, each reason with a link to its evidence, and the rules written out.

    The list is the last run's (nightly, or after the thresholds change): a stale one starts a
    new run, and the page says when the one shown was made."""
    refreshing = refresh_risk_if_stale(current_user.id)
    found = risk.listed(current_user, SHOWN)
    total = risk.listed_count(current_user) if len(found) == SHOWN else len(found)
    rows = [
        (
            each,
            [
                (risk.reason_message(reason), risk.evidence_url(each.client_id, reason))
                for reason in each.reasons
            ],
        )
        for each in found
    ]
    limits = services.report_settings().risk_thresholds
    return render(
        "reports/at_risk.html",
        rows=rows,
        rules=risk.rule_texts(limits),
        total=total,
        run=risk.last_run(),
        refreshing=refreshing,
    )


@bp.post("/at-risk/refresh")
@requires("reports.dashboard")
@write_endpoint
def refresh_at_risk():
    """Reckon the clients at risk again now, in the background (it runs every night)."""
    started = refresh_risk(current_user.id)
    return redirect(url_for("jobs.show", job_id=started.id), 303)


@bp.get("/inactive")
@requires("reports.view")
def inactive():
    """Clients who bought before and have had no invoice in the last days."""
    days = _inactive_days()
    today = local_today()
    found = risk.inactive_clients(current_user, today, days, limit=SHOWN)
    total = risk.inactive_count(current_user, today, days) if len(found) == SHOWN else len(found)
    return render("reports/inactive.html", block="report", rows=found, days=days, total=total)


CARD_PRODUCTS = 20  # the card shows the top products of the last 12 months


@bp.app_template_global()
def purchase_history_for(client) -> dict:
    """The card's purchase section, drawn with the card so it reads offline: the top products
    of the last 12 months, what the client stopped buying, and its monthly trend."""
    today = local_today()
    history = purchases.purchases(client, today, limit=0)
    points = services.monthly_trend(current_user, today, client_id=client.id)
    return {
        "products": history.products[:CARD_PRODUCTS],
        "stopped": history.stopped,
        "points": points,
        "chart": _chart(points),
    }


@bp.get("/clients/<int:client_id>/purchases")
@requires("clients.view")
def client_purchases(client_id: int):
    """A client's purchase history: what it bought, what it stopped buying, its trend."""
    client = clients.visible_client(current_user, client_id)
    today = local_today()
    history = purchases.purchases(client, today)
    points = services.monthly_trend(current_user, today, client_id=client.id)
    return render(
        "reports/purchases.html",
        block="purchases",
        client=client,
        history=history,
        points=points,
        chart=_chart(points),
    )


@bp.get("/map")
@requires("reports.view")
def clients_map():
    """The clients in scope on a map, coloured by ABC rating or by risk."""
    by = "risk" if request.args.get("by") == "risk" else "abc"
    if by == "risk":
        refresh_risk_if_stale(current_user.id)
    found = mapping.clients_on_map(current_user, by, local_today())
    points = [
        {
            "n": None,
            "name": each.name,
            "lat": float(each.latitude) if each.latitude is not None else None,
            "lng": float(each.longitude) if each.longitude is not None else None,
            "state": each.state,
            "href": url_for("clients.card", client_id=each.client_id),
            "detail": each.detail,
        }
        for each in found
    ]
    return render("reports/map.html", points=points, by=by)


@bp.post("/abc")
@requires("reports.abc")
@write_endpoint
def run_abc():
    """Rate the clients A, B or C now, as the nightly command does, in the background."""
    started = start_job(ABC, _("Calificación ABC"), current_user.id)
    return redirect(url_for("jobs.show", job_id=started.id), 303)


@bp.route("/settings", methods=["GET", "POST"])
@requires("reports.settings")
@write_endpoint
def settings():
    """The back office's settings of the reports: ABC shares, inactive days, at-risk thresholds."""
    stored = services.report_settings()
    form = ReportSettingsForm()
    if request.method == "GET":
        form.fill(stored)
    elif form.validate_on_submit():
        if services.save_report_settings(form.values()):
            flash(_("Ajustes guardados."), "success")
        else:
            flash(_("No había cambios."), "info")
        return redirect(url_for("reports.settings"), 303)
    else:
        return render("reports/settings.html", form=form), 422
    return render("reports/settings.html", form=form)
