"""The registry of reference tables the admin keeps: each domain registers its own tables.

A domain describes a table once (model, form, list columns, words, audit fields and the hooks
its rules need) and registers it from its `admin` module, which create_app imports through the
domain's blueprint.py. One set of generic pages and services works over this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice
from wtforms.fields.core import UnboundField

from app.core.changes import Synced
from app.extensions import db

Column = tuple[LazyString, Callable[[Any], object]]
CODE: Column = (_l("Código"), attrgetter("code"))
NAME: Column = (_l("Nombre"), attrgetter("name"))


class ReferenceRowError(ValueError):
    """A reference change that cannot be made; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


@dataclass(frozen=True)
class AdminTable:
    """One reference table as the admin sees it; the first column links to the row."""

    model: type[Synced]
    form: type  # a ReferenceForm (app.core.reference_forms)
    title: LazyString
    new_title: LazyString
    edit_title: LazyString
    columns: tuple[Column, ...]
    entity: str  # the audit log's entity type, and the prefix of its actions
    fields: tuple[str, ...]  # the editable columns, as the audit log keeps them
    # Where the index lists it: the tables read in this order, whichever domain holds them.
    position: int
    # Columns that, with the code, must be unique (None: the table has no code).
    code_scope: tuple[str, ...] | None = ()
    duplicate: LazyString | None = None  # the field error for a repeated code
    permission: str = "reference.manage"
    # The hooks a table's own rules need; None: the generic behaviour.
    listing: Callable[[sa.Select], sa.Select] | None = None  # order (and load) the list
    choices: Callable[[Any, Any], None] | None = None  # fill the form's selects: (form, row)
    check: Callable[[dict, Any], dict[str, str]] | None = None  # more field errors: (values, row)
    stored: Callable[[dict], dict] | None = None  # the values as they are stored
    deactivation_problem: Callable[[Any], str | None] | None = None  # why not out of use
    reactivation_problem: Callable[[Any], str | None] | None = None  # why not back in use
    label: Callable[[Any], str] | None = None  # how messages name a row
    preview: Callable[[Any], dict] | None = None  # extra context the form page shows


# URL slug -> table, in the order the admin's index lists them (see ordered()).
TABLES: dict[str, AdminTable] = {}
_labels: dict[str, LazyString] = {}


def register(slug: str, table: AdminTable) -> None:
    """Add a table to the admin under /admin/reference/<slug>/; a slug is taken once."""
    if slug in TABLES and TABLES[slug] != table:
        raise ValueError(f"reference table {slug!r} is already registered")
    TABLES[slug] = table
    ordered = sorted(TABLES.items(), key=lambda item: item[1].position)
    TABLES.clear()
    TABLES.update(ordered)
    _labels.clear()


def table_of(model: type) -> AdminTable:
    """The registered table of a model (LookupError if no domain registered it)."""
    for table in TABLES.values():
        if table.model is model:
            return table
    raise LookupError(f"{model.__name__} is not a registered reference table")


def field_label(name: str) -> LazyString | None:
    """The label of a field of the registered forms, for the change history (None if none)."""
    if not _labels:
        for table in TABLES.values():
            for field, value in vars(table.form).items():
                if isinstance(value, UnboundField) and value.args:
                    _labels.setdefault(field, value.args[0])
    return _labels.get(name)


def row_label(row: Synced) -> str:
    """How messages name a row: its code and name, or what its table says."""
    table = table_of(type(row))
    if table.label is not None:
        return table.label(row)
    code = getattr(row, "code", None)
    return f"{code} · {row.name}" if code else row.name


def list_query(model: type[Synced], deleted: bool = False) -> sa.Select:
    """The active rows of a table (or only the deactivated ones), in the order people read them."""
    query = sa.select(model).where(
        model.deleted_at.is_not(None) if deleted else model.deleted_at.is_(None)
    )
    table = table_of(model)
    if table.listing is not None:
        return table.listing(query)
    return query.order_by(model.code)


def live_rows(model: type[Synced], keep: Synced | None = None) -> list:
    """The rows in use of a table, for a select; a row already chosen stays listed."""
    rows = db.session.scalars(list_query(model)).all()
    if keep is not None and keep not in rows:
        rows.append(keep)
    return rows


def code_choices(model: type[Synced], current: Synced | None, none_label: str) -> list:
    """None, or a row in use shown as "code · name"; the row already chosen stays listed."""
    return [
        SelectChoice("", none_label),
        *(SelectChoice(r.id, f"{r.code} · {r.name}") for r in live_rows(model, current)),
    ]


def in_use(model: type[Synced], row_id: int | None, owner, column: str) -> bool:
    """True when the id is none, a row in use, or the retired row the owner already points to."""
    if row_id is None:
        return True
    row = db.session.get(model, row_id)
    keeps = owner is not None and getattr(owner, column) == row_id
    return row is not None and (not row.is_deleted or keeps)
