"""The OpenAPI 3 document, built from the marshmallow schemas."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from app.api.schemas import (
    ClientListArgsSchema,
    ClientPageSchema,
    ClientSchema,
    ErrorSchema,
    SuggestedCodeSchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
)
from app.core.routing import MAX_ID

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a write happen once: a repeat with the same body returns the first "
    "answer; with another body, 422; while the first runs, 409.",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,100}$"},
}


def _error(description: str) -> dict:
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


def _json(description: str, schema: str) -> dict:
    """A JSON response or request body of a named schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _write_errors(*extra: tuple[str, str]) -> dict:
    """The error responses every client write can give."""
    responses = {
        BAD_KEY[0]: _error(BAD_KEY[1]),
        "401": _error("Not signed in"),
        "403": _error("Not allowed (back office only)"),
        "409": _error("Same key still running"),
        TOO_LARGE[0]: _error(TOO_LARGE[1]),
        "422": _error("Invalid fields (messages per field, in Spanish), or key reused"),
    }
    return responses | {status: _error(description) for status, description in extra}


def _client_paths(spec: APISpec) -> None:
    """The client list, the client, its trash and restore, and the code suggestion."""
    spec.components.schema("Client", schema=ClientSchema)
    spec.components.schema("ClientPatch", schema=ClientSchema(partial=True))
    spec.components.schema("ClientPage", schema=ClientPageSchema)
    spec.components.schema("SuggestedCode", schema=SuggestedCodeSchema)
    not_found = ("404", "Unknown, or not in the caller's scope (never 403, ids stay private)")
    spec.path(
        path="/clients",
        operations={
            "get": {
                "summary": "Clients in the caller's scope: search, filters, order, pages",
                "parameters": [{"in": "query", "schema": ClientListArgsSchema}],
                "responses": {
                    "200": _json("A page of clients; `next` is null on the last", "ClientPage"),
                    "401": _error("Not signed in"),
                    "422": _error("Invalid query arguments"),
                },
            },
            "post": {
                "summary": "Create a client (back office); without a code it gets the next",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": {"required": True, **_json("The client", "Client")},
                "responses": {"201": _json("Created", "Client"), **_write_errors()},
            },
        },
    )
    spec.path(
        path="/clients/suggest-code",
        operations={
            "get": {
                "summary": "The next free client code (back office)",
                "responses": {
                    "200": _json("A code", "SuggestedCode"),
                    "401": _error("Not signed in"),
                    "403": _error("Not allowed (back office only)"),
                },
            }
        },
    )
    spec.path(
        path="/clients/{client_id}",
        operations={
            "get": {
                "summary": "A client; the back office also sees it in the trash",
                "parameters": [CLIENT_ID],
                "responses": {
                    "200": _json("The client", "Client"),
                    "401": _error("Not signed in"),
                    "404": _error(not_found[1]),
                },
            },
            "patch": {
                "summary": "Change the fields sent (back office); the others stay",
                "parameters": [CLIENT_ID, IDEMPOTENCY_KEY],
                "requestBody": {"required": True, **_json("Fields to change", "ClientPatch")},
                "responses": {"200": _json("Changed", "Client"), **_write_errors(not_found)},
            },
            "delete": {
                "summary": "Send a client to the trash (back office); restore brings it back",
                "parameters": [CLIENT_ID, IDEMPOTENCY_KEY],
                "responses": {"204": {"description": "In the trash"}, **_write_errors(not_found)},
            },
        },
    )
    spec.path(
        path="/clients/{client_id}/restore",
        operations={
            "post": {
                "summary": "Bring a client back from the trash (back office)",
                "parameters": [CLIENT_ID, IDEMPOTENCY_KEY],
                "responses": {
                    "200": _json("Restored", "Client"),
                    **_write_errors(("404", "Unknown, out of scope, or not in the trash")),
                },
            }
        },
    )


def build_spec() -> dict:
    """Describe every API operation."""
    spec = APISpec(
        title="Clientes en ruta API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("TokenRequest", schema=TokenRequestSchema)
    spec.components.schema("Token", schema=TokenSchema)
    spec.components.schema("User", schema=UserSchema)
    json_body = {"required": True, "content": {"application/json": {"schema": "TokenRequest"}}}
    spec.path(
        path="/auth/token",
        operations={
            "post": {
                "summary": "Exchange username and password for a bearer token",
                "security": [],
                "requestBody": json_body,
                "responses": {
                    "201": {
                        "description": "Token issued",
                        "content": {"application/json": {"schema": "Token"}},
                    },
                    "401": _error("Wrong credentials"),
                    "422": _error("Invalid body"),
                    TOO_LARGE[0]: _error(TOO_LARGE[1]),
                    "423": _error("Account locked after repeated failures"),
                    "429": _error("Too many attempts"),
                },
            },
            "delete": {
                "summary": "Revoke the token of this request",
                "responses": {
                    "204": {"description": "Revoked"},
                    "400": _error("Signed in with the session cookie: there is no token to revoke"),
                    "401": _error("Not signed in"),
                },
            },
        },
    )
    spec.path(
        path="/me",
        operations={
            "get": {
                "summary": "The signed-in user",
                "responses": {
                    "200": {
                        "description": "User",
                        "content": {"application/json": {"schema": "User"}},
                    },
                    "401": _error("Not signed in"),
                },
            }
        },
    )
    spec.path(
        path="/users",
        operations={
            "post": {
                "summary": "Create a user (admin)",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "User"}},
                },
                "responses": {
                    "201": {
                        "description": "Created",
                        "content": {"application/json": {"schema": "User"}},
                    },
                    BAD_KEY[0]: _error(BAD_KEY[1]),
                    "401": _error("Not signed in"),
                    "403": _error("Not allowed"),
                    "409": _error("Same key still running"),
                    TOO_LARGE[0]: _error(TOO_LARGE[1]),
                    "422": _error("Invalid body, or key reused with another body"),
                },
            }
        },
    )
    _client_paths(spec)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document
