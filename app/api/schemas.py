"""Marshmallow schemas of the JSON API: auth, users and clients."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from app.auth.models import Role
from app.auth.services import MIN_PASSWORD_LENGTH
from app.clients.models import Client, ClientKind, ClientState, PaymentMethod
from app.clients.services import PAGE_SIZE, REFERENCE_RULES, SORTS, reference_error
from app.core.email import normalize_email
from app.core.routing import MAX_ID
from app.taxes.rules import IVA_CONDITIONS, TaxIdType
from app.taxes.services import client_invoice


class TokenRequestSchema(Schema):
    """Credentials exchanged for a bearer token."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(Schema):
    """A bearer token and when it expires."""

    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


def _email(value: str) -> None:
    """One valid e-mail address (app/core/email.py), with its message in the user's language."""
    try:
        normalize_email(value)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class UserSchema(Schema):
    """A user as the API shows it and takes it."""

    id = fields.Integer(dump_only=True)
    username = fields.String(
        required=True,
        validate=[validate.Length(min=3, max=40), validate.Regexp(r"^[a-z0-9._-]+$")],
    )
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.String(
        allow_none=True,
        load_default=None,
        validate=[validate.Length(max=254), _email],
        metadata={"format": "email"},
    )
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    supervisor_id = fields.Integer(
        allow_none=True, load_default=None, strict=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    active = fields.Boolean(load_default=True)
    locale = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(["es_AR", "en"])
    )
    password = fields.String(
        load_only=True, required=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH, max=200)
    )


class ErrorSchema(Schema):
    """The error envelope: {"error": {"code", "message", "fields"}}."""

    error = fields.Dict(required=True)


# --- clients -----------------------------------------------------------------------------

MAX_NETWORKS = 10
REQUIRED = _l("Este campo es obligatorio.")
TOO_LONG = _l("Como máximo {max} caracteres.")
NOT_FOUND = _l("No existe.")
NOT_ALLOWED_HERE = _l("No se puede elegir para este campo.")
# Marshmallow's own messages are English; every client field uses these instead.
_ERRORS = {
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


def _spanish(field_class: type, *args, **kwargs) -> fields.Field:
    """A field of this class whose type, required and null errors are in Spanish."""
    invalid = next(_INVALID[cls] for cls in field_class.__mro__ if cls in _INVALID)
    messages = {**_ERRORS, "invalid": invalid}
    if issubclass(field_class, fields.Number):
        messages |= {"too_large": _l("El número es demasiado grande."), "special": invalid}
    return field_class(*args, error_messages=messages, **kwargs)


def _text(max_length: int, *validators, nullable: bool = True, **kwargs):
    """A string column of the card."""
    return _spanish(
        fields.String,
        allow_none=nullable,
        validate=[validate.Length(max=max_length, error=TOO_LONG), *validators],
        **kwargs,
    )


def _choice(values, *, nullable: bool = False, **kwargs):
    """One of a fixed set of values."""
    return _spanish(
        fields.String,
        allow_none=nullable,
        validate=validate.OneOf(
            [str(v) for v in values], error=_l("Tiene que ser uno de estos valores: {choices}.")
        ),
        **kwargs,
    )


def _flag():
    """A JSON true or false."""
    return _spanish(fields.Boolean, truthy={True}, falsy={False})


def _reference(strict: bool = True):
    """The id of a row in another table; the schema checks that it exists."""
    return _spanish(
        fields.Integer,
        strict=strict,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID, error=NOT_FOUND),
    )


def _copies():
    """How many copies of a document are printed."""
    return _spanish(
        fields.Integer, strict=True, validate=validate.Range(min=0, max=9, error=_l("Entre 0 y 9."))
    )


def _email_list(value: str) -> None:
    """Comma-separated e-mail addresses, each valid."""
    for address in filter(None, (part.strip() for part in value.split(","))):
        _email(address)


def _few_networks(value: dict) -> None:
    """A handful of social networks, not a dump of data."""
    if len(value) > MAX_NETWORKS:
        raise ValidationError(str(_l("Como máximo %(max)d redes.", max=MAX_NETWORKS)))


class Percentage(fields.Decimal):
    """A percentage with up to two decimals, written as a string ("21.00"); never rounded."""

    def __init__(self, **kwargs):
        metadata = {"type": "string", "format": "decimal", "example": "21.00"}
        kwargs["metadata"] = metadata | kwargs.get("metadata", {})
        super().__init__(places=2, as_string=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        """Refuse more than two decimals instead of rounding them away."""
        number = super()._deserialize(value, attr, data, **kwargs)
        if number != Decimal(str(value)):
            raise ValidationError(str(_l("Como máximo dos decimales.")))
        return number


class TranslatedSchema(Schema):
    """A schema whose lazy messages take the request's language when it is made."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages = _plain(self.error_messages)

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        """Marshmallow lists plain strings only: turn the field's lazy messages into them."""
        for name in ("inner", "key_field", "value_field"):
            if (part := getattr(field_obj, name, None)) is not None:
                self.on_bind_field(field_name, part)
        field_obj.error_messages = _plain(field_obj.error_messages)


def _plain(messages: dict) -> dict:
    """Messages as plain strings in the current language."""
    return {key: str(message) for key, message in messages.items()}


class ClientSchema(TranslatedSchema):
    """A client as the API shows it and takes it; pass `current` when changing one."""

    error_messages = {
        "unknown": _l("Campo desconocido."),
        "type": _l("Se esperaba un objeto JSON."),
    }

    id = fields.Integer(dump_only=True)
    display_name = fields.String(dump_only=True)
    deleted = fields.Boolean(attribute="is_deleted", dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    last_sale_date = fields.Date(dump_only=True, allow_none=True)
    last_receipt_date = fields.Date(dump_only=True, allow_none=True)
    # Taken out of the body and answered by the views (app/api/clients.py): declared here so
    # the OpenAPI document shows it.
    custom = _spanish(
        fields.Dict,
        keys=fields.String(),
        metadata={
            "description": "Custom attributes by name: text, number as text, date (ISO), "
            "true/false or null",
            "example": {"horario": "8 a 12"},
        },
    )
    # identity
    code = _text(
        20,
        validate.Regexp(r"^[A-Za-z0-9._-]+$", error=_l("Solo letras, números, punto y guion.")),
        nullable=False,
    )
    kind = _choice(ClientKind)
    legal_name = _text(160, required=True, nullable=False)
    first_name = _text(80)
    last_name = _text(80)
    trade_name = _text(160)
    tax_id_type = _choice(TaxIdType)
    tax_id = _text(20)
    tax_id_formatted = fields.String(dump_only=True, allow_none=True)
    branch_of_id = _reference()
    country = _text(
        2,
        validate.Regexp(r"^[A-Z]{2}$", error=_l("Código de país de 2 letras, como AR.")),
        nullable=False,
    )
    foreign = _flag()
    activity = _text(120)
    email = _text(254, _email, metadata={"format": "email"})
    other_emails = _text(500, _email_list)
    phone = _text(40)
    mobile = _text(40)
    website = _text(200)
    social = _spanish(
        fields.Dict,
        allow_none=True,
        keys=_text(40, nullable=False),
        values=_text(200, nullable=False),
        validate=_few_networks,
        metadata={"maxProperties": MAX_NETWORKS, "example": {"instagram": "@almacen"}},
    )
    loyalty_enabled = _flag()
    loyalty_points = _spanish(
        fields.Integer,
        strict=True,
        validate=[
            validate.Range(min=0, error=_l("No puede ser negativo.")),
            validate.Range(max=MAX_ID, error=_l("El número es demasiado grande.")),
        ],
    )
    # tax data
    iva_condition = _choice(IVA_CONDITIONS, nullable=True)
    invoice_letter = fields.Method(
        "_invoice_letter",
        dump_only=True,
        allow_none=True,
        metadata={
            "type": "string",
            "enum": ["A", "B", "C", "E"],
            "description": "The letter of the invoices the company issues to the client "
            "(from both IVA conditions); null without an IVA condition",
        },
    )
    iibb_number = _text(20)
    iibb_jurisdiction = _text(60)
    iibb_multilateral = _flag()
    large_taxpayer = _flag()
    iva_exemption_pct = _spanish(
        Percentage,
        validate=validate.Range(min=0, max=100, error=_l("Entre 0 y 100.")),
        metadata={"minimum": 0, "maximum": 100},
    )
    accounting_account = _text(30)
    cbu = _text(22, validate.Regexp(r"^\d{22}$", error=_l("El CBU tiene 22 dígitos.")))
    # commercial data
    state = _choice(ClientState)
    abc_rating = _choice(["A", "B", "C"], nullable=True)
    client_type_id = _reference()
    price_list_id = _reference()
    sale_condition_id = _reference()
    credit_policy_id = _reference()
    currency = _choice(["ARS", "USD"])
    foreign_currency_allowed = _flag()
    payment_methods = _spanish(fields.List, _choice(PaymentMethod), allow_none=True)
    default_payment_method = _choice(PaymentMethod, nullable=True)
    credit_blocked = _flag()
    salesperson_id = _reference()
    collector_id = _reference()
    sales_zone_id = _reference()
    delivery_zone_id = _reference()
    transport_id = _reference()
    channel_id = _reference()
    segment1_id = _reference()
    segment2_id = _reference()
    segment3_id = _reference()
    segment4_id = _reference()
    category1_id = _reference()
    subcategory1_id = _reference()
    category2_id = _reference()
    subcategory2_id = _reference()
    family_id = _reference()
    delivery_note_copies = _copies()
    invoice_copies = _copies()
    # main address
    street = _text(160)
    city = _text(80)
    province = _text(60)
    postal_code = _text(10)

    def __init__(self, *, current: Client | None = None, **kwargs):
        super().__init__(**kwargs)
        self.current = current

    def _invoice_letter(self, client: Client) -> str | None:
        """A, B, C or E for this client; None without an IVA condition."""
        invoice = client_invoice(client)
        return invoice.letter if invoice else None

    @pre_load
    def _trim(self, data, **_kwargs):
        """Trim text; an empty text is no value, as on the card form."""
        if not isinstance(data, dict):
            return data
        trimmed = dict(data)
        for name, value in data.items():
            if isinstance(value, str) and isinstance(self.fields.get(name), fields.String):
                trimmed[name] = value.strip() or None
        return trimmed

    @validates_schema(skip_on_field_errors=False)
    def _check_references(self, data, **_kwargs):
        """Reference ids must point to rows the card may use; keeping the current one is fine."""
        errors = {}
        for name in REFERENCE_RULES.keys() & data.keys():
            value = data[name]
            if value is None or (self.current and getattr(self.current, name) == value):
                continue
            if message := reference_error(name, value):
                errors[name] = [message]
        if errors:
            raise ValidationError(errors)

    @validates_schema(skip_on_field_errors=False)
    def _check_payment_methods(self, data, **_kwargs):
        """The usual payment method is one of the allowed ones (as they will be after a change)."""
        if "payment_methods" not in data and "default_payment_method" not in data:
            return
        methods = data.get("payment_methods", self.current and self.current.payment_methods)
        default = data.get(
            "default_payment_method", self.current and self.current.default_payment_method
        )
        if not methods or not default or default in methods:
            return
        if "default_payment_method" in data:
            raise ValidationError(
                str(_l("Tiene que ser una de las formas de pago permitidas.")),
                "default_payment_method",
            )
        raise ValidationError(
            str(_l("Tiene que incluir la forma de pago habitual.")), "payment_methods"
        )

    @post_load
    def _tidy(self, data, **_kwargs):
        """No allowed payment methods is stored as none, as the card form does; no repeats."""
        if "payment_methods" in data:
            data["payment_methods"] = list(dict.fromkeys(data["payment_methods"] or [])) or None
        return data


class ClientListArgsSchema(TranslatedSchema):
    """The query string of the client list: search, filters, order and page."""

    class Meta:
        unknown = EXCLUDE

    q = _spanish(fields.String, load_default="", validate=validate.Length(max=200, error=TOO_LONG))
    page = _spanish(
        fields.Integer,
        load_default=1,
        validate=validate.Range(min=1, max=100_000, error=_l("Entre {min} y {max}.")),
    )
    per_page = _spanish(
        fields.Integer,
        load_default=PAGE_SIZE,
        validate=validate.Range(min=1, max=100, error=_l("Entre {min} y {max}.")),
    )
    state = _choice(ClientState)
    client_type_id = _reference(strict=False)
    sales_zone_id = _reference(strict=False)
    salesperson_id = _reference(strict=False)
    collector_id = _reference(strict=False)
    segment1_id = _reference(strict=False)
    family_id = _reference(strict=False)
    credit = _choice(["blocked", "open"])
    sort = _choice(SORTS, load_default="name")

    @pre_load
    def _drop_empty(self, data, **_kwargs):
        """An empty filter (`?state=`) is no filter, as the list page sends them."""
        return {name: value for name, value in data.items() if value != ""}


class ClientPageSchema(Schema):
    """A page of clients and the address of the next one."""

    items = fields.List(fields.Nested(ClientSchema))
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})
    total = fields.Integer()


class SuggestedCodeSchema(Schema):
    """The next free client code."""

    code = fields.String(required=True)
