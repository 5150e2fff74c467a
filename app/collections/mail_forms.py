"""The e-mail forms: they read the fields; mail_accounts and mail_templates say what is wrong."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.fields import EmailField

from app.collections.mail_merge import KIND_LABELS


def _strip(value):
    """Trim text input."""
    return value.strip() if isinstance(value, str) else value


def _number(raw) -> int | None:
    """A chosen id, or None."""
    text = str(raw or "").strip()
    return (
        int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= 2_147_483_647 else None
    )


class AccountForm(FlaskForm):
    """A sender identity: how the client sees who wrote."""

    name = StringField(
        _l("Nombre de la cuenta"),
        filters=[_strip],
        render_kw={"maxlength": 80},
        description=_l("Para reconocerla en la lista, por ejemplo «Cobranzas»."),
    )
    from_name = StringField(
        _l("Nombre del remitente"),
        filters=[_strip],
        render_kw={"maxlength": 120},
        description=_l("Lo que el cliente ve como remitente."),
    )
    from_address = EmailField(
        _l("Correo del remitente"), filters=[_strip], render_kw={"maxlength": 254}
    )
    reply_to = EmailField(
        _l("Responder a"),
        filters=[_strip],
        render_kw={"maxlength": 254},
        description=_l("Opcional: adonde llegan las respuestas del cliente."),
    )
    active = BooleanField(_l("Activa"), default=True)

    def values(self) -> dict:
        """The fields as the services take them."""
        return {
            "name": self.name.data or "",
            "from_name": self.from_name.data or "",
            "from_address": self.from_address.data or "",
            "reply_to": self.reply_to.data or "",
            "active": bool(self.active.data),
        }


class TemplateForm(FlaskForm):
    """A template (planilla): its kind, sender, subject and text with merge fields."""

    code = StringField(_l("Código"), filters=[_strip], render_kw={"maxlength": 20})
    name = StringField(_l("Nombre"), filters=[_strip], render_kw={"maxlength": 80})
    kind = SelectField(
        _l("Tipo"),
        choices=[SelectChoice(value, label) for value, label in KIND_LABELS.items()],
        default="reminder",
        validate_choice=False,
    )
    account_id = SelectField(_l("Cuenta que envía"), choices=[], validate_choice=False)
    subject = StringField(_l("Asunto"), filters=[_strip], render_kw={"maxlength": 200})
    body = TextAreaField(_l("Texto del correo"), render_kw={"rows": 14, "spellcheck": "true"})

    def set_accounts(self, accounts) -> None:
        """Offer the sender accounts (empty: the first active one)."""
        self.account_id.choices = [SelectChoice("", _l("La primera cuenta activa"))] + [
            SelectChoice(str(a.id), a.name + ("" if a.active else f" ({_l('inactiva')})"))
            for a in accounts
        ]

    def values(self) -> dict:
        """The fields as the services take them."""
        return {
            "code": self.code.data or "",
            "name": self.name.data or "",
            "kind": self.kind.data,
            "account_id": _number(self.account_id.data),
            "subject": self.subject.data or "",
            "body": (self.body.data or "").replace("\r\n", "\n"),
        }
