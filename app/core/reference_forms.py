"""What the admin's reference forms (and the client card's) share: the base form, its fields
and their helpers."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from app.core.numbers import parse_decimal

REQUIRED = _l("Este campo es obligatorio.")
NOT_A_NUMBER = _l("Ingresá un número entero.")


class ReferenceForm(FlaskForm):
    """Base of the reference forms: hands the service the cleaned values."""

    def values(self) -> dict:
        """The submitted values by column; empty optional text is stored as NULL."""
        return {f.name: (f.data if f.data != "" else None) for f in self if f.name != "csrf_token"}


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes, easier with a thumb than a list box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def decimal_text(data: Decimal | None) -> str:
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
        return decimal_text(self.data)

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
        return decimal_text(self.data)

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


def strip_text(value: str | None) -> str | None:
    """Surrounding spaces are never meant."""
    return value.strip() if isinstance(value, str) else value


def optional_id(value) -> int | None:
    """A select's id, where the empty option means none."""
    return int(value) if value not in (None, "", "None") else None


def choices_of(labels: dict) -> list[SelectChoice]:
    """Select options from a value -> label mapping."""
    return [SelectChoice(value, label) for value, label in labels.items()]


def code_field() -> StringField:
    """The short code every table but families and card plans has."""
    return StringField(
        _l("Código"), filters=[strip_text], validators=[DataRequired(REQUIRED), Length(max=20)]
    )


def name_field(max_length: int = 80) -> StringField:
    """The name people read."""
    return StringField(
        _l("Nombre"),
        filters=[strip_text],
        validators=[DataRequired(REQUIRED), Length(max=max_length)],
    )
