"""JSON shapes of collections: calls and promises, the daily sheet, field receipts."""

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from app.collections.models import Channel, FieldReceiptState, Outcome
from app.core.fields import (
    NOT_FOUND,
    AnswerSchema,
    BodySchema,
    QuerySchema,
    amount_field,
    choice_field,
    day_field,
    id_field,
    money_field,
    page_field,
    per_page_field,
    place_field,
    spanish_field,
    text_field,
)
from app.core.routing import MAX_ID
from app.ledger.models import CURRENCIES
from app.ledger.schemas import NewReceiptSchema


def _clock() -> fields.Field:
    """A time of day, HH:MM."""
    return fields.Time(
        allow_none=True,
        format="%H:%M",
        error_messages={"invalid": _l("Horario inválido: usá HH:MM.")},
        metadata={"example": "10:00"},
    )


def _query_id() -> fields.Field:
    """A row id in the query string; one that cannot exist is "No existe."."""
    return spanish_field(
        fields.Integer, validate=validate.Range(min=1, max=MAX_ID, error=NOT_FOUND)
    )


class NewCallSchema(BodySchema):
    """A contact with a debtor and its outcome."""

    client_id = id_field(required=True)
    channel = choice_field([c.value for c in Channel], required=True)
    outcome = choice_field([o.value for o in Outcome], required=True)
    promise_amount = amount_field(allow_none=True)
    promise_currency = choice_field(CURRENCIES, nullable=True)
    promise_date = day_field(allow_none=True, metadata={"description": "Required for a promise"})
    next_contact_at = day_field(allow_none=True, metadata={"description": "The next contact's day"})
    visit_date = day_field(allow_none=True, metadata={"description": "An agreed visit's day"})
    visit_from = _clock()
    visit_to = _clock()
    notes = text_field(2000)
    latitude = place_field()
    longitude = place_field()
    accuracy = place_field()


class CallSchema(AnswerSchema):
    """A call as the API answers it, with its promise's state."""

    id = fields.Integer()
    client_id = fields.Integer()
    user_id = fields.Integer()
    user = fields.String(attribute="user.full_name")
    channel = fields.String()
    outcome = fields.String()
    promise_amount = money_field(allow_none=True)
    promise_currency = fields.String(allow_none=True)
    promise_date = fields.Date(allow_none=True)
    promise_state = fields.String(allow_none=True, metadata={"enum": ["open", "kept", "broken"]})
    next_contact_at = fields.Date(allow_none=True)
    visit_date = fields.Date(allow_none=True)
    visit_from = fields.Time(format="%H:%M", allow_none=True)
    visit_to = fields.Time(format="%H:%M", allow_none=True)
    notes = fields.String(allow_none=True)
    created_at = fields.DateTime()


class CallListArgsSchema(QuerySchema):
    """Filters of the calls list."""

    client_id = _query_id()
    page = page_field()
    per_page = per_page_field()


class SheetArgsSchema(QuerySchema):
    """Whose sheet and which day."""

    date = day_field()
    collector_id = _query_id()


class NewFieldReceiptSchema(NewReceiptSchema):
    """What a collector received, against the client's open documents."""

    class Meta:
        exclude = ("number", "letter", "date", "exchange_rate")

    latitude = place_field()
    longitude = place_field()
    accuracy = place_field()


class FieldReceiptSchema(AnswerSchema):
    """A field receipt and where it stands."""

    id = fields.Integer()
    client_id = fields.Integer()
    user_id = fields.Integer()
    state = fields.String(metadata={"enum": [s.value for s in FieldReceiptState]})
    currency = fields.String()
    total = money_field()
    data = fields.Dict(metadata={"description": "The receipt as sent: lines and applications"})
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    reject_reason = fields.String(allow_none=True)
    document_id = fields.Integer(allow_none=True)


class RejectSchema(BodySchema):
    """Why a field receipt is refused."""

    reason = text_field(500, required=True, nullable=False)


class CallPageSchema(AnswerSchema):
    """A page of calls."""

    items = fields.List(fields.Nested(CallSchema))
    next = fields.String(allow_none=True)
    total = fields.Integer()


class SheetRowSchema(AnswerSchema):
    """One client on the collector's sheet."""

    client_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    address = fields.String()
    phone = fields.String(allow_none=True)
    reasons = fields.List(fields.String(metadata={"enum": ["visit", "promise", "overdue"]}))
    window = fields.List(fields.String(allow_none=True), allow_none=True)
    overdue = fields.String(metadata={"format": "decimal"})
    oldest_due = fields.String(allow_none=True, metadata={"format": "date"})
    priority = fields.String(metadata={"format": "decimal"})
    promise_call_id = fields.Integer(allow_none=True)


class SheetZoneSchema(AnswerSchema):
    """A zone of the sheet with its rows in visiting order."""

    zone = fields.String()
    rows = fields.List(fields.Nested(SheetRowSchema))


class SheetSchema(AnswerSchema):
    """A collector's sheet for a day."""

    collector_id = fields.Integer()
    date = fields.String(metadata={"format": "date"})
    zones = fields.List(fields.Nested(SheetZoneSchema))


class FieldReceiptListSchema(AnswerSchema):
    """The field receipts waiting for confirmation."""

    items = fields.List(fields.Nested(FieldReceiptSchema))
