"""The JSON API for clients: list and search, one client, create, change, trash and restore."""

from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import fields, pre_load, validate

from app.api.blueprint import bp
from app.api.common import load_json, refuse_unstorable_text
from app.auth.permissions import requires
from app.clients import services
from app.clients.schemas import ClientListArgsSchema, ClientPageSchema, ClientSchema
from app.core.errors import json_error
from app.core.fields import REQUIRED, TranslatedSchema, text_field
from app.core.idempotency import write_endpoint
from app.extensions import db

# A larger id cannot exist, and would overflow SQLite's integers: a plain 404.
ONE_CLIENT = "/clients/<int:client_id>"


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
@requires("clients.edit")
def suggest_client_code():
    """The next free client code, for a new client."""
    return jsonify({"code": services.suggest_code()})


@bp.get(ONE_CLIENT)
@requires("clients.view")
def get_client(client_id: int):
    """One client; the back office also sees it in the trash."""
    return _client_json(services.visible_client(current_user, client_id))


@bp.post("/clients")
@requires("clients.edit")
@write_endpoint
def create_client():
    """Create a client; without a code it gets the next free one; required attributes apply."""
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


@bp.patch(ONE_CLIENT)
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
@requires("clients.edit")
@write_endpoint
def trash_client(client_id: int):
    """Send a client to the trash (phones see a tombstone); restore brings it back."""
    services.trash_client(services.visible_client(current_user, client_id, trash=False))
    return "", 204


@bp.post(f"{ONE_CLIENT}/restore")
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


@bp.post(f"{ONE_CLIENT}/notes")
@requires("clients.note")
@write_endpoint
def add_note(client_id: int):
    """Add a note to the card of a client in the caller's scope (the card's note form)."""
    client = services.visible_client(current_user, client_id, trash=False)
    data = load_json(NoteSchema())
    note = services.add_note(client, data["text"])
    return jsonify(NoteSchema().dump(note)), 201
