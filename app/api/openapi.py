"""The OpenAPI 3 document, built from the marshmallow schemas."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from app.api.schemas import ErrorSchema, TokenRequestSchema, TokenSchema, UserSchema

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
                    "429": _error("Too many attempts"),
                },
            },
            "delete": {
                "summary": "Revoke the token of this request",
                "responses": {"204": {"description": "Revoked"}, "401": _error("Not signed in")},
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
                    "401": _error("Not signed in"),
                    "403": _error("Not allowed"),
                    "409": _error("Same key still running"),
                    "422": _error("Invalid body, or key reused with another body"),
                },
            }
        },
    )
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document
