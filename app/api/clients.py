"""The JSON API for clients: list and search, one client, create, change, trash and restore."""

from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import fields, pre_load, validate

from app.api.blueprint import bp
from app.api.common import load_json, refuse_unstorable_text
from app.api.docs import api_doc, name_schemas, read_errors, write_errors
from app.auth.permissions import can, requires
from app.clients import prospects, services
from app.clients.prospect_schemas import ProspectSchema
from app.clients.schemas import (
    ClientListArgsSchema,
    ClientPageSchema,
    ClientSchema,
    SuggestedCodeSchema,
)
from app.core.errors import json_error
from app.core.fields import REQUIRED, TranslatedSchema, text_field
from app.core.idempotency import write_endpoint
from app.extensions import db

# A larger id cannot exist, and would overflow SQLite's integers: a plain 404.
ONE_CLIENT = "/clients/<int:client_id>"
NOT_FOUND = ("404", "Unknown, or not in the caller's scope (never 403, ids stay private)")
BACK_OFFICE = ("403", "Not allowed (back office only)")

name_schemas(
    Client=ClientSchema,
    ClientPatch=ClientSchema(partial=True),
    ClientPage=ClientPageSchema,
    SuggestedCode=SuggestedCodeSchema,
    Prospect=ProspectSchema(),
)


def _client_json(client):
    """A client as the API answers it, with its custom attributes by name."""
    return jsonify(ClientSchema().dump(client) | {"custom": services.custom_by_name(client)})


def _custom_from_body() -> dict | None:
    """The optional "custom" object of the body, taken out before the schema sees the rest."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "custom" not in body:
        return None
    refuse_unstorable_text({"custom": body["custom"]})
    custom = body.pop("custom")
    if not isinstance(custom, dict):
        raise services.ClientError({"custom": _("Tiene que ser un objeto.")})
    return custom


def _refused(exc: services.ClientError):
    """A change the service refused, in the same shape as a schema's field errors."""
    names = {f"attr_{a.id}": f"custom.{a.name}" for a in services.active_attributes()}
    fields = {names.get(name, name): [message] for name, message in exc.fields.items()}
    return json_error(422, "invalid", _("Los datos enviados no son válidos."), fields)


@bp.get("/clients")
@api_doc(
    "Clients in the caller's scope: search, filters, order, pages",
    query=ClientListArgsSchema,
    answers={"200": ("A page of clients; `next` is null on the last", "ClientPage")},
    errors=read_errors(),
)
@requires("clients.view")
def list_clients():
    """Clients in the caller's scope: searched, filtered, sorted, a page at a time."""
    args = ClientListArgsSchema().load(request.args.to_dict())
    query = services.search_clients(services.scoped_clients(current_user), args["q"])
    query = services.sort_clients(services.filter_clients(query, args), args["sort"])
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    next_url = None
    if page.has_next:
        sent = {name: value for name, value in args.items() if value not in ("", None)}
        next_url = url_for(".list_clients", **(sent | {"page": page.next_num}))
    body = {"items": page.items, "next": next_url, "total": page.total}
    return jsonify(ClientPageSchema().dump(body))


@bp.get("/clients/suggest-code")
@api_doc(
    "The next free client code (back office)",
    answers={"200": ("A code", "SuggestedCode")},
    errors=read_errors(BACK_OFFICE),
)
@requires("clients.edit")
def suggest_client_code():
    """The next free client code, for a new client."""
    return jsonify({"code": services.suggest_code()})


@bp.get(ONE_CLIENT)
@api_doc(
    "A client; the back office also sees it in the trash",
    answers={"200": ("The client", "Client")},
    errors=read_errors(NOT_FOUND),
)
@requires("clients.view")
def get_client(client_id: int):
    """One client; the back office also sees it in the trash."""
    return _client_json(services.visible_client(current_user, client_id))


@bp.post("/clients")
@api_doc(
    "Create a client (back office; without a code it gets the next), or register a prospect "
    "(salespeople and supervisors)",
    body=(
        "The client. A salesperson or supervisor sends a Prospect instead (its schema): the card's "
        "other fields are refused; it is created as potential and assigned to the caller",
        "Client",
    ),
    answers={"201": ("Created", "Client")},
    errors=write_errors(
        ("403", "Not allowed (collectors)"),
        (
            "422",
            "Invalid fields (messages per field, in Spanish), a tax id another client holds, a "
            "field only the back office fills (prospects), or key reused",
        ),
    ),
)
@requires("clients.prospect")
@write_endpoint
def create_client():
    """Create a client; without a code it gets the next free one; required attributes apply.

    Without the right to edit clients, the caller registers a prospect of their own instead.
    """
    if not can(current_user, "clients.edit"):
        return _create_prospect()
    try:
        custom = _custom_from_body() or {}
        data = load_json(ClientSchema())
        client = services.create_client(data)
        services.set_custom_values(client, services.parse_custom(custom))
    except services.ClientError as exc:
        return _refused(exc)
    response = _client_json(client)
    response.headers["Location"] = url_for(".get_client", client_id=client.id)
    return response, 201


def _create_prospect():
    """A prospect registered at the door, assigned to the caller (app/clients/prospects.py)."""
    try:
        data = load_json(ProspectSchema(caller_id=current_user.id))
        client = prospects.create_prospect(current_user, data)
    except services.ClientError as exc:
        return _refused(exc)
    response = _client_json(client)
    response.headers["Location"] = url_for(".get_client", client_id=client.id)
    return response, 201


@bp.patch(ONE_CLIENT)
@api_doc(
    "Change the fields sent (back office); the others stay",
    body=("Fields to change", "ClientPatch"),
    answers={"200": ("Changed", "Client")},
    errors=write_errors(NOT_FOUND),
)
@requires("clients.edit")
@write_endpoint
def update_client(client_id: int):
    """Change the fields sent; the others stay as they are."""
    client = services.visible_client(current_user, client_id, trash=False)
    try:
        custom = _custom_from_body()
        data = load_json(ClientSchema(partial=True, current=client))
        services.update_client(client, data)
        if custom is not None:
            current = services.parse_custom(
                {k: v for k, v in services.custom_by_name(client).items() if v is not None}
            )
            services.set_custom_values(client, current | services.parse_custom(custom))
    except services.ClientError as exc:
        return _refused(exc)
    return _client_json(client)


@bp.delete(ONE_CLIENT)
@api_doc(
    "Send a client to the trash (back office); restore brings it back",
    answers={"204": "In the trash"},
    errors=write_errors(NOT_FOUND),
)
@requires("clients.edit")
@write_endpoint
def trash_client(client_id: int):
    """Send a client to the trash (phones see a tombstone); restore brings it back."""
    services.trash_client(services.visible_client(current_user, client_id, trash=False))
    return "", 204


@bp.post(f"{ONE_CLIENT}/restore")
@api_doc(
    "Bring a client back from the trash (back office)",
    answers={"200": ("Restored", "Client")},
    errors=write_errors(("404", "Unknown, out of scope, or not in the trash")),
)
@requires("clients.edit")
@write_endpoint
def restore_client(client_id: int):
    """Bring a client back from the trash."""
    client = services.visible_client(current_user, client_id, trash=True)
    if not client.is_deleted:
        abort(404)
    try:
        services.restore_client(client)
    except services.ClientError as exc:
        return _refused(exc)
    return _client_json(client)


# As the card's note form allows (app/clients/forms.py NoteForm).
NOTE_MAX_LENGTH = 2000


class NoteSchema(TranslatedSchema):
    """A note on the client's card: the text taken, the note answered."""

    error_messages = {
        "unknown": _l("Campo desconocido."),
        "type": _l("Se esperaba un objeto JSON."),
    }

    id = fields.Integer(dump_only=True)
    client_id = fields.Integer(dump_only=True)
    text = text_field(
        NOTE_MAX_LENGTH,
        validate.Length(min=1, error=REQUIRED),
        required=True,
        nullable=False,
        metadata={"description": "Trimmed; blank is refused", "example": "Atiende de 8 a 12"},
    )
    author_id = fields.Integer(dump_only=True, allow_none=True)
    author = fields.String(attribute="author.full_name", dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)

    @pre_load
    def _trim(self, data, **_kwargs):
        """Spaces around the text are dropped, as the card's form does."""
        if isinstance(data, dict) and isinstance(data.get("text"), str):
            return data | {"text": data["text"].strip()}
        return data


name_schemas(ClientNote=NoteSchema)


@bp.post(f"{ONE_CLIENT}/notes")
@api_doc(
    "Add a note to the card of a client in the caller's scope",
    body=("The note's text", "ClientNote"),
    answers={"201": ("Added", "ClientNote")},
    # every role writes notes: no 403
    errors={
        status: answer for status, answer in write_errors(NOT_FOUND).items() if status != "403"
    },
)
@requires("clients.note")
@write_endpoint
def add_note(client_id: int):
    """Add a note to the card of a client in the caller's scope (the card's note form)."""
    client = services.visible_client(current_user, client_id, trash=False)
    data = load_json(NoteSchema())
    note = services.add_note(client, data["text"])
    return jsonify(NoteSchema().dump(note)), 201
