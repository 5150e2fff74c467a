"""Users, passwords and API tokens: the operations views, API and CLI share."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import services as audit
from app.auth.models import ApiToken, Role, User
from app.core.types import utcnow
from app.extensions import db

MIN_PASSWORD_LENGTH = 8
LOCKOUT_FAILURES = 10
LOCKOUT_MINUTES = 15


class UserError(ValueError):
    """A user change that cannot be made; carries field -> message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


@dataclass
class UserData:
    """The editable fields of a user."""

    username: str
    full_name: str
    role: str
    email: str | None = None
    supervisor_id: int | None = None
    active: bool = True
    locale: str | None = None


def hash_password(password: str) -> str:
    """Hash a password with werkzeug's scrypt."""
    return generate_password_hash(password, method="scrypt")


def _check(data: UserData, user: User | None) -> None:
    """Validate uniqueness and references; raise UserError with Spanish messages."""
    errors: dict[str, str] = {}
    if data.role not in set(Role):
        errors["role"] = _("Rol desconocido.")
    clash = db.session.scalar(sa.select(User.id).where(User.username == data.username))
    if clash is not None and (user is None or clash != user.id):
        errors["username"] = _("Ya existe un usuario con ese nombre.")
    if data.supervisor_id is not None:
        boss = db.session.get(User, data.supervisor_id)
        if boss is None or boss.role not in (Role.SUPERVISOR, Role.ADMIN):
            errors["supervisor_id"] = _("El supervisor elegido no existe o no es supervisor.")
        elif user is not None and boss.id == user.id:
            errors["supervisor_id"] = _("Un usuario no puede ser su propio supervisor.")
    if errors:
        raise UserError(errors)


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            {
                "password": _(
                    "La contraseña debe tener al menos %(n)d caracteres.", n=MIN_PASSWORD_LENGTH
                )
            }
        )


def create_user(data: UserData, password: str) -> User:
    """Create a user and write the audit row."""
    _check(data, None)
    check_password_rules(password)
    user = User(**vars(data), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", user.id, None, user.audit_view())
    return user


def update_user(user: User, data: UserData) -> User:
    """Change a user's fields; deactivation ends their sessions and tokens."""
    _check(data, user)
    before = user.audit_view()
    for field, value in vars(data).items():
        setattr(user, field, value)
    if before["active"] and not user.active:
        _revoke_everything(user)
    db.session.flush()
    audit.record("user.update", "user", user.id, before, user.audit_view())
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password; every session and API token of the user stops working."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.locked_until = None
    user.failed_logins = 0
    _revoke_everything(user)
    db.session.flush()
    audit.record("user.password", "user", user.id, None, {"password": "changed"})


def _revoke_everything(user: User) -> None:
    """End all sessions (version bump) and revoke all API tokens of a user."""
    user.session_version += 1
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


class AccountLocked(Exception):
    """Too many wrong passwords in a row: sign-in refused until `until`."""

    def __init__(self, until: datetime):
        super().__init__(until.isoformat())
        self.until = until


def authenticate(username: str, password: str) -> User | None:
    """Return the active user with these credentials, counting failures.

    After LOCKOUT_FAILURES wrong passwords in a row the account is locked for LOCKOUT_MINUTES,
    even for the right password (AccountLocked), so a slow guesser gains nothing.
    """
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        check_password_hash(_DUMMY_HASH, password)
        return None
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if not check_password_hash(user.password_hash, password) or not user.active:
        user.failed_logins += 1
        if user.failed_logins >= LOCKOUT_FAILURES:
            user.failed_logins = 0
            user.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
            audit.record("user.locked", "user", user.id, None, {"minutes": LOCKOUT_MINUTES})
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def _digest(token: str) -> str:
    """SHA-256 of a token: enough for random 256-bit secrets."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User, days: int) -> tuple[str, ApiToken]:
    """Create an API token; the plain value is returned once and never stored."""
    plain = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, token_hash=_digest(plain), expires_at=utcnow() + timedelta(days=days)
    )
    db.session.add(token)
    db.session.flush()
    return plain, token


def user_for_token(plain: str) -> User | None:
    """The active user owning a valid, unexpired, unrevoked token (read with it, in one query)."""
    token = db.session.scalar(
        sa.select(ApiToken)
        .options(sa.orm.joinedload(ApiToken.user))
        .where(ApiToken.token_hash == _digest(plain))
    )
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at <= utcnow() or not token.user.active:
        return None
    return token.user


def revoke_api_token(plain: str) -> bool:
    """Revoke one token; True when it existed and was live."""
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    if token is None or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


def team_ids(user: User) -> list[int]:
    """Ids of the users a supervisor leads, the supervisor included."""
    ids = db.session.scalars(sa.select(User.id).where(User.supervisor_id == user.id)).all()
    return [user.id, *ids]
