"""How a route describes its operation for the OpenAPI document (app/api/openapi.py builds it
from the routes), the names of the schemas, and the pieces the API's modules share: the error
envelope, common parameters and the answers every read or write can give."""

from collections.abc import Callable

from marshmallow import Schema, fields

from app.core.fields import AnswerSchema
from app.core.routing import MAX_ID

# The document's name of each schema a route reads, answers or nests: {"Order": OrderSchema}.
# A nested schema without one is named after its class, less "Schema" ("Failure").
SCHEMAS: dict[str, type[Schema] | Schema] = {}


def name_schemas(**named: type[Schema] | Schema) -> None:
    """Give schemas their names among the document's components; a name is given once."""
    for name, schema in named.items():
        if SCHEMAS.setdefault(name, schema) is not schema:
            raise ValueError(f"the OpenAPI name {name} is already given to {SCHEMAS[name]}")


class ErrorSchema(AnswerSchema):
    """The error envelope: {"error": {"code", "message", "fields"}}."""

    error = fields.Dict(required=True)


name_schemas(Error=ErrorSchema)

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a write happen once: a repeat with the same body returns the first "
    "answer; with another body, 422; while the first runs, 409.",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,100}$"},
}
BAD_KEY = (
    "400",
    "Idempotency-Key not valid (8 to 100 letters, digits, '.', '_', ':', '-'); or, signed in "
    "with the session cookie instead of a token, no CSRF token",
)
TOO_LARGE = ("413", "Body over the size limit (MAX_CONTENT_LENGTH)")
# app/core/security.py refuses a NUL character in any query value before the view runs.
NUL_IN_QUERY = ("400", "A query value holds a NUL character")
BAD_QUERY = ("422", "Invalid query arguments")
# Reads of a record or a client's account: an id out of reach is unknown, never forbidden.
OUT_OF_SCOPE = ("404", "Unknown, or not in the caller's scope (never 403)")
# Writes to a record named in the path.
UNKNOWN = ("404", "Unknown, or not in the caller's scope")
# Writes whose service refuses a change field by field (ledger, orders, collections).
REFUSED_WRITE = (
    "422",
    "Invalid fields, or a change the ledger refuses (messages per field, in Spanish; rows "
    'named with dots: "lines.0.bank", "applications.1.amount"), or key reused',
)
NOT_FOR_COLLECTORS = ("403", "Not allowed (collectors)")


def error_answer(description: str) -> dict:
    """A response carrying the error envelope."""
    return {"description": description, "content": {"application/json": {"schema": "Error"}}}


def json_answer(description: str, schema: str | dict) -> dict:
    """A JSON response or request body of a named schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_answers(*answers: tuple[str, str]) -> dict:
    """Error responses from (status, description) pairs; a later pair wins."""
    return {status: error_answer(description) for status, description in answers}


def read_errors(*extra: tuple[str, str]) -> dict:
    """The error responses of a read: not signed in, and these."""
    return error_answers(("401", "Not signed in"), *extra)


def write_errors(*extra: tuple[str, str]) -> dict:
    """The error responses every client write can give, and these (which win)."""
    return error_answers(
        BAD_KEY,
        ("401", "Not signed in"),
        ("403", "Not allowed (back office only)"),
        ("409", "Same key still running"),
        TOO_LARGE,
        ("422", "Invalid fields (messages per field, in Spanish), or key reused"),
        *extra,
    )


def path_id(name: str) -> dict:
    """A record id in the path; larger ids cannot exist and answer 404 (app/core/routing.py)."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }


def api_doc(
    summary: str,
    *,
    answers: dict[str, str | tuple[str, str | dict]],
    errors: dict | None = None,
    query: type[Schema] | None = None,
    body: tuple[str, str] | None = None,
    params: tuple[dict, ...] | list[dict] = (),
) -> Callable:
    """Describe the operation of the route below; the OpenAPI document is built from it.

    answers: status -> (description, schema name), or a description alone for no body.
    errors: the error answers (read_errors, write_errors, error_answers). query: the schema
    of the query string, whose refusals (a NUL, invalid arguments) come with it; errors win.
    body: (description, schema name) of the JSON body. params: header parameters.
    The path's parameters and the security (none for a public route) come from the route.
    """
    responses = {
        status: {"description": answer} if isinstance(answer, str) else json_answer(*answer)
        for status, answer in answers.items()
    }
    parameters = list(params)
    if query is not None:
        parameters.append({"in": "query", "schema": query})
        responses |= error_answers(NUL_IN_QUERY, BAD_QUERY)
    operation = {"summary": summary, "responses": responses | (errors or {})}
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = {"required": True, **json_answer(*body)}

    def describe(view: Callable) -> Callable:
        """Keep the operation on the view."""
        view.api_operation = operation
        return view

    return describe


def operation_of(view: Callable) -> dict | None:
    """The operation a route described with api_doc, or None."""
    return getattr(view, "api_operation", None)
