"""The ledger's reference tables in the admin: sale conditions, card issuers and card plans."""

from decimal import Decimal
from operator import attrgetter

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from app.auth.permissions import requires
from app.core.reference_admin import CODE, NAME, AdminTable, live_rows, register
from app.core.rendering import render
from app.core.types import local_today
from app.ledger import admin_services as services
from app.ledger.admin_forms import CardIssuerForm, CardPlanForm, SaleConditionForm
from app.ledger.blueprint import bp
from app.ledger.models import CardIssuer, CardPlan, SaleCondition
from app.ledger.rules import DueRule, installments
from app.ledger.terms import describe_sale_condition, percent
from app.reference.blueprint import reference_bp

bp.add_app_template_global(describe_sale_condition)
bp.add_app_template_global(percent)

# What the form's due-date example prices.
PREVIEW_AMOUNT = Decimal("1000.00")


def due_preview(form: SaleConditionForm) -> dict:
    """Today's date, the example amount and its installments, or why the rule is incomplete."""
    rule = DueRule(
        kind=form.rule_kind.data,
        days=form.rule_days.data,
        day=form.rule_day.data,
        weekday=form.rule_weekday.data,
        week=form.rule_week.data,
    )
    count = form.installments.data
    today = local_today()
    preview = {"date": today, "amount": PREVIEW_AMOUNT, "installments": []}
    if (
        rule.problems()
        or not isinstance(count, int)
        or not 1 <= count <= services.MAX_SALE_CONDITION_INSTALLMENTS
    ):
        return preview
    preview["installments"] = installments(rule, today, PREVIEW_AMOUNT, count)
    return preview


@reference_bp.get("/sale-conditions/preview")
@requires("reference.manage")
def sale_condition_preview():
    """The due dates the sale condition being typed would give a bill of today."""
    form = SaleConditionForm(formdata=request.args, meta={"csrf": False})
    return render("admin/reference/_due_preview.html", block="preview", preview=due_preview(form))


def card_plan_choices(form: CardPlanForm, plan: CardPlan | None) -> None:
    """The cards in use; the plan's own card stays listed."""
    current = plan.issuer if plan else None
    form.issuer_id.choices = [
        SelectChoice("", "—"),
        *(SelectChoice(i.id, i.name) for i in live_rows(CardIssuer, keep=current)),
    ]


register(
    "sale-conditions",
    AdminTable(
        SaleCondition,
        SaleConditionForm,
        _l("Condiciones de venta"),
        _l("Nueva condición de venta"),
        _l("Editar condición de venta"),
        (
            CODE,
            (_l("Descripción"), attrgetter("description")),
            (_l("Vencimiento"), describe_sale_condition),
            (_l("Descuento"), lambda condition: percent(condition.discount_pct)),
        ),
        entity="sale_condition",
        fields=(
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
        position=90,
        duplicate=_l("Ya existe una condición de venta con ese código."),
        check=services.sale_condition_errors,
        stored=services.sale_condition_values,
        label=lambda condition: f"{condition.code} · {condition.description}",
        preview=due_preview,
    ),
)
register(
    "card-issuers",
    AdminTable(
        CardIssuer,
        CardIssuerForm,
        _l("Tarjetas de crédito"),
        _l("Nueva tarjeta"),
        _l("Editar tarjeta"),
        (CODE, NAME, (_l("CUIT"), services.card_issuer_tax_id)),
        entity="card_issuer",
        fields=(
            "code",
            "name",
            "legal_name",
            "address",
            "iva_condition",
            "tax_id",
            "iibb_number",
            "supplier_account",
            "bank",
            "contact",
        ),
        position=100,
        duplicate=_l("Ya existe una tarjeta con ese código."),
        check=services.card_issuer_errors,
        stored=services.card_issuer_values,
        deactivation_problem=services.card_issuer_deactivation_problem,
    ),
)
register(
    "card-plans",
    AdminTable(
        CardPlan,
        CardPlanForm,
        _l("Planes de tarjeta"),
        _l("Nuevo plan de tarjeta"),
        _l("Editar plan de tarjeta"),
        (
            NAME,
            (_l("Tarjeta"), lambda plan: plan.issuer.name),
            (_l("Cuotas"), attrgetter("installments")),
            (_l("Recargo"), lambda plan: percent(plan.surcharge_pct)),
        ),
        entity="card_plan",
        fields=("issuer_id", "name", "installments", "surcharge_pct"),
        position=110,
        code_scope=None,
        listing=services.card_plan_listing,
        choices=card_plan_choices,
        check=services.card_plan_errors,
        reactivation_problem=services.card_plan_reactivation_problem,
        label=lambda plan: f"{plan.issuer.name} · {plan.name}",
    ),
)
