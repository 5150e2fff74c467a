"""Operations on the reference tables the client card points to; each writes its audit row."""

from dataclasses import dataclass
from decimal import Decimal
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
from app.ledger.models import CardIssuer, CardPlan, SaleCondition
from app.ledger.rules import DueRule, DueRuleKind
from app.orders.models import PriceList

ReferenceRow = (
    Zone
    | ClientType
    | Transport
    | Channel
    | Segment
    | Category
    | Family
    | PriceList
    | SaleCondition
    | CardIssuer
    | CardPlan
)
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
        (
            "code",
            "name",
            "cash_only",
            "allowed_document_kinds",
            "discount_pct",
            "default_sale_condition_id",
        ),
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
    SaleCondition: Table(
        "sale_condition",
        (
            "code",
            "description",
            "discount_pct",
            "rule_kind",
            "rule_days",
            "rule_day",
            "rule_weekday",
            "rule_week",
            "installments",
        ),
        duplicate=_l("Ya existe una condición de venta con ese código."),
    ),
    CardIssuer: Table(
        "card_issuer",
        ("code", "name"),
        duplicate=_l("Ya existe una tarjeta con ese código."),
    ),
    CardPlan: Table(
        "card_plan", ("issuer_id", "name", "installments", "surcharge_pct"), code_scope=None
    ),
}

# The rule's fields each kind of due-date rule uses; the others are stored as 0.
RULE_FIELDS = {
    DueRuleKind.DAYS: ("rule_days",),
    DueRuleKind.DAY_OF_MONTH: ("rule_day",),
    DueRuleKind.NEXT_DAY_OF_MONTH: ("rule_day",),
    DueRuleKind.WEEKDAY_OF_WEEK: ("rule_weekday", "rule_week"),
}
# DueRule.problems() names -> the form field and what to tell the person.
RULE_PROBLEMS = {
    "kind": ("rule_kind", _l("Elegí cómo se calcula el vencimiento.")),
    "days": ("rule_days", _l("Ingresá los días, de 0 a 3650.")),
    "day": ("rule_day", _l("Ingresá un día del mes, del 1 al 31.")),
    "weekday": ("rule_weekday", _l("Elegí el día de la semana.")),
    "week": ("rule_week", _l("Elegí la semana del mes.")),
}
MAX_INSTALLMENTS = {SaleCondition: 24, CardPlan: 36}


class ReferenceRowError(ValueError):
    """A reference change that cannot be made; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def _plain(value):
    """A JSON-friendly value for the audit log: decimals as text, 5.00 and 5 alike."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def audit_view(row: ReferenceRow) -> dict:
    """The editable fields of a row as the audit log keeps them."""
    return {field: _plain(getattr(row, field)) for field in TABLES[type(row)].fields}


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
    if model is CardPlan:
        return (
            query.join(CardPlan.issuer)
            .options(contains_eager(CardPlan.issuer))
            .order_by(CardIssuer.code, CardPlan.installments, CardPlan.name, CardPlan.id)
        )
    return query.order_by(model.code)


def live_rows(model: type[Row], keep: Row | None = None) -> list[Row]:
    """The rows in use of a table, for a select; a row already chosen stays listed."""
    rows = db.session.scalars(list_query(model)).all()
    if keep is not None and keep not in rows:
        rows.append(keep)
    return rows


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
    if model is SaleCondition:
        errors.update(_sale_condition_errors(values))
    if model is ClientType:
        errors.update(_client_type_errors(values, row))
    if model is CardPlan:
        errors.update(_card_plan_errors(values, row))
    if model in MAX_INSTALLMENTS:
        high = MAX_INSTALLMENTS[model]
        count = values.get("installments")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= high:
            errors["installments"] = _("Entre 1 y %(high)d.", high=high)
    if errors:
        raise ReferenceRowError(errors)


def _sale_condition_errors(values: dict) -> dict[str, str]:
    """The due-date rule must make sense for its kind."""
    rule = DueRule(
        kind=values.get("rule_kind"),
        days=values.get("rule_days"),
        day=values.get("rule_day"),
        weekday=values.get("rule_weekday"),
        week=values.get("rule_week"),
    )
    problems = [RULE_PROBLEMS[name] for name in rule.problems()]
    return {field: str(message) for field, message in problems}


def _sale_condition_values(values: dict) -> dict:
    """The fields a rule's kind does not use are stored as 0, so they say nothing."""
    used = RULE_FIELDS.get(values.get("rule_kind"), ())
    unused = {name: 0 for fields in RULE_FIELDS.values() for name in fields if name not in used}
    return values | unused


def _client_type_errors(values: dict, client_type: ClientType | None) -> dict[str, str]:
    """A default sale condition in use; a cash-only type sells on cash terms."""
    condition_id = values.get("default_sale_condition_id")
    if condition_id is None:
        return {}
    condition = db.session.get(SaleCondition, condition_id)
    keeps = client_type is not None and client_type.default_sale_condition_id == condition_id
    if condition is None or (condition.is_deleted and not keeps):
        return {"default_sale_condition_id": _("Elegí una condición de venta de la lista.")}
    if values.get("cash_only") and not condition.is_immediate:
        return {
            "default_sale_condition_id": _(
                "Un tipo solo contado necesita una condición de contado (0 días, 1 cuota)."
            )
        }
    return {}


def _card_plan_errors(values: dict, plan: CardPlan | None) -> dict[str, str]:
    """A plan belongs to a card in use (or keeps the one it has)."""
    issuer = db.session.get(CardIssuer, values["issuer_id"]) if values.get("issuer_id") else None
    keeps = plan is not None and plan.issuer_id == values.get("issuer_id")
    if issuer is None or (issuer.is_deleted and not keeps):
        return {"issuer_id": _("Elegí una tarjeta de la lista.")}
    return {}


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


def _normalized(model: type[Row], values: dict) -> dict:
    """The values as they are stored."""
    return _sale_condition_values(values) if model is SaleCondition else values


def create_row(model: type[Row], values: dict) -> Row:
    """Add a row to a reference table and write the audit row."""
    _check(model, values, None)
    values = _normalized(model, values)
    row = model(**values)
    db.session.add(row)
    db.session.flush()
    entity = TABLES[model].entity
    audit.record(f"{entity}.create", entity, row.id, None, audit_view(row))
    return row


def update_row(row: Row, values: dict) -> Row:
    """Change a reference row's fields; an edit that changes nothing writes nothing."""
    _check(type(row), values, row)
    values = _normalized(type(row), values)
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
    if isinstance(row, CardIssuer) and db.session.scalar(
        sa.select(CardPlan.id)
        .where(CardPlan.issuer_id == row.id, CardPlan.deleted_at.is_(None))
        .limit(1)
    ):
        raise ReferenceRowError({"deleted": _("Primero da de baja sus planes.")})
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
    if isinstance(row, CardPlan) and row.issuer.is_deleted:
        raise ReferenceRowError({"deleted": _("Primero reactivá su tarjeta.")})
    row.deleted_at = None
    db.session.flush()
    entity = TABLES[type(row)].entity
    audit.record(f"{entity}.reactivate", entity, row.id, {"deleted": True}, {"deleted": False})
