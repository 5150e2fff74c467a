"""The admin's forms for the credit's reference tables; field names are the models' columns."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from app.auth.forms import ROLE_LABELS
from app.core.reference_forms import (
    NOT_A_NUMBER,
    NumberField,
    PercentField,
    ReferenceForm,
    amount_text,
    code_field,
    name_field,
    optional_id,
)
from app.credit.admin_services import (
    APPROVER_ROLES,
    CREDIT_RANGES,
    MAX_DAYS,
    MAX_DOCUMENTS,
    MAX_EXCESS_PCT,
)


class MoneyField(NumberField):
    """An optional amount: "1.234,50", "500.000" and "1234.50" all read; empty is none."""

    invalid = _l("Ingresá un importe, como 500.000 o 1.234,50.")
    most_decimals = 2

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
            **kwargs,
        )

    def _value(self) -> str:
        """The stored amount as people write it: "500.000", "1.234,5"."""
        return self.raw_data[0] if self.raw_data else amount_text(self.data)


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


class PolicyCategoryForm(ReferenceForm):
    """A group of credit policies."""

    code = code_field()
    name = name_field()


class CreditPolicyForm(ReferenceForm):
    """A credit policy: any of its three limits, enforced together; an empty one is not."""

    code = code_field()
    name = name_field()
    category_id = SelectField(_l("Categoría"), coerce=optional_id, choices=[])
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

    name = name_field()
    user_id = SelectField(_l("Usuario"), coerce=optional_id, choices=[])
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


class OwnLimitsForm(ReferenceForm):
    """A client's own limits: each one filled overrides its policy's; empty, the policy's rules."""

    money = MoneyField(
        _l("Monto máximo propio"),
        description=_l("Saldo de la cuenta más pedidos sin facturar. Vacío: el de su política."),
    )
    documents = _limit(
        _l("Facturas impagas propias (máximo)"),
        MAX_DOCUMENTS,
        description=_l("1 es contra-documento. Vacío: el de su política."),
    )
    age_days = _limit(
        _l("Antigüedad máxima propia (días)"),
        MAX_DAYS,
        description=_l("Días de la factura impaga más antigua. Vacío: el de su política."),
    )
