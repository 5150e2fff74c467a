"""The JSON API for users: bearer tokens, the signed-in user, and users (admin)."""

from flask import current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.api.auth import bearer_token
from app.api.blueprint import bp
from app.api.common import load_json
from app.api.docs import (
    TOO_LARGE,
    api_doc,
    error_answers,
    name_schemas,
    read_errors,
    write_errors,
)
from app.auth import services
from app.auth.permissions import public, requires
from app.auth.schemas import TokenRequestSchema, TokenSchema, UserSchema
from app.core.errors import json_error
from app.core.idempotency import write_endpoint
from app.core.sqlite import start_writing
from app.extensions import db, limiter

name_schemas(TokenRequest=TokenRequestSchema, Token=TokenSchema, User=UserSchema)


@bp.post("/auth/token")
@api_doc(
    "Exchange username and password for a bearer token",
    body=("Username and password", "TokenRequest"),
    answers={"201": ("Token issued", "Token")},
    errors=error_answers(
        ("401", "Wrong credentials"),
        ("422", "Invalid body"),
        TOO_LARGE,
        ("423", "Account locked after repeated failures"),
        ("429", "Too many attempts"),
    ),
)
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
@api_doc(
    "Revoke the token of this request",
    answers={"204": "Revoked"},
    errors=read_errors(("400", "Signed in with the session cookie: there is no token to revoke")),
)
@requires("app.use")
def revoke_token():
    """Revoke the bearer token this request carries."""
    token = bearer_token()
    if token is None or not services.revoke_api_token(token):
        return json_error(400, "no_token", _("Esta solicitud no usa un token."))
    db.session.commit()
    return "", 204


@bp.get("/me")
@api_doc("The signed-in user", answers={"200": ("User", "User")}, errors=read_errors())
@requires("app.use")
def me():
    """The signed-in user."""
    return jsonify(UserSchema().dump(current_user))


@bp.post("/users")
@api_doc(
    "Create a user (admin)",
    body=("The user", "User"),
    answers={"201": ("Created", "User")},
    errors=write_errors(
        ("403", "Not allowed"), ("422", "Invalid body, or key reused with another body")
    ),
)
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
