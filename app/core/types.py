"""Column types shared by every domain."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa


def utcnow() -> datetime:
    """The current UTC time, timezone-aware."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        """Normalise to UTC before storing."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        """Attach UTC to naive values."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


Money = sa.Numeric(14, 2)
# The largest amount a Money column holds.
MAX_AMOUNT = Decimal("999999999999.99")


def render_migration_type(type_: str, obj, _autogen_context) -> str | bool:
    """Write our column types as plain SQLAlchemy types in migrations."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Kept by migrations outside the models: the client search's trigram index (PostgreSQL), its
# FTS5 table with the tables FTS5 keeps for it (SQLite), and the expression index of the
# client list's name order (neither SQLAlchemy nor Alembic compares expression indexes).
UNMODELLED_NAMES = ("ix_clients_search_trgm", "clients_search", "ix_clients_sort_name")


def migration_includes(name: str | None, _type: str, _parents: dict) -> bool:
    """Autogenerate compares everything but the indexes the models do not describe."""
    return not (name and name.startswith(UNMODELLED_NAMES))


def local_today() -> date:
    """Today's date where the company works (DEFAULT_TIMEZONE), not the server's UTC date."""
    return local_now().date()


def local_now() -> datetime:
    """The time where the company works (DEFAULT_TIMEZONE), as an aware datetime."""
    from flask import current_app, has_app_context

    zone = "America/Argentina/Buenos_Aires"
    if has_app_context():
        zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or zone
    return datetime.now(ZoneInfo(zone))
