"""The admin's forms for the ledger's reference tables; field names are the models' columns."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.reference_forms import (
    NOT_A_NUMBER,
    REQUIRED,
    PercentField,
    ReferenceForm,
    choices_of,
    code_field,
    name_field,
    optional_id,
    strip_text,
)
from app.ledger.admin_services import (
    MAX_CARD_PLAN_INSTALLMENTS,
    MAX_SALE_CONDITION_INSTALLMENTS,
    RULE_FIELDS,
)
from app.ledger.rules import DueRuleKind
from app.ledger.terms import RULE_KIND_LABELS, WEEK_LABELS, WEEKDAY_LABELS
from app.taxes.rules import IVA_CONDITIONS


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


class SaleConditionForm(ReferenceForm):
    """Payment terms: a discount, when the document falls due and in how many installments."""

    code = code_field()
    description = StringField(
        _l("Descripción"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=120)],
    )
    discount_pct = PercentField(_l("Descuento (%)"))
    rule_kind = SelectField(
        _l("Vencimiento"), choices=choices_of(RULE_KIND_LABELS), default=DueRuleKind.DAYS
    )
    rule_days = _rule_number(
        _l("Días"), default=0, description=_l("Desde la fecha del comprobante; 0 es contado.")
    )
    rule_day = _rule_number(_l("Día del mes"), description=_l("Del 1 al 31; 31 es el último día."))
    rule_weekday = SelectField(
        _l("Día de la semana"),
        coerce=optional_id,
        choices=[SelectChoice("", "—"), *choices_of(WEEKDAY_LABELS)],
        default="",
    )
    rule_week = SelectField(
        _l("Semana del mes"),
        coerce=optional_id,
        choices=[SelectChoice("", "—"), *choices_of(WEEK_LABELS)],
        default="",
    )
    installments = _count(
        _l("Cuotas"),
        MAX_SALE_CONDITION_INSTALLMENTS,
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


def _text(label, length: int, **kwargs) -> StringField:
    """An optional line of text of at most this many characters."""
    return StringField(
        label, filters=[strip_text], validators=[Optional(), Length(max=length)], **kwargs
    )


class CardIssuerForm(ReferenceForm):
    """A credit-card issuer: the card's name, and the company behind it as a supplier."""

    code = code_field()
    name = name_field()
    legal_name = _text(_l("Razón social"), 160)
    address = _text(_l("Domicilio"), 200)
    iva_condition = SelectField(
        _l("Condición frente al IVA"),
        choices=[SelectChoice("", "—"), *(SelectChoice(c, c) for c in IVA_CONDITIONS)],
        default="",
    )
    tax_id = _text(_l("CUIT"), 20, render_kw={"inputmode": "numeric"})
    iibb_number = _text(_l("Ingresos Brutos"), 20)
    supplier_account = _text(_l("Cuenta de proveedor"), 30)
    bank = _text(_l("Banco de acreditación"), 80)
    contact = _text(_l("Contacto"), 160, description=_l("Nombre, teléfono o correo."))


class CardPlanForm(ReferenceForm):
    """A plan of a card issuer; the admin fills the issuers."""

    issuer_id = SelectField(
        _l("Tarjeta"), coerce=optional_id, choices=[], validators=[InputRequired(REQUIRED)]
    )
    name = name_field()
    installments = _count(_l("Cuotas"), MAX_CARD_PLAN_INSTALLMENTS)
    surcharge_pct = PercentField(_l("Recargo (%)"))
