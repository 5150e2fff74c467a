"""The signed-in session, for the phone's outbox: who is signed in and a fresh CSRF token.

The outbox asks before each replay: a queue made by another user is not sent, and a token
from a session that expired offline is replaced by the new session's one.
"""

from flask import jsonify
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import fields

from app.api.blueprint import bp
from app.api.docs import api_doc, name_schemas, read_errors
from app.auth.permissions import requires
from app.core.fields import AnswerSchema


class SessionSchema(AnswerSchema):
    """Who is signed in, and the token their cookie-authenticated writes send."""

    user_id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    csrf_token = fields.String(
        required=True,
        metadata={"description": "Send it as X-CSRFToken on writes signed in with the cookie"},
    )


name_schemas(Session=SessionSchema)


@bp.get("/session")
@api_doc(
    "The signed-in user and a CSRF token for writes signed in with the session cookie (sent "
    "as X-CSRFToken); not cached",
    answers={"200": ("The session", "Session")},
    errors=read_errors(),
)
@requires("app.use")
def current_session():
    """The signed-in user and the session's CSRF token; never cached."""
    body = {
        "user_id": current_user.id,
        "username": current_user.username,
        "full_name": current_user.full_name,
        "csrf_token": generate_csrf(),
    }
    response = jsonify(SessionSchema().dump(body))
    response.headers["Cache-Control"] = "no-store"
    return response
