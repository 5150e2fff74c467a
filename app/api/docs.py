"""The pieces of the OpenAPI document that the API's modules share: the error envelope,
common parameters and the answers every write can give."""

from marshmallow import Schema, fields

from app.core.routing import MAX_ID


class ErrorSchema(Schema):
    """The error envelope: {"error": {"code", "message", "fields"}}."""

    error = fields.Dict(required=True)


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a write happen once: a repeat with the same body returns the first "
    "answer; with another body, 422; while the first runs, 409.",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,100}$"},
}


def error_answer(description: str) -> dict:
    """A response carrying the error envelope."""
    return {"description": description, "content": {"application/json": {"schema": "Error"}}}


# Larger ids cannot exist: the router refuses them before any view (app/core/routing.py).
CLIENT_ID = {
    "name": "client_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}
BAD_KEY = (
    "400",
    "Idempotency-Key not valid (8 to 100 letters, digits, '.', '_', ':', '-'); or, signed in "
    "with the session cookie instead of a token, no CSRF token",
)
TOO_LARGE = ("413", "Body over the size limit (MAX_CONTENT_LENGTH)")
# app/core/security.py refuses a NUL character in any query value before the view runs.
NUL_IN_QUERY = ("400", "A query value holds a NUL character")


def json_answer(description: str, schema: str) -> dict:
    """A JSON response or request body of a named schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def write_errors(*extra: tuple[str, str]) -> dict:
    """The error responses every client write can give."""
    responses = {
        BAD_KEY[0]: error_answer(BAD_KEY[1]),
        "401": error_answer("Not signed in"),
        "403": error_answer("Not allowed (back office only)"),
        "409": error_answer("Same key still running"),
        TOO_LARGE[0]: error_answer(TOO_LARGE[1]),
        "422": error_answer("Invalid fields (messages per field, in Spanish), or key reused"),
    }
    return responses | {status: error_answer(description) for status, description in extra}


def path_id(name: str) -> dict:
    """A record id in the path; larger ids cannot exist and answer 404."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }
