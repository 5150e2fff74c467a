"""The report settings' form: the ABC shares, the inactive days and the at-risk thresholds."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from app.core.reference_forms import NOT_A_NUMBER, NumberField, ReferenceForm, amount_text

REQUIRED = _l("Completá este dato.")


class Percent(NumberField):
    """A required percentage between low and high, with up to two decimals; "12,5 %" reads."""

    invalid = _l("Ingresá un porcentaje, como 5 o 12,5.")
    most_decimals = 2

    def __init__(self, label, low: int, high: int, **kwargs):
        message = _l("Entre %(low)d y %(high)d.", low=low, high=high)
        super().__init__(
            label,
            places=2,
            validators=[InputRequired(message=REQUIRED), NumberRange(low, high, message)],
            **kwargs,
        )

    def typed(self, text: str) -> str:
        """A trailing "%" is part of how a percentage is written."""
        return text.removesuffix("%")


def _whole(label, low: int, high: int, description=None) -> IntegerField:
    """A required whole number between low and high."""
    return IntegerField(
        label,
        description=description,
        invalid_value_message=NOT_A_NUMBER,
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(low, high, _l("Entre %(low)d y %(high)d.", low=low, high=high)),
        ],
        render_kw={"inputmode": "numeric"},
    )


class AmountField(NumberField):
    """A required amount in pesos: "100.000", "1.234,50"."""

    invalid = _l("Ingresá un importe, como 100.000 o 1.234,50.")
    most_decimals = 2

    def __init__(self, label, **kwargs):
        super().__init__(
            label,
            places=2,
            validators=[
                InputRequired(message=REQUIRED),
                NumberRange(min=0, message=_l("No puede ser negativo.")),
                NumberRange(max=Decimal("999999999999"), message=_l("Es demasiado.")),
            ],
            **kwargs,
        )

    def _value(self) -> str:
        """The stored amount as people write it: "100.000", "1.234,5"."""
        return self.raw_data[0] if self.raw_data else amount_text(self.data)


class ReportSettingsForm(ReferenceForm):
    """What the back office may set for the reports; field names are ReportSettings' columns."""

    abc_a_pct = Percent(
        _l("Clientes A: porcentaje de las ventas"),
        1,
        100,
        description=_l("Los clientes que juntos hacen este porcentaje de las ventas de 12 meses."),
    )
    abc_b_pct = Percent(_l("Clientes B: porcentaje siguiente de las ventas"), 0, 99)
    inactive_days = _whole(
        _l("Días sin facturas para estar inactivo"), 1, 3650, _l("Por ejemplo, 60.")
    )
    risk_broken_promises = _whole(
        _l("Promesas incumplidas en 90 días"), 1, 50, _l("En riesgo desde esta cantidad.")
    )
    risk_paying_slower_days = _whole(
        _l("Días de más en pagar"),
        0,
        365,
        _l("En riesgo si en 90 días tarda más que esto de más que en los 90 anteriores."),
    )
    risk_credit_use_pct = Percent(
        _l("Uso del límite de crédito, en porcentaje"),
        1,
        200,
        description=_l("En riesgo si el saldo supera esta parte."),
    )
    risk_sales_fall_pct = Percent(
        _l("Caída de las compras, en porcentaje"),
        1,
        99,
        description=_l("Los últimos 3 meses contra los 3 anteriores."),
    )
    risk_sales_floor = AmountField(
        _l("Compras mínimas para contar la caída ($)"),
        description=_l("Un cliente que compró menos en los 3 meses anteriores no entra por caída."),
    )

    def validate(self, extra_validators=None) -> bool:
        """The fields, then A and B together: at most the whole of the sales."""
        if not super().validate(extra_validators):
            return False
        if self.abc_a_pct.data + self.abc_b_pct.data > 100:
            self.abc_b_pct.errors.append(_l("A y B juntos no pueden pasar el total de las ventas."))
            return False
        return True

    def fill(self, settings) -> None:
        """Show the stored settings."""
        for name in self.values():
            getattr(self, name).data = getattr(settings, name)
