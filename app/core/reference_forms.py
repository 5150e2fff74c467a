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


def amount_text(data: Decimal | None) -> str:
    """A stored amount as people write it here: "500.000", "1.234,50", "" for none."""
    if not isinstance(data, Decimal):
        return ""
    units, _dot, cents = f"{abs(data):.2f}".partition(".")
    sign = "-" if data < 0 else ""
    return f"{sign}{int(units):,}".replace(",", ".") + ("" if cents == "00" else f",{cents}")


class NumberField(DecimalField):
    """An optional number typed as people write it here ("1.234,5", "12.5", "-3").

    Read with the one rule of typed numbers (app/core/numbers.py). Subclasses set the message
    for text that is no number, how many decimals they take, and what empty means.
    """

    # A text input: a number input would not show the decimal comma people write here.
    widget = TextInput()
    invalid = _l("Ingresá un número, como 12 o 1.234,5.")
    most_decimals: int | None = None
    empty: Decimal | None = None

    def __init__(self, label, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, **kwargs)

    def _value(self) -> str:
        """The stored number as people write it: "12,5", "0"."""
        if self.raw_data:
            return self.raw_data[0]
        return decimal_text(self.data)

    def typed(self, text: str) -> str:
        """The text to read as a number (a subclass may drop a sign such as "%")."""
        return text

    def process_formdata(self, valuelist):
        """Read the typed number; refuse text that is none, or too many decimals."""
        if not valuelist:
            return
        text = valuelist[0].strip()
        if not text:
            self.data = self.empty
            return
        try:
            value = parse_decimal(self.typed(text), negative=True)
        except ValueError as exc:
            self.data = None
            raise ValueError(self.invalid) from exc
        if self.most_decimals is not None and value.as_tuple().exponent < -self.most_decimals:
            self.data = None
            raise ValueError(_l("Usá como mucho dos decimales."))
        self.data = value


class PercentField(NumberField):
    """A percentage from 0 to `high` with up to two decimals; "12,5" reads as 12.5.

    Empty reads as `empty`: 0 for a discount, None (no ceiling) where nothing is a value.
    """

    invalid = _l("Ingresá un porcentaje, como 5 o 12,5.")
    most_decimals = 2

    def __init__(self, label, high: int = 100, empty: Decimal | None = Decimal("0"), **kwargs):
        message = _l("Entre 0 y %(high)d.", high=high)
        super().__init__(
            label,
            places=2,
            default=empty,
            validators=[Optional(), NumberRange(min=0, max=high, message=message)],
            **kwargs,
        )
        self.empty = empty

    def typed(self, text: str) -> str:
        """A trailing "%" is part of how a percentage is written."""
        return text.removesuffix("%")


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
