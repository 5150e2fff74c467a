"""JSON shapes of client notices."""

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from app.core.fields import (
    AnswerSchema,
    BodySchema,
    QuerySchema,
    choice_field,
    day_field,
    id_field,
    spanish_field,
    text_field,
)
from app.notices.rules import MAX_MESSAGE, Audience, Severity, TargetKind

# As app/notices/client_sets.SET_MOST: larger sets are notices for a group.
SET_MOST = 20_000


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


class NewClientSetNoticeSchema(BodySchema):
    """One notice for a set of clients: a client notice is made for each."""

    client_ids = spanish_field(
        fields.List,
        id_field(),
        required=True,
        validate=validate.Length(min=1, max=SET_MOST, error=_l("Entre {min} y {max} clientes.")),
        metadata={"description": "The clients, in the caller's scope (others are 422)"},
    )
    message = text_field(MAX_MESSAGE, required=True, nullable=False)
    severity = choice_field([s.value for s in Severity], required=True)
    audience = choice_field([a.value for a in Audience], load_default=Audience.ALL.value)
    valid_from = day_field(required=True)
    valid_to = day_field(
        allow_none=True, load_default=None, metadata={"description": "null: no end"}
    )


class ClientSetNoticeSchema(AnswerSchema):
    """What a notice for a set made: the notices (201), or the job that makes them (202)."""

    clients = fields.Integer(metadata={"description": "How many clients get the notice"})
    notice_ids = fields.List(
        fields.Integer(), metadata={"description": "One client notice per client (201 only)"}
    )
    job_id = fields.Integer(
        allow_none=True, metadata={"description": "The job making them, for large sets (202)"}
    )
