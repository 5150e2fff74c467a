"""The credit's reference tables in the admin: credit policies, their categories and the
authorisation bands."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import SelectChoice

from app.auth.forms import ROLE_LABELS
from app.core.reference_admin import CODE, NAME, AdminTable, code_choices, register
from app.credit import admin_services as services
from app.credit.admin_forms import CreditBandForm, CreditPolicyForm, PolicyCategoryForm
from app.credit.models import CreditBand, CreditPolicy, PolicyCategory
from app.credit.rules import money_text
from app.ledger.terms import percent


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


def policy_choices(form: CreditPolicyForm, policy: CreditPolicy | None) -> None:
    """The policy categories in use; the policy's own stays listed."""
    form.category_id.choices = code_choices(
        PolicyCategory, policy.category if policy else None, _("Sin categoría")
    )


def band_choices(form: CreditBandForm, band: CreditBand | None) -> None:
    """The approvers a band may be for; the band's own user stays listed."""
    form.user_id.choices = [
        SelectChoice("", "—"),
        *(
            SelectChoice(u.id, f"{u.full_name} · {ROLE_LABELS.get(u.role, u.role)}")
            for u in services.approvers(keep=band.user if band else None)
        ),
    ]


register(
    "credit-policies",
    AdminTable(
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
        entity="credit_policy",
        fields=("code", "name", "category_id", "money_limit", "max_documents", "max_age_days"),
        position=120,
        duplicate=_l("Ya existe un límite de crédito con ese código."),
        listing=services.policy_listing,
        choices=policy_choices,
        check=services.policy_errors,
    ),
)
register(
    "credit-policy-categories",
    AdminTable(
        PolicyCategory,
        PolicyCategoryForm,
        _l("Categorías de límites de crédito"),
        _l("Nueva categoría de límites"),
        _l("Editar categoría de límites"),
        (CODE, NAME),
        entity="credit_policy_category",
        fields=("code", "name"),
        position=130,
        duplicate=_l("Ya existe una categoría de límites con ese código."),
    ),
)
register(
    "credit-bands",
    AdminTable(
        CreditBand,
        CreditBandForm,
        _l("Franjas de autorización"),
        _l("Nueva franja"),
        _l("Editar franja"),
        (NAME, (_l("Para"), band_holder), (_l("Puede autorizar"), band_reach)),
        entity="credit_band",
        fields=(
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
        position=140,
        code_scope=None,
        listing=services.band_listing,
        choices=band_choices,
        check=services.band_errors,
    ),
)
