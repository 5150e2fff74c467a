"""E-mail settings: where the SMTP server is (from the environment), and MailError."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

SECURITY_MODES = ("starttls", "ssl", "none")


class MailError(ValueError):
    """Mail that cannot be sent or saved; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(str(v) for v in fields.values()))
        self.fields = fields


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server (from the environment)."""

    host: str
    port: int
    user: str
    password: str
    security: str
    timeout: float


def smtp_settings() -> SmtpSettings:
    """The SMTP settings of the running app."""
    config = current_app.config
    return SmtpSettings(
        host=(config.get("SMTP_HOST") or "").strip(),
        port=int(config.get("SMTP_PORT") or 587),
        user=config.get("SMTP_USER") or "",
        password=config.get("SMTP_PASSWORD") or "",
        security=(config.get("SMTP_SECURITY") or "starttls").strip().lower(),
        timeout=float(config.get("SMTP_TIMEOUT") or 10),
    )


def mail_enabled() -> bool:
    """True when an SMTP server is configured."""
    return bool(smtp_settings().host)


def mail_off_message() -> str:
    """What the pages say when sending is off."""
    return _(
        "El envío de correos está apagado: falta configurar el servidor SMTP (SMTP_HOST). "
        "Pedile a quien administra el sistema que lo configure."
    )


def usable_settings() -> SmtpSettings:
    """The settings, or MailError when sending is off or misconfigured."""
    settings = smtp_settings()
    if not settings.host:
        raise MailError({"smtp": mail_off_message()})
    if settings.security not in SECURITY_MODES:
        raise MailError(
            {
                "smtp": _(
                    "SMTP_SECURITY tiene que ser starttls, ssl o none; revisá la configuración."
                )
            }
        )
    return settings
