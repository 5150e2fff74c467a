"""The short form of a prospect registered at the door (a salesperson's or supervisor's
/clients/new); the back office keeps the whole card form at the same address."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.clients.forms import REQUIRED, TAX_ID_LABELS, choices
from app.clients.prospects import PROSPECT_FIELDS
from app.core.email import EmailCheck
from app.core.reference_forms import strip_text
from app.taxes.rules import TaxIdType


def _text(label, most: int, *, required: bool = False, **kwargs) -> StringField:
    """A trimmed text field of at most this many characters."""
    first = DataRequired(REQUIRED) if required else Optional()
    return StringField(label, filters=[strip_text], validators=[first, Length(max=most)], **kwargs)


class ProspectForm(FlaskForm):
    """What a salesperson learns at the door; the location only when they tap for it."""

    trade_name = _text(_l("Nombre de fantasía"), 160, required=True)
    legal_name = _text(
        _l("Razón social o apellido y nombre"),
        160,
        description=_l("Si la dejás vacía, se usa el nombre de fantasía."),
    )
    tax_id_type = SelectField(
        _l("Tipo de documento"), choices=choices(TAX_ID_LABELS), default=TaxIdType.CUIT.value
    )
    tax_id = _text(_l("Número de documento"), 20)
    phone = _text(_l("Teléfono"), 40)
    mobile = _text(_l("Celular"), 40)
    email = EmailField(
        _l("Correo electrónico"),
        filters=[strip_text],
        validators=[Optional(), EmailCheck(), Length(max=254)],
    )
    street = _text(_l("Calle y número"), 160)
    city = _text(_l("Localidad"), 80)
    province = _text(_l("Provincia"), 60)
    # Filled by static/js/location.js when the user taps "Usar mi ubicación"; never refused.
    latitude = HiddenField(render_kw={"data-location": "latitude"})
    longitude = HiddenField(render_kw={"data-location": "longitude"})
    note = TextAreaField(
        _l("Nota"),
        filters=[strip_text],
        validators=[Optional(), Length(max=2000)],
        description=_l("Lo que el back office tiene que saber para activarlo."),
    )

    def prospect_fields(self) -> dict:
        """The values as app/clients/prospects.py takes them."""
        names = (*PROSPECT_FIELDS, "latitude", "longitude", "note")
        return {name: self[name].data or None for name in names if name in self._fields}
