"""The client card form and the small forms of the card page."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.clients.models import ClientKind, ClientState, PaymentMethod
from app.core.email import EmailCheck
from app.core.reference_forms import CheckboxesField, NumberField, PercentField
from app.taxes.rules import IVA_CONDITIONS, TaxIdType

REQUIRED = _l("Este campo es obligatorio.")

KIND_LABELS = {ClientKind.COMPANY: _l("Empresa"), ClientKind.PERSON: _l("Persona")}
TAX_ID_LABELS = {
    TaxIdType.CUIT: "CUIT",
    TaxIdType.CUIL: "CUIL",
    TaxIdType.DNI: "DNI",
    TaxIdType.RUT_UY: _l("RUT (Uruguay)"),
    TaxIdType.RUT_CL: _l("RUT (Chile)"),
    TaxIdType.RUC: _l("RUC (Perú)"),
    TaxIdType.DNI_PE: _l("DNI (Perú)"),
    TaxIdType.PASSPORT: _l("Pasaporte"),
    TaxIdType.FOREIGN_ID: _l("Documento extranjero"),
}
PAYMENT_LABELS = {
    PaymentMethod.CASH: _l("Efectivo"),
    PaymentMethod.TRANSFER: _l("Transferencia"),
    PaymentMethod.CHECK: _l("Cheque"),
    PaymentMethod.CARD: _l("Tarjeta"),
    PaymentMethod.CURRENT_ACCOUNT: _l("Cuenta corriente"),
    PaymentMethod.MIXED: _l("Mixto"),
}
COUNTRIES = {
    "AR": "Argentina",
    "UY": "Uruguay",
    "CL": "Chile",
    "PE": "Perú",
    "BR": "Brasil",
    "PY": "Paraguay",
    "BO": "Bolivia",
}
NONE = SelectChoice("", "—")


def choices(mapping: dict) -> list[SelectChoice]:
    """Select choices from a value -> label mapping."""
    return [SelectChoice(str(value), label) for value, label in mapping.items()]


class ClientForm(FlaskForm):
    """Every field of the card the back office edits; reference choices are set by the view."""

    # identity
    code = StringField(
        _l("Código"),
        validators=[
            InputRequired(REQUIRED),
            Length(max=20),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Solo letras, números, punto y guion.")),
        ],
    )
    kind = SelectField(_l("Tipo de persona"), choices=choices(KIND_LABELS))
    legal_name = StringField(
        _l("Razón social o apellido y nombre"),
        validators=[InputRequired(REQUIRED), Length(max=160)],
    )
    first_name = StringField(_l("Nombre"), validators=[Optional(), Length(max=80)])
    last_name = StringField(_l("Apellido"), validators=[Optional(), Length(max=80)])
    trade_name = StringField(_l("Nombre de fantasía"), validators=[Optional(), Length(max=160)])
    tax_id_type = SelectField(_l("Tipo de documento"), choices=choices(TAX_ID_LABELS))
    tax_id = StringField(_l("Número de documento"), validators=[Optional(), Length(max=20)])
    branch_of_code = StringField(
        _l("Sucursal de"),
        description=_l("Código del cliente principal, si esta ficha es una de sus sucursales."),
        validators=[Optional(), Length(max=20)],
    )
    country = SelectField(_l("País"), choices=choices(COUNTRIES))
    foreign = BooleanField(_l("Cliente del exterior"))
    activity = StringField(_l("Actividad (giro)"), validators=[Optional(), Length(max=120)])
    email = EmailField(
        _l("Correo electrónico"),
        validators=[Optional(), EmailCheck(), Length(max=254)],
    )
    other_emails = StringField(
        _l("Otros correos"),
        description=_l("Separados por coma."),
        validators=[Optional(), Length(max=500)],
    )
    phone = StringField(_l("Teléfono"), validators=[Optional(), Length(max=40)])
    mobile = StringField(_l("Celular"), validators=[Optional(), Length(max=40)])
    website = StringField(_l("Sitio web"), validators=[Optional(), Length(max=200)])
    instagram = StringField("Instagram", validators=[Optional(), Length(max=80)])
    facebook = StringField("Facebook", validators=[Optional(), Length(max=80)])
    loyalty_enabled = BooleanField(_l("Participa del programa de puntos"))
    loyalty_points = IntegerField(
        _l("Puntos"),
        default=0,
        validators=[Optional(), NumberRange(min=0, message=_l("No puede ser negativo."))],
    )
    # tax data
    iva_condition = SelectField(
        _l("Condición frente al IVA"),
        choices=[NONE, *(SelectChoice(c, c) for c in IVA_CONDITIONS)],
        default="",
    )
    iibb_number = StringField(
        _l("Número de Ingresos Brutos"), validators=[Optional(), Length(max=20)]
    )
    iibb_jurisdiction = StringField(
        _l("Jurisdicción de IIBB"), validators=[Optional(), Length(max=60)]
    )
    iibb_multilateral = BooleanField(_l("Convenio Multilateral"))
    large_taxpayer = BooleanField(_l("Gran contribuyente"))
    iva_exemption_pct = PercentField(_l("Exención de IVA (porcentaje)"))
    accounting_account = StringField(_l("Cuenta contable"), validators=[Optional(), Length(max=30)])
    cbu = StringField(
        "CBU",
        validators=[Optional(), Regexp(r"^\d{22}$", message=_l("El CBU tiene 22 dígitos."))],
    )
    # commercial data
    state = SelectField(_l("Estado"), choices=[], default="")
    abc_rating = SelectField(
        _l("Clasificación ABC"),
        choices=[NONE, *choices({"A": "A", "B": "B", "C": "C"})],
        default="",
    )
    abc_pinned = BooleanField(
        _l("Clasificación fijada a mano"),
        description=_l("El cálculo ABC de cada noche no la cambia."),
    )
    client_type_id = SelectField(_l("Tipo de cliente"), choices=[], default="")
    price_list_id = SelectField(_l("Lista de precios"), choices=[], default="")
    sale_condition_id = SelectField(
        _l("Condición de venta"),
        choices=[],
        default="",
        description=_l("Vacía: se usa la condición por defecto de su tipo de cliente."),
    )
    credit_policy_id = SelectField(
        _l("Límite de crédito"),
        choices=[],
        default="",
        description=_l("Vacío: se usa el límite de su tipo de cliente."),
    )
    currency = SelectField(
        _l("Moneda de la cuenta"),
        choices=choices({"ARS": _l("Pesos (ARS)"), "USD": _l("Dólares (USD)")}),
    )
    foreign_currency_allowed = BooleanField(_l("Permite ventas en moneda extranjera"))
    payment_methods = CheckboxesField(
        _l("Formas de pago permitidas"), choices=choices(PAYMENT_LABELS)
    )
    default_payment_method = SelectField(
        _l("Forma de pago habitual"), choices=[NONE, *choices(PAYMENT_LABELS)], default=""
    )
    credit_blocked = BooleanField(_l("Crédito bloqueado"))
    salesperson_id = SelectField(_l("Vendedor"), choices=[], default="")
    collector_id = SelectField(_l("Cobrador"), choices=[], default="")
    sales_zone_id = SelectField(_l("Zona de venta"), choices=[], default="")
    delivery_zone_id = SelectField(_l("Zona de reparto"), choices=[], default="")
    transport_id = SelectField(_l("Transporte"), choices=[], default="")
    channel_id = SelectField(_l("Canal"), choices=[], default="")
    segment1_id = SelectField(_l("Segmento 1"), choices=[], default="")
    segment2_id = SelectField(_l("Segmento 2"), choices=[], default="")
    segment3_id = SelectField(_l("Segmento 3"), choices=[], default="")
    segment4_id = SelectField(_l("Segmento 4"), choices=[], default="")
    category1_id = SelectField(_l("Categoría 1"), choices=[], default="")
    subcategory1_id = SelectField(_l("Subcategoría 1"), choices=[], default="")
    category2_id = SelectField(_l("Categoría 2"), choices=[], default="")
    subcategory2_id = SelectField(_l("Subcategoría 2"), choices=[], default="")
    family_id = SelectField(_l("Familia"), choices=[], default="")
    delivery_note_copies = IntegerField(
        _l("Copias de remito"),
        default=1,
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=9, message=_l("Entre 0 y 9."))],
    )
    invoice_copies = IntegerField(
        _l("Copias de factura"),
        default=1,
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=9, message=_l("Entre 0 y 9."))],
    )
    # main address
    street = StringField(_l("Calle y número"), validators=[Optional(), Length(max=160)])
    city = StringField(_l("Localidad"), validators=[Optional(), Length(max=80)])
    province = StringField(_l("Provincia"), validators=[Optional(), Length(max=60)])
    postal_code = StringField(_l("Código postal"), validators=[Optional(), Length(max=10)])

    REFERENCE_FIELDS = (
        "client_type_id", "price_list_id", "sale_condition_id", "credit_policy_id",
        "salesperson_id", "collector_id", "sales_zone_id", "delivery_zone_id", "transport_id",
        "channel_id", "segment1_id", "segment2_id", "segment3_id", "segment4_id", "category1_id",
        "subcategory1_id", "category2_id", "subcategory2_id", "family_id",
    )  # fmt: skip

    def validate_default_payment_method(self, field) -> None:
        """The usual payment method must be one of the allowed ones."""
        if field.data and self.payment_methods.data and field.data not in self.payment_methods.data:
            raise ValidationError(_l("Tiene que ser una de las formas de pago permitidas."))

    def card_fields(self) -> dict:
        """The validated values as the service takes them."""
        data = {
            name: self[name].data
            for name in self._fields
            if name not in ("csrf_token", "instagram", "facebook") and not name.startswith("attr_")
        }
        for name in self.REFERENCE_FIELDS:
            data[name] = int(data[name]) if data[name] else None
        for name, value in list(data.items()):
            if isinstance(value, str):
                data[name] = value.strip() or None
        data["social"] = {
            k: self[k].data.strip() for k in ("instagram", "facebook") if self[k].data
        } or None
        data["payment_methods"] = self.payment_methods.data or None
        data["loyalty_points"] = self.loyalty_points.data or 0
        pct = self.iva_exemption_pct.data
        data["iva_exemption_pct"] = Decimal("0") if pct is None else pct
        return data


class NoteForm(FlaskForm):
    """A manual note on the card."""

    text = TextAreaField(
        _l("Nota"),
        filters=[lambda value: value.strip() if value else value],
        validators=[DataRequired(REQUIRED), Length(max=2000)],
    )


class ReasonForm(FlaskForm):
    """An optional reason for a state or credit change."""

    reason = StringField(_l("Motivo (opcional)"), validators=[Optional(), Length(max=300)])


def _strip(value):
    """Trim text input."""
    return value.strip() if isinstance(value, str) else value


class ContactForm(FlaskForm):
    """A person to talk to at the client."""

    name = StringField(
        _l("Nombre"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    role = StringField(
        _l("Cargo o función"), filters=[_strip], validators=[Optional(), Length(max=80)]
    )
    phone = StringField(_l("Teléfono"), filters=[_strip], validators=[Optional(), Length(max=40)])
    mobile = StringField(_l("Celular"), filters=[_strip], validators=[Optional(), Length(max=40)])
    email = EmailField(
        _l("Correo electrónico"),
        filters=[_strip],
        validators=[Optional(), EmailCheck(), Length(max=254)],
    )
    notes = TextAreaField(_l("Notas"), filters=[_strip], validators=[Optional(), Length(max=2000)])


class PickupForm(FlaskForm):
    """A person authorised to collect goods, with optional validity dates."""

    name = StringField(
        _l("Nombre y apellido"),
        filters=[_strip],
        validators=[DataRequired(REQUIRED), Length(max=120)],
    )
    document = StringField(
        _l("Documento"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=30)]
    )
    phone = StringField(_l("Teléfono"), filters=[_strip], validators=[Optional(), Length(max=40)])
    valid_from = DateField(_l("Desde"), validators=[Optional()])
    valid_to = DateField(_l("Hasta"), validators=[Optional()])
    notes = TextAreaField(_l("Notas"), filters=[_strip], validators=[Optional(), Length(max=2000)])

    def validate_valid_to(self, field) -> None:
        """The end date cannot come before the start date."""
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("La fecha hasta no puede ser anterior a la fecha desde."))


ADDRESS_KINDS = {"fiscal": _l("Fiscal"), "shipping": _l("Entrega"), "branch": _l("Sucursal")}


class AddressForm(FlaskForm):
    """A fiscal, shipping or branch address."""

    kind = SelectField(_l("Tipo de domicilio"), choices=choices(ADDRESS_KINDS))
    label = StringField(
        _l("Nombre (ej. Depósito)"), filters=[_strip], validators=[Optional(), Length(max=80)]
    )
    street = StringField(
        _l("Calle y número"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=160)]
    )
    city = StringField(_l("Localidad"), filters=[_strip], validators=[Optional(), Length(max=80)])
    department = StringField(
        _l("Partido o departamento"), filters=[_strip], validators=[Optional(), Length(max=80)]
    )
    district = StringField(_l("Barrio"), filters=[_strip], validators=[Optional(), Length(max=80)])
    province = StringField(
        _l("Provincia"), filters=[_strip], validators=[Optional(), Length(max=60)]
    )
    postal_code = StringField(
        _l("Código postal"), filters=[_strip], validators=[Optional(), Length(max=10)]
    )
    delivery_hours = StringField(
        _l("Horario de entrega"), filters=[_strip], validators=[Optional(), Length(max=120)]
    )
    delivery_instructions = TextAreaField(
        _l("Indicaciones para la entrega"),
        filters=[_strip],
        validators=[Optional(), Length(max=2000)],
    )
    latitude = DecimalField(
        _l("Latitud"),
        places=6,
        validators=[Optional(), NumberRange(min=-90, max=90, message=_l("Entre -90 y 90."))],
    )
    longitude = DecimalField(
        _l("Longitud"),
        places=6,
        validators=[Optional(), NumberRange(min=-180, max=180, message=_l("Entre -180 y 180."))],
    )
    branch_phone = StringField(
        _l("Teléfono de la sucursal"), filters=[_strip], validators=[Optional(), Length(max=40)]
    )
    branch_salesperson_id = SelectField(_l("Vendedor de la sucursal"), choices=[], default="")
    branch_sales_zone_id = SelectField(_l("Zona de la sucursal"), choices=[], default="")
    branch_price_list_id = SelectField(
        _l("Lista de precios de la sucursal"), choices=[], default=""
    )

    BRANCH_REFERENCES = {
        "branch_salesperson_id": "salesperson_id",
        "branch_sales_zone_id": "sales_zone_id",
        "branch_price_list_id": "price_list_id",
    }


ATTRIBUTE_KINDS = {
    "text": _l("Texto"),
    "long_text": _l("Texto largo"),
    "number": _l("Número"),
    "date": _l("Fecha"),
    "document": _l("Documento de identidad"),
    "email": _l("Correo electrónico"),
    "yes_no": _l("Sí / No"),
    "choice": _l("Lista de opciones"),
}


class AttributeForm(FlaskForm):
    """An admin's definition of a custom attribute."""

    name = StringField(
        _l("Nombre"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=80)]
    )
    kind = SelectField(_l("Tipo de dato"), choices=choices(ATTRIBUTE_KINDS))
    help_text = StringField(
        _l("Ayuda"),
        description=_l("Se muestra debajo del campo."),
        filters=[_strip],
        validators=[Optional(), Length(max=200)],
    )
    required = BooleanField(_l("Obligatorio"))
    choices_text = TextAreaField(
        _l("Opciones"),
        description=_l("Una por línea; solo para listas de opciones."),
        validators=[Optional(), Length(max=2000)],
    )
    position = IntegerField(_l("Orden"), default=0, validators=[Optional()])
    active = BooleanField(_l("Activo"), default=True)

    def validate(self, extra_validators=None) -> bool:
        """A list of options needs options (checked here: Optional() skips empty fields)."""
        valid = super().validate(extra_validators)
        if self.kind.data == "choice" and not self.option_list():
            self.choices_text.errors = [
                *self.choices_text.errors,
                _l("Escribí al menos una opción."),
            ]
            valid = False
        return valid

    def option_list(self) -> list[str]:
        """The options, one per line, without blanks or repeats."""
        seen: list[str] = []
        for line in (self.choices_text.data or "").splitlines():
            if line.strip() and line.strip() not in seen:
                seen.append(line.strip())
        return seen


def attribute_field(attribute):
    """The form field for one custom attribute on the card."""
    validators = [DataRequired(REQUIRED)] if attribute.required else [Optional()]
    label, help_text = attribute.name, attribute.help_text or ""
    kind = attribute.kind
    if kind == "yes_no":
        return BooleanField(label, description=help_text)
    if kind == "number":
        return NumberField(label, description=help_text, validators=validators)
    if kind == "date":
        return DateField(label, description=help_text, validators=validators)
    if kind == "email":
        email = EmailCheck()
        return EmailField(
            label, description=help_text, filters=[_strip], validators=[*validators, email]
        )
    if kind == "choice":
        options = [NONE, *(SelectChoice(o, o) for o in attribute.choices or [])]
        return SelectField(
            label, description=help_text, choices=options, default="", validators=validators
        )
    if kind == "document":
        pattern = Regexp(r"^[0-9A-Za-z.\- ]{5,20}$", message=_l("El documento no es válido."))
        return StringField(
            label, description=help_text, filters=[_strip], validators=[*validators, pattern]
        )
    field_class = TextAreaField if kind == "long_text" else StringField
    return field_class(
        label, description=help_text, filters=[_strip], validators=[*validators, Length(max=2000)]
    )


def client_form_class(attributes) -> type[ClientForm]:
    """The card form with one extra field per active custom attribute."""
    extra = {f"attr_{a.id}": attribute_field(a) for a in attributes}
    return type("ClientFormWithAttributes", (ClientForm,), extra)


class QuickContactForm(FlaskForm):
    """The card's contact data, edited in place."""

    phone = StringField(_l("Teléfono"), filters=[_strip], validators=[Optional(), Length(max=40)])
    mobile = StringField(_l("Celular"), filters=[_strip], validators=[Optional(), Length(max=40)])
    email = EmailField(
        _l("Correo electrónico"),
        filters=[_strip],
        validators=[Optional(), EmailCheck(), Length(max=254)],
    )
    activity = StringField(
        _l("Actividad (giro)"), filters=[_strip], validators=[Optional(), Length(max=120)]
    )


def _labels(*form_classes) -> dict:
    """Field name -> label of the forms' fields, for the change history."""
    labels = {
        "deleted": _l("En la papelera"),
        "note": _l("Nota"),
        "branch_of_id": _l("Sucursal de"),
    }
    for form_class in form_classes:
        for name, value in vars(form_class).items():
            if isinstance(value, UnboundField) and value.args:
                labels.setdefault(name, value.args[0])
    return labels


# The reference tables' fields: app.core.reference_admin.field_label.
FIELD_LABELS = _labels(ClientForm, ContactForm, PickupForm, AddressForm, AttributeForm)

STATE_LABELS = {
    ClientState.ACTIVE: _l("Activo"),
    ClientState.POTENTIAL: _l("Potencial"),
    ClientState.SUSPENDED: _l("Suspendido"),
    ClientState.CASH_ONLY: _l("Solo contado"),
    ClientState.DELINQUENT: _l("Moroso"),
    ClientState.DISABLED: _l("Inhabilitado"),
}
