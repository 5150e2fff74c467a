"""The admin's forms for the reference tables; field names are the models' columns."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from app.clients.reference_services import RULE_FIELDS
from app.ledger.models import POSTABLE_KINDS, DocumentKind
from app.ledger.rules import DueRuleKind
from app.ledger.services import KIND_LABELS
from app.ledger.terms import RULE_KIND_LABELS, WEEK_LABELS, WEEKDAY_LABELS

ZONE_KINDS = {"sales": _l("Venta"), "delivery": _l("Reparto")}
CURRENCIES = {"ARS": _l("Pesos (ARS)"), "USD": _l("Dólares (USD)")}
SCHEMES = {1: _l("Categoría 1"), 2: _l("Categoría 2")}
LEVELS = {level: _l("Nivel %(n)d", n=level) for level in range(1, 5)}
REQUIRED = _l("Este campo es obligatorio.")
NOT_A_NUMBER = _l("Ingresá un número entero.")
# The kinds a client type may allow, in the order the ledger lists them.
CLIENT_TYPE_KINDS = (*POSTABLE_KINDS, DocumentKind.RECEIPT)


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes, easier with a thumb than a list box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PercentField(DecimalField):
    """A percentage from 0 to 100 with up to two decimals; "12,5" reads as 12.5, empty as 0."""

    # A text input: a number input would not show the decimal comma people write here.
    widget = TextInput()

    def __init__(self, label, **kwargs):
        super().__init__(
            label,
            places=2,
            default=Decimal("0"),
            validators=[NumberRange(min=0, max=100, message=_l("Entre 0 y 100."))],
            render_kw={"inputmode": "decimal"},
            **kwargs,
        )

    def _value(self) -> str:
        """The stored value as people write it: "12,5", "0"."""
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal):
            return format(self.data.normalize(), "f").replace(".", ",")
        return ""

    def process_formdata(self, valuelist):
        """Read a comma or a dot as the decimal mark; empty is 0; refuse more than two decimals."""
        if not valuelist:
            return
        if not valuelist[0].strip():
            self.data = Decimal("0")
            return
        text = valuelist[0].strip().replace("%", "").strip().replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:
            self.data = None
            raise ValueError(_l("Ingresá un porcentaje, como 5 o 12,5.")) from exc
        if not value.is_finite():
            self.data = None
            raise ValueError(_l("Ingresá un porcentaje, como 5 o 12,5."))
        if value.as_tuple().exponent < -2:
            self.data = None
            raise ValueError(_l("Usá como mucho dos decimales."))
        self.data = value


def _strip(value: str | None) -> str | None:
    """Surrounding spaces are never meant."""
    return value.strip() if isinstance(value, str) else value


def _optional_id(value) -> int | None:
    """A select's id, where the empty option means none."""
    return int(value) if value not in (None, "", "None") else None


def _choices(labels: dict) -> list[SelectChoice]:
    """Select options from a value -> label mapping."""
    return [SelectChoice(value, label) for value, label in labels.items()]


def _code() -> StringField:
    """The short code every table but families and card plans has."""
    return StringField(
        _l("Código"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=20)]
    )


def _name(max_length: int = 80) -> StringField:
    """The name people read."""
    return StringField(
        _l("Nombre"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=max_length)]
    )


def _count(label, high: int, **kwargs) -> IntegerField:
    """A whole number from 1 to high, such as a number of installments."""
    return IntegerField(
        label,
        default=1,
        invalid_value_message=NOT_A_NUMBER,
        validators=[
            InputRequired(REQUIRED),
            NumberRange(min=1, max=high, message=_l("Entre 1 y %(high)d.", high=high)),
        ],
        render_kw={"inputmode": "numeric"},
        **kwargs,
    )


def _rule_number(label, **kwargs) -> IntegerField:
    """A number of the due-date rule; the service checks it against the rule's kind."""
    return IntegerField(
        label,
        invalid_value_message=NOT_A_NUMBER,
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
        **kwargs,
    )


class ReferenceForm(FlaskForm):
    """Base of the reference forms: hands the service the cleaned values."""

    def values(self) -> dict:
        """The submitted values by column; empty optional text is stored as NULL."""
        return {f.name: (f.data if f.data != "" else None) for f in self if f.name != "csrf_token"}


class ZoneForm(ReferenceForm):
    """A sales or delivery zone."""

    code = _code()
    name = _name()
    kind = SelectField(_l("Tipo"), choices=_choices(ZONE_KINDS))
    province = StringField(
        _l("Provincia"), filters=[_strip], validators=[Optional(), Length(max=60)]
    )


class ClientTypeForm(ReferenceForm):
    """A client type: what its clients may receive, their discount and usual terms."""

    code = _code()
    name = _name()
    cash_only = BooleanField(
        _l("Solo contado"), description=_l("Sus clientes no tienen cuenta corriente.")
    )
    allowed_document_kinds = CheckboxesField(
        _l("Comprobantes permitidos"),
        choices=[SelectChoice(str(kind), KIND_LABELS[kind]) for kind in CLIENT_TYPE_KINDS],
        description=_l("Sin ninguno marcado, se permiten todos."),
    )
    discount_pct = PercentField(_l("Descuento (%)"))
    default_sale_condition_id = SelectField(
        _l("Condición de venta por defecto"),
        coerce=_optional_id,
        choices=[],
        description=_l("La que usan sus clientes que no tienen una propia."),
    )

    def values(self) -> dict:
        """No kind ticked is stored as NULL: every kind is allowed."""
        values = super().values()
        values["allowed_document_kinds"] = self.allowed_document_kinds.data or None
        return values


class TransportForm(ReferenceForm):
    """A carrier."""

    code = _code()
    name = _name()
    phone = StringField(
        _l("Teléfono"),
        filters=[_strip],
        validators=[Optional(), Length(max=40)],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )


class ChannelForm(ReferenceForm):
    """A sales channel."""

    code = _code()
    name = _name()


class SegmentForm(ReferenceForm):
    """A value of one of the four grouping levels."""

    level = SelectField(_l("Nivel"), coerce=int, choices=_choices(LEVELS))
    code = _code()
    name = _name()


class CategoryForm(ReferenceForm):
    """A category, or a subcategory when it has a parent; the view fills the parents."""

    scheme = SelectField(_l("Clasificación"), coerce=int, choices=_choices(SCHEMES))
    parent_id = SelectField(
        _l("Categoría padre"),
        coerce=_optional_id,
        choices=[],
        description=_l("Solo para una subcategoría: su categoría, de la misma clasificación."),
    )
    code = _code()
    name = _name()


class FamilyForm(ReferenceForm):
    """A family of related clients."""

    name = _name(120)


class PriceListForm(ReferenceForm):
    """A price list."""

    code = _code()
    name = _name()
    currency = SelectField(_l("Moneda"), choices=_choices(CURRENCIES))


class SaleConditionForm(ReferenceForm):
    """Payment terms: a discount, when the document falls due and in how many installments."""

    code = _code()
    description = StringField(
        _l("Descripción"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=120)]
    )
    discount_pct = PercentField(_l("Descuento (%)"))
    rule_kind = SelectField(
        _l("Vencimiento"), choices=_choices(RULE_KIND_LABELS), default=DueRuleKind.DAYS
    )
    rule_days = _rule_number(
        _l("Días"), default=0, description=_l("Desde la fecha del comprobante; 0 es contado.")
    )
    rule_day = _rule_number(_l("Día del mes"), description=_l("Del 1 al 31; 31 es el último día."))
    rule_weekday = SelectField(
        _l("Día de la semana"),
        coerce=_optional_id,
        choices=[SelectChoice("", "—"), *_choices(WEEKDAY_LABELS)],
        default="",
    )
    rule_week = SelectField(
        _l("Semana del mes"),
        coerce=_optional_id,
        choices=[SelectChoice("", "—"), *_choices(WEEK_LABELS)],
        default="",
    )
    installments = _count(
        _l("Cuotas"),
        24,
        description=_l("La primera vence según la regla; las demás, cada mes o cada tantos días."),
    )

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        """A stored row shows empty the inputs its rule does not use (they hold 0)."""
        super().process(formdata, obj, data, extra_filters, **kwargs)
        if obj is not None and self.meta.wrap_formdata(self, formdata) is None:
            used = RULE_FIELDS.get(self.rule_kind.data, ())
            for fields in RULE_FIELDS.values():
                for name in fields:
                    if name not in used:
                        self[name].data = None

    def validate(self, extra_validators=None) -> bool:
        """What was typed in the inputs the chosen rule hides does not matter."""
        super().validate(extra_validators)
        used = RULE_FIELDS.get(self.rule_kind.data, ())
        for fields in RULE_FIELDS.values():
            for name in fields:
                if name not in used:
                    self[name].errors = []
        return not any(field.errors for field in self)


class CardIssuerForm(ReferenceForm):
    """A credit-card issuer."""

    code = _code()
    name = _name()


class CardPlanForm(ReferenceForm):
    """A plan of a card issuer; the view fills the issuers."""

    issuer_id = SelectField(
        _l("Tarjeta"), coerce=_optional_id, choices=[], validators=[InputRequired(REQUIRED)]
    )
    name = _name()
    installments = _count(_l("Cuotas"), 36)
    surcharge_pct = PercentField(_l("Recargo (%)"))


# Every reference form, for the labels of the change history.
FORMS = (
    ZoneForm,
    ClientTypeForm,
    TransportForm,
    ChannelForm,
    SegmentForm,
    CategoryForm,
    FamilyForm,
    PriceListForm,
    SaleConditionForm,
    CardIssuerForm,
    CardPlanForm,
)
