"""Sign-in, profile and user administration forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

from app.auth.models import Role
from app.auth.services import MIN_PASSWORD_LENGTH
from app.core.email import EmailCheck

ROLE_LABELS = {
    Role.ADMIN: _l("Administrador"),
    Role.BACKOFFICE: _l("Administración"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.SALESPERSON: _l("Vendedor"),
    Role.COLLECTOR: _l("Cobrador"),
}
LOCALES = [SelectChoice("es_AR", "Español (Argentina)"), SelectChoice("en", "English")]
REQUIRED = _l("Este campo es obligatorio.")


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Usuario"), validators=[InputRequired(REQUIRED), Length(max=40)])
    password = PasswordField(_l("Contraseña"), validators=[InputRequired(REQUIRED)])


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(_l("Contraseña actual"), validators=[InputRequired(REQUIRED)])
    new = PasswordField(
        _l("Contraseña nueva"),
        validators=[
            InputRequired(REQUIRED),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("Debe tener al menos %(n)d caracteres.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repetí la contraseña nueva"),
        validators=[InputRequired(REQUIRED), EqualTo("new", _l("Las contraseñas no coinciden."))],
    )


class LocaleForm(FlaskForm):
    """The language of the interface."""

    locale = SelectField(_l("Idioma"), choices=LOCALES)


class UserForm(FlaskForm):
    """Create or edit a user (admin)."""

    username = StringField(
        _l("Usuario"),
        validators=[
            InputRequired(REQUIRED),
            Length(min=3, max=40, message=_l("Entre 3 y 40 caracteres.")),
            Regexp(r"^[a-z0-9._-]+$", message=_l("Solo minúsculas, números, punto, guion.")),
        ],
    )
    full_name = StringField(
        _l("Nombre y apellido"), validators=[InputRequired(REQUIRED), Length(max=120)]
    )
    email = EmailField(
        _l("Correo electrónico"),
        validators=[Optional(), EmailCheck(), Length(max=254)],
    )
    role = SelectField(
        _l("Rol"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    supervisor_id = SelectField(_l("Supervisor"), coerce=int, choices=[])
    active = BooleanField(_l("Activo"), default=True)
    password = PasswordField(
        _l("Contraseña"),
        description=_l("Dejala vacía para no cambiarla."),
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("Debe tener al menos %(n)d caracteres.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
