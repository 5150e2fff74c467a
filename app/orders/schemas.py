"""JSON shapes of orders: what the phone sends and what it gets back."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from app.core.fields import (
    NOT_FOUND,
    AnswerSchema,
    BodySchema,
    DecimalText,
    QuerySchema,
    choice_field,
    day_field,
    id_field,
    page_field,
    per_page_field,
    rows_field,
    spanish_field,
    text_field,
)
from app.core.routing import MAX_ID
from app.credit.rules import PAYMENT_METHODS
from app.credit.schemas import FailureSchema
from app.ledger.models import CURRENCIES
from app.orders.deliveries import DOCUMENT_MAX, FAILURE_REASONS, NAME_MAX, NOTES_MAX
from app.orders.models import DeliveryOutcome, OrderStatus
from app.orders.services import MAX_LINES, MAX_QUANTITY


def _quantity(**kwargs) -> fields.Field:
    """A quantity: more than zero, up to three decimals."""
    return DecimalText(
        places=3,
        minimum=Decimal("0.001"),
        maximum=MAX_QUANTITY,
        error_messages={
            "places": _l("Como máximo tres decimales."),
            "too_small": _l("La cantidad debe ser mayor que cero."),
            "too_large": _l("La cantidad es demasiado grande."),
        },
        metadata={"example": "12", "description": "More than zero, at most three decimals"},
        **kwargs,
    )


def _coordinate(limit: int) -> fields.Field:
    """A latitude or longitude in degrees; one that is not usable is dropped, never refused."""
    return fields.Raw(
        allow_none=True,
        metadata={
            "type": "number",
            "description": f"Degrees, -{limit} to {limit}; kept to six decimals. A value that "
            "is not usable is left out: a location never stops an order.",
        },
    )


class DecimalString(fields.Decimal):
    """A decimal in an answer: a string ("1234.50"), as the document says, never a float."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"type": "string", "format": "decimal"} | kwargs.get("metadata", {})
        super().__init__(as_string=True, **kwargs)


class NewLineSchema(BodySchema):
    """One line: a product and how many."""

    product_id = id_field(required=True)
    quantity = _quantity(required=True)


class NewOrderSchema(BodySchema):
    """An order taken at the visit."""

    client_id = id_field(required=True)
    payment_method = choice_field(
        sorted(PAYMENT_METHODS),
        nullable=True,
        metadata={"description": "Default: the client's usual method when it is allowed"},
    )
    currency = choice_field(
        CURRENCIES, nullable=True, metadata={"description": "Default: the client's"}
    )
    sale_condition_id = id_field(
        allow_none=True, metadata={"description": "Default: the client's (or its type's)"}
    )
    shipping_address_id = id_field(
        allow_none=True, metadata={"description": "Default: the client's first shipping address"}
    )
    notes = text_field(1000)
    lines = rows_field(NewLineSchema, MAX_LINES, required=True)
    latitude = _coordinate(90)
    longitude = _coordinate(180)
    accuracy = fields.Raw(
        allow_none=True, metadata={"type": "number", "description": "Metres, as the phone says"}
    )
    override_reason = text_field(
        500,
        metadata={
            "description": "When the order comes out blocked, send it to the supervisors with "
            "this reason at once (an order taken offline cannot know its id yet)"
        },
    )


class ReasonSchema(BodySchema):
    """Why an override is asked for, or why an order is cancelled."""

    reason = text_field(500, required=True, nullable=False)


class CancelSchema(BodySchema):
    """Why an order is cancelled (optional)."""

    reason = text_field(500)


class TrackingSchema(BodySchema):
    """A delivery step the back office marks."""

    step = choice_field(("dispatched", "delivered", "invoiced"), required=True)


class DeliveryBodySchema(BodySchema):
    """A delivery confirmed at the door (who received it), or a failed attempt (why)."""

    outcome = choice_field(
        [o.value for o in DeliveryOutcome],
        load_default="delivered",
        metadata={"description": "delivered (default) or failed: the order stays pending"},
    )
    received_by_name = text_field(
        NAME_MAX, metadata={"description": "Required when delivered: who received the goods"}
    )
    received_by_document = text_field(
        DOCUMENT_MAX,
        metadata={
            "description": "Required when delivered: the receiver's document; checked against "
            "the client's authorised pickup people when it has any"
        },
    )
    override = spanish_field(
        fields.Boolean,
        truthy={True},
        falsy={False},
        load_default=False,
        metadata={
            "description": "Deliver to someone the client did not authorise; only users with "
            "the deliveries.override permission (back office, supervisors) may, and the "
            "attempt says so. Without it such a delivery is refused (422 on "
            "received_by_document)"
        },
    )
    reason = choice_field(
        list(FAILURE_REASONS),
        nullable=True,
        metadata={"description": "Required when failed: why the delivery could not be made"},
    )
    notes = text_field(
        NOTES_MAX, metadata={"description": 'Failed: what happened ("other": required)'}
    )
    latitude = _coordinate(90)
    longitude = _coordinate(180)
    accuracy = fields.Raw(
        allow_none=True, metadata={"type": "number", "description": "Metres, as the phone says"}
    )


class OrderListArgsSchema(QuerySchema):
    """Filters of the orders list."""

    client_id = spanish_field(
        fields.Integer, validate=validate.Range(min=1, max=MAX_ID, error=NOT_FOUND)
    )
    status = choice_field([s.value for s in OrderStatus])
    page = page_field()
    per_page = per_page_field()


class DiscountSchema(AnswerSchema):
    """A discount a line got, in the order applied."""

    kind = fields.String(metadata={"enum": ["promotion", "volume", "client", "client_type"]})
    label = fields.String()
    pct = fields.String()


class LineSchema(AnswerSchema):
    """A line as priced."""

    product_id = fields.Integer()
    code = fields.String(attribute="product.code")
    description = fields.String(attribute="product.description")
    quantity = DecimalString()
    list_price = DecimalString()
    discounts = fields.List(fields.Nested(DiscountSchema))
    net = DecimalString(places=2)
    tax_rate = DecimalString()


class StoredDecisionSchema(AnswerSchema):
    """The credit decision the order got when it arrived."""

    allowed = fields.Boolean()
    credit = fields.Boolean()
    failures = fields.List(fields.Nested(FailureSchema))
    currency = fields.String()


class RequestSchema(AnswerSchema):
    """An override request and its answer."""

    id = fields.Integer()
    order_id = fields.Integer()
    status = fields.String(
        metadata={"enum": ["pending", "approved", "rejected", "expired", "cancelled"]}
    )
    amount = DecimalString(places=2)
    currency = fields.String()
    reason = fields.String()
    failures = fields.List(fields.Nested(FailureSchema))
    requested_by = fields.String(attribute="requested_by.full_name")
    requested_at = fields.DateTime()
    expires_at = fields.DateTime()
    decided_by = fields.String(attribute="decided_by.full_name", allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    comment = fields.String(allow_none=True)


class OrderSchema(AnswerSchema):
    """An order with its lines, amounts, credit decision and override request."""

    id = fields.Integer()
    client_id = fields.Integer()
    user_id = fields.Integer()
    status = fields.String(metadata={"enum": [s.value for s in OrderStatus]})
    date = fields.Date()
    payment_method = fields.String()
    currency = fields.String()
    sale_condition_id = fields.Integer(allow_none=True)
    shipping_address_id = fields.Integer(allow_none=True)
    subtotal = DecimalString(places=2)
    condition_discount = DecimalString(places=2)
    net = DecimalString(places=2)
    tax = DecimalString(places=2)
    perception = DecimalString(places=2)
    total = DecimalString(places=2)
    notes = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(LineSchema))
    credit = fields.Nested(StoredDecisionSchema)
    override_request = fields.Nested(RequestSchema, allow_none=True)
    override_error = fields.Dict(
        allow_none=True,
        metadata={"description": "Why override_reason could not be sent (field: message)"},
    )
    latitude = DecimalString(allow_none=True)
    longitude = DecimalString(allow_none=True)
    location_accuracy = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    dispatched_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    invoiced_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)


class OrderPageSchema(AnswerSchema):
    """A page of orders."""

    items = fields.List(fields.Nested(OrderSchema))
    next = fields.String(allow_none=True)
    total = fields.Integer()


class QuoteSchema(AnswerSchema):
    """An order priced and decided, before it is placed."""

    currency = fields.String()
    payment_method = fields.String()
    sale_condition_id = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(LineSchema))
    subtotal = DecimalString(places=2)
    condition_discount = DecimalString(places=2)
    net = DecimalString(places=2)
    tax = DecimalString(places=2)
    perception = DecimalString(places=2)
    total = DecimalString(places=2)
    credit = fields.Nested(StoredDecisionSchema)


class DeliveryAttemptSchema(AnswerSchema):
    """One attempt at delivering an order."""

    id = fields.Integer()
    outcome = fields.String(metadata={"enum": [o.value for o in DeliveryOutcome]})
    reason = fields.String(allow_none=True, metadata={"enum": list(FAILURE_REASONS)})
    notes = fields.String(allow_none=True)
    received_by_name = fields.String(allow_none=True)
    received_by_document = fields.String(allow_none=True)
    authorized = fields.Boolean(
        allow_none=True,
        metadata={"description": "Pickup check: null when the client names nobody"},
    )
    overridden = fields.Boolean()
    latitude = DecimalString(allow_none=True)
    longitude = DecimalString(allow_none=True)
    location_accuracy = fields.Integer(allow_none=True)
    user = fields.String(attribute="user.full_name")
    attempted_at = fields.DateTime()


class DeliverySchema(AnswerSchema):
    """An order's delivery: its state, the pickup check of the last attempt, every attempt."""

    order_id = fields.Integer()
    state = fields.String(
        metadata={
            "enum": ["pending", "delivered"],
            "description": "pending until delivered (a failed attempt leaves it pending)",
        }
    )
    dispatched_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    authorized_pickup = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "Whether the receiver is an authorised pickup person of the client "
            "(null when the client names nobody, or nobody received it yet)"
        },
    )
    attempt = fields.Nested(
        DeliveryAttemptSchema, allow_none=True, metadata={"description": "The attempt just made"}
    )
    attempts = fields.List(fields.Nested(DeliveryAttemptSchema))


class DispatchArgsSchema(QuerySchema):
    """The dispatch list's day and delivery zone."""

    date = day_field(
        metadata={"description": "Orders dispatched up to this day (YYYY-MM-DD); default today"}
    )
    zone_id = spanish_field(
        fields.Integer,
        validate=validate.Range(min=0, max=MAX_ID, error=NOT_FOUND),
        metadata={"description": "A delivery zone; 0: clients without one; default: every zone"},
    )


class DispatchItemSchema(AnswerSchema):
    """An order out for delivery."""

    order_id = fields.Integer(attribute="id")
    client_id = fields.Integer()
    client_name = fields.String(attribute="client.display_name")
    delivery_zone_id = fields.Integer(attribute="client.delivery_zone_id", allow_none=True)
    shipping_address_id = fields.Integer(allow_none=True)
    dispatched_at = fields.DateTime()
    total = DecimalString(places=2)
    currency = fields.String()
    payment_method = fields.String()
    failed_attempts = fields.Method(
        "_failed", metadata={"type": "integer", "description": "Failed attempts so far"}
    )

    def _failed(self, order) -> int:
        """How many attempts failed (the order is still pending)."""
        return sum(1 for attempt in order.deliveries if attempt.outcome == "failed")


class DispatchListSchema(AnswerSchema):
    """Orders dispatched and not delivered, by delivery zone."""

    date = fields.Date()
    items = fields.List(fields.Nested(DispatchItemSchema))
