"""The rules of the credit's reference tables that the generic admin services call."""

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.auth.permissions import PERMISSIONS
from app.core.reference_admin import in_use
from app.credit.models import CreditBand, CreditPolicy, PolicyCategory
from app.extensions import db

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


def policy_listing(query: sa.Select) -> sa.Select:
    """Policies by code, with their categories."""
    return query.options(selectinload(CreditPolicy.category)).order_by(CreditPolicy.code)


def band_listing(query: sa.Select) -> sa.Select:
    """Bands by name, with their users."""
    return query.options(selectinload(CreditBand.user)).order_by(CreditBand.name, CreditBand.id)


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


def _range_errors(values: dict) -> dict[str, str]:
    """Limits and ceilings are empty (none) or from 0 to what the columns hold."""
    return {
        name: str(message)
        for name, (high, message) in CREDIT_RANGES.items()
        if values.get(name) is not None and not 0 <= values[name] <= high
    }


def policy_errors(values: dict, policy: CreditPolicy | None) -> dict[str, str]:
    """A policy's category is one in use (or the one it has); its limits fit their columns."""
    errors = {}
    if not in_use(PolicyCategory, values.get("category_id"), policy, "category_id"):
        errors["category_id"] = _("Elegí una categoría de la lista.")
    return errors | _range_errors(values)


def band_errors(values: dict, band: CreditBand | None) -> dict[str, str]:
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
    return errors | _range_errors(values)
