"""The JSON API of the reports: rankings, clients at risk, inactive clients, monthly trends and a
client's purchases, always within the caller's scope."""

from flask import jsonify
from flask_login import current_user

import app.reports.purchases as purchases
import app.reports.risk as risk
import app.reports.services as services
from app.api.blueprint import bp
from app.api.common import query_args, refusals, visible_client
from app.api.docs import OUT_OF_SCOPE, api_doc, name_schemas, read_errors
from app.auth.permissions import requires
from app.core.types import local_today
from app.reports.jobs import refresh_risk_if_stale
from app.reports.schemas import (
    AtRiskSchema,
    InactiveArgsSchema,
    InactiveSchema,
    PurchasesSchema,
    RankingArgsSchema,
    RankingSchema,
    TrendArgsSchema,
    TrendSchema,
)

report_refusals = refusals(services.ReportError)

name_schemas(
    Ranking=RankingSchema,
    ClientsAtRisk=AtRiskSchema,
    InactiveClients=InactiveSchema,
    Trend=TrendSchema,
    Purchases=PurchasesSchema,
)

FILTERS = tuple(services.CLIENT_FILTERS)


@bp.get("/reports/ranking")
@api_doc(
    "Clients, products or salespeople by sales, collections or margin over a period, largest "
    "first, in pesos (sales: invoices and debit notes less credit notes, voided ones left out, "
    "at each document's rate); only the clients in the caller's scope count",
    query=RankingArgsSchema,
    answers={"200": ("The ranking", "Ranking")},
    errors=read_errors(),
)
@requires("reports.view")
@report_refusals
def ranking():
    """A ranking over a period."""
    args = query_args(RankingArgsSchema())
    today = local_today()
    end = args.get("end") or today
    start = args.get("start") or end.replace(day=1)
    filters = {name: args.get(name) for name in FILTERS}
    result = services.ranking(
        current_user, args["by"], args["of"], start, end, filters, limit=args["limit"]
    )
    return jsonify(RankingSchema().dump(result))


@bp.get("/reports/at-risk")
@api_doc(
    "Clients at risk in the caller's scope, each with the reasons that put it there (overdue "
    "growing month on month, broken promises, paying slower, credit use above 90 % of the "
    "limit, sales falling) and the page that shows each, as the last run found them (it runs "
    "nightly, and again when asked or when the thresholds change)",
    answers={"200": ("The clients at risk, most reasons first", "ClientsAtRisk")},
    errors=read_errors(),
)
@requires("reports.view")
def at_risk():
    """The clients at risk, with their reasons."""
    refresh_risk_if_stale(current_user.id)
    run = risk.last_run()
    found = risk.listed(current_user)
    items = [
        {
            "client_id": each.client_id,
            "code": each.code,
            "name": each.name,
            "reasons": [
                {
                    "code": reason.code,
                    "message": risk.reason_message(reason),
                    "evidence": risk.evidence_url(each.client_id, reason),
                }
                for reason in each.reasons
            ],
        }
        for each in found
    ]
    answer = {"items": items, "day": run.day if run else None}
    answer["computed_at"] = run.finished_at if run else None
    return jsonify(AtRiskSchema().dump(answer))


@bp.get("/reports/inactive")
@api_doc(
    "Clients in the caller's scope who bought before but have had no invoice in `days` days",
    query=InactiveArgsSchema,
    answers={"200": ("The inactive clients, longest first", "InactiveClients")},
    errors=read_errors(),
)
@requires("reports.view")
def inactive():
    """Clients with no invoice in the last days."""
    args = query_args(InactiveArgsSchema())
    days = args.get("days") or services.report_settings().inactive_days
    found = risk.inactive_clients(current_user, local_today(), days)
    return jsonify(InactiveSchema().dump({"days": days, "items": found}))


@bp.get("/reports/trend")
@api_doc(
    "Sales and collections per month in pesos, each beside the same month a year before: of "
    "one client, of one product, or of the caller's clients the filters leave (a zone, a "
    "salesperson...)",
    query=TrendArgsSchema,
    answers={"200": ("The months, oldest first", "Trend")},
    errors=read_errors(OUT_OF_SCOPE),
)
@requires("reports.view")
def trend():
    """Monthly sales and collections against the year before."""
    args = query_args(TrendArgsSchema())
    client_id = args.get("client_id")
    if client_id is not None:
        visible_client(client_id)
    filters = {name: args.get(name) for name in FILTERS}
    points = services.monthly_trend(
        current_user,
        local_today(),
        args["months"],
        filters,
        client_id=client_id,
        product_id=args.get("product_id"),
    )
    return jsonify(TrendSchema().dump({"months": points}))


@bp.get("/clients/<int:client_id>/purchases")
@api_doc(
    "What a client bought over the last 12 months: each product of each invoice and note "
    "(newest first), a summary per product, and what it stopped buying",
    answers={"200": ("The purchases", "Purchases")},
    errors=read_errors(OUT_OF_SCOPE),
)
@requires("clients.view")
def client_purchases(client_id: int):
    """A client's purchase history."""
    client = visible_client(client_id)
    history = purchases.purchases(client, local_today())
    body = {
        "client_id": client.id,
        "lines": history.lines,
        "products": history.products,
        "stopped": history.stopped,
    }
    return jsonify(PurchasesSchema().dump(body))
