"""E-mail addresses: the one check that forms, API schemas and services use."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

BAD_EMAIL = _l("El correo no es válido.")
MAX_LENGTH = 254


def normalize_email(text: object) -> str:
    """One address as it is kept ("Ana@Ejemplo.COM " -> "Ana@ejemplo.com"); ValueError if not one.

    Built on email-validator without looking the domain up (no network); the ValueError's
    message is the Spanish (or the user's language) text a form or an API shows.
    """
    address = text.strip() if isinstance(text, str) else ""
    if not address or len(address) > MAX_LENGTH:
        raise ValueError(str(BAD_EMAIL))
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(BAD_EMAIL)) from error


def is_email(text: object) -> bool:
    """True when the text is one valid address (by normalize_email)."""
    try:
        normalize_email(text)
    except ValueError:
        return False
    return True


class EmailCheck:
    """WTForms validator: the field holds one address, kept as normalize_email writes it."""

    def __call__(self, form, field) -> None:
        """Refuse a bad address with the Spanish message; normalize a good one."""
        if not field.data:
            return
        try:
            field.data = normalize_email(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error
