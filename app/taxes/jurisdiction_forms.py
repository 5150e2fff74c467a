"""The IIBB jurisdiction form: it reads the fields; the service says what is wrong with them."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField

from app.core.reference_forms import NumberField, PercentField, choices_of, strip_text
from app.taxes.jurisdictions import LAYOUT_LABELS


class AmountField(NumberField):
    """An amount in pesos with up to two decimals; empty is zero."""

    most_decimals = 2
    empty = Decimal("0")


class JurisdictionForm(FlaskForm):
    """A jurisdiction's perception settings and the layout of its registry."""

    code = StringField(
        _l("Código"),
        filters=[strip_text],
        render_kw={"inputmode": "numeric", "maxlength": 3},
        description=_l("Código del Convenio Multilateral: 901 CABA, 902 Buenos Aires, ..."),
    )
    name = StringField(_l("Nombre"), filters=[strip_text], render_kw={"maxlength": 60})
    province = StringField(
        _l("Provincia de la ficha"),
        filters=[strip_text],
        render_kw={"maxlength": 60},
        description=_l(
            "Los clientes de esta provincia quedan alcanzados aunque no estén en el padrón."
        ),
    )
    registry_format = SelectField(
        _l("Formato del padrón"), choices=choices_of(LAYOUT_LABELS), validate_choice=False
    )
    default_rate = PercentField(
        _l("Alícuota (porcentaje) para quien no está en el padrón"),
        empty=None,
        description=_l("Vacío: a quien no está en el padrón no se le percibe."),
    )
    minimum_amount = AmountField(
        _l("Monto neto mínimo sujeto a percepción"), description=_l("Vacío: cero.")
    )
    include_multilateral = BooleanField(_l("Incluir contribuyentes de Convenio Multilateral"))
    active = BooleanField(_l("Activa"))

    def values(self) -> dict:
        """The fields as the service takes them."""
        return {field.name: field.data for field in self if field.name != "csrf_token"}
