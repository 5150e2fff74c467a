"""The notice form: it reads the fields; the services say what is wrong with them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField

from app.core.routing import MAX_ID
from app.notices.rules import MAX_MESSAGE
from app.notices.services import AUDIENCE_LABELS, SEVERITY_LABELS, TARGET_LABELS


class DayField(DateField):
    """A date input: empty is no date (the service says if one is needed); bad text is refused."""

    def process_formdata(self, valuelist):
        """Read YYYY-MM-DD; an empty value leaves no date."""
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


def _strip(value):
    """Trim text input."""
    return value.strip() if isinstance(value, str) else value


class NoticeForm(FlaskForm):
    """Message, severity, validity and target of a notice."""

    message = TextAreaField(
        _l("Aviso"),
        filters=[_strip],
        render_kw={"maxlength": MAX_MESSAGE, "rows": 3},
        description=_l("Hasta %(max)d caracteres.", max=MAX_MESSAGE),
    )
    severity = SelectField(
        _l("Importancia"),
        choices=[SelectChoice(value.value, label) for value, label in SEVERITY_LABELS.items()],
        default="info",
        validate_choice=False,
    )
    audience = SelectField(
        _l("Para quiénes de la empresa"),
        choices=[SelectChoice(value.value, label) for value, label in AUDIENCE_LABELS.items()],
        default="all",
        validate_choice=False,
        description=_l("Una promoción es para ventas: los cobradores no la ven."),
    )
    valid_from = DayField(_l("Desde"), invalid_value_message=_l("Fecha inválida."))
    valid_to = DayField(
        _l("Hasta"),
        invalid_value_message=_l("Fecha inválida."),
        description=_l("Vacío: sin vencimiento."),
    )
    target_kind = SelectField(
        _l("Para"),
        choices=[SelectChoice(value.value, label) for value, label in TARGET_LABELS.items()],
        default="client",
        validate_choice=False,
    )
    target_id = StringField(_l("Destinatario"), filters=[_strip])

    def target_number(self) -> int | None:
        """The chosen client or group id, or None when none (or no possible id) was sent."""
        raw = str(self.target_id.data or "")
        return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID else None

    def values(self) -> dict:
        """The fields as the services take them."""
        return {
            "message": self.message.data or "",
            "severity": self.severity.data,
            "audience": self.audience.data,
            "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data,
            "target_kind": self.target_kind.data,
            "target_id": self.target_number(),
        }


class ClientSetNoticeForm(NoticeForm):
    """The notice form for a set of clients picked on the list: no target to choose."""

    target_kind = None
    target_id = None

    def values(self) -> dict:
        """The fields as the services take them (the set is sent apart)."""
        return {
            "message": self.message.data or "",
            "severity": self.severity.data,
            "audience": self.audience.data,
            "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data,
        }
