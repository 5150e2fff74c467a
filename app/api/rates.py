"""The JSON API for exchange rates: the table by currency and days, and a day's rate."""

from flask import jsonify

from app.api.blueprint import bp
from app.api.common import load_json, query_args, refusals
from app.api.docs import api_doc, name_schemas, read_errors, write_errors
from app.auth.permissions import requires
from app.core.idempotency import write_endpoint
from app.extensions import db
from app.rates import services as rates
from app.rates.schemas import NewRateSchema, RateArgsSchema, RateListSchema, RateSchema

name_schemas(
    ExchangeRate=RateSchema, ExchangeRateList=RateListSchema, NewExchangeRate=NewRateSchema
)
# Two years of days of one currency: the list has no pages.
MAX_RATES = 1000


@bp.get("/exchange-rates")
@api_doc(
    "The exchange rates (pesos per unit), newest day first, up to 1000; filtered by currency "
    "and by days (from, to: both included)",
    query=RateArgsSchema,
    answers={"200": ("The rates", "ExchangeRateList")},
    errors=read_errors(),
)
@requires("rates.view")
@refusals()
def list_exchange_rates():
    """The exchange rates, newest day first, by currency and days."""
    args = query_args(RateArgsSchema())
    query = rates.list_rates(args.get("currency"), args.get("start"), args.get("end"))
    rows = db.session.scalars(query.limit(MAX_RATES)).all()
    return jsonify(RateListSchema().dump({"items": rows}))


@bp.post("/exchange-rates")
@api_doc(
    "Set a day's rate of a currency: one rate per currency and day, so a day that has one "
    "gets it replaced (200; the audit log keeps the rate it had); a new day answers 201",
    body=("The day, the currency and the rate", "NewExchangeRate"),
    answers={
        "201": ("The rate, new for that day", "ExchangeRate"),
        "200": ("The rate, replacing the day's earlier one", "ExchangeRate"),
    },
    errors=write_errors(),
)
@requires("rates.manage")
@write_endpoint
@refusals(rates.RateError)
def save_exchange_rate():
    """Set a day's rate of a currency, replacing the day's earlier one."""
    data = load_json(NewRateSchema())
    saved = rates.save_rate(data["date"], data["currency"], data["rate"])
    return jsonify(RateSchema().dump(saved.row)), 200 if saved.replaced is not None else 201
