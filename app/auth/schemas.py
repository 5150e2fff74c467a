"""Marshmallow schemas of the users' JSON API: tokens and users."""

from marshmallow import fields, validate

from app.auth.models import Role
from app.auth.services import MIN_PASSWORD_LENGTH
from app.core.fields import AnswerSchema, valid_email
from app.core.routing import MAX_ID


class TokenRequestSchema(AnswerSchema):
    """Credentials exchanged for a bearer token."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(AnswerSchema):
    """A bearer token and when it expires."""

    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class UserSchema(AnswerSchema):
    """A user as the API shows it and takes it."""

    id = fields.Integer(dump_only=True)
    username = fields.String(
        required=True,
        validate=[validate.Length(min=3, max=40), validate.Regexp(r"^[a-z0-9._-]+$")],
    )
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.String(
        allow_none=True,
        load_default=None,
        validate=[validate.Length(max=254), valid_email],
        metadata={"format": "email"},
    )
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    supervisor_id = fields.Integer(
        allow_none=True, load_default=None, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    active = fields.Boolean(load_default=True)
    locale = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(["es_AR", "en"])
    )
    password = fields.String(
        load_only=True, required=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=200)
    )
