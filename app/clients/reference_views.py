"""The admin's pages for the reference tables: one set of views driven by a registry."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from flask import abort, flash, redirect, request, url_for
from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from app.auth.forms import ROLE_LABELS
from app.auth.permissions import requires
from app.clients import reference_services as services
from app.clients.blueprint import reference_bp
from app.clients.reference import Category, Channel, ClientType, Family, Segment, Transport, Zone
from app.clients.reference_forms import (
    LEVELS,
    SCHEMES,
    ZONE_KINDS,
    CardIssuerForm,
    CardPlanForm,
    CategoryForm,
    ChannelForm,
    ClientTypeForm,
    CreditBandForm,
    CreditPolicyForm,
    FamilyForm,
    PolicyCategoryForm,
    PriceListForm,
    ReferenceForm,
    SaleConditionForm,
    SegmentForm,
    TransportForm,
    ZoneForm,
)
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.types import local_today
from app.credit.models import CreditBand, CreditPolicy, PolicyCategory
from app.credit.rules import money_text
from app.extensions import db
from app.ledger.models import CardIssuer, CardPlan, SaleCondition
from app.ledger.rules import DueRule, installments
from app.ledger.terms import describe_sale_condition, percent
from app.orders.models import PriceList

reference_bp.add_app_template_global(describe_sale_condition)
reference_bp.add_app_template_global(percent)

PAGE_SIZE = 50


def limits_in_words(policy: CreditPolicy) -> str:
    """A policy's limits as the list reads them: "$ 500.000 · 2 facturas · 30 días"."""
    parts = []
    if policy.money_limit is not None:
        parts.append(money_text(policy.money_limit))
    if policy.max_documents is not None:
        count = policy.max_documents
        parts.append(ngettext("%(num)d factura", "%(num)d facturas", count))
    if policy.max_age_days is not None:
        parts.append(ngettext("%(num)d día", "%(num)d días", policy.max_age_days))
    # Each limit stays on one line: "60 días", not "60" and "días" on the next.
    return " · ".join(part.replace(" ", "\u00a0") for part in parts) or _("Sin límites")


def band_holder(band: CreditBand) -> str:
    """Who a band is for: the user's name, or every user of a role."""
    if band.user is not None:
        return band.user.full_name
    return _("Rol: %(role)s", role=ROLE_LABELS.get(band.role, band.role))


def band_reach(band: CreditBand) -> str:
    """What a band may authorise, in words: "Monto hasta $ 50.000 o 10 % · Facturas +1"."""
    parts = []
    if band.money:
        amount = money_text(band.max_excess) if band.max_excess is not None else None
        pct = percent(band.max_excess_pct) if band.max_excess_pct is not None else None
        if amount and pct:
            parts.append(_("Monto hasta %(amount)s y %(pct)s", amount=amount, pct=pct))
        elif amount or pct:
            parts.append(_("Monto hasta %(ceiling)s", ceiling=amount or pct))
        else:
            parts.append(_("Monto"))
    if band.documents:
        extra = band.max_extra_documents
        parts.append(
            _("Facturas")
            if extra is None
            else ngettext("Facturas +%(num)d", "Facturas +%(num)d", extra)
        )
    if band.age:
        extra = band.max_extra_days
        parts.append(
            _("Antigüedad")
            if extra is None
            else ngettext("Antigüedad +%(num)d día", "Antigüedad +%(num)d días", extra)
        )
    return " · ".join(parts)


Column = tuple[LazyString, Callable[[object], object]]
CODE: Column = (_l("Código"), attrgetter("code"))
NAME: Column = (_l("Nombre"), attrgetter("name"))


@dataclass(frozen=True)
class Kind:
    """One reference table as the admin sees it; the first column links to the row."""

    model: type[services.ReferenceRow]
    form: type[ReferenceForm]
    title: LazyString
    new_title: LazyString
    edit_title: LazyString
    columns: tuple[Column, ...]


KINDS: dict[str, Kind] = {
    "zones": Kind(
        Zone,
        ZoneForm,
        _l("Zonas"),
        _l("Nueva zona"),
        _l("Editar zona"),
        (
            CODE,
            NAME,
            (_l("Tipo"), lambda zone: ZONE_KINDS.get(zone.kind, zone.kind)),
            (_l("Provincia"), attrgetter("province")),
        ),
    ),
    "client-types": Kind(
        ClientType,
        ClientTypeForm,
        _l("Tipos de cliente"),
        _l("Nuevo tipo de cliente"),
        _l("Editar tipo de cliente"),
        (
            CODE,
            NAME,
            (_l("Solo contado"), lambda kind: _l("Sí") if kind.cash_only else _l("No")),
            (
                _l("Condición de venta"),
                lambda kind: getattr(kind.default_sale_condition, "description", None),
            ),
            (_l("Descuento"), lambda kind: percent(kind.discount_pct)),
            (_l("Límite de crédito"), lambda kind: getattr(kind.credit_policy, "name", None)),
        ),
    ),
    "transports": Kind(
        Transport,
        TransportForm,
        _l("Transportes"),
        _l("Nuevo transporte"),
        _l("Editar transporte"),
        (CODE, NAME, (_l("Teléfono"), attrgetter("phone"))),
    ),
    "channels": Kind(
        Channel, ChannelForm, _l("Canales"), _l("Nuevo canal"), _l("Editar canal"), (CODE, NAME)
    ),
    "segments": Kind(
        Segment,
        SegmentForm,
        _l("Segmentos"),
        _l("Nuevo segmento"),
        _l("Editar segmento"),
        (CODE, NAME, (_l("Nivel"), lambda segment: LEVELS.get(segment.level, segment.level))),
    ),
    "categories": Kind(
        Category,
        CategoryForm,
        _l("Categorías"),
        _l("Nueva categoría"),
        _l("Editar categoría"),
        (
            CODE,
            NAME,
            (_l("Clasificación"), lambda category: SCHEMES.get(category.scheme, category.scheme)),
            (_l("Subcategoría de"), lambda category: category.parent and category.parent.name),
        ),
    ),
    "families": Kind(
        Family, FamilyForm, _l("Familias"), _l("Nueva familia"), _l("Editar familia"), (NAME,)
    ),
    "price-lists": Kind(
        PriceList,
        PriceListForm,
        _l("Listas de precios"),
        _l("Nueva lista de precios"),
        _l("Editar lista de precios"),
        (CODE, NAME, (_l("Moneda"), attrgetter("currency"))),
    ),
    "sale-conditions": Kind(
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
    ),
    "card-issuers": Kind(
        CardIssuer,
        CardIssuerForm,
        _l("Tarjetas de crédito"),
        _l("Nueva tarjeta"),
        _l("Editar tarjeta"),
        (CODE, NAME),
    ),
    "card-plans": Kind(
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
    ),
    "credit-policies": Kind(
        CreditPolicy,
        CreditPolicyForm,
        _l("Límites de crédito"),
        _l("Nuevo límite de crédito"),
        _l("Editar límite de crédito"),
        (
            CODE,
            NAME,
            (_l("Categoría"), lambda policy: getattr(policy.category, "name", None)),
            (_l("Límites"), limits_in_words),
        ),
    ),
    "credit-policy-categories": Kind(
        PolicyCategory,
        PolicyCategoryForm,
        _l("Categorías de límites de crédito"),
        _l("Nueva categoría de límites"),
        _l("Editar categoría de límites"),
        (CODE, NAME),
    ),
    "credit-bands": Kind(
        CreditBand,
        CreditBandForm,
        _l("Franjas de autorización"),
        _l("Nueva franja"),
        _l("Editar franja"),
        (NAME, (_l("Para"), band_holder), (_l("Puede autorizar"), band_reach)),
    ),
}
# What the form's due-date example prices.
PREVIEW_AMOUNT = Decimal("1000.00")


def _kind(slug: str) -> Kind:
    """The table a URL names, or 404."""
    kind = KINDS.get(slug)
    if kind is None:
        abort(404)
    return kind


def _form(kind: Kind, row: services.ReferenceRow | None = None, **kwargs) -> ReferenceForm:
    """The kind's form over a row (or empty), with its choices from the database."""
    form = kind.form(obj=row, **kwargs)
    if isinstance(form, CategoryForm):
        form.parent_id.choices = _parent_choices(row)
    elif isinstance(form, ClientTypeForm):
        current = row.default_sale_condition if row else None
        form.default_sale_condition_id.choices = [
            SelectChoice("", _("Ninguna")),
            *(
                SelectChoice(c.id, f"{c.code} · {c.description}")
                for c in services.live_rows(SaleCondition, keep=current)
            ),
        ]
        form.credit_policy_id.choices = _code_choices(
            CreditPolicy, row.credit_policy if row else None, _("Sin límite de crédito")
        )
    elif isinstance(form, CreditPolicyForm):
        form.category_id.choices = _code_choices(
            PolicyCategory, row.category if row else None, _("Sin categoría")
        )
    elif isinstance(form, CreditBandForm):
        form.user_id.choices = [
            SelectChoice("", "—"),
            *(
                SelectChoice(u.id, f"{u.full_name} · {ROLE_LABELS.get(u.role, u.role)}")
                for u in services.approvers(keep=row.user if row else None)
            ),
        ]
    elif isinstance(form, CardPlanForm):
        current = row.issuer if row else None
        form.issuer_id.choices = [
            SelectChoice("", "—"),
            *(SelectChoice(i.id, i.name) for i in services.live_rows(CardIssuer, keep=current)),
        ]
    return form


def _code_choices(model: type, current, none_label: str) -> list[SelectChoice]:
    """None, or a row in use shown as "code · name"; the row already chosen stays listed."""
    return [
        SelectChoice("", none_label),
        *(SelectChoice(r.id, f"{r.code} · {r.name}") for r in services.live_rows(model, current)),
    ]


def _parent_choices(category: Category | None) -> list[SelectChoice]:
    """None, or a main category grouped by scheme; a current parent stays listed."""
    parents = services.parent_categories()
    if category is not None and category.parent is not None and category.parent not in parents:
        parents.append(category.parent)
    return [
        SelectChoice("", _("Ninguna: es principal")),
        *(
            SelectChoice(p.id, f"{p.code} · {p.name}", optgroup=str(SCHEMES[p.scheme]))
            for p in sorted(parents, key=lambda p: (p.scheme, p.code))
            if p is not category
        ),
    ]


def _attach_errors(form: ReferenceForm, exc: services.ReferenceRowError) -> None:
    """Show a service's field errors on the form."""
    for field, message in exc.fields.items():
        form[field].errors.append(message)


@reference_bp.get("/")
@requires("reference.manage")
def index():
    """The reference tables, with how many rows of each are in use."""
    counts = services.active_counts()
    tables = [(slug, kind, counts[kind.model]) for slug, kind in KINDS.items()]
    return render("admin/reference/index.html", tables=tables)


@reference_bp.get("/<kind>/")
@requires("reference.manage")
def rows(kind: str):
    """The rows in use of one table, or its deactivated rows with ?deleted=1."""
    spec = _kind(kind)
    deleted = request.args.get("deleted") == "1"
    page = db.paginate(
        services.list_query(spec.model, deleted=deleted), per_page=PAGE_SIZE, error_out=False
    )
    return render("admin/reference/list.html", slug=kind, kind=spec, page=page, deleted=deleted)


@reference_bp.route("/<kind>/new", methods=["GET", "POST"])
@reference_bp.route("/<kind>/<int:row_id>", methods=["GET", "POST"])
@requires("reference.manage")
@write_endpoint
def edit(kind: str, row_id: int | None = None):
    """Add a row, or change one (its page also takes it out of use or back)."""
    spec = _kind(kind)
    row = db.get_or_404(spec.model, row_id) if row_id else None
    form = _form(spec, row)
    if form.validate_on_submit():
        try:
            if row is None:
                row = services.create_row(spec.model, form.values())
            else:
                services.update_row(row, form.values())
        except services.ReferenceRowError as exc:
            _attach_errors(form, exc)
        else:
            flash(_("Se guardó %(name)s.", name=_label(row)), "success")
            return redirect(url_for("reference.rows", kind=kind), 303)
    status = 422 if request.method == "POST" else 200
    return render(
        "admin/reference/form.html",
        slug=kind,
        kind=spec,
        form=form,
        row=row,
        preview=_due_preview(form) if isinstance(form, SaleConditionForm) else None,
        status=status,
    )


@reference_bp.get("/sale-conditions/preview")
@requires("reference.manage")
def sale_condition_preview():
    """The due dates the sale condition being typed would give a bill of today."""
    form = SaleConditionForm(formdata=request.args, meta={"csrf": False})
    return render("admin/reference/_due_preview.html", block="preview", preview=_due_preview(form))


def _due_preview(form: SaleConditionForm) -> dict:
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
    if rule.problems() or not isinstance(count, int) or not 1 <= count <= 24:
        return preview
    preview["installments"] = installments(rule, today, PREVIEW_AMOUNT, count)
    return preview


@reference_bp.post("/<kind>/<int:row_id>/toggle")
@requires("reference.manage")
@write_endpoint
def toggle(kind: str, row_id: int):
    """Deactivate (active=0) or reactivate (active=1) a row; asking for its state is a no-op."""
    spec = _kind(kind)
    row = db.get_or_404(spec.model, row_id)
    active = request.form.get("active")
    if active not in ("0", "1"):
        abort(400)
    try:
        if active == "1":
            services.reactivate_row(row)
        else:
            services.deactivate_row(row)
    except services.ReferenceRowError as exc:
        form = _form(spec, row, formdata=None)  # the row as it is, not the toggle's fields
        return render(
            "admin/reference/form.html",
            slug=kind,
            kind=spec,
            form=form,
            row=row,
            preview=_due_preview(form) if isinstance(form, SaleConditionForm) else None,
            toggle_error=exc.fields["deleted"],
            status=422,
        )
    if active == "1":
        flash(_("Se reactivó %(name)s.", name=_label(row)), "success")
    else:
        flash(_("Se dio de baja %(name)s.", name=_label(row)), "success")
    return redirect(url_for("reference.rows", kind=kind), 303)


def _label(row: services.ReferenceRow) -> str:
    """How a row is named in messages: its code and name (a plan: its card and name)."""
    if isinstance(row, CardPlan):
        return f"{row.issuer.name} · {row.name}"
    name = row.description if isinstance(row, SaleCondition) else row.name
    code = getattr(row, "code", None)
    return f"{code} · {name}" if code else name
