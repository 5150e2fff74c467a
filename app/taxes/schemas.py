"""JSON shapes of the padrón recheck: the card's differences with AFIP's registry."""

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from app.core.fields import AnswerSchema, BodySchema, choice_field, spanish_field
from app.taxes.recheck import RECHECKED


class DifferenceSchema(AnswerSchema):
    """A card field whose registry value differs."""

    field = fields.String(metadata={"enum": list(RECHECKED)})
    label = fields.String(metadata={"description": "The field's name (Spanish)"})
    current = fields.String(allow_none=True, metadata={"description": "On the card"})
    registry = fields.String(metadata={"description": "In AFIP's registry"})


class PadronDifferencesSchema(AnswerSchema):
    """What differs between the card and the registry (after an apply: what is left)."""

    client_id = fields.Integer()
    cuit = fields.String()
    changed = fields.List(
        fields.String(), metadata={"description": "The fields copied (an apply only)"}
    )
    differences = fields.List(fields.Nested(DifferenceSchema))


class ApplyPadronSchema(BodySchema):
    """The differing fields to copy from the registry to the card."""

    fields_ = spanish_field(
        fields.List,
        choice_field(list(RECHECKED)),
        data_key="fields",
        attribute="fields",
        required=True,
        validate=validate.Length(min=1, error=_l("Elegí al menos un dato para copiar del padrón.")),
    )
