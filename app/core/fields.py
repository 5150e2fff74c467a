"""The marshmallow fields and base schemas every domain's JSON schemas are made of.

Marshmallow's own messages are English; these fields carry Spanish ones (lazy, so each takes
the request's language when a `TranslatedSchema` is made). Money is a string with two
decimals, read exactly and never rounded.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from flask import has_app_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate
from marshmallow.schema import SchemaMeta

from app.core.email import normalize_email
from app.core.routing import MAX_ID
from app.core.types import MAX_AMOUNT

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
PAGE_SIZE = 50

REQUIRED = _l("Este campo es obligatorio.")
TOO_LONG = _l("Como máximo {max} caracteres.")
NOT_FOUND = _l("No existe.")
FIELD_ERRORS = {
    "required": REQUIRED,
    "null": REQUIRED,
    "validator_failed": _l("El valor no es válido."),
}
_INVALID = {
    fields.Boolean: _l("Tiene que ser verdadero o falso."),
    fields.Decimal: _l("Tiene que ser un número."),
    fields.Dict: _l("Tiene que ser un objeto."),
    fields.Integer: _l("Tiene que ser un número entero."),
    fields.List: _l("Tiene que ser una lista."),
    fields.String: _l("Tiene que ser un texto."),
}


# --- base schemas ----------------------------------------------------------------------------


class _MadeOncePerLanguage(SchemaMeta):
    """`SomeSchema(many=True)` hands back the instance made earlier for the same class, options
    and language: making one copies and translates every field (5 ms for a client's 69), and an
    instance keeps no state between loads and dumps. Options that are not plain values (a
    client being edited) make a new one each time."""

    def __call__(cls, *args, **options):
        if args or not all(map(_plain_option, options.values())):
            return super().__call__(*args, **options)
        frozen = {k: frozenset(v) if isinstance(v, set) else v for k, v in options.items()}
        return _made(cls, _language(), tuple(sorted(frozen.items())))


@lru_cache(maxsize=1024)
def _made(cls: SchemaMeta, _language: str, options: tuple) -> Schema:
    return SchemaMeta.__call__(cls, **dict(options))


def _plain_option(value) -> bool:
    """None, a flag, a number, a text, or a tuple or set of texts (only=, exclude=)."""
    if isinstance(value, tuple | frozenset | set):
        return all(isinstance(each, str) for each in value)
    return value is None or isinstance(value, bool | int | str)


def _language() -> str:
    return str(get_locale()) if has_app_context() else ""


class TranslatedSchema(Schema, metaclass=_MadeOncePerLanguage):
    """A schema whose lazy messages take the request's language when it is made; made once per
    language and options."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages = plain_messages(self.error_messages)

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        """Marshmallow lists plain strings only: turn the field's lazy messages into them."""
        for name in ("inner", "key_field", "value_field"):
            if (part := getattr(field_obj, name, None)) is not None:
                self.on_bind_field(field_name, part)
        field_obj.error_messages = plain_messages(field_obj.error_messages)


class AnswerSchema(Schema, metaclass=_MadeOncePerLanguage):
    """What the app answers (dumped, never loaded): made once per class and options too."""


def plain_messages(messages: dict) -> dict:
    """Messages as plain strings in the current language."""
    return {key: str(message) for key, message in messages.items()}


class BodySchema(TranslatedSchema):
    """A request body: unknown fields and non-objects are refused, in Spanish."""

    error_messages = {
        "unknown": _l("Campo desconocido."),
        "type": _l("Se esperaba un objeto JSON."),
    }


class QuerySchema(TranslatedSchema):
    """A query string: unknown arguments are ignored and empty ones are no value."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _drop_empty(self, data, **_kwargs):
        """`?kind=` is no filter."""
        return {name: value for name, value in data.items() if value != ""}


def valid_email(value: str) -> None:
    """Validate one e-mail address (app/core/email.py), its message in the user's language."""
    try:
        normalize_email(value)
    except ValueError as error:
        raise ValidationError(str(error)) from error


# --- fields that take input ------------------------------------------------------------------


def spanish_field(field_class: type, *args, **kwargs) -> fields.Field:
    """A field of this class whose type, required and null errors are in Spanish."""
    invalid = next(_INVALID[cls] for cls in field_class.__mro__ if cls in _INVALID)
    messages = {**FIELD_ERRORS, "invalid": invalid}
    if issubclass(field_class, fields.Number):
        messages |= {"too_large": _l("El número es demasiado grande."), "special": invalid}
    return field_class(*args, error_messages=messages, **kwargs)


def text_field(max_length: int, *validators, nullable: bool = True, **kwargs) -> fields.Field:
    """A string of at most this many characters."""
    return spanish_field(
        fields.String,
        allow_none=nullable,
        validate=[validate.Length(max=max_length, error=TOO_LONG), *validators],
        **kwargs,
    )


def choice_field(values, *, nullable: bool = False, **kwargs) -> fields.Field:
    """One of a fixed set of values."""
    return spanish_field(
        fields.String,
        allow_none=nullable,
        validate=validate.OneOf(
            [str(v) for v in values], error=_l("Tiene que ser uno de estos valores: {choices}.")
        ),
        **kwargs,
    )


def flag_field() -> fields.Field:
    """A JSON true or false."""
    return spanish_field(fields.Boolean, truthy={True}, falsy={False})


def id_field(**kwargs) -> fields.Field:
    """The id of a row; an id that cannot exist is "No existe."."""
    return spanish_field(
        fields.Integer,
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID, error=NOT_FOUND),
        **kwargs,
    )


def rows_field(schema: type[Schema], most: int, **kwargs) -> fields.Field:
    """A list of JSON objects, each read by the schema."""
    row = fields.Nested(
        schema, error_messages={**FIELD_ERRORS, "type": _l("Tiene que ser un objeto.")}
    )
    return spanish_field(
        fields.List,
        row,
        validate=validate.Length(max=most, error=_l("Como máximo {max} filas.")),
        **kwargs,
    )


def place_field() -> fields.Field:
    """A coordinate or accuracy from the phone; one that is not usable is dropped (by
    core.location.phone_location), never refused."""
    return fields.Raw(
        allow_none=True,
        metadata={"type": "number", "description": "Left out when not usable; never refused"},
    )


def day_field(**kwargs) -> fields.Field:
    """A date (2026-11-23) from 2000 to 2099."""
    messages = {**FIELD_ERRORS, "invalid": _l("Fecha inválida."), "format": _l("Fecha inválida.")}
    return fields.Date(
        error_messages=messages,
        validate=validate.Range(
            min=FIRST_DAY, max=LAST_DAY, error=_l("La fecha está fuera de rango.")
        ),
        **kwargs,
    )


def page_field() -> fields.Field:
    """A page number."""
    return spanish_field(
        fields.Integer,
        load_default=1,
        validate=validate.Range(min=1, max=100_000, error=_l("Entre {min} y {max}.")),
    )


def per_page_field() -> fields.Field:
    """Rows per page."""
    return spanish_field(
        fields.Integer,
        load_default=PAGE_SIZE,
        validate=validate.Range(min=1, max=100, error=_l("Entre {min} y {max}.")),
    )


class DecimalText(fields.Decimal):
    """A decimal sent as a string ("1234.50") or a JSON number; never rounded, always bounded."""

    default_error_messages = {
        **FIELD_ERRORS,
        "invalid": _l("Tiene que ser un número."),
        "places": _l("Como máximo dos decimales."),
        "too_small": _l("El importe debe ser mayor que cero."),
        "too_large": _l("El importe es demasiado grande."),
    }

    def __init__(self, *, places: int = 2, minimum: Decimal, maximum: Decimal, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        digits = len(str(int(maximum)))
        metadata = {
            "type": "string",
            "format": "decimal",
            "pattern": rf"^[0-9]{{1,{digits}}}(\.[0-9]{{1,{places}}})?$",
        }
        kwargs["metadata"] = metadata | kwargs.get("metadata", {})
        super().__init__(places=places, as_string=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        """Read the number exactly; refuse extra decimals instead of rounding them away."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.make_error("invalid")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as error:
            raise self.make_error("invalid") from error
        if not number.is_finite():
            raise self.make_error("invalid")
        if number.as_tuple().exponent < self.places.as_tuple().exponent:
            raise self.make_error("places")
        if number < self.minimum:
            raise self.make_error("too_small")
        if number > self.maximum:
            raise self.make_error("too_large")
        return number.quantize(self.places)


def amount_field(**kwargs) -> fields.Field:
    """A money amount: more than zero, two decimals at most, up to 999999999999.99."""
    description = (
        'Money as a string ("1234.50"; a JSON number is taken too): more than zero, at '
        "most two decimals, up to 999999999999.99"
    )
    return DecimalText(
        minimum=Decimal("0.01"),
        maximum=MAX_AMOUNT,
        metadata={"example": "1234.50", "description": description},
        **kwargs,
    )


# --- fields that give output -----------------------------------------------------------------


def money_field(**kwargs) -> fields.Field:
    """Money as a string with two decimals ("-1234.50"); never a float."""
    metadata = {"type": "string", "format": "decimal", "example": "1234.50"}
    kwargs["metadata"] = metadata | kwargs.get("metadata", {})
    return fields.Decimal(places=2, as_string=True, **kwargs)
