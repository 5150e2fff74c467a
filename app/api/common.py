"""What every JSON API module shares: reading the body and the query, refusing bad input with
the 422 envelope, and the client a request names.

Field errors are named with dots: `lines.0.bank` is the bank of the first payment line.
"""

import re
from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError

from app.clients import services as clients
from app.clients.models import Client
from app.core.errors import json_error

# The services name a row's field "lines-0-bank", as the HTML forms do.
_ROW_FIELD = re.compile(r"^(lines|applications|items)-(\d+)-")


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


def query_args(schema: Schema) -> dict:
    """The query string, read by the schema."""
    return schema.load(request.args.to_dict())


def invalid(fields: dict) -> tuple:
    """The 422 envelope with messages per field."""
    return json_error(422, "invalid", _("Los datos enviados no son válidos."), fields)


def refusals(*refused: type[Exception]):
    """Answer bad input and these refusals (each carrying .fields) with the 422 envelope."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except ValidationError as exc:
                return invalid(flat_messages(exc.messages))
            except refused as exc:
                fields = {
                    _ROW_FIELD.sub(r"\1.\2.", name): [str(m)] for name, m in exc.fields.items()
                }
                return invalid(fields)

        return wrapper

    return decorate


def flat_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """Nested messages on one level: {"lines": {0: {"bank": [...]}}} -> "lines.0.bank"."""
    if not isinstance(messages, dict):
        texts = messages if isinstance(messages, list) else [messages]
        flat: dict[str, list[str]] = {}
        for text in texts:
            if isinstance(text, dict):
                for name, found in flat_messages(text, prefix).items():
                    flat.setdefault(name, []).extend(found)
            else:
                flat.setdefault(prefix or "_body", []).append(str(text))
        return flat
    flat = {}
    for key, value in messages.items():
        # A schema-wide message of a row belongs to the row itself.
        name = prefix if key == "_schema" and prefix else ".".join(filter(None, [prefix, str(key)]))
        for field, found in flat_messages(value, name).items():
            flat.setdefault(field, []).extend(found)
    return flat


def visible_client(client_id: int) -> Client:
    """A client in the caller's scope (the back office sees the trash too), else 404."""
    return clients.visible_client(current_user, client_id)
