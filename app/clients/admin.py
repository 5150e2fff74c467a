"""The clients' reference tables in the admin: zones, client types, transports, channels,
segments, categories and families."""

from operator import attrgetter

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from app.clients import admin_services as services
from app.clients.admin_forms import (
    LEVELS,
    SCHEMES,
    ZONE_KINDS,
    CategoryForm,
    ChannelForm,
    ClientTypeForm,
    FamilyForm,
    SegmentForm,
    TransportForm,
    ZoneForm,
)
from app.clients.reference import Category, Channel, ClientType, Family, Segment, Transport, Zone
from app.core.reference_admin import CODE, NAME, AdminTable, code_choices, live_rows, register
from app.core.templating import money
from app.credit.models import CreditPolicy
from app.ledger.models import SaleCondition
from app.ledger.terms import percent


def client_type_choices(form: ClientTypeForm, client_type: ClientType | None) -> None:
    """The sale conditions and credit policies in use; the ones already chosen stay listed."""
    current = client_type.default_sale_condition if client_type else None
    form.default_sale_condition_id.choices = [
        SelectChoice("", _("Ninguna")),
        *(
            SelectChoice(c.id, f"{c.code} · {c.description}")
            for c in live_rows(SaleCondition, keep=current)
        ),
    ]
    form.credit_policy_id.choices = code_choices(
        CreditPolicy,
        client_type.credit_policy if client_type else None,
        _("Sin límite de crédito"),
    )


def family_limit(family: Family) -> str | None:
    """The family's shared money limit as people read it."""
    return None if family.credit_limit is None else money(family.credit_limit)


def policy_choices(form, group) -> None:
    """The credit policies in use for a zone, segment, category or family; the one it has stays."""
    form.credit_policy_id.choices = code_choices(
        CreditPolicy, group.credit_policy if group else None, _("Sin límite de crédito")
    )


def category_choices(form: CategoryForm, category: Category | None) -> None:
    """None, or a main category grouped by scheme; a current parent stays listed."""
    policy_choices(form, category)
    parents = services.parent_categories()
    if category is not None and category.parent is not None and category.parent not in parents:
        parents.append(category.parent)
    form.parent_id.choices = [
        SelectChoice("", _("Ninguna: es principal")),
        *(
            SelectChoice(p.id, f"{p.code} · {p.name}", optgroup=str(SCHEMES[p.scheme]))
            for p in sorted(parents, key=lambda p: (p.scheme, p.code))
            if p is not category
        ),
    ]


register(
    "zones",
    AdminTable(
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
        entity="zone",
        fields=("code", "name", "kind", "province", "credit_policy_id"),
        position=10,
        choices=policy_choices,
        check=services.policy_group_errors,
        duplicate=_l("Ya existe una zona con ese código."),
    ),
)
register(
    "client-types",
    AdminTable(
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
        entity="client_type",
        fields=(
            "code",
            "name",
            "cash_only",
            "allowed_document_kinds",
            "discount_pct",
            "default_sale_condition_id",
            "credit_policy_id",
        ),
        position=20,
        duplicate=_l("Ya existe un tipo de cliente con ese código."),
        choices=client_type_choices,
        check=services.client_type_errors,
    ),
)
register(
    "transports",
    AdminTable(
        Transport,
        TransportForm,
        _l("Transportes"),
        _l("Nuevo transporte"),
        _l("Editar transporte"),
        (CODE, NAME, (_l("Teléfono"), attrgetter("phone"))),
        entity="transport",
        fields=("code", "name", "phone"),
        position=30,
        duplicate=_l("Ya existe un transporte con ese código."),
    ),
)
register(
    "channels",
    AdminTable(
        Channel,
        ChannelForm,
        _l("Canales"),
        _l("Nuevo canal"),
        _l("Editar canal"),
        (CODE, NAME),
        entity="channel",
        fields=("code", "name"),
        position=40,
        duplicate=_l("Ya existe un canal con ese código."),
    ),
)
register(
    "segments",
    AdminTable(
        Segment,
        SegmentForm,
        _l("Segmentos"),
        _l("Nuevo segmento"),
        _l("Editar segmento"),
        (CODE, NAME, (_l("Nivel"), lambda segment: LEVELS.get(segment.level, segment.level))),
        entity="segment",
        fields=("level", "code", "name", "credit_policy_id"),
        position=50,
        choices=policy_choices,
        check=services.policy_group_errors,
        code_scope=("level",),
        duplicate=_l("Ya existe un segmento de ese nivel con ese código."),
        listing=services.segment_listing,
    ),
)
register(
    "categories",
    AdminTable(
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
        entity="category",
        fields=("scheme", "parent_id", "code", "name", "credit_policy_id"),
        position=60,
        code_scope=("scheme",),
        duplicate=_l("Ya existe una categoría de esa clasificación con ese código."),
        listing=services.category_listing,
        choices=category_choices,
        check=services.category_errors,
        deactivation_problem=services.category_deactivation_problem,
        reactivation_problem=services.category_reactivation_problem,
    ),
)
register(
    "families",
    AdminTable(
        Family,
        FamilyForm,
        _l("Familias"),
        _l("Nueva familia"),
        _l("Editar familia"),
        (
            NAME,
            (_l("Límite de crédito"), lambda family: getattr(family.credit_policy, "name", None)),
            (_l("Límite compartido"), family_limit),
        ),
        entity="family",
        fields=("name", "credit_policy_id", "credit_limit"),
        position=70,
        choices=policy_choices,
        check=services.family_errors,
        code_scope=None,
        listing=services.family_listing,
    ),
)
