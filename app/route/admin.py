"""The route day's reference table in the admin: the reasons for no order or a skipped stop."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from app.core.reference_admin import CODE, NAME, AdminTable, register
from app.core.reference_forms import ReferenceForm, choices_of, code_field, name_field
from app.route.models import ReasonUse, VisitReason

REASON_USES = {
    ReasonUse.NO_ORDER: _l("Sin pedido"),
    ReasonUse.SKIPPED: _l("Parada salteada"),
    ReasonUse.BOTH: _l("Ambos"),
}


class VisitReasonForm(ReferenceForm):
    """A reason for a visit without an order or a skipped stop."""

    code = code_field()
    name = name_field()
    applies_to = SelectField(_l("Explica"), choices=choices_of(REASON_USES), default="both")
    position = IntegerField(
        _l("Orden en la lista"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=999, message=_l("Entre 0 y 999."))],
    )


register(
    "visit-reasons",
    AdminTable(
        VisitReason,
        VisitReasonForm,
        _l("Motivos de visita"),
        _l("Nuevo motivo de visita"),
        _l("Editar motivo de visita"),
        (CODE, NAME, (_l("Explica"), lambda row: REASON_USES.get(row.applies_to, row.applies_to))),
        entity="visit_reason",
        fields=("code", "name", "applies_to", "position"),
        position=75,
        duplicate=_l("Ya existe un motivo con ese código."),
        permission="visits.reasons",
        listing=lambda query: query.order_by(VisitReason.position, VisitReason.name),
        stored=lambda values: values | {"position": values.get("position") or 0},
    ),
)
