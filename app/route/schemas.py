"""JSON shapes of the route day: the day's stops, a visit's outcome, the team's day."""

from marshmallow import fields, validate

from app.core.fields import (
    NOT_FOUND,
    AnswerSchema,
    BodySchema,
    QuerySchema,
    choice_field,
    day_field,
    id_field,
    money_field,
    place_field,
    spanish_field,
    text_field,
)
from app.core.routing import MAX_ID
from app.route.models import VisitOutcome


class RouteArgsSchema(QuerySchema):
    """Which route: a day (default today) and whose (default the caller)."""

    date = day_field(metadata={"description": "The day, YYYY-MM-DD; default today"})
    user_id = spanish_field(
        fields.Integer,
        validate=validate.Range(min=1, max=MAX_ID, error=NOT_FOUND),
        metadata={"description": "Whose route (a supervisor's team, the office: anyone)"},
    )


class StopSchema(AnswerSchema):
    """One stop of a route day."""

    client_id = fields.Integer(attribute="client.id")
    code = fields.String(attribute="client.code")
    name = fields.String(attribute="client.display_name")
    position = fields.Integer(allow_none=True)
    window = fields.Function(lambda s: str(s.window) if s.window else None, allow_none=True)
    planned = fields.Boolean()
    status = fields.String(attribute="state", metadata={"enum": ["pending", "visited", "skipped"]})
    outcome = fields.String(allow_none=True, metadata={"enum": [o.value for o in VisitOutcome]})
    reason = fields.String(allow_none=True)
    reason_id = fields.Function(lambda s: s.visit.reason_id if s.visit else None)
    recorded_at = fields.Function(
        lambda s: s.visit.recorded_at.isoformat() if s.visit else None, allow_none=True
    )
    orders = fields.Integer()
    currency = fields.String(attribute="client.currency")
    owed = money_field()
    overdue = money_field()
    notices = fields.Integer(metadata={"description": "Notices in force for the client"})
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    agenda = fields.List(
        fields.String(), metadata={"description": "What collections set for the day"}
    )


class RouteSchema(AnswerSchema):
    """A person's route day."""

    date = fields.Date(attribute="day")
    user_id = fields.Integer(attribute="owner.id")
    planned = fields.Function(lambda r: len(r.planned))
    done = fields.Integer()
    stops = fields.List(fields.Nested(StopSchema))


class NewVisitSchema(BodySchema):
    """The outcome of a stop."""

    client_id = id_field(required=True)
    date = day_field(metadata={"description": "The visit's day; default today"})
    outcome = choice_field([o.value for o in VisitOutcome], required=True)
    reason_id = id_field(
        allow_none=True,
        metadata={"description": "Required for no_order and skipped (GET /visit-reasons)"},
    )
    note = text_field(500)
    latitude = place_field()
    longitude = place_field()
    accuracy = place_field()


class VisitSchema(AnswerSchema):
    """A recorded visit."""

    id = fields.Integer()
    client_id = fields.Integer()
    user_id = fields.Integer()
    date = fields.Date(attribute="day")
    outcome = fields.String()
    reason_id = fields.Integer(allow_none=True)
    reason = fields.String(attribute="reason.name", allow_none=True)
    note = fields.String(allow_none=True)
    planned = fields.Boolean()
    latitude = fields.Decimal(as_string=True, allow_none=True)
    longitude = fields.Decimal(as_string=True, allow_none=True)
    recorded_at = fields.DateTime()


class ReasonSchema(AnswerSchema):
    """A reason for no order or a skipped stop."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    applies_to = fields.String(metadata={"enum": ["no_order", "skipped", "both"]})


class ReasonListSchema(AnswerSchema):
    items = fields.List(fields.Nested(ReasonSchema))
