"""The admin's forms for the reference tables; field names are the models' columns."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

ZONE_KINDS = {"sales": _l("Venta"), "delivery": _l("Reparto")}
CURRENCIES = {"ARS": _l("Pesos (ARS)"), "USD": _l("Dólares (USD)")}
SCHEMES = {1: _l("Categoría 1"), 2: _l("Categoría 2")}
LEVELS = {level: _l("Nivel %(n)d", n=level) for level in range(1, 5)}
REQUIRED = _l("Este campo es obligatorio.")


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
    """The short code every table but families has."""
    return StringField(
        _l("Código"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=20)]
    )


def _name(max_length: int = 80) -> StringField:
    """The name people read."""
    return StringField(
        _l("Nombre"), filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=max_length)]
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
    """A client type."""

    code = _code()
    name = _name()
    cash_only = BooleanField(
        _l("Solo contado"), description=_l("Sus clientes no tienen cuenta corriente.")
    )


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
