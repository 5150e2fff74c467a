"""JSON shapes of cases: a new one, a change, a comment, the list's filters and the answers."""

from marshmallow import fields, validate

from app.cases.rules import MAX_SUBJECT, MAX_TEXT, CaseKind, CaseState
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
    spanish_field,
    text_field,
)
from app.core.routing import MAX_ID

KINDS = [k.value for k in CaseKind]
STATES = [s.value for s in CaseState]


def _query_id() -> fields.Field:
    """A row id in the query string; one that cannot exist is "No existe."."""
    return spanish_field(
        fields.Integer, validate=validate.Range(min=1, max=MAX_ID, error=NOT_FOUND)
    )


class NewCaseSchema(BodySchema):
    """A case opened on a client (optionally about one of its orders or documents)."""

    client_id = id_field(required=True)
    kind = choice_field(KINDS, required=True)
    subject = text_field(MAX_SUBJECT, nullable=False, required=True)
    description = text_field(MAX_TEXT)
    order_id = id_field(allow_none=True)
    document_id = id_field(allow_none=True, metadata={"description": "A ledger document"})


class CaseChangeSchema(BodySchema):
    """A change of state, owner or due date, with an optional note."""

    state = choice_field(
        STATES,
        metadata={
            "description": "open -> in_progress | waiting_client | resolved | closed; "
            "in_progress -> waiting_client | resolved | closed; waiting_client -> "
            "in_progress | resolved | closed; resolved -> in_progress | closed; closed -> "
            "open only with a note (the reason)"
        },
    )
    owner_id = id_field(allow_none=True, metadata={"description": "null: unassigned"})
    due_on = day_field()
    note = text_field(MAX_TEXT)
    # A return being resolved: the credit note to post (back office only).
    credit_amount = amount_field(allow_none=True)


class NewCommentSchema(BodySchema):
    """A comment on a case."""

    text = text_field(MAX_TEXT, nullable=False, required=True)


class CaseListArgsSchema(QuerySchema):
    """Filters of the case list."""

    client_id = _query_id()
    state = choice_field(STATES)
    kind = choice_field(KINDS)
    owner_id = _query_id()
    page = page_field()
    per_page = per_page_field()


class CaseEventSchema(AnswerSchema):
    """A line of a case's history: who, when, what."""

    id = fields.Integer()
    action = fields.String(
        metadata={
            "enum": ["created", "comment", "state", "owner", "due_on", "photo", "credit_note"]
        }
    )
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    user = fields.Function(
        lambda event: event.user.full_name if event.user else None,
        allow_none=True,
        metadata={"type": "string"},
    )
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)
    text = fields.String(allow_none=True)


class CaseSchema(AnswerSchema):
    """A case as the API answers it."""

    id = fields.Integer()
    client_id = fields.Integer()
    kind = fields.String(metadata={"enum": KINDS})
    subject = fields.String()
    description = fields.String()
    state = fields.String(metadata={"enum": STATES})
    owner_id = fields.Integer(allow_none=True)
    owner = fields.Function(
        lambda case: case.owner.full_name if case.owner else None,
        allow_none=True,
        metadata={"type": "string"},
    )
    due_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    order_id = fields.Integer(allow_none=True)
    document_id = fields.Integer(allow_none=True)
    credit_note_id = fields.Integer(allow_none=True)
    credit_note_amount = money_field(allow_none=True)
    photos = fields.Integer(
        attribute="photo_count", metadata={"description": "How many photos it has"}
    )
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class CaseDetailSchema(CaseSchema):
    """A case with its history."""

    events = fields.List(fields.Nested(CaseEventSchema))


class CasePageSchema(AnswerSchema):
    """A page of cases, overdue first."""

    items = fields.List(fields.Nested(CaseSchema))
    next = fields.String(allow_none=True)
    total = fields.Integer()
