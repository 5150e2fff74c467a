"""The rules of the clients' reference tables that the generic admin services call."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, contains_eager

from app.clients.reference import Category, ClientType, Family, Segment
from app.core.reference_admin import in_use
from app.credit.admin_services import MAX_MONEY
from app.credit.models import CreditPolicy
from app.extensions import db
from app.ledger.models import SaleCondition


def category_listing(query: sa.Select) -> sa.Select:
    """Each category followed by its subcategories."""
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


def segment_listing(query: sa.Select) -> sa.Select:
    """Segments by level, then code."""
    return query.order_by(Segment.level, Segment.code)


def family_listing(query: sa.Select) -> sa.Select:
    """Families by name (they have no code)."""
    return query.order_by(Family.name, Family.id)


def parent_categories() -> list[Category]:
    """Active categories without a parent: the ones a subcategory may hang from."""
    return db.session.scalars(
        sa.select(Category)
        .where(Category.parent_id.is_(None), Category.deleted_at.is_(None))
        .order_by(Category.scheme, Category.code)
    ).all()


def client_type_errors(values: dict, client_type: ClientType | None) -> dict[str, str]:
    """A default sale condition and a credit policy in use; a cash-only type sells on cash terms."""
    errors = {}
    if not in_use(CreditPolicy, values.get("credit_policy_id"), client_type, "credit_policy_id"):
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


def policy_group_errors(values: dict, group) -> dict[str, str]:
    """A zone's, segment's, category's or family's credit policy is one in use (or its own)."""
    if not in_use(CreditPolicy, values.get("credit_policy_id"), group, "credit_policy_id"):
        return {"credit_policy_id": _("Elegí un límite de crédito de la lista.")}
    return {}


def family_errors(values: dict, family: Family | None) -> dict[str, str]:
    """A family's policy is one in use; its shared limit is from 0 to what the column holds."""
    errors = policy_group_errors(values, family)
    limit = values.get("credit_limit")
    if limit is not None and not 0 <= limit <= MAX_MONEY:
        errors["credit_limit"] = _("Entre 0 y 999.999.999.999,99.")
    return errors


def category_errors(values: dict, category: Category | None) -> dict[str, str]:
    """A category's credit policy is one in use; its place among the categories fits."""
    return policy_group_errors(values, category) | _place_errors(values, category)


def _place_errors(values: dict, category: Category | None) -> dict[str, str]:
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


def category_deactivation_problem(category: Category) -> str | None:
    """A category with subcategories in use stays in use."""
    if db.session.scalar(
        sa.select(Category.id)
        .where(Category.parent_id == category.id, Category.deleted_at.is_(None))
        .limit(1)
    ):
        return _("Primero da de baja sus subcategorías.")
    return None


def category_reactivation_problem(category: Category) -> str | None:
    """A subcategory comes back after its parent."""
    if category.parent is not None and category.parent.is_deleted:
        return _("Primero reactivá su categoría padre.")
    return None
