"""Operations on the reference tables the client card points to; each writes its audit row."""

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, contains_eager, selectinload

from app.audit import services as audit
from app.auth.models import User
from app.auth.permissions import PERMISSIONS
from app.clients.reference import Category, Channel, ClientType, Family, Segment, Transport, Zone
from app.core.types import utcnow
from app.credit.models import CreditBand, CreditPolicy, PolicyCategory
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
    | PolicyCategory
    | CreditPolicy
    | CreditBand
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
            "credit_policy_id",
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
    PolicyCategory: Table(
        "credit_policy_category",
        ("code", "name"),
        duplicate=_l("Ya existe una categoría de límites con ese código."),
    ),
    CreditPolicy: Table(
        "credit_policy",
        ("code", "name", "category_id", "money_limit", "max_documents", "max_age_days"),
        duplicate=_l("Ya existe un límite de crédito con ese código."),
    ),
    CreditBand: Table(
        "credit_band",
        (
            "name",
            "user_id",
            "role",
            "money",
            "documents",
            "age",
            "max_excess",
            "max_excess_pct",
            "max_extra_documents",
            "max_extra_days",
        ),
        code_scope=None,
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
# The roles that approve orders over the limits: a band is for one of them, or one such user.
APPROVER_ROLES = tuple(sorted(PERMISSIONS["approvals.view"]))
# Ceilings of the credit figures (the money columns hold 14 digits with 2 decimals).
MAX_MONEY = Decimal("999999999999.99")
MAX_DOCUMENTS = 999
MAX_DAYS = 3650
MAX_EXCESS_PCT = Decimal("1000")
# Column -> (highest value, what to tell the person); the lowest is always 0.
CREDIT_RANGES = {
    "money_limit": (MAX_MONEY, _l("Entre 0 y 999.999.999.999,99.")),
    "max_documents": (MAX_DOCUMENTS, _l("Entre 0 y %(high)d.", high=MAX_DOCUMENTS)),
    "max_age_days": (MAX_DAYS, _l("Entre 0 y %(high)d.", high=MAX_DAYS)),
    "max_excess": (MAX_MONEY, _l("Entre 0 y 999.999.999.999,99.")),
    "max_excess_pct": (MAX_EXCESS_PCT, _l("Entre 0 y 1000.")),
    "max_extra_documents": (MAX_DOCUMENTS, _l("Entre 0 y %(high)d.", high=MAX_DOCUMENTS)),
    "max_extra_days": (MAX_DAYS, _l("Entre 0 y %(high)d.", high=MAX_DAYS)),
}


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
    if model is CreditPolicy:
        return query.options(selectinload(CreditPolicy.category)).order_by(CreditPolicy.code)
    if model is CreditBand:
        return query.options(selectinload(CreditBand.user)).order_by(CreditBand.name, CreditBand.id)
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


def approvers(keep: User | None = None) -> list[User]:
    """Active users of the approving roles, by name, for a band; a user already chosen stays."""
    users = db.session.scalars(
        sa.select(User)
        .where(User.active, User.role.in_(APPROVER_ROLES))
        .order_by(User.full_name, User.id)
    ).all()
    if keep is not None and keep not in users:
        users.append(keep)
    return users


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
    if model is CreditPolicy:
        errors.update(_credit_policy_errors(values, row))
    if model is CreditBand:
        errors.update(_credit_band_errors(values, row))
    if model in (CreditPolicy, CreditBand):
        errors.update(_credit_range_errors(values))
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
    """A default sale condition and a credit policy in use; a cash-only type sells on cash terms."""
    errors = {}
    if not _in_use(CreditPolicy, values.get("credit_policy_id"), client_type, "credit_policy_id"):
        errors["credit_policy_id"] = _("Elegí un límite de crédito de la lista.")
    condition_id = values.get("default_sale_condition_id")
    if condition_id is None:
        return errors
    condition = db.session.get(SaleCondition, condition_id)
    keeps = client_type is not None and client_type.default_sale_condition_id == condition_id
    if condition is None or (condition.is_deleted and not keeps):
        errors["default_sale_condition_id"] = _("Elegí una condición de venta de la lista.")
    elif values.get("cash_only") and not condition.is_immediate:
        errors["default_sale_condition_id"] = _(
            "Un tipo solo contado necesita una condición de contado (0 días, 1 cuota)."
        )
    return errors


def _in_use(model: type[Row], row_id: int | None, owner, column: str) -> bool:
    """True when the id is none, a row in use, or the retired row the owner already points to."""
    if row_id is None:
        return True
    row = db.session.get(model, row_id)
    keeps = owner is not None and getattr(owner, column) == row_id
    return row is not None and (not row.is_deleted or keeps)


def _credit_policy_errors(values: dict, policy: CreditPolicy | None) -> dict[str, str]:
    """A policy's category is one in use (or the one it has)."""
    if not _in_use(PolicyCategory, values.get("category_id"), policy, "category_id"):
        return {"category_id": _("Elegí una categoría de la lista.")}
    return {}


def _credit_band_errors(values: dict, band: CreditBand | None) -> dict[str, str]:
    """A band is for one approver or for one approving role, and overrides at least one limit."""
    errors = {}
    user_id, role = values.get("user_id"), values.get("role")
    if user_id is not None and role is not None:
        errors["user_id"] = _("Elegí un usuario o un rol, no los dos.")
    elif user_id is None and role is None:
        errors["user_id"] = _("Elegí un usuario o un rol.")
    elif user_id is not None:
        user = db.session.get(User, user_id)
        keeps = band is not None and band.user_id == user_id
        if user is None or user.role not in APPROVER_ROLES or not (user.active or keeps):
            errors["user_id"] = _("Elegí un supervisor o administrador activo de la lista.")
    elif role not in APPROVER_ROLES:
        errors["role"] = _("Elegí un rol de la lista.")
    if not any(values.get(kind) for kind in ("money", "documents", "age")):
        errors["money"] = _("Marcá al menos un límite que pueda autorizar.")
    return errors


def _credit_range_errors(values: dict) -> dict[str, str]:
    """Limits and ceilings are empty (none) or from 0 to what the columns hold."""
    return {
        name: str(message)
        for name, (high, message) in CREDIT_RANGES.items()
        if values.get(name) is not None and not 0 <= values[name] <= high
    }


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
