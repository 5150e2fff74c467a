"""Operations on any registered reference table; each writes its audit row."""

from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import services as audit
from app.core.changes import Synced
from app.core.reference_admin import TABLES, ReferenceRowError, table_of
from app.core.types import utcnow
from app.extensions import db

Row = TypeVar("Row", bound=Synced)


def _plain(value):
    """A JSON-friendly value for the audit log: decimals as text, 5.00 and 5 alike."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def audit_view(row: Synced) -> dict:
    """The editable fields of a row as the audit log keeps them."""
    return {field: _plain(getattr(row, field)) for field in table_of(type(row)).fields}


def active_counts() -> dict[type, int]:
    """How many active rows each reference table holds."""
    return {
        table.model: db.session.scalar(
            sa.select(sa.func.count())
            .select_from(table.model)
            .where(table.model.deleted_at.is_(None))
        )
        for table in TABLES.values()
    }


def _check(model: type[Synced], values: dict, row: Synced | None) -> None:
    """Validate a repeated code and what the table's own rules say; raise ReferenceRowError."""
    table = table_of(model)
    errors: dict[str, str] = {}
    if table.code_scope is not None:
        same = [model.code == values["code"]]
        same += [getattr(model, column) == values[column] for column in table.code_scope]
        clash = db.session.scalar(sa.select(model).where(*same))
        if clash is not None and clash is not row:
            errors["code"] = str(table.duplicate)
            if clash.is_deleted:
                errors["code"] += " " + _("Está entre las bajas: podés reactivar ese registro.")
    if table.check is not None:
        errors.update(table.check(values, row))
    if errors:
        raise ReferenceRowError(errors)


def _stored(model: type[Synced], values: dict) -> dict:
    """The values as they are stored."""
    stored = table_of(model).stored
    return stored(values) if stored is not None else values


def create_row(model: type[Row], values: dict) -> Row:
    """Add a row to a reference table and write the audit row."""
    _check(model, values, None)
    values = _stored(model, values)
    row = model(**values)
    db.session.add(row)
    db.session.flush()
    entity = table_of(model).entity
    audit.record(f"{entity}.create", entity, row.id, None, audit_view(row))
    return row


def update_row(row: Row, values: dict) -> Row:
    """Change a reference row's fields; an edit that changes nothing writes nothing."""
    _check(type(row), values, row)
    values = _stored(type(row), values)
    before = audit_view(row)
    for field, value in values.items():
        setattr(row, field, value)
    after = audit_view(row)
    if after != before:
        db.session.flush()
        entity = table_of(type(row)).entity
        audit.record(f"{entity}.update", entity, row.id, before, after)
    return row


def deactivate_row(row: Synced) -> None:
    """Take a row out of use: a soft delete phones see as a tombstone; clients keep it."""
    if row.is_deleted:
        return
    table = table_of(type(row))
    problem = table.deactivation_problem(row) if table.deactivation_problem else None
    if problem:
        raise ReferenceRowError({"deleted": problem})
    row.deleted_at = utcnow()
    db.session.flush()
    audit.record(
        f"{table.entity}.deactivate", table.entity, row.id, {"deleted": False}, {"deleted": True}
    )


def reactivate_row(row: Synced) -> None:
    """Put a deactivated row back in use."""
    if not row.is_deleted:
        return
    table = table_of(type(row))
    problem = table.reactivation_problem(row) if table.reactivation_problem else None
    if problem:
        raise ReferenceRowError({"deleted": problem})
    row.deleted_at = None
    db.session.flush()
    audit.record(
        f"{table.entity}.reactivate", table.entity, row.id, {"deleted": True}, {"deleted": False}
    )
