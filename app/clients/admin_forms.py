"""The admin's forms for the clients' reference tables; field names are the models' columns."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from app.core.reference_forms import (
    CheckboxesField,
    PercentField,
    ReferenceForm,
    choices_of,
    code_field,
    name_field,
    optional_id,
    strip_text,
)
from app.credit.admin_forms import MoneyField
from app.ledger.models import POSTABLE_KINDS, DocumentKind
from app.ledger.services import KIND_LABELS

ZONE_KINDS = {"sales": _l("Venta"), "delivery": _l("Reparto")}
SCHEMES = {1: _l("Categoría 1"), 2: _l("Categoría 2")}
LEVELS = {level: _l("Nivel %(n)d", n=level) for level in range(1, 5)}
# The kinds a client type may allow, in the order the ledger lists them.
CLIENT_TYPE_KINDS = (*POSTABLE_KINDS, DocumentKind.RECEIPT)


class ZoneForm(ReferenceForm):
    """A sales or delivery zone."""

    code = code_field()
    name = name_field()
    kind = SelectField(_l("Tipo"), choices=choices_of(ZONE_KINDS))
    province = StringField(
        _l("Provincia"), filters=[strip_text], validators=[Optional(), Length(max=60)]
    )
    credit_policy_id = SelectField(
        _l("Límite de crédito"),
        coerce=optional_id,
        choices=[],
        description=_l(
            "Rige para los clientes de la zona sin uno propio, de su familia, categoría o segmento."
        ),
    )


class ClientTypeForm(ReferenceForm):
    """A client type: what its clients may receive, their discount and usual terms."""

    code = code_field()
    name = name_field()
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
        coerce=optional_id,
        choices=[],
        description=_l("La que usan sus clientes que no tienen una propia."),
    )
    credit_policy_id = SelectField(
        _l("Límite de crédito"),
        coerce=optional_id,
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

    code = code_field()
    name = name_field()
    phone = StringField(
        _l("Teléfono"),
        filters=[strip_text],
        validators=[Optional(), Length(max=40)],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )


class ChannelForm(ReferenceForm):
    """A sales channel."""

    code = code_field()
    name = name_field()


class SegmentForm(ReferenceForm):
    """A value of one of the four grouping levels."""

    level = SelectField(_l("Nivel"), coerce=int, choices=choices_of(LEVELS))
    code = code_field()
    name = name_field()
    credit_policy_id = SelectField(
        _l("Límite de crédito"),
        coerce=optional_id,
        choices=[],
        description=_l(
            "Rige para sus clientes sin uno propio, de su familia o categoría; antes que la zona."
        ),
    )


class CategoryForm(ReferenceForm):
    """A category, or a subcategory when it has a parent; the admin fills the parents."""

    scheme = SelectField(_l("Clasificación"), coerce=int, choices=choices_of(SCHEMES))
    parent_id = SelectField(
        _l("Categoría padre"),
        coerce=optional_id,
        choices=[],
        description=_l("Solo para una subcategoría: su categoría, de la misma clasificación."),
    )
    code = code_field()
    name = name_field()
    credit_policy_id = SelectField(
        _l("Límite de crédito"),
        coerce=optional_id,
        choices=[],
        description=_l(
            "Rige para sus clientes sin uno propio ni de su familia; antes que el del segmento."
        ),
    )


class FamilyForm(ReferenceForm):
    """A family of related clients."""

    name = name_field(120)
    credit_policy_id = SelectField(
        _l("Límite de crédito"),
        coerce=optional_id,
        choices=[],
        description=_l("Rige para cada cliente de la familia que no tenga uno propio."),
    )
    credit_limit = MoneyField(
        _l("Límite compartido por la familia"),
        description=_l(
            "Saldo más pedidos sin facturar de todos sus clientes juntos, en la moneda de sus "
            "cuentas. Vacío: sin límite compartido."
        ),
    )
