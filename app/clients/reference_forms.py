"""The admin's forms for the reference tables; field names are the models' columns."""

from decimal import Decimal

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

from app.auth.forms import ROLE_LABELS
from app.clients.reference_services import (
    APPROVER_ROLES,
    CREDIT_RANGES,
    MAX_DAYS,
    MAX_DOCUMENTS,
    MAX_EXCESS_PCT,
    RULE_FIELDS,
)
from app.core.numbers import parse_decimal
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


def _decimal_text(data: Decimal | None) -> str:
    """A stored decimal as people write it here: "12,5", "0", "" for none."""
    if isinstance(data, Decimal):
        return format(data.normalize(), "f").replace(".", ",")
    return ""


class PercentField(DecimalField):
    """A percentage from 0 to `high` with up to two decimals; "12,5" reads as 12.5.

    Empty reads as `empty`: 0 for a discount, None (no ceiling) where nothing is a value.
    """

    # A text input: a number input would not show the decimal comma people write here.
    widget = TextInput()

    def __init__(self, label, high: int = 100, empty: Decimal | None = Decimal("0"), **kwargs):
        message = _l("Entre 0 y %(high)d.", high=high)
        super().__init__(
            label,
            places=2,
            default=empty,
            validators=[Optional(), NumberRange(min=0, max=high, message=message)],
            render_kw={"inputmode": "decimal"},
            **kwargs,
        )
        self.empty = empty

    def _value(self) -> str:
        """The stored value as people write it: "12,5", "0"."""
        if self.raw_data:
            return self.raw_data[0]
        return _decimal_text(self.data)

    def process_formdata(self, valuelist):
        """Read a comma or a dot as the decimal mark; refuse more than two decimals."""
        if not valuelist:
            return
        if not valuelist[0].strip():
            self.data = self.empty
            return
        text = valuelist[0].strip().removesuffix("%")
        try:
            value = parse_decimal(text, negative=True)
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Ingresá un porcentaje, como 5 o 12,5.")) from exc
        if value.as_tuple().exponent < -2:
            self.data = None
            raise ValueError(_l("Usá como mucho dos decimales."))
        self.data = value


class MoneyField(DecimalField):
    """An optional amount: "1.234,50", "500.000" and "1234.50" all read; empty is none."""

    widget = TextInput()

    def __init__(self, label, **kwargs):
        high, message = CREDIT_RANGES["money_limit"]
        super().__init__(
            label,
            places=2,
            validators=[
                Optional(),
                NumberRange(min=0, message=_l("No puede ser negativo.")),
                NumberRange(max=high, message=message),
            ],
            render_kw={"inputmode": "decimal"},
            **kwargs,
        )

    def _value(self) -> str:
        """The stored amount as people write it: "500.000", "1.234,5"."""
        if self.raw_data:
            return self.raw_data[0]
        if not isinstance(self.data, Decimal):
            return ""
        units, _dot, cents = f"{abs(self.data):.2f}".partition(".")
        sign = "-" if self.data < 0 else ""
        return f"{sign}{int(units):,}".replace(",", ".") + ("" if cents == "00" else f",{cents}")

    def process_formdata(self, valuelist):
        """Spanish writing (dots group thousands, the comma marks decimals) or a plain number."""
        if not valuelist:
            return
        text = valuelist[0]
        if not text.strip():
            self.data = None
            return
        try:
            value = parse_decimal(text, negative=True)
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Ingresá un importe, como 500.000 o 1.234,50.")) from exc
        if value.as_tuple().exponent < -2:
            self.data = None
            raise ValueError(_l("Usá como mucho dos decimales."))
        self.data = value


class NumberField(DecimalField):
    """An optional number typed as people write it here ("1.234,5", "12.5", "-3")."""

    widget = TextInput()

    def __init__(self, label, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, **kwargs)

    def _value(self) -> str:
        """The stored number as people write it: "12,5", "0"."""
        if self.raw_data:
            return self.raw_data[0]
        return _decimal_text(self.data)

    def process_formdata(self, valuelist):
        """Read the number with the one rule of typed numbers (app/core/numbers.py)."""
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_decimal(valuelist[0], negative=True)
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Ingresá un número, como 12 o 1.234,5.")) from exc


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


def _limit(label, high: int, **kwargs) -> IntegerField:
    """An optional whole number from 0 to high; empty means no limit."""
    return IntegerField(
        label,
        invalid_value_message=NOT_A_NUMBER,
        validators=[
            Optional(),
            NumberRange(min=0, max=high, message=_l("Entre 0 y %(high)d.", high=high)),
        ],
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
    credit_policy_id = SelectField(
        _l("Límite de crédito"),
        coerce=_optional_id,
        choices=[],
        description=_l("El que rige para sus clientes que no tienen uno propio."),
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


class PolicyCategoryForm(ReferenceForm):
    """A group of credit policies."""

    code = _code()
    name = _name()


class CreditPolicyForm(ReferenceForm):
    """A credit policy: any of its three limits, enforced together; an empty one is not."""

    code = _code()
    name = _name()
    category_id = SelectField(_l("Categoría"), coerce=_optional_id, choices=[])
    money_limit = MoneyField(
        _l("Monto máximo"),
        description=_l(
            "Saldo de la cuenta más pedidos sin facturar, en la moneda de la cuenta. "
            "Vacío: sin límite de monto."
        ),
    )
    max_documents = _limit(
        _l("Facturas impagas (máximo)"),
        MAX_DOCUMENTS,
        description=_l(
            "Con ese número de facturas impagas no se vende a crédito; 1 es contra-documento. "
            "Vacío: sin límite."
        ),
    )
    max_age_days = _limit(
        _l("Antigüedad máxima (días)"),
        MAX_DAYS,
        description=_l("Días desde la fecha de la factura impaga más antigua. Vacío: sin límite."),
    )


class CreditBandForm(ReferenceForm):
    """How far over the limits a supervisor, or every user of a role, may authorise."""

    name = _name()
    user_id = SelectField(_l("Usuario"), coerce=_optional_id, choices=[])
    role = SelectField(
        _l("Rol"),
        choices=[
            SelectChoice("", "—"),
            *(SelectChoice(r.value, ROLE_LABELS[r]) for r in APPROVER_ROLES),
        ],
        default="",
    )
    money = BooleanField(_l("Monto"), default=True)
    documents = BooleanField(_l("Cantidad de facturas"))
    age = BooleanField(_l("Antigüedad"))
    max_excess = MoneyField(
        _l("Exceso máximo (importe)"), description=_l("Sobre el monto máximo. Vacío: sin tope.")
    )
    max_excess_pct = PercentField(
        _l("Exceso máximo (%)"),
        high=int(MAX_EXCESS_PCT),
        empty=None,
        description=_l("Del monto máximo. Vacío: sin tope."),
    )
    max_extra_documents = _limit(
        _l("Facturas de más"), MAX_DOCUMENTS, description=_l("Vacío: sin tope.")
    )
    max_extra_days = _limit(_l("Días de más"), MAX_DAYS, description=_l("Vacío: sin tope."))


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
    PolicyCategoryForm,
    CreditPolicyForm,
    CreditBandForm,
)
