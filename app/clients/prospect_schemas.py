"""The JSON body of a prospect registered at the door: a few of the card's fields, the door's
location and a first note. The card's other fields are the back office's, and are refused."""

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, pre_load, validate

from app.clients.models import ClientState
from app.clients.prospects import PROSPECT_FIELDS
from app.clients.schemas import ClientSchema
from app.core.fields import spanish_field, text_field

NOTE_MAX_LENGTH = 2000  # as the card's note form allows
OFFICE_ONLY = _l("Solo el back office puede cargar este dato.")
ONLY_PROSPECTS = _l("Solo podés registrar prospectos.")


def _coordinate(limit: int) -> fields.Field:
    """A latitude or longitude in degrees; one that is not usable is dropped, never refused."""
    return fields.Raw(
        allow_none=True,
        metadata={
            "type": "number",
            "description": f"Degrees, -{limit} to {limit}, where the phone was at the door; kept "
            "to six decimals on the fiscal address. A value that is not usable is left out.",
        },
    )


class ProspectSchema(ClientSchema):
    """A prospect as a salesperson or supervisor sends it; pass the caller's id as `caller_id`.

    It becomes the caller's prospect: a `salesperson_id` other than the caller's own is refused.
    """

    class Meta:
        fields = (*PROSPECT_FIELDS, "state", "latitude", "longitude", "accuracy", "note")

    legal_name = text_field(160, metadata={"description": "Default: the trade name"})
    trade_name = text_field(160, required=True, nullable=False)
    state = spanish_field(
        fields.String,
        allow_none=True,
        validate=validate.Equal(ClientState.POTENTIAL.value, error=ONLY_PROSPECTS),
        metadata={"enum": [ClientState.POTENTIAL.value], "description": "Always potential"},
    )
    latitude = _coordinate(90)
    longitude = _coordinate(180)
    accuracy = fields.Raw(
        allow_none=True, metadata={"type": "number", "description": "Metres, as the phone says"}
    )
    note = text_field(NOTE_MAX_LENGTH, metadata={"description": "A first note on the card"})

    def __init__(self, *, caller_id: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.caller_id = caller_id

    @pre_load
    def _refuse_office_fields(self, data, **_kwargs):
        """The card's other fields (a credit policy, a price list, another salesperson...) are the
        back office's: refused by name, rather than as unknown. The caller's own id as the
        salesperson says what happens anyway."""
        if not isinstance(data, dict):
            return data
        own = data.get("salesperson_id")
        if type(own) is int and own == self.caller_id:
            data = {name: value for name, value in data.items() if name != "salesperson_id"}
        office = sorted(
            name
            for name in data
            if name not in self.load_fields
            and name in self.declared_fields
            and not self.declared_fields[name].dump_only
        )
        if office:
            raise ValidationError({name: [str(OFFICE_ONLY)] for name in office})
        return data
