"""The admin's reference tables: create, edit, deactivate and reactivate; every change audited."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.reference import Category, ClientType, Family, Segment, Zone
from app.core.reference_admin import TABLES
from app.core.types import local_today, utcnow
from app.extensions import db
from app.ledger.models import CardIssuer, CardPlan, SaleCondition
from app.orders.models import PriceList
from tests import factories

BASE = "/admin/reference"


def find(model, **where):
    """The one row matching the columns, as the database has it now."""
    db.session.expire_all()
    return db.session.scalar(sa.select(model).filter_by(**where))


def count(model) -> int:
    """All rows of a table, deactivated ones included."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_rows(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def listed(browser, kind: str, deleted: bool = False) -> str:
    """The table of a list page (flash messages name rows too)."""
    page = browser.get(f"{BASE}/{kind}/" + ("?deleted=1" if deleted else "")).get_data(as_text=True)
    start = page.find("<table")
    return page[start : page.index("</table>")] if start >= 0 else ""


def toggle(browser, kind: str, row_id: int, active: str):
    """Press "Dar de baja" (active=0) or "Reactivar" (active=1) on a row's page."""
    page = f"{BASE}/{kind}/{row_id}"
    return browser.submit(page, f"{page}/toggle", active=active)


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def test_admin_creates_edits_deactivates_and_reactivates_a_zone(admin):
    response = admin.submit(
        f"{BASE}/zones/new", code="NOA", name="Noroeste", kind="delivery", province="Salta"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"{BASE}/zones/"
    zone = find(Zone, code="NOA")
    assert (zone.name, zone.kind, zone.province) == ("Noroeste", "delivery", "Salta")
    [created] = audit_rows("zone.create")
    assert (created.entity_type, created.entity_id) == ("zone", str(zone.id))
    assert created.actor_id == admin.user.id
    assert created.after == {
        "code": "NOA",
        "name": "Noroeste",
        "kind": "delivery",
        "province": "Salta",
        "credit_policy_id": None,
    }
    listing = listed(admin, "zones")
    assert "Noroeste" in listing
    assert "Reparto" in listing

    page = f"{BASE}/zones/{zone.id}"
    assert 'value="Noroeste"' in admin.get(page).get_data(as_text=True)
    response = admin.submit(
        page, code="NOA", name="Noroeste argentino", kind="delivery", province=""
    )
    assert response.status_code == 303
    zone = find(Zone, code="NOA")
    assert zone.name == "Noroeste argentino"
    assert zone.province is None  # an emptied optional field is stored as NULL
    [updated] = audit_rows("zone.update")
    assert updated.before == {"name": "Noroeste", "province": "Salta"}
    assert updated.after == {"name": "Noroeste argentino", "province": None}

    assert toggle(admin, "zones", zone.id, active="0").status_code == 303
    assert find(Zone, code="NOA").deleted_at is not None
    [deactivated] = audit_rows("zone.deactivate")
    assert (deactivated.before, deactivated.after) == ({"deleted": False}, {"deleted": True})

    assert toggle(admin, "zones", zone.id, active="1").status_code == 303
    assert find(Zone, code="NOA").deleted_at is None
    assert len(audit_rows("zone.reactivate")) == 1
    assert "Noroeste argentino" in listed(admin, "zones")


def test_a_deactivated_row_leaves_the_list_but_stays_in_the_database(admin):
    kept = factories.make_zone(code="CEN", name="Centro")
    gone = factories.make_zone(code="SUR", name="Zona Sur")
    db.session.commit()
    response = toggle(admin, "zones", gone.id, active="0")
    assert response.status_code == 303
    listing = listed(admin, "zones")
    assert "Centro" in listing
    assert "Zona Sur" not in listing
    row = find(Zone, id=gone.id)
    assert row is not None
    assert row.is_deleted
    assert find(Zone, id=kept.id).deleted_at is None
    retired = listed(admin, "zones", deleted=True)
    assert "Zona Sur" in retired
    assert "Centro" not in retired
    assert "De baja" in admin.get(f"{BASE}/zones/{gone.id}").get_data(as_text=True)


def test_deactivating_twice_is_a_no_op(admin):
    zone = factories.make_zone()
    db.session.commit()
    assert toggle(admin, "zones", zone.id, active="0").status_code == 303
    first = find(Zone, id=zone.id).deleted_at
    assert toggle(admin, "zones", zone.id, active="0").status_code == 303
    assert find(Zone, id=zone.id).deleted_at == first
    assert len(audit_rows("zone.deactivate")) == 1


def test_duplicate_code_is_refused_in_spanish_and_nothing_is_written(admin):
    factories.make_zone(code="CEN", name="Centro")
    db.session.commit()
    response = admin.submit(f"{BASE}/zones/new", code="CEN", name="Otra", kind="sales")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ya existe una zona con ese código." in page
    assert 'value="Otra"' in page  # what was typed is kept
    assert count(Zone) == 1
    assert audit_rows("zone.create") == []


def test_renaming_onto_another_rows_code_is_refused(admin):
    factories.make_zone(code="CEN")
    other = factories.make_zone(code="OES", name="Oeste")
    db.session.commit()
    page = f"{BASE}/zones/{other.id}"
    response = admin.submit(page, code="CEN", name="Oeste", kind="sales")
    assert response.status_code == 422
    assert "Ya existe una zona con ese código." in response.get_data(as_text=True)
    assert find(Zone, id=other.id).code == "OES"
    assert audit_rows("zone.update") == []


def test_duplicate_of_a_deactivated_row_says_it_can_be_reactivated(admin):
    factories.make_zone(code="VIE", deleted_at=utcnow())
    db.session.commit()
    response = admin.submit(f"{BASE}/zones/new", code="VIE", name="Nueva", kind="sales")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ya existe una zona con ese código." in page
    assert "Está entre las bajas: podés reactivar ese registro." in page


def test_required_fields_get_spanish_messages(admin):
    response = admin.submit(f"{BASE}/zones/new", code="   ", name="", kind="sales")
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Este campo es obligatorio.") == 2
    assert count(Zone) == 0


def test_saving_without_changes_writes_no_audit_row(admin):
    zone = factories.make_zone(code="CEN", name="Centro")
    db.session.commit()
    page = f"{BASE}/zones/{zone.id}"
    assert admin.submit(page, code="CEN", name="Centro", kind="sales").status_code == 303
    assert audit_rows("zone.update") == []


def test_a_category_with_a_subcategory(admin):
    response = admin.submit(
        f"{BASE}/categories/new", scheme="1", parent_id="", code="BEB", name="Bebidas"
    )
    assert response.status_code == 303
    parent = find(Category, code="BEB")
    assert parent.parent_id is None
    form = admin.get(f"{BASE}/categories/new").get_data(as_text=True)
    assert f'<option value="{parent.id}">BEB · Bebidas</option>' in form
    assert '<optgroup label="Categoría 1">' in form

    response = admin.submit(
        f"{BASE}/categories/new", scheme="1", parent_id=str(parent.id), code="GAS", name="Gaseosas"
    )
    assert response.status_code == 303
    child = find(Category, code="GAS")
    assert child.parent_id == parent.id
    [_, created] = audit_rows("category.create")
    assert created.after == {
        "scheme": 1,
        "parent_id": parent.id,
        "code": "GAS",
        "name": "Gaseosas",
        "credit_policy_id": None,
    }
    listing = listed(admin, "categories")
    assert listing.index("Bebidas") < listing.index("Gaseosas")
    assert '<td data-label="Subcategoría de">Bebidas</td>' in listing

    page = f"{BASE}/categories/{child.id}"
    response = admin.submit(page, scheme="1", parent_id=str(parent.id), code="GAS", name="Aguas")
    assert response.status_code == 303
    [updated] = audit_rows("category.update")
    assert (updated.before, updated.after) == ({"name": "Gaseosas"}, {"name": "Aguas"})

    # A main category with active subcategories cannot go first.
    response = toggle(admin, "categories", parent.id, active="0")
    assert response.status_code == 422
    assert "Primero da de baja sus subcategorías." in response.get_data(as_text=True)
    assert find(Category, id=parent.id).deleted_at is None
    assert toggle(admin, "categories", child.id, active="0").status_code == 303
    assert toggle(admin, "categories", parent.id, active="0").status_code == 303
    # ...and a subcategory cannot come back before its category.
    response = toggle(admin, "categories", child.id, active="1")
    assert response.status_code == 422
    assert "Primero reactivá su categoría padre." in response.get_data(as_text=True)
    assert toggle(admin, "categories", parent.id, active="1").status_code == 303
    assert toggle(admin, "categories", child.id, active="1").status_code == 303
    assert len(audit_rows("category.deactivate")) == 2
    assert len(audit_rows("category.reactivate")) == 2


def test_a_subcategory_hangs_from_a_main_category_of_its_scheme(admin):
    main = Category(scheme=1, code="BEB", name="Bebidas")
    db.session.add(main)
    db.session.flush()
    sub = Category(scheme=1, code="GAS", name="Gaseosas", parent_id=main.id)
    db.session.add(sub)
    db.session.commit()
    new = f"{BASE}/categories/new"
    other_scheme = admin.submit(new, scheme="2", parent_id=str(main.id), code="X", name="X")
    assert other_scheme.status_code == 422
    assert "La categoría padre es de otra clasificación." in other_scheme.get_data(as_text=True)
    too_deep = admin.submit(new, scheme="1", parent_id=str(sub.id), code="X", name="X")
    assert too_deep.status_code == 422  # a subcategory is not offered as a parent
    moved = admin.submit(
        f"{BASE}/categories/{main.id}", scheme="2", parent_id="", code="BEB", name="Bebidas"
    )
    assert moved.status_code == 422
    assert "Tiene subcategorías" in moved.get_data(as_text=True)
    assert count(Category) == 2
    assert audit_rows("category.create") == []
    assert audit_rows("category.update") == []


def test_category_codes_repeat_only_across_schemes(admin):
    new = f"{BASE}/categories/new"
    assert admin.submit(new, scheme="1", parent_id="", code="A", name="Uno").status_code == 303
    assert admin.submit(new, scheme="2", parent_id="", code="A", name="Dos").status_code == 303
    response = admin.submit(new, scheme="1", parent_id="", code="A", name="Tres")
    assert response.status_code == 422
    assert "Ya existe una categoría de esa clasificación con ese código." in response.get_data(
        as_text=True
    )
    assert count(Category) == 2


def test_a_segment_of_level_3(admin):
    form = admin.get(f"{BASE}/segments/new").get_data(as_text=True)
    for level in range(1, 5):
        assert f'<option value="{level}">Nivel {level}</option>' in form
    response = admin.submit(f"{BASE}/segments/new", level="3", code="PRE", name="Premium")
    assert response.status_code == 303
    segment = find(Segment, code="PRE")
    assert segment.level == 3
    [created] = audit_rows("segment.create")
    assert created.after == {
        "level": 3,
        "code": "PRE",
        "name": "Premium",
        "credit_policy_id": None,
    }
    assert "Nivel 3" in listed(admin, "segments")

    duplicate = admin.submit(f"{BASE}/segments/new", level="3", code="PRE", name="Otro")
    assert duplicate.status_code == 422
    assert "Ya existe un segmento de ese nivel con ese código." in duplicate.get_data(as_text=True)
    other_level = admin.submit(f"{BASE}/segments/new", level="2", code="PRE", name="Otro")
    assert other_level.status_code == 303

    page = f"{BASE}/segments/{segment.id}"
    assert admin.submit(page, level="3", code="PRE", name="Premium Plus").status_code == 303
    assert find(Segment, id=segment.id).name == "Premium Plus"
    assert len(audit_rows("segment.update")) == 1
    assert toggle(admin, "segments", segment.id, active="0").status_code == 303
    assert len(audit_rows("segment.deactivate")) == 1
    assert "Premium Plus" not in listed(admin, "segments")

    bad_level = admin.submit(f"{BASE}/segments/new", level="5", code="X", name="X")
    assert bad_level.status_code == 422
    assert count(Segment) == 2


def test_a_price_list(admin):
    response = admin.submit(f"{BASE}/price-lists/new", code="MAY", name="Mayorista", currency="USD")
    assert response.status_code == 303
    prices = find(PriceList, code="MAY")
    assert prices.currency == "USD"
    assert audit_rows("price_list.create")[0].after["currency"] == "USD"
    page = f"{BASE}/price-lists/{prices.id}"
    assert admin.submit(page, code="MAY", name="Mayorista", currency="ARS").status_code == 303
    [updated] = audit_rows("price_list.update")
    assert (updated.before, updated.after) == ({"currency": "USD"}, {"currency": "ARS"})
    duplicate = admin.submit(f"{BASE}/price-lists/new", code="MAY", name="Otra", currency="ARS")
    assert duplicate.status_code == 422
    assert "Ya existe una lista de precios con ese código." in duplicate.get_data(as_text=True)
    assert toggle(admin, "price-lists", prices.id, active="0").status_code == 303
    assert find(PriceList, id=prices.id).is_deleted
    assert len(audit_rows("price_list.deactivate")) == 1


MINIMAL = {
    "zones": {"code": "C1", "name": "Fila nueva", "kind": "sales"},
    "client-types": {"code": "C1", "name": "Fila nueva", "cash_only": "y"},
    "transports": {"code": "C1", "name": "Fila nueva", "phone": "+54 11 5555-0000"},
    "channels": {"code": "C1", "name": "Fila nueva"},
    "segments": {"level": "1", "code": "C1", "name": "Fila nueva"},
    "categories": {"scheme": "2", "parent_id": "", "code": "C1", "name": "Fila nueva"},
    "families": {"name": "Fila nueva"},
    "price-lists": {"code": "C1", "name": "Fila nueva", "currency": "ARS"},
    "sale-conditions": {
        "code": "C1",
        "description": "Fila nueva",
        "discount_pct": "0",
        "rule_kind": "days",
        "rule_days": "30",
        "installments": "1",
    },
    "card-issuers": {"code": "C1", "name": "Fila nueva"},
    "card-plans": {"name": "Fila nueva", "installments": "3", "surcharge_pct": "0"},
    "credit-policy-categories": {"code": "C1", "name": "Fila nueva"},
    "credit-policies": {"code": "C1", "name": "Fila nueva", "money_limit": "1.000"},
    "credit-bands": {"name": "Fila nueva", "role": "supervisor", "money": "y"},
    "visit-reasons": {"code": "C1", "name": "Fila nueva", "applies_to": "no_order"},
}


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_every_table_can_be_added_to_and_listed(admin, kind):
    assert set(MINIMAL) == set(TABLES)  # the domains registered them when the app was made
    assert admin.get(f"{BASE}/{kind}/").status_code == 200
    assert admin.get(f"{BASE}/{kind}/new").status_code == 200
    fields = dict(MINIMAL[kind])
    if kind == "card-plans":
        issuer = CardIssuer(code="VISA", name="Visa")
        db.session.add(issuer)
        db.session.commit()
        fields["issuer_id"] = str(issuer.id)
    response = admin.submit(f"{BASE}/{kind}/new", **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "Fila nueva" in listed(admin, kind)
    [entry] = db.session.scalars(sa.select(AuditEntry)).all()
    assert entry.action.endswith(".create")


def test_every_table_is_kept_under_a_known_permission(app):
    from app.auth.permissions import PERMISSIONS

    assert {table.permission for table in TABLES.values()} <= PERMISSIONS.keys()


def test_index_links_every_table_and_counts_rows_in_use(admin):
    factories.make_zone()
    factories.make_zone(deleted_at=utcnow())
    db.session.add(Family(name="Grupo Norte"))
    db.session.commit()
    page = admin.get(f"{BASE}/").get_data(as_text=True)
    links = [page.find(f'href="{BASE}/{kind}/"') for kind in TABLES]
    assert -1 not in links
    assert links == sorted(links)  # in the tables' positions, whichever domain registered them
    assert "Zonas" in page
    assert "1 vigente<" in page


def test_account_page_links_the_tables_for_the_admin_only(login_as):
    assert "Tablas de referencia" in login_as("admin").get("/account").get_data(as_text=True)
    office = login_as("backoffice").get("/account").get_data(as_text=True)
    assert "Tablas de referencia" not in office


def test_a_salesperson_gets_403_everywhere(login_as):
    zone = factories.make_zone()
    db.session.commit()
    seller = login_as("salesperson")
    for path in (f"{BASE}/", f"{BASE}/zones/", f"{BASE}/zones/new", f"{BASE}/zones/{zone.id}"):
        assert seller.get(path).status_code == 403, path
    response = seller.submit("/account", f"{BASE}/zones/{zone.id}/toggle", active="0")
    assert response.status_code == 403
    response = seller.submit("/account", f"{BASE}/zones/new", code="X", name="X", kind="sales")
    assert response.status_code == 403
    assert find(Zone, id=zone.id).deleted_at is None
    assert count(Zone) == 1
    assert db.session.scalars(sa.select(AuditEntry)).all() == []


def test_unknown_kind_or_row_is_404(admin):
    assert admin.get(f"{BASE}/planets/").status_code == 404
    assert admin.get(f"{BASE}/planets/new").status_code == 404
    assert admin.get(f"{BASE}/planets/1").status_code == 404
    assert admin.get(f"{BASE}/zones/999999").status_code == 404
    assert admin.submit("/account", f"{BASE}/planets/1/toggle", active="0").status_code == 404


# --- sale conditions, cards and client types (current accounts) ---------------------------

TERMS = {
    "code": "CC30",
    "description": "Cuenta corriente 30 días",
    "discount_pct": "2,5",
    "rule_kind": "days",
    "rule_days": "30",
    "rule_day": "",
    "rule_weekday": "",
    "rule_week": "",
    "installments": "1",
}


def test_admin_creates_and_edits_a_sale_condition(admin):
    response = admin.submit(f"{BASE}/sale-conditions/new", **TERMS)
    assert response.status_code == 303, response.get_data(as_text=True)
    condition = find(SaleCondition, code="CC30")
    assert condition.discount_pct == Decimal("2.50")
    assert (condition.rule_kind, condition.rule_days, condition.installments) == ("days", 30, 1)
    [created] = audit_rows("sale_condition.create")
    assert created.entity_type == "sale_condition"
    assert created.after == {
        "code": "CC30",
        "description": "Cuenta corriente 30 días",
        "discount_pct": "2.5",
        "rule_kind": "days",
        "rule_days": 30,
        "rule_day": 0,
        "rule_weekday": 0,
        "rule_week": 0,
        "installments": 1,
    }
    listing = listed(admin, "sale-conditions")
    assert "Cuenta corriente 30 días" in listing
    assert '<td data-label="Vencimiento">30 días</td>' in listing
    assert "2,5\u00a0%" in listing

    page = f"{BASE}/sale-conditions/{condition.id}"
    changed = TERMS | {"rule_kind": "weekday_of_week", "rule_weekday": "4", "rule_week": "5"}
    response = admin.submit(page, **changed)
    assert response.status_code == 303, response.get_data(as_text=True)
    condition = find(SaleCondition, id=condition.id)
    # the days of the old rule are not kept: the new rule does not use them
    assert (condition.rule_kind, condition.rule_days) == ("weekday_of_week", 0)
    assert (condition.rule_weekday, condition.rule_week) == (4, 5)
    [updated] = audit_rows("sale_condition.update")
    assert updated.before == {
        "rule_kind": "days",
        "rule_days": 30,
        "rule_weekday": 0,
        "rule_week": 0,
    }
    assert updated.after == {
        "rule_kind": "weekday_of_week",
        "rule_days": 0,
        "rule_weekday": 4,
        "rule_week": 5,
    }
    assert "Último viernes del mes" in listed(admin, "sale-conditions")


def test_the_edit_page_leaves_empty_the_inputs_its_rule_does_not_use(admin):
    condition = factories.make_sale_condition(rule_kind="next_day_of_month", rule_day=15)
    db.session.commit()
    page = admin.get(f"{BASE}/sale-conditions/{condition.id}").get_data(as_text=True)
    assert re.search(r'id="rule_day"[^>]*value="15"', page)
    assert re.search(r'<input[^>]*id="rule_days"[^>]*value=""', page)
    assert '<option selected value="next_day_of_month">' in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rule_kind": "days", "rule_days": ""}, "rule_days", "Ingresá los días, de 0 a 3650."),
        ({"rule_kind": "days", "rule_days": "4000"}, "rule_days", "Ingresá los días, de 0 a 3650."),
        (
            {"rule_kind": "day_of_month", "rule_day": "32"},
            "rule_day",
            "Ingresá un día del mes, del 1 al 31.",
        ),
        (
            {"rule_kind": "next_day_of_month", "rule_day": "0"},
            "rule_day",
            "Ingresá un día del mes, del 1 al 31.",
        ),
        (
            {"rule_kind": "weekday_of_week", "rule_weekday": "0", "rule_week": ""},
            "rule_week",
            "Elegí la semana del mes.",
        ),
        (
            {"rule_kind": "weekday_of_week", "rule_weekday": "", "rule_week": "2"},
            "rule_weekday",
            "Elegí el día de la semana.",
        ),
        ({"installments": "25"}, "installments", "Entre 1 y 24."),
        ({"installments": "0"}, "installments", "Entre 1 y 24."),
        ({"installments": "dos"}, "installments", "Ingresá un número entero."),
        ({"discount_pct": "101"}, "discount_pct", "Entre 0 y 100."),
        ({"discount_pct": "1,234"}, "discount_pct", "Usá como mucho dos decimales."),
        ({"discount_pct": "mucho"}, "discount_pct", "Ingresá un porcentaje, como 5 o 12,5."),
        ({"description": " "}, "description", "Este campo es obligatorio."),
    ],
)
def test_a_bad_sale_condition_is_refused_on_its_field(admin, fields, field, message):
    response = admin.submit(f"{BASE}/sale-conditions/new", **(TERMS | fields))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<div class="field-error" id="{field}-error">{message}</div>' in page
    assert count(SaleCondition) == 0
    assert audit_rows("sale_condition.create") == []


def test_what_the_chosen_rule_hides_is_not_checked(admin):
    # a day of 99 typed before switching to a days rule does not block the save
    fields = TERMS | {"rule_kind": "days", "rule_day": "99", "rule_week": "x"}
    assert admin.submit(f"{BASE}/sale-conditions/new", **fields).status_code == 303
    assert find(SaleCondition, code="CC30").rule_day == 0


def test_a_repeated_sale_condition_code_is_refused(admin):
    factories.make_sale_condition(code="CC30")
    db.session.commit()
    response = admin.submit(f"{BASE}/sale-conditions/new", **TERMS)
    assert response.status_code == 422
    assert "Ya existe una condición de venta con ese código." in response.get_data(as_text=True)
    assert count(SaleCondition) == 1


def test_an_edit_with_a_bad_rule_changes_nothing(admin):
    condition = factories.make_sale_condition(code="CC30", rule_days=30)
    db.session.commit()
    page = f"{BASE}/sale-conditions/{condition.id}"
    response = admin.submit(page, **(TERMS | {"rule_kind": "day_of_month", "rule_day": "32"}))
    assert response.status_code == 422
    stored = find(SaleCondition, id=condition.id)
    assert (stored.rule_kind, stored.rule_days, stored.rule_day) == ("days", 30, 0)
    assert audit_rows("sale_condition.update") == []


def test_the_form_shows_the_due_dates_of_an_example_bill(admin):
    today = local_today()
    page = admin.get(f"{BASE}/sale-conditions/new").get_data(as_text=True)
    assert "Una factura de hoy" in page  # the default rule, 0 days, is already complete
    preview = admin.get(
        f"{BASE}/sale-conditions/preview",
        query_string={"rule_kind": "days", "rule_days": "30", "installments": "3"},
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "<html" not in html
    assert "$\u00a01.000,00" in html
    for n in (1, 2, 3):
        assert (today + timedelta(days=30 * n)).strftime("%d/%m/%Y") in html
    assert "$\u00a0333,33" in html and "$\u00a0333,34" in html
    incomplete = admin.get(
        f"{BASE}/sale-conditions/preview",
        query_string={"rule_kind": "weekday_of_week", "rule_weekday": "2", "installments": "1"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Completá la regla de vencimiento para ver un ejemplo." in incomplete


def test_the_preview_is_for_the_admin_only(login_as):
    office = login_as("backoffice")
    assert office.get(f"{BASE}/sale-conditions/preview").status_code == 403


def test_card_issuers_and_their_plans(admin):
    response = admin.submit(f"{BASE}/card-issuers/new", code="NAR", name="Naranja")
    assert response.status_code == 303
    issuer = find(CardIssuer, code="NAR")
    after = audit_rows("card_issuer.create")[0].after
    assert {k: v for k, v in after.items() if v is not None} == {"code": "NAR", "name": "Naranja"}
    form = admin.get(f"{BASE}/card-plans/new").get_data(as_text=True)
    assert f'<option value="{issuer.id}">Naranja</option>' in form

    plan_fields = {
        "issuer_id": str(issuer.id),
        "name": "Plan Z",
        "installments": "3",
        "surcharge_pct": "8.5",
    }
    response = admin.submit(f"{BASE}/card-plans/new", **plan_fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    plan = find(CardPlan, name="Plan Z")
    assert (plan.issuer_id, plan.installments, plan.surcharge_pct) == (
        issuer.id,
        3,
        Decimal("8.50"),
    )
    [created] = audit_rows("card_plan.create")
    assert created.after == {
        "issuer_id": issuer.id,
        "name": "Plan Z",
        "installments": 3,
        "surcharge_pct": "8.5",
    }
    listing = listed(admin, "card-plans")
    assert '<td data-label="Tarjeta">Naranja</td>' in listing
    assert "8,5\u00a0%" in listing

    too_many = admin.submit(f"{BASE}/card-plans/new", **(plan_fields | {"installments": "37"}))
    assert too_many.status_code == 422
    assert "Entre 1 y 36." in too_many.get_data(as_text=True)
    no_card = admin.submit(f"{BASE}/card-plans/new", **(plan_fields | {"issuer_id": ""}))
    assert no_card.status_code == 422
    assert count(CardPlan) == 1

    # A card with plans in use cannot go first; its plans come back after it.
    response = toggle(admin, "card-issuers", issuer.id, active="0")
    assert response.status_code == 422
    assert "Primero da de baja sus planes." in response.get_data(as_text=True)
    assert toggle(admin, "card-plans", plan.id, active="0").status_code == 303
    assert toggle(admin, "card-issuers", issuer.id, active="0").status_code == 303
    response = toggle(admin, "card-plans", plan.id, active="1")
    assert response.status_code == 422
    assert "Primero reactivá su tarjeta." in response.get_data(as_text=True)
    # a retired card is not offered for a new plan
    refused = admin.submit(f"{BASE}/card-plans/new", **(plan_fields | {"name": "Otro"}))
    assert refused.status_code == 422
    assert count(CardPlan) == 1


def test_a_repeated_card_issuer_code_is_refused(admin):
    db.session.add(CardIssuer(code="VISA", name="Visa"))
    db.session.commit()
    response = admin.submit(f"{BASE}/card-issuers/new", code="VISA", name="Otra")
    assert response.status_code == 422
    assert "Ya existe una tarjeta con ese código." in response.get_data(as_text=True)


def test_a_client_type_with_allowed_kinds_discount_and_default_terms(admin):
    terms = factories.make_sale_condition(code="CC30", description="Cuenta corriente 30 días")
    db.session.commit()
    form = admin.get(f"{BASE}/client-types/new").get_data(as_text=True)
    assert f'<option value="{terms.id}">CC30 · Cuenta corriente 30 días</option>' in form
    assert 'value="invoice"' in form and "Factura" in form and "Recibo" in form

    response = admin.submit(
        f"{BASE}/client-types/new",
        code="MAY",
        name="Mayorista",
        allowed_document_kinds=["invoice", "credit_note", "receipt"],
        discount_pct="5",
        default_sale_condition_id=str(terms.id),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    client_type = find(ClientType, code="MAY")
    assert client_type.allowed_document_kinds == ["invoice", "credit_note", "receipt"]
    assert client_type.discount_pct == Decimal("5.00")
    assert client_type.default_sale_condition_id == terms.id
    [created] = audit_rows("client_type.create")
    assert created.after == {
        "code": "MAY",
        "name": "Mayorista",
        "cash_only": False,
        "allowed_document_kinds": ["invoice", "credit_note", "receipt"],
        "discount_pct": "5",
        "default_sale_condition_id": terms.id,
        "credit_policy_id": None,
    }
    listing = listed(admin, "client-types")
    assert "Cuenta corriente 30 días" in listing and "5\u00a0%" in listing

    page = f"{BASE}/client-types/{client_type.id}"
    edit = admin.get(page).get_data(as_text=True)
    assert re.search(r'checked[^>]*value="credit_note"|value="credit_note"[^>]*checked', edit)
    # none ticked: every kind is allowed, stored as nothing
    response = admin.submit(
        page, code="MAY", name="Mayorista", discount_pct="5", default_sale_condition_id=""
    )
    assert response.status_code == 303
    client_type = find(ClientType, id=client_type.id)
    assert client_type.allowed_document_kinds is None
    assert client_type.default_sale_condition_id is None
    [updated] = audit_rows("client_type.update")
    assert updated.after == {"allowed_document_kinds": None, "default_sale_condition_id": None}


def test_a_client_type_refuses_retired_or_credit_terms_when_cash_only(admin):
    credit = factories.make_sale_condition(rule_days=30)
    retired = factories.make_sale_condition(rule_days=0, deleted_at=utcnow())
    db.session.commit()
    form = admin.get(f"{BASE}/client-types/new").get_data(as_text=True)
    assert f'value="{retired.id}"' not in form
    new = f"{BASE}/client-types/new"
    base = {"code": "CON", "name": "Contado", "discount_pct": "0"}
    cash_only = admin.submit(new, **base, cash_only="y", default_sale_condition_id=str(credit.id))
    assert cash_only.status_code == 422
    assert "Un tipo solo contado necesita una condición de contado" in cash_only.get_data(
        as_text=True
    )
    assert admin.submit(new, **base, default_sale_condition_id=str(retired.id)).status_code == 422
    assert count(ClientType) == 0


def test_a_client_type_keeps_a_default_condition_that_was_retired(admin):
    condition = factories.make_sale_condition(code="VIEJA")
    client_type = factories.make_client_type(default_sale_condition_id=condition.id)
    condition.deleted_at = utcnow()
    db.session.commit()
    page = f"{BASE}/client-types/{client_type.id}"
    assert f'<option selected value="{condition.id}">' in admin.get(page).get_data(as_text=True)
    response = admin.submit(
        page,
        code=client_type.code,
        name="Renombrado",
        discount_pct="0",
        default_sale_condition_id=str(condition.id),
    )
    assert response.status_code == 303
    assert find(ClientType, id=client_type.id).name == "Renombrado"
