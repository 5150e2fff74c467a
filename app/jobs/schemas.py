"""A job as the JSON API gives it."""

from marshmallow import fields

from app.core.fields import AnswerSchema


class JobSchema(AnswerSchema):
    """A background job: its state, its progress and, once ended, its result or error."""

    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    state = fields.String(metadata={"enum": ["queued", "running", "done", "failed"]})
    done = fields.Integer(metadata={"description": "Items done so far"})
    total = fields.Integer(allow_none=True, metadata={"description": "Items in all, once known"})
    percent = fields.Integer(allow_none=True)
    message = fields.String(metadata={"description": "What the job is doing now"})
    result = fields.Dict(allow_none=True, metadata={"description": "What the job left, by kind"})
    error = fields.String(allow_none=True, metadata={"description": "Why it failed, in Spanish"})
    attempts = fields.Integer()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    files = fields.List(fields.Dict(), metadata={"description": "Files it made: id, name, url"})
