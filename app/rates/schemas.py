"""JSON shapes of the exchange rates."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import fields

from app.core.fields import (
    AnswerSchema,
    BodySchema,
    DecimalText,
    QuerySchema,
    choice_field,
    day_field,
)
from app.rates.models import FOREIGN_CURRENCIES
from app.rates.services import MAX_RATE


def _rate(**kwargs) -> fields.Field:
    """Pesos per unit, up to six decimals."""
    return DecimalText(
        places=6,
        minimum=Decimal("0.000001"),
        maximum=MAX_RATE,
        error_messages={
            "places": _l("Como máximo seis decimales."),
            "too_small": _l("La cotización tiene que ser mayor que cero."),
            "too_large": _l("La cotización es demasiado grande."),
        },
        **kwargs,
    )


class RateArgsSchema(QuerySchema):
    """Filters of the rate list: a currency and a span of days (both ends included)."""

    currency = choice_field(FOREIGN_CURRENCIES)
    start = day_field(data_key="from", metadata={"description": "First day"})
    end = day_field(data_key="to", metadata={"description": "Last day"})


class NewRateSchema(BodySchema):
    """A day's rate of a currency; a day that has one gets it replaced (audited)."""

    date = day_field(required=True)
    currency = choice_field(FOREIGN_CURRENCIES, required=True)
    rate = _rate(required=True, metadata={"description": "Pesos per unit"})


class RateSchema(AnswerSchema):
    """A day's rate of a currency."""

    id = fields.Integer()
    date = fields.Date()
    currency = fields.String()
    rate = fields.Decimal(as_string=True, metadata={"description": "Pesos per unit"})


class RateListSchema(AnswerSchema):
    """Rates, newest day first."""

    items = fields.List(fields.Nested(RateSchema))
