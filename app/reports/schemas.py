"""JSON shapes of the reports: what a ranking, at-risk and inactive list, trend and purchase
history read and answer."""

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from app.core.fields import (
    NOT_FOUND,
    AnswerSchema,
    QuerySchema,
    choice_field,
    day_field,
    money_field,
    spanish_field,
)
from app.core.routing import MAX_ID
from app.reports.services import MEASURES, SUBJECTS


def _filter_id(description: str) -> fields.Field:
    """An optional id the clients are filtered by."""
    return spanish_field(
        fields.Integer,
        validate=validate.Range(min=1, max=MAX_ID, error=NOT_FOUND),
        metadata={"description": description},
    )


class FilterArgsSchema(QuerySchema):
    """Which clients a report covers, within the caller's scope."""

    zone_id = _filter_id("The clients' sales zone")
    salesperson_id = _filter_id("The clients' salesperson")
    collector_id = _filter_id("The clients' collector")
    client_type_id = _filter_id("The clients' type")
    segment_id = _filter_id("The clients' first segment")
    category_id = _filter_id("The clients' first category")


class RankingArgsSchema(FilterArgsSchema):
    """A ranking: what is measured, of what, over which days."""

    by = choice_field(MEASURES, load_default="sales", metadata={"description": "Default sales"})
    of = choice_field(SUBJECTS, load_default="clients", metadata={"description": "Default clients"})
    start = day_field(
        data_key="from", metadata={"description": "First day, YYYY-MM-DD; default the 1st"}
    )
    end = day_field(data_key="to", metadata={"description": "Last day, YYYY-MM-DD; default today"})
    limit = spanish_field(
        fields.Integer,
        load_default=50,
        validate=validate.Range(min=1, max=500, error=_l("Entre {min} y {max}.")),
        metadata={"description": "How many rows (the total covers them all); default 50"},
    )


class RankingItemSchema(AnswerSchema):
    """One row of a ranking."""

    id = fields.Integer(allow_none=True, metadata={"description": "Null: clients with no one"})
    name = fields.String()
    code = fields.String(allow_none=True)
    total = money_field()
    share = fields.Decimal(
        places=2, as_string=True, metadata={"type": "string", "description": "% of the total"}
    )
    quantity = fields.Decimal(
        places=3,
        as_string=True,
        allow_none=True,
        metadata={"type": "string", "description": "Units sold (products only)"},
    )


class RankingSchema(AnswerSchema):
    """A ranking, from the largest total down."""

    by = fields.String()
    of = fields.String()
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    currency = fields.Constant("ARS")
    items = fields.List(fields.Nested(RankingItemSchema))
    total = money_field(metadata={"description": "Of every row, shown or not"})
    count = fields.Integer(metadata={"description": "Rows in all"})


class RiskReasonSchema(AnswerSchema):
    """Why a client is at risk."""

    code = fields.String(
        metadata={
            "enum": [
                "overdue_growing",
                "broken_promises",
                "paying_slower",
                "credit_use",
                "sales_falling",
            ]
        }
    )
    message = fields.String()
    evidence = fields.String(metadata={"description": "The page that shows it"})


class ClientAtRiskSchema(AnswerSchema):
    """A client at risk and its reasons."""

    client_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    reasons = fields.List(fields.Nested(RiskReasonSchema))


class AtRiskSchema(AnswerSchema):
    """The clients at risk in the caller's scope, as the last run found them."""

    items = fields.List(fields.Nested(ClientAtRiskSchema))
    day = fields.Date(
        allow_none=True, metadata={"description": "The day the last run looked back from"}
    )
    computed_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "When the last run ended (it runs nightly and on demand)"},
    )


class InactiveArgsSchema(QuerySchema):
    """How many days without an invoice make a client inactive."""

    days = spanish_field(
        fields.Integer,
        validate=validate.Range(min=1, max=3650, error=_l("Entre {min} y {max}.")),
        metadata={"description": "Default: the setting (60 days unless changed)"},
    )


class InactiveClientSchema(AnswerSchema):
    """A client with no invoice in the last days."""

    client_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    last_invoice = fields.Date()
    days = fields.Integer(metadata={"description": "Days since the last invoice"})


class InactiveSchema(AnswerSchema):
    """The inactive clients in the caller's scope, longest without buying first."""

    days = fields.Integer()
    items = fields.List(fields.Nested(InactiveClientSchema))


class TrendArgsSchema(FilterArgsSchema):
    """A monthly trend: of one client or of the clients the filters leave."""

    client_id = _filter_id("One client (in the caller's scope)")
    product_id = _filter_id("One product: its sales to the clients in scope (no collections)")
    months = spanish_field(
        fields.Integer,
        load_default=12,
        validate=validate.Range(min=1, max=36, error=_l("Entre {min} y {max}.")),
    )


class TrendPointSchema(AnswerSchema):
    """One month beside the same month a year before."""

    month = fields.Function(lambda p: f"{p.month[0]:04d}-{p.month[1]:02d}")
    sales = money_field()
    sales_year_before = money_field()
    collections = money_field()
    collections_year_before = money_field()


class TrendSchema(AnswerSchema):
    """Sales and collections per month, in pesos."""

    currency = fields.Constant("ARS")
    months = fields.List(fields.Nested(TrendPointSchema))


class PurchaseLineSchema(AnswerSchema):
    """One product of one sale document."""

    date = fields.Date()
    kind = fields.String(metadata={"enum": ["invoice", "debit_note", "credit_note"]})
    number = fields.String()
    currency = fields.String()
    product_id = fields.Integer()
    code = fields.String()
    description = fields.String()
    quantity = fields.Decimal(places=3, as_string=True, metadata={"type": "string"})
    amount = money_field(metadata={"description": "Document currency; negative when returned"})
    amount_pesos = money_field()


class ProductSummarySchema(AnswerSchema):
    """What the client bought of one product."""

    product_id = fields.Integer()
    code = fields.String()
    description = fields.String()
    quantity = fields.Decimal(places=3, as_string=True, metadata={"type": "string"})
    amount_pesos = money_field()
    last_date = fields.Date()
    months = fields.Integer(metadata={"description": "Months it was bought in"})


class PurchasesSchema(AnswerSchema):
    """A client's purchases over the last 12 months."""

    client_id = fields.Integer()
    lines = fields.List(fields.Nested(PurchaseLineSchema))
    products = fields.List(fields.Nested(ProductSummarySchema))
    stopped = fields.List(
        fields.Nested(ProductSummarySchema),
        metadata={"description": "Bought in 3 of the 6 months before the last 2, not since"},
    )
