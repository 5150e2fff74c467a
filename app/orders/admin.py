"""The orders' reference table in the admin: price lists."""

from operator import attrgetter

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from app.core.reference_admin import CODE, NAME, AdminTable, register
from app.core.reference_forms import ReferenceForm, choices_of, code_field, name_field
from app.orders.models import PriceList

CURRENCY_LABELS = {"ARS": _l("Pesos (ARS)"), "USD": _l("Dólares (USD)")}


class PriceListForm(ReferenceForm):
    """A price list."""

    code = code_field()
    name = name_field()
    currency = SelectField(_l("Moneda"), choices=choices_of(CURRENCY_LABELS))


register(
    "price-lists",
    AdminTable(
        PriceList,
        PriceListForm,
        _l("Listas de precios"),
        _l("Nueva lista de precios"),
        _l("Editar lista de precios"),
        (CODE, NAME, (_l("Moneda"), attrgetter("currency"))),
        entity="price_list",
        fields=("code", "name", "currency"),
        position=80,
        duplicate=_l("Ya existe una lista de precios con ese código."),
    ),
)
