"""The JSON API: tokens, the signed-in user, users (admin) and the OpenAPI document."""

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError

from app.api.auth import bearer_token, protect_cookie_writes
from app.api.schemas import TokenRequestSchema, TokenSchema, UserSchema
from app.auth import services
from app.auth.permissions import public, requires
from app.core.errors import json_error
from app.core.sqlite import start_writing
from app.extensions import csrf, db, limiter
from app.sync.idempotency import write_endpoint

bp = Blueprint("api", __name__)
csrf.exempt(bp)
bp.before_request(protect_cookie_writes)


def load_json(schema: Schema) -> dict:
    """Validate the JSON body; raises ValidationError with field messages."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError({"_body": [_("Se esperaba un objeto JSON.")]})
    refuse_unstorable_text(payload)
    return schema.load(payload)


def refuse_unstorable_text(payload: dict) -> None:
    """Refuse, field by field, text that no database column can hold.

    A NUL character (PostgreSQL refuses it) or a lone UTF-16 surrogate ("\\ud800" in the
    JSON, which has no UTF-8 form) makes the driver raise on an insert, or even on a lookup
    by that text: a 500 instead of a 422.
    """
    if bad := sorted(str(name) for name, value in payload.items() if _unstorable((name, value))):
        raise ValidationError({name: [_("El valor no es válido.")] for name in bad})


def _unstorable(value) -> bool:
    """True when a text anywhere in this JSON value (keys too) cannot be stored."""
    if isinstance(value, str):
        return "\x00" in value or not _encodes(value)
    if isinstance(value, dict):
        return _unstorable(list(value.items()))
    if isinstance(value, list | tuple):
        return any(_unstorable(item) for item in value)
    return False


def _encodes(text: str) -> bool:
    """True when the text has a UTF-8 form (no lone surrogates)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError):
    """Field-level 422 for bad input."""
    return json_error(422, "invalid", _("Los datos enviados no son válidos."), exc.messages)


@bp.post("/auth/token")
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], deduct_when=lambda r: r.status_code != 201
)
def create_token():
    """Exchange username and password for a bearer token."""
    data = load_json(TokenRequestSchema())
    start_writing()
    try:
        user = services.authenticate(data["username"], data["password"])
    except services.AccountLocked:
        db.session.commit()
        return json_error(423, "account_locked", _("Cuenta bloqueada por intentos fallidos."))
    if user is None:
        db.session.commit()
        return json_error(401, "invalid_credentials", _("Usuario o contraseña incorrectos."))
    plain, token = services.issue_api_token(user, current_app.config["API_TOKEN_DAYS"])
    db.session.commit()
    body = TokenSchema().dump({"token": plain, "expires_at": token.expires_at})
    return jsonify(body), 201


@bp.delete("/auth/token")
@requires("app.use")
def revoke_token():
    """Revoke the bearer token this request carries."""
    token = bearer_token()
    if token is None or not services.revoke_api_token(token):
        return json_error(400, "no_token", _("Esta solicitud no usa un token."))
    db.session.commit()
    return "", 204


@bp.get("/me")
@requires("app.use")
def me():
    """The signed-in user."""
    return jsonify(UserSchema().dump(current_user))


@bp.post("/users")
@requires("users.manage")
@write_endpoint
def create_user():
    """Create a user (admin)."""
    data = load_json(UserSchema())
    password = data.pop("password")
    try:
        user = services.create_user(services.UserData(**data), password)
    except services.UserError as exc:
        return json_error(422, "invalid", _("Los datos enviados no son válidos."), exc.fields)
    return jsonify(UserSchema().dump(user)), 201


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3 document of this API."""
    from app.api.openapi import build_spec

    return jsonify(build_spec())


from app.api import (  # noqa: E402,F401  (routes on this blueprint)
    clients,
    collections,
    credit,
    ledger,
    notices,
    orders,
    overrides,
    products,
    session,
    sync,
)
