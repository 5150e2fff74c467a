"""Marshmallow schemas of the clients' JSON API: a client, the list's arguments and pages."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import (
    EXCLUDE,
    ValidationError,
    fields,
    post_dump,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from app.clients.models import Client, ClientKind, ClientState, PaymentMethod
from app.clients.services import PAGE_SIZE, REFERENCE_RULES, SORTS, reference_error
from app.clients.visit_plan import (
    FREQUENCIES,
    MAX_POSITION,
    WEEKDAYS,
    PlanError,
    day_names,
    days_mask,
    parse_window,
    window_of,
)
from app.core.fields import (
    NOT_FOUND,
    TOO_LONG,
    AnswerSchema,
    TranslatedSchema,
    choice_field,
    day_field,
    flag_field,
    spanish_field,
    text_field,
    valid_email,
)
from app.core.routing import MAX_ID
from app.taxes.rules import IVA_CONDITIONS, TaxIdType
from app.taxes.services import client_invoice

MAX_NETWORKS = 10
NOT_ALLOWED_HERE = _l("No se puede elegir para este campo.")


def _reference(strict: bool = True):
    """The id of a row in another table; the schema checks that it exists."""
    return spanish_field(
        fields.Integer,
        strict=strict,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID, error=NOT_FOUND),
    )


def _copies():
    """How many copies of a document are printed."""
    return spanish_field(
        fields.Integer, strict=True, validate=validate.Range(min=0, max=9, error=_l("Entre 0 y 9."))
    )


def _email_list(value: str) -> None:
    """Comma-separated e-mail addresses, each valid."""
    for address in filter(None, (part.strip() for part in value.split(","))):
        valid_email(address)


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


WINDOW_MESSAGES = {
    "window_format": _l("Usá el formato HH:MM-HH:MM, por ejemplo 08:30-12:00."),
    "window_order": _l("La hora de fin tiene que ser posterior a la de inicio."),
}
# The client JSON's visit-plan names and the columns behind them (app/clients/visit_plan.py).
PLANS = {
    "visit": ("visit_weekdays", "visit_every_weeks", "visit_week_of", "visit_from", "visit_to",
              "route_position"),
    "collection_visit": ("collection_weekdays", "collection_every_weeks", "collection_week_of",
                         "collection_from", "collection_to", "collection_position"),
}  # fmt: skip


def _weekdays():
    return spanish_field(
        fields.List,
        choice_field(WEEKDAYS),
        allow_none=True,
        metadata={"description": "Visit days: any of mon..sun", "example": ["mon", "thu"]},
    )


def _every_weeks():
    return spanish_field(
        fields.Integer,
        strict=True,
        validate=validate.OneOf(FREQUENCIES, error=_l("Cada 1, 2 o 4 semanas.")),
        metadata={"enum": list(FREQUENCIES)},
    )


def _window():
    return text_field(
        20,
        metadata={"description": "Preferred time window, HH:MM-HH:MM", "example": "08:30-12:00"},
    )


def _position():
    return spanish_field(
        fields.Integer,
        strict=True,
        allow_none=True,
        validate=validate.Range(
            min=1, max=MAX_POSITION, error=_l("La posición en la ruta va de 1 a {max}.")
        ),
    )


def plan_json(client: Client, prefix: str) -> dict:
    """One visit plan of a client under its JSON names."""
    weekdays, every, week_of, start, end, position = (getattr(client, c) for c in PLANS[prefix])
    window = window_of(start, end)
    route = "route_position" if prefix == "visit" else "collection_route_position"
    return {
        f"{prefix}_days": day_names(weekdays),
        f"{prefix}_every_weeks": every or 1,
        f"{prefix}_week_of": week_of.isoformat() if week_of else None,
        f"{prefix}_window": str(window) if window else None,
        route: position,
    }


def plan_columns(data: dict) -> dict:
    """The plan's JSON names in a loaded body as the columns they are stored in."""
    errors = {}
    for prefix, columns in PLANS.items():
        weekdays, every, week_of, start, end, position = columns
        route = "route_position" if prefix == "visit" else "collection_route_position"
        if f"{prefix}_days" in data:
            data[weekdays] = days_mask(data.pop(f"{prefix}_days") or [])
        if f"{prefix}_every_weeks" in data:
            data[every] = data.pop(f"{prefix}_every_weeks")
        if f"{prefix}_week_of" in data:
            data[week_of] = data.pop(f"{prefix}_week_of")
        if f"{prefix}_window" in data:
            try:
                window = parse_window(data.pop(f"{prefix}_window"))
            except PlanError as exc:
                errors[f"{prefix}_window"] = [str(WINDOW_MESSAGES[exc.code])]
                continue
            data[start], data[end] = (window.start, window.end) if window else (None, None)
        if route in data:
            data[position] = data.pop(route)
    if errors:
        raise ValidationError(errors)
    return data


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
    custom = spanish_field(
        fields.Dict,
        keys=fields.String(),
        metadata={
            "description": "Custom attributes by name: text, number as text, date (ISO), "
            "true/false or null",
            "example": {"horario": "8 a 12"},
        },
    )
    # identity
    code = text_field(
        20,
        validate.Regexp(r"^[A-Za-z0-9._-]+$", error=_l("Solo letras, números, punto y guion.")),
        nullable=False,
    )
    kind = choice_field(ClientKind)
    legal_name = text_field(160, required=True, nullable=False)
    first_name = text_field(80)
    last_name = text_field(80)
    trade_name = text_field(160)
    tax_id_type = choice_field(TaxIdType)
    tax_id = text_field(20)
    tax_id_formatted = fields.String(dump_only=True, allow_none=True)
    branch_of_id = _reference()
    country = text_field(
        2,
        validate.Regexp(r"^[A-Z]{2}$", error=_l("Código de país de 2 letras, como AR.")),
        nullable=False,
    )
    foreign = flag_field()
    activity = text_field(120)
    email = text_field(254, valid_email, metadata={"format": "email"})
    other_emails = text_field(500, _email_list)
    phone = text_field(40)
    mobile = text_field(40)
    website = text_field(200)
    social = spanish_field(
        fields.Dict,
        allow_none=True,
        keys=text_field(40, nullable=False),
        values=text_field(200, nullable=False),
        validate=_few_networks,
        metadata={"maxProperties": MAX_NETWORKS, "example": {"instagram": "@almacen"}},
    )
    loyalty_enabled = flag_field()
    loyalty_points = spanish_field(
        fields.Integer,
        strict=True,
        validate=[
            validate.Range(min=0, error=_l("No puede ser negativo.")),
            validate.Range(max=MAX_ID, error=_l("El número es demasiado grande.")),
        ],
    )
    # tax data
    iva_condition = choice_field(IVA_CONDITIONS, nullable=True)
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
    iibb_number = text_field(20)
    iibb_jurisdiction = text_field(60)
    iibb_multilateral = flag_field()
    large_taxpayer = flag_field()
    iva_exemption_pct = spanish_field(
        Percentage,
        validate=validate.Range(min=0, max=100, error=_l("Entre 0 y 100.")),
        metadata={"minimum": 0, "maximum": 100},
    )
    accounting_account = text_field(30)
    cbu = text_field(22, validate.Regexp(r"^\d{22}$", error=_l("El CBU tiene 22 dígitos.")))
    # commercial data
    state = choice_field(ClientState)
    abc_rating = choice_field(["A", "B", "C"], nullable=True)
    abc_pinned = flag_field()  # a rating set by hand, that flask abc-rating leaves alone
    client_type_id = _reference()
    price_list_id = _reference()
    sale_condition_id = _reference()
    credit_policy_id = _reference()
    currency = choice_field(["ARS", "USD"])
    foreign_currency_allowed = flag_field()
    payment_methods = spanish_field(fields.List, choice_field(PaymentMethod), allow_none=True)
    default_payment_method = choice_field(PaymentMethod, nullable=True)
    credit_blocked = flag_field()
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
    # visit plans: the salesperson's and the collector's
    visit_days = _weekdays()
    visit_every_weeks = _every_weeks()
    visit_week_of = day_field(allow_none=True)
    visit_window = _window()
    route_position = _position()
    collection_visit_days = _weekdays()
    collection_visit_every_weeks = _every_weeks()
    collection_visit_week_of = day_field(allow_none=True)
    collection_visit_window = _window()
    collection_route_position = _position()
    # main address
    street = text_field(160)
    city = text_field(80)
    province = text_field(60)
    postal_code = text_field(10)

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
        return plan_columns(data)

    @post_dump(pass_original=True)
    def _plans(self, data, client, **_kwargs):
        """The visit plans from their columns."""
        if isinstance(client, Client):
            for prefix in PLANS:
                data.update(plan_json(client, prefix))
        return data


class ClientListArgsSchema(TranslatedSchema):
    """The query string of the client list: search, filters, order and page."""

    class Meta:
        unknown = EXCLUDE

    q = spanish_field(
        fields.String, load_default="", validate=validate.Length(max=200, error=TOO_LONG)
    )
    page = spanish_field(
        fields.Integer,
        load_default=1,
        validate=validate.Range(min=1, max=100_000, error=_l("Entre {min} y {max}.")),
    )
    per_page = spanish_field(
        fields.Integer,
        load_default=PAGE_SIZE,
        validate=validate.Range(min=1, max=100, error=_l("Entre {min} y {max}.")),
    )
    state = choice_field(ClientState)
    client_type_id = _reference(strict=False)
    sales_zone_id = _reference(strict=False)
    salesperson_id = _reference(strict=False)
    collector_id = _reference(strict=False)
    segment1_id = _reference(strict=False)
    family_id = _reference(strict=False)
    credit = choice_field(["blocked", "open"])
    sort = choice_field(SORTS, load_default="name")

    @pre_load
    def _drop_empty(self, data, **_kwargs):
        """An empty filter (`?state=`) is no filter, as the list page sends them."""
        return {name: value for name, value in data.items() if value != ""}


class ClientPageSchema(AnswerSchema):
    """A page of clients and the address of the next one."""

    items = fields.List(fields.Nested(ClientSchema))
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})
    total = fields.Integer()


class SuggestedCodeSchema(AnswerSchema):
    """The next free client code."""

    code = fields.String(required=True)
