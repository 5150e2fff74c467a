"""Operations on the reference tables the client card points to; each writes its audit row."""

from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, contains_eager

from app.audit import services as audit
from app.clients.reference import Category, Channel, ClientType, Family, Segment, Transport, Zone
from app.core.types import utcnow
from app.extensions import db
from app.orders.models import PriceList

ReferenceRow = Zone | ClientType | Transport | Channel | Segment | Category | Family | PriceList
Row = TypeVar("Row", bound=ReferenceRow)


@dataclass(frozen=True)
class Table:
    """What the services need to know about one reference table."""

    entity: str  # the audit log's entity type, and the prefix of its actions
    fields: tuple[str, ...]  # the editable columns, as the audit log keeps them
    # Columns that, with the code, must be unique (None: the table has no code).
    code_scope: tuple[str, ...] | None = ()
    duplicate: LazyString | None = None  # the field error for a repeated code


TABLES: dict[type, Table] = {
    Zone: Table(
        "zone",
        ("code", "name", "kind", "province"),
        duplicate=_l("Ya existe una zona con ese código."),
    ),
    ClientType: Table(
        "client_type",
        ("code", "name", "cash_only"),
        duplicate=_l("Ya existe un tipo de cliente con ese código."),
    ),
    Transport: Table(
        "transport",
        ("code", "name", "phone"),
        duplicate=_l("Ya existe un transporte con ese código."),
    ),
    Channel: Table("channel", ("code", "name"), duplicate=_l("Ya existe un canal con ese código.")),
    Segment: Table(
        "segment",
        ("level", "code", "name"),
        code_scope=("level",),
        duplicate=_l("Ya existe un segmento de ese nivel con ese código."),
    ),
    Category: Table(
        "category",
        ("scheme", "parent_id", "code", "name"),
        code_scope=("scheme",),
        duplicate=_l("Ya existe una categoría de esa clasificación con ese código."),
    ),
    Family: Table("family", ("name",), code_scope=None),
    PriceList: Table(
        "price_list",
        ("code", "name", "currency"),
        duplicate=_l("Ya existe una lista de precios con ese código."),
    ),
}


class ReferenceRowError(ValueError):
    """A reference change that cannot be made; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def audit_view(row: ReferenceRow) -> dict:
    """The editable fields of a row as the audit log keeps them."""
    return {field: getattr(row, field) for field in TABLES[type(row)].fields}


def list_query(model: type[Row], deleted: bool = False) -> sa.Select:
    """The active rows of a table (or only the deactivated ones), in the order people read them."""
    query = sa.select(model).where(
        model.deleted_at.is_not(None) if deleted else model.deleted_at.is_(None)
    )
    if model is Category:
        # Each category followed by its subcategories.
        parent = aliased(Category)
        return (
            query.outerjoin(Category.parent.of_type(parent))
            .options(contains_eager(Category.parent.of_type(parent)))
            .order_by(
                Category.scheme,
                sa.func.coalesce(parent.code, Category.code),
                Category.parent_id.is_not(None),
                Category.code,
            )
        )
    if model is Segment:
        return query.order_by(Segment.level, Segment.code)
    if model is Family:
        return query.order_by(Family.name, Family.id)
    return query.order_by(model.code)


def active_counts() -> dict[type, int]:
    """How many active rows each reference table holds."""
    return {
        model: db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.deleted_at.is_(None))
        )
        for model in TABLES
    }


def parent_categories() -> list[Category]:
    """Active categories without a parent: the ones a subcategory may hang from."""
    return db.session.scalars(
        sa.select(Category)
        .where(Category.parent_id.is_(None), Category.deleted_at.is_(None))
        .order_by(Category.scheme, Category.code)
    ).all()


def _check(model: type[Row], values: dict, row: Row | None) -> None:
    """Validate a repeated code and a category's parent; raise ReferenceRowError."""
    table = TABLES[model]
    errors: dict[str, str] = {}
    if table.code_scope is not None:
        same = [model.code == values["code"]]
        same += [getattr(model, column) == values[column] for column in table.code_scope]
        clash = db.session.scalar(sa.select(model).where(*same))
        if clash is not None and clash is not row:
            errors["code"] = str(table.duplicate)
            if clash.is_deleted:
                errors["code"] += " " + _("Está entre las bajas: podés reactivar ese registro.")
    if model is Category:
        errors.update(_category_errors(values, row))
    if errors:
        raise ReferenceRowError(errors)


def _category_errors(values: dict, category: Category | None) -> dict[str, str]:
    """A subcategory hangs from an active category of its scheme; there are two levels only."""
    has_children = category is not None and (
        db.session.scalar(sa.select(Category.id).where(Category.parent_id == category.id).limit(1))
        is not None
    )
    if has_children and values["scheme"] != category.scheme:
        return {"scheme": _("Tiene subcategorías: no puede cambiar de clasificación.")}
    if values["parent_id"] is None:
        return {}
    if has_children:
        return {"parent_id": _("Tiene subcategorías: no puede ser subcategoría de otra.")}
    parent = db.session.get(Category, values["parent_id"])
    if parent is None or parent.parent_id is not None or parent is category:
        return {"parent_id": _("Elegí una categoría principal.")}
    if parent.scheme != values["scheme"]:
        return {"parent_id": _("La categoría padre es de otra clasificación.")}
    if parent.is_deleted and (category is None or not category.is_deleted):
        return {"parent_id": _("La categoría padre está dada de baja.")}
    return {}


def create_row(model: type[Row], values: dict) -> Row:
    """Add a row to a reference table and write the audit row."""
    _check(model, values, None)
    row = model(**values)
    db.session.add(row)
    db.session.flush()
    entity = TABLES[model].entity
    audit.record(f"{entity}.create", entity, row.id, None, audit_view(row))
    return row


def update_row(row: Row, values: dict) -> Row:
    """Change a reference row's fields; an edit that changes nothing writes nothing."""
    _check(type(row), values, row)
    before = audit_view(row)
    for field, value in values.items():
        setattr(row, field, value)
    after = audit_view(row)
    if after != before:
        db.session.flush()
        entity = TABLES[type(row)].entity
        audit.record(f"{entity}.update", entity, row.id, before, after)
    return row


def deactivate_row(row: ReferenceRow) -> None:
    """Take a row out of use: a soft delete phones see as a tombstone; clients keep it."""
    if row.is_deleted:
        return
    if isinstance(row, Category) and db.session.scalar(
        sa.select(Category.id)
        .where(Category.parent_id == row.id, Category.deleted_at.is_(None))
        .limit(1)
    ):
        raise ReferenceRowError({"deleted": _("Primero da de baja sus subcategorías.")})
    row.deleted_at = utcnow()
    db.session.flush()
    entity = TABLES[type(row)].entity
    audit.record(f"{entity}.deactivate", entity, row.id, {"deleted": False}, {"deleted": True})


def reactivate_row(row: ReferenceRow) -> None:
    """Put a deactivated row back in use."""
    if not row.is_deleted:
        return
    if isinstance(row, Category) and row.parent is not None and row.parent.is_deleted:
        raise ReferenceRowError({"deleted": _("Primero reactivá su categoría padre.")})
    row.deleted_at = None
    db.session.flush()
    entity = TABLES[type(row)].entity
    audit.record(f"{entity}.reactivate", entity, row.id, {"deleted": True}, {"deleted": False})
