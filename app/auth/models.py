"""Users, roles and API tokens."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import UTCDateTime, utcnow
from app.extensions import db, login_manager


class Role(StrEnum):
    """What a user does in the company; permissions hang from it."""

    ADMIN = "admin"
    BACKOFFICE = "backoffice"
    SUPERVISOR = "supervisor"
    SALESPERSON = "salesperson"
    COLLECTOR = "collector"


class User(UserMixin, db.Model):
    """A person who signs in: back office, supervisor, salesperson or collector."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Bumped on password change or deactivation: every session and remember cookie dies.
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supervisor: Mapped["User | None"] = relationship(remote_side=[id])

    @property
    def is_active(self) -> bool:
        """Deactivated users cannot sign in."""
        return self.active

    def get_id(self) -> str:
        """Session id that changes with session_version, so old sessions stop working."""
        return f"{self.id}:{self.session_version}"

    def audit_view(self) -> dict:
        """The fields the audit log keeps (never the password hash)."""
        return {
            "username": self.username,
            "full_name": self.full_name,
            "email": self.email,
            "role": self.role,
            "active": self.active,
            "supervisor_id": self.supervisor_id,
            "locale": self.locale,
        }


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the user of a session id made by User.get_id."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user
