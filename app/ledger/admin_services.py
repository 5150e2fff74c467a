"""The rules of the ledger's reference tables that the generic admin services call."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.ledger.models import CardIssuer, CardPlan, SaleCondition
from app.ledger.rules import DueRule, DueRuleKind
from app.taxes.rules import TaxIdType, compact_tax_id, format_tax_id, validate_tax_id

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
MAX_SALE_CONDITION_INSTALLMENTS = 24
MAX_CARD_PLAN_INSTALLMENTS = 36


def _installments_errors(values: dict, high: int) -> dict[str, str]:
    """A whole number of installments from 1 to high."""
    count = values.get("installments")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= high:
        return {"installments": _("Entre 1 y %(high)d.", high=high)}
    return {}


def sale_condition_errors(values: dict, condition: SaleCondition | None) -> dict[str, str]:
    """The due-date rule must make sense for its kind (new or not); from 1 to 24 installments."""
    rule = DueRule(
        kind=values.get("rule_kind"),
        days=values.get("rule_days"),
        day=values.get("rule_day"),
        weekday=values.get("rule_weekday"),
        week=values.get("rule_week"),
    )
    problems = [RULE_PROBLEMS[name] for name in rule.problems()]
    errors = {field: str(message) for field, message in problems}
    return errors | _installments_errors(values, MAX_SALE_CONDITION_INSTALLMENTS)


def sale_condition_values(values: dict) -> dict:
    """The fields a rule's kind does not use are stored as 0, so they say nothing."""
    used = RULE_FIELDS.get(values.get("rule_kind"), ())
    unused = {name: 0 for fields in RULE_FIELDS.values() for name in fields if name not in used}
    return values | unused


def card_plan_errors(values: dict, plan: CardPlan | None) -> dict[str, str]:
    """A plan belongs to a card in use (or keeps the one it has); from 1 to 36 installments."""
    errors = _installments_errors(values, MAX_CARD_PLAN_INSTALLMENTS)
    issuer = db.session.get(CardIssuer, values["issuer_id"]) if values.get("issuer_id") else None
    keeps = plan is not None and plan.issuer_id == values.get("issuer_id")
    if issuer is None or (issuer.is_deleted and not keeps):
        errors["issuer_id"] = _("Elegí una tarjeta de la lista.")
    return errors


def card_plan_listing(query: sa.Select) -> sa.Select:
    """Plans by card, then by installments."""
    return (
        query.join(CardPlan.issuer)
        .options(contains_eager(CardPlan.issuer))
        .order_by(CardIssuer.code, CardPlan.installments, CardPlan.name, CardPlan.id)
    )


def card_issuer_deactivation_problem(issuer: CardIssuer) -> str | None:
    """A card with plans in use stays in use."""
    if db.session.scalar(
        sa.select(CardPlan.id)
        .where(CardPlan.issuer_id == issuer.id, CardPlan.deleted_at.is_(None))
        .limit(1)
    ):
        return _("Primero da de baja sus planes.")
    return None


def card_plan_reactivation_problem(plan: CardPlan) -> str | None:
    """A plan comes back after its card."""
    if plan.issuer.is_deleted:
        return _("Primero reactivá su tarjeta.")
    return None


def card_issuer_errors(values: dict, issuer: CardIssuer | None) -> dict[str, str]:
    """The issuer's CUIT, when typed, must be a valid one (python-stdnum, as for clients)."""
    if not values.get("tax_id"):
        return {}
    check = validate_tax_id(TaxIdType.CUIT, values["tax_id"])
    return {} if check.valid else {"tax_id": _(check.error)}


def card_issuer_values(values: dict) -> dict:
    """The CUIT kept compact (its digits); no IVA condition chosen is none."""
    stored = dict(values)
    if stored.get("tax_id"):
        stored["tax_id"] = compact_tax_id(TaxIdType.CUIT, stored["tax_id"])
    stored["iva_condition"] = stored.get("iva_condition") or None
    return stored


def card_issuer_tax_id(issuer: CardIssuer) -> str | None:
    """The issuer's CUIT as people write it (30-59891004-5)."""
    return format_tax_id(TaxIdType.CUIT, issuer.tax_id) if issuer.tax_id else None
