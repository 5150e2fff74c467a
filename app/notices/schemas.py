"""JSON shapes of client notices."""

from marshmallow import fields

from app.core.fields import AnswerSchema, QuerySchema, day_field
from app.notices.rules import Audience, Severity, TargetKind


class NoticeArgsSchema(QuerySchema):
    """The day the notices are asked for."""

    on = day_field(metadata={"description": "Default: today (in the company's time zone)"})


class NoticeSchema(AnswerSchema):
    """A notice in force for a client, with when the caller marked it seen there."""

    id = fields.Integer()
    message = fields.String()
    severity = fields.String(metadata={"enum": [s.value for s in Severity]})
    audience = fields.String(
        metadata={"enum": [a.value for a in Audience], "description": "Who it speaks to"}
    )
    valid_from = fields.Date()
    valid_to = fields.Date(allow_none=True, metadata={"description": "null: no end"})
    target_kind = fields.String(metadata={"enum": [k.value for k in TargetKind]})
    target_id = fields.Integer(metadata={"description": "The client's or the group's id"})
    target = fields.String(metadata={"description": "Who it is for, in words (Spanish)"})
    seen_at = fields.DateTime(
        allow_none=True, metadata={"description": "When the caller marked it seen on this client"}
    )


class ClientNoticesSchema(AnswerSchema):
    """The notices in force for a client on a day, most pressing first."""

    client_id = fields.Integer()
    on = fields.Date()
    items = fields.List(fields.Nested(NoticeSchema))
