"""The JSON API for delta sync: GET /api/v1/sync?since=CURSOR (app/sync/feed.py says how)."""

import gzip

from flask import Response, jsonify, request
from flask_login import current_user
from marshmallow import fields, validate

from app.api.blueprint import bp
from app.api.common import query_args, refusals
from app.api.docs import api_doc, name_schemas, read_errors
from app.api.notices import notice_json
from app.api.products import price_text
from app.auth.permissions import requires
from app.clients.schemas import PLANS, plan_json
from app.core.fields import TOO_LONG, AnswerSchema, QuerySchema, money_field, spanish_field
from app.credit import status as credit_status
from app.notices.schemas import NoticeSchema
from app.orders import catalogue
from app.sync import feed

# Under this size gzip saves too little to be worth the work.
GZIP_MIN_BYTES = 500


class SyncArgsSchema(QuerySchema):
    """The query string of a sync."""

    since = spanish_field(
        fields.String,
        load_default=None,
        validate=validate.Length(max=60, error=TOO_LONG),
        metadata={
            "description": "The cursor of the last answer; absent or 0: a first sync",
            "example": "1234.9f86d081",
        },
    )


def _number(metadata: dict | None = None, **kwargs) -> fields.Field:
    """A decimal (percent, quantity, coordinate) as a string; never a float."""
    return fields.Decimal(
        as_string=True,
        metadata={"type": "string", "format": "decimal", **(metadata or {})},
        **kwargs,
    )


def _deleted() -> fields.Field:
    """The row went to the trash: the phone drops it."""
    return fields.Boolean(attribute="is_deleted", metadata={"description": "Drop it"})


class RefSchema(AnswerSchema):
    """A zone or a client type, as the card names it."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class LimitsSchema(AnswerSchema):
    """A credit policy's limits; null: not enforced."""

    money = money_field(allow_none=True)
    documents = fields.Integer(allow_none=True)
    age_days = fields.Integer(allow_none=True)


class FamilyLimitSchema(AnswerSchema):
    """A family's money limit shared by its members."""

    name = fields.String()
    money = money_field(metadata={"description": "The family's limit"})
    others = money_field(metadata={"description": "The exposure of the family's other members"})


class AssignedSchema(AnswerSchema):
    """A credit policy assigned to the client or to one of its groups."""

    source = fields.String(
        metadata={"enum": ["client", "family", "category", "segment", "zone", "type"]}
    )
    name = fields.String(metadata={"description": "The policy's name"})
    holder = fields.String(metadata={"description": "The group's name; empty for the client"})
    limits = fields.Nested(LimitsSchema)


class SnapshotSchema(AnswerSchema):
    """The credit snapshot in the shared vectors' form (tests/credit/vectors.json).

    limits are the ones that apply; own_limits and assigned are what they were resolved
    from (resolveLimits in static/js/credit.js gives the same limits and sources).
    """

    state = fields.String()
    credit_blocked = fields.Boolean()
    deleted = fields.Boolean()
    limits = fields.Nested(LimitsSchema)
    balance = money_field()
    pending_orders = money_field()
    pending_documents = fields.Integer()
    unpaid_dates = fields.List(fields.Date())
    family = fields.Nested(FamilyLimitSchema, allow_none=True)
    own_limits = fields.Nested(LimitsSchema, metadata={"description": "Set on the client's card"})
    assigned = fields.List(
        fields.Nested(AssignedSchema), metadata={"description": "In the order of precedence"}
    )
    sources = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "money, documents, age_days -> own or the policy's source"},
    )
    why = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "money, documents, age_days, family -> why it applies, in words"},
    )


class SyncOpenItemSchema(AnswerSchema):
    """An open installment, oldest due date first."""

    installment_id = fields.Integer()
    document_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    number = fields.Integer(metadata={"description": "Installment number, from 1"})
    date = fields.Date()
    due_date = fields.Date()
    amount = money_field()
    open_amount = money_field()
    currency = fields.String()


class ContactSchema(AnswerSchema):
    """A person to talk to at the client."""

    id = fields.Integer()
    name = fields.String()
    role = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)


class PickupSchema(AnswerSchema):
    """A person the client allows to collect goods."""

    id = fields.Integer()
    name = fields.String()
    document = fields.String()
    phone = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    notes = fields.String(allow_none=True)


class AddressSchema(AnswerSchema):
    """A fiscal, shipping or branch address."""

    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["fiscal", "shipping", "branch"]})
    label = fields.String(allow_none=True)
    street = fields.String()
    city = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    delivery_hours = fields.String(allow_none=True)
    delivery_instructions = fields.String(allow_none=True)
    latitude = _number(allow_none=True)
    longitude = _number(allow_none=True)
    branch_price_list_id = fields.Integer(allow_none=True)


class ConditionSchema(AnswerSchema):
    """The client's own price or discount, in force or starting later."""

    id = fields.Integer()
    product_id = fields.Integer(allow_none=True, metadata={"description": "null: every product"})
    special_price = fields.Function(
        lambda row: price_text(row.special_price), metadata={"type": "string", "nullable": True}
    )
    discount_pct = _number(allow_none=True)
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True)


class RegistryRateSchema(AnswerSchema):
    """An IIBB registry row of the client's CUIT (padrón de alícuotas), valid today or later."""

    jurisdiction_id = fields.Integer()
    rate = _number(metadata={"description": "Percent; 0: the registry exempts the client"})
    valid_from = fields.Date()
    valid_to = fields.Date()
    published_on = fields.Date(metadata={"description": "The latest published row wins"})


class SyncVisitSchema(AnswerSchema):
    """A visit to the client of the last days: what came of that stop, and who made it."""

    id = fields.Integer()
    user_id = fields.Integer()
    day = fields.Date()
    outcome = fields.String(metadata={"enum": ["order", "no_order", "collected", "skipped"]})
    reason_id = fields.Integer(allow_none=True)
    reason = fields.Function(
        lambda visit: visit.reason.name if visit.reason else None,
        metadata={"type": "string", "nullable": True, "description": "The reason's name"},
    )
    note = fields.String(allow_none=True)
    planned = fields.Boolean()
    recorded_at = fields.DateTime()


class SyncRecentOrderSchema(AnswerSchema):
    """An order of the last days (not cancelled): it makes that day's stop one with an order."""

    id = fields.Integer()
    user_id = fields.Integer()
    date = fields.Date()
    status = fields.String()


class SyncNoteSchema(AnswerSchema):
    """One of the client's latest notes: written by a person, or by the system on a change."""

    id = fields.Integer()
    text = fields.String()
    automatic = fields.Boolean()
    author_id = fields.Integer(allow_none=True)
    author = fields.String(allow_none=True, metadata={"description": "The author's full name"})
    created_at = fields.DateTime()


class SyncBoughtSchema(AnswerSchema):
    """One product the client bought in the last 12 months (kept short: every client of a
    first sync carries up to 20; GET /clients/{id}/purchases has the rest)."""

    product_id = fields.Integer()
    description = fields.String()
    quantity = _number(metadata={"description": "Net of credit notes"})
    amount = money_field(
        attribute="amount_pesos", metadata={"description": "In pesos, net of credit notes"}
    )
    last_date = fields.Date(metadata={"description": "The last invoice with it"})


class SyncMonthSchema(AnswerSchema):
    """A month's sales to the client beside the same month a year before, in pesos."""

    month = fields.Function(lambda row: f"{row[0][0]:04d}-{row[0][1]:02d}")
    sales = fields.Function(lambda row: str(row[1]), metadata={"type": "string"})
    sales_year_before = fields.Function(lambda row: str(row[2]), metadata={"type": "string"})


class SyncPurchasesSchema(AnswerSchema):
    """What the client bought, compact, for reading offline."""

    products = fields.List(
        fields.Nested(SyncBoughtSchema),
        metadata={"description": "The top 20 products of the last 12 months, by amount"},
    )
    stopped = fields.List(
        fields.Nested(SyncBoughtSchema),
        metadata={"description": "Bought in 3 of the 6 months before the last 2, not since"},
    )
    months = fields.List(fields.Nested(SyncMonthSchema), metadata={"description": "Oldest first"})


class SyncCaseSchema(AnswerSchema):
    """One of the client's latest cases, for the card offline."""

    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["claim", "return", "complaint", "question"]})
    subject = fields.String()
    state = fields.String(
        metadata={"enum": ["open", "in_progress", "waiting_client", "resolved", "closed"]}
    )
    due_on = fields.Date(allow_none=True)
    created_at = fields.DateTime()


def _plan_days(description: str) -> fields.Field:
    return fields.List(fields.String(), metadata={"description": description})


def _plan_week() -> fields.Field:
    return fields.String(
        allow_none=True,
        metadata={
            "format": "date",
            "description": "The rhythm counts whole weeks from this day's Monday",
        },
    )


class SyncClientSchema(AnswerSchema):
    """A client with what order time and collections need, offline."""

    id = fields.Integer()
    code = fields.String()
    kind = fields.String()
    legal_name = fields.String()
    trade_name = fields.String(allow_none=True)
    tax_id_type = fields.String()
    tax_id = fields.String(allow_none=True)
    iva_condition = fields.String(allow_none=True)
    iva_exemption_pct = _number(
        metadata={"description": "Part of the IVA the client is liberated of (0 to 100)"}
    )
    large_taxpayer = fields.Boolean(
        metadata={"description": "Gran Contribuyente: withholds IVA when paying (RG 2854)"}
    )
    state = fields.String()
    credit_blocked = fields.Boolean()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    sales_zone = fields.Nested(RefSchema, allow_none=True)
    client_type = fields.Nested(RefSchema, allow_none=True)
    price_list_id = fields.Integer(allow_none=True)
    currency = fields.String()
    foreign_currency_allowed = fields.Boolean()
    salesperson_id = fields.Integer(allow_none=True)
    collector_id = fields.Integer(allow_none=True)
    payment_methods = fields.List(
        fields.String(), metadata={"description": "Allowed now (credit only with an account)"}
    )
    default_payment_method = fields.String(allow_none=True)
    notices = fields.List(
        fields.Nested(NoticeSchema),
        metadata={"description": "In force today or programmed: show those whose dates hold"},
    )
    credit = fields.Nested(SnapshotSchema)
    balances = fields.Dict(
        keys=fields.String(),
        values=money_field(),
        metadata={"description": "Open balance per currency; positive: the client owes"},
    )
    open_items = fields.List(fields.Nested(SyncOpenItemSchema))
    contacts = fields.List(fields.Nested(ContactSchema))
    pickups = fields.List(fields.Nested(PickupSchema))
    addresses = fields.List(fields.Nested(AddressSchema))
    conditions = fields.List(fields.Nested(ConditionSchema))
    type_discount_pct = _number(metadata={"description": "The client type's line discount"})
    sale_condition_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The sale condition an order takes by default (own or type's)"},
    )
    iibb_multilateral = fields.Boolean(metadata={"description": "Convenio Multilateral"})
    iibb_rates = fields.List(fields.Nested(RegistryRateSchema))
    # the visit plans, as the client JSON names them (app/clients/visit_plan.py)
    visit_days = _plan_days("The salesperson's visit days: mon..sun")
    visit_every_weeks = fields.Integer(metadata={"enum": [1, 2, 4]})
    visit_week_of = _plan_week()
    visit_window = fields.String(allow_none=True, metadata={"example": "08:30-12:00"})
    route_position = fields.Integer(allow_none=True)
    collection_visit_days = _plan_days("The collector's visit days: mon..sun")
    collection_visit_every_weeks = fields.Integer(metadata={"enum": [1, 2, 4]})
    collection_visit_week_of = _plan_week()
    collection_visit_window = fields.String(allow_none=True)
    collection_route_position = fields.Integer(allow_none=True)
    visits = fields.List(
        fields.Nested(SyncVisitSchema),
        metadata={"description": "Visits of the last 7 days and today, by anyone, oldest first"},
    )
    recent_orders = fields.List(
        fields.Nested(SyncRecentOrderSchema),
        metadata={"description": "Orders of the last 7 days and today, not cancelled"},
    )
    agenda = fields.List(
        fields.Dict(),
        metadata={
            "description": "What collections set from 7 days ago on: {day, kind (visit, "
            "promise, contact), from, to (an agreed visit's hours)}"
        },
    )
    notes = fields.List(
        fields.Nested(SyncNoteSchema),
        metadata={"description": f"The latest {feed.NOTES_PER_CLIENT} notes, newest first"},
    )
    purchases = fields.Nested(SyncPurchasesSchema, allow_none=True)
    cases = fields.List(
        fields.Nested(SyncCaseSchema),
        metadata={
            "description": f"The latest {feed.CASES_PER_CLIENT} cases, the ones still being "
            "worked on first, then newest first"
        },
    )


class SyncProductSchema(AnswerSchema):
    """A product (inactive or deleted ones only in a delta, so the phone drops them)."""

    id = fields.Integer()
    code = fields.String()
    description = fields.String()
    unit = fields.String()
    tax_rate = fields.Function(
        lambda row: catalogue.number_text(row.tax_rate).replace(",", "."),
        metadata={"type": "string", "description": "IVA percent: 0, 10.5, 21 or 27"},
    )
    active = fields.Boolean()
    deleted = _deleted()


class SyncPriceListSchema(AnswerSchema):
    """A price list."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    currency = fields.String()
    deleted = _deleted()


class SyncPriceSchema(AnswerSchema):
    """A product's price in a list and currency, before IVA."""

    id = fields.Integer()
    price_list_id = fields.Integer()
    product_id = fields.Integer()
    currency = fields.String()
    price = fields.Function(lambda row: price_text(row.price), metadata={"type": "string"})
    deleted = _deleted()


class SyncPromotionSchema(AnswerSchema):
    """A time-limited discount on a product."""

    id = fields.Integer()
    name = fields.String()
    product_id = fields.Integer()
    discount_pct = _number()
    valid_from = fields.Date()
    valid_to = fields.Date()
    deleted = _deleted()


class SyncVolumeDiscountSchema(AnswerSchema):
    """A quantity break on a product."""

    id = fields.Integer()
    product_id = fields.Integer()
    min_quantity = _number()
    discount_pct = _number()
    deleted = _deleted()


class SyncSaleConditionSchema(AnswerSchema):
    """Payment terms: their discount on the order's net, and whether they are cash."""

    id = fields.Integer()
    code = fields.String()
    description = fields.String()
    discount_pct = _number()
    immediate = fields.Boolean(
        attribute="is_immediate", metadata={"description": "Cash: taken by immediate payments"}
    )
    deleted = _deleted()


class SyncVisitReasonSchema(AnswerSchema):
    """Why a stop had no order or was skipped; the phone lists them by position, then name."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    applies_to = fields.String(metadata={"enum": ["no_order", "skipped", "both"]})
    position = fields.Integer()
    deleted = _deleted()


class SyncJurisdictionSchema(AnswerSchema):
    """An active IIBB jurisdiction's perception settings (app/taxes/perceptions.py)."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    province = fields.String(metadata={"description": "Reaches the clients of this province"})
    default_rate = _number(
        allow_none=True, metadata={"description": "For CUITs not in the registry; null: none"}
    )
    minimum_amount = money_field()
    include_multilateral = fields.Boolean()


class SyncCatalogueSchema(AnswerSchema):
    """Catalogue and reference rows changed since the cursor (every live one on a first sync)."""

    products = fields.List(fields.Nested(SyncProductSchema))
    price_lists = fields.List(fields.Nested(SyncPriceListSchema))
    prices = fields.List(fields.Nested(SyncPriceSchema))
    promotions = fields.List(fields.Nested(SyncPromotionSchema))
    volume_discounts = fields.List(fields.Nested(SyncVolumeDiscountSchema))
    sale_conditions = fields.List(fields.Nested(SyncSaleConditionSchema))
    visit_reasons = fields.List(fields.Nested(SyncVisitReasonSchema))
    jurisdictions = fields.List(
        fields.Nested(SyncJurisdictionSchema),
        metadata={"description": "Every active one, always: the phone replaces its list"},
    )


class SyncSchema(AnswerSchema):
    """One page of a sync."""

    cursor = fields.String(
        metadata={"description": "Send it as `since` next time (opaque; store it after the page)"}
    )
    more = fields.Boolean(metadata={"description": "Another page of this sync follows: ask now"})
    full = fields.Boolean(
        metadata={"description": "A first sync: the clients sent replace what the phone had"}
    )
    on = fields.Date(metadata={"description": "The server's today (notices, open items)"})
    clients = fields.List(
        fields.Nested(SyncClientSchema), metadata={"description": "Changed clients, whole"}
    )
    tombstones = fields.List(
        fields.Integer(), metadata={"description": "Client ids the phone must forget"}
    )
    catalogue = fields.Nested(
        SyncCatalogueSchema,
        allow_none=True,
        metadata={"description": "On the first page of a sync; null on the pages after"},
    )


name_schemas(
    SyncRef=RefSchema,
    CreditLimits=LimitsSchema,
    CreditSnapshot=SnapshotSchema,
    SyncOpenItem=SyncOpenItemSchema,
    SyncContact=ContactSchema,
    SyncPickup=PickupSchema,
    SyncAddress=AddressSchema,
    SyncCondition=ConditionSchema,
    SyncRegistryRate=RegistryRateSchema,
    SyncVisit=SyncVisitSchema,
    SyncRecentOrder=SyncRecentOrderSchema,
    SyncNote=SyncNoteSchema,
    SyncCase=SyncCaseSchema,
    SyncClient=SyncClientSchema,
    SyncProduct=SyncProductSchema,
    SyncPriceList=SyncPriceListSchema,
    SyncPrice=SyncPriceSchema,
    SyncPromotion=SyncPromotionSchema,
    SyncVolumeDiscount=SyncVolumeDiscountSchema,
    SyncSaleCondition=SyncSaleConditionSchema,
    SyncVisitReason=SyncVisitReasonSchema,
    SyncJurisdiction=SyncJurisdictionSchema,
    SyncCatalogue=SyncCatalogueSchema,
    Sync=SyncSchema,
    SyncBought=SyncBoughtSchema,
    SyncMonth=SyncMonthSchema,
    SyncPurchases=SyncPurchasesSchema,
)

# What the entry adds to the client's own columns: its parts, and the visit plans under their
# JSON names (clients.schemas.plan_json).
ENTRY_FIELDS = {
    "payment_methods", "default_payment_method", "notices", "credit", "balances",
    "open_items", "contacts", "pickups", "addresses", "conditions",
    "type_discount_pct", "sale_condition_id", "iibb_rates", "visits", "recent_orders", "agenda",
    "notes", "purchases",
    "cases",
    "visit_days", "visit_every_weeks", "visit_week_of", "visit_window", "route_position",
    "collection_visit_days", "collection_visit_every_weeks", "collection_visit_week_of",
    "collection_visit_window", "collection_route_position",
}  # fmt: skip
CLIENT_FIELDS = tuple(name for name in SyncClientSchema().fields if name not in ENTRY_FIELDS)


def credit_json(entry: feed.ClientEntry) -> dict:
    """The credit snapshot with the limits it was resolved from and why each one applies."""
    why = credit_status.why(entry.applied)
    if entry.snapshot.family is not None:
        why["family"] = credit_status.family_label(entry.snapshot.family.name)
    return vars(entry.snapshot) | {
        "own_limits": entry.own_limits,
        "assigned": entry.assigned,
        "sources": entry.applied.sources,
        "why": why,
    }


def client_json(entry: feed.ClientEntry) -> dict:
    """A client entry as the phone stores it."""
    body = {name: getattr(entry.client, name) for name in CLIENT_FIELDS}
    body |= {
        "payment_methods": entry.payment_methods,
        "default_payment_method": entry.default_payment_method,
        "notices": [notice_json(shown) for shown in entry.notices],
        "credit": credit_json(entry),
        "balances": entry.balances,
        "open_items": entry.open_items,
        "contacts": entry.contacts,
        "pickups": entry.pickups,
        "addresses": entry.addresses,
        "conditions": entry.conditions,
        "type_discount_pct": entry.type_discount_pct,
        "sale_condition_id": entry.sale_condition_id,
        "iibb_rates": entry.iibb_rates,
        "visits": entry.visits,
        "recent_orders": entry.recent_orders,
        "agenda": entry.agenda,
        "notes": entry.notes,
        "purchases": entry.purchases,
        "cases": entry.cases,
    }
    for prefix in PLANS:
        body |= plan_json(entry.client, prefix)
    return body


def gzipped(response: Response) -> Response:
    """Compress the body when the caller accepts gzip; the answer varies by that header."""
    response.vary.add("Accept-Encoding")
    data = response.get_data()
    if request.accept_encodings["gzip"] and len(data) >= GZIP_MIN_BYTES:
        response.set_data(gzip.compress(data, compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    return response


@bp.get("/sync")
@api_doc(
    "Delta sync: the clients in the caller's scope changed since the cursor (whole), "
    "tombstones for those that left it, catalogue changes and a new cursor; pages of bounded "
    "size while `more` is true. gzip when accepted",
    query=SyncArgsSchema,
    answers={"200": ("A page of the sync", "Sync")},
    errors=read_errors(("422", "A cursor this server did not hand out: sync from 0")),
)
@requires("app.use")
@refusals(feed.CursorError)
def sync():
    """The next page of the caller's delta sync after the cursor `since`."""
    args = query_args(SyncArgsSchema())
    page = feed.sync_page(current_user, args["since"])
    body = {
        "cursor": page.cursor,
        "more": page.more,
        "full": page.full,
        "on": page.on,
        "clients": [client_json(entry) for entry in page.clients],
        "tombstones": page.tombstones,
        "catalogue": page.catalogue,
    }
    response = jsonify(SyncSchema().dump(body))
    response.headers["Cache-Control"] = "private, no-store"
    return gzipped(response)
