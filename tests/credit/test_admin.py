"""The admin's credit tables: policy categories, policies with their limits, approval bands."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.reference import ClientType
from app.core.reference_admin import ReferenceRowError
from app.core.types import utcnow
from app.credit.models import CreditBand, CreditPolicy, PolicyCategory
from app.extensions import db
from tests import factories

BASE = "/admin/reference"
POLICY = {
    "code": "MIN",
    "name": "Minoristas",
    "category_id": "",
    "money_limit": "1.234,50",
    "max_documents": "2",
    "max_age_days": "30",
}
BAND = {
    "name": "Supervisores",
    "user_id": "",
    "role": "supervisor",
    "money": "y",
    "max_excess": "50.000",
    "max_excess_pct": "",
    "max_extra_documents": "",
    "max_extra_days": "",
}


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def find(model, **where):
    """The one row matching the columns, as the database has it now."""
    db.session.expire_all()
    return db.session.scalar(sa.select(model).filter_by(**where))


def count(model) -> int:
    """All rows of a table, deactivated ones included."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_rows(action: str | None = None) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def listed(browser, kind: str) -> str:
    """The table of a list page (flash messages name rows too)."""
    page = browser.get(f"{BASE}/{kind}/").get_data(as_text=True)
    start = page.find("<table")
    return page[start : page.index("</table>")] if start >= 0 else ""


def make_policy(**fields) -> CreditPolicy:
    policy = CreditPolicy(**({"code": "P1", "name": "Política"} | fields))
    db.session.add(policy)
    db.session.flush()
    return policy


# --- categories and policies -------------------------------------------------------------


def test_a_policy_category(admin):
    response = admin.submit(f"{BASE}/credit-policy-categories/new", code="MAY", name="Mayoristas")
    assert response.status_code == 303
    category = find(PolicyCategory, code="MAY")
    [created] = audit_rows("credit_policy_category.create")
    assert (created.entity_type, created.entity_id) == ("credit_policy_category", str(category.id))
    assert created.after == {"code": "MAY", "name": "Mayoristas"}
    repeated = admin.submit(f"{BASE}/credit-policy-categories/new", code="MAY", name="Otra")
    assert repeated.status_code == 422
    assert "Ya existe una categoría de límites con ese código." in repeated.get_data(as_text=True)
    assert count(PolicyCategory) == 1


def test_admin_creates_edits_and_retires_a_policy(admin):
    category = PolicyCategory(code="MIN", name="Minoristas")
    db.session.add(category)
    db.session.commit()
    form = admin.get(f"{BASE}/credit-policies/new").get_data(as_text=True)
    assert f'<option value="{category.id}">MIN · Minoristas</option>' in form
    assert "Vacío: sin límite" in form

    response = admin.submit(
        f"{BASE}/credit-policies/new", **(POLICY | {"category_id": str(category.id)})
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    policy = find(CreditPolicy, code="MIN")
    assert policy.money_limit == Decimal("1234.50")
    assert (policy.max_documents, policy.max_age_days, policy.category_id) == (2, 30, category.id)
    [created] = audit_rows("credit_policy.create")
    assert created.actor_id == admin.user.id
    assert created.after == {
        "code": "MIN",
        "name": "Minoristas",
        "category_id": category.id,
        "money_limit": "1234.5",
        "max_documents": 2,
        "max_age_days": 30,
    }
    listing = listed(admin, "credit-policies")
    limits = "$\u00a01.234,50 · 2\u00a0facturas · 30\u00a0días"
    assert f'<td data-label="Límites">{limits}</td>' in listing
    assert '<td data-label="Categoría">Minoristas</td>' in listing

    page = f"{BASE}/credit-policies/{policy.id}"
    edit = admin.get(page).get_data(as_text=True)
    assert 'value="1.234,50"' in edit  # the amount as people write it
    response = admin.submit(
        page, **(POLICY | {"money_limit": "500.000", "max_documents": "1", "max_age_days": ""})
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    policy = find(CreditPolicy, id=policy.id)
    assert (policy.money_limit, policy.max_documents, policy.max_age_days) == (
        Decimal("500000.00"),
        1,
        None,
    )
    [updated] = audit_rows("credit_policy.update")
    assert updated.before == {
        "category_id": category.id,
        "money_limit": "1234.5",
        "max_documents": 2,
        "max_age_days": 30,
    }
    assert updated.after == {
        "category_id": None,
        "money_limit": "500000",
        "max_documents": 1,
        "max_age_days": None,
    }
    assert "$\u00a0500.000 · 1\u00a0factura<" in listed(admin, "credit-policies")

    response = admin.submit(page, f"{page}/toggle", active="0")
    assert response.status_code == 303
    assert find(CreditPolicy, id=policy.id).is_deleted
    assert len(audit_rows("credit_policy.deactivate")) == 1


def test_a_policy_without_limits_says_so(admin):
    fields = POLICY | {"money_limit": "", "max_documents": "", "max_age_days": ""}
    assert admin.submit(f"{BASE}/credit-policies/new", **fields).status_code == 303
    policy = find(CreditPolicy, code="MIN")
    assert policy.limits.money is None and policy.max_documents is None
    assert '<td data-label="Límites">Sin límites</td>' in listed(admin, "credit-policies")


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        ("500000", "500000.00"),
        ("500.000", "500000.00"),
        ("1.234.567,8", "1234567.80"),
        ("1234.5", "1234.50"),
        ("$ 1.000", "1000.00"),
        ("0", "0.00"),
    ],
)
def test_the_money_limit_reads_as_people_write_it(admin, amount, stored):
    response = admin.submit(f"{BASE}/credit-policies/new", **(POLICY | {"money_limit": amount}))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert find(CreditPolicy, code="MIN").money_limit == Decimal(stored)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"money_limit": "-5"}, "money_limit", "No puede ser negativo."),
        ({"money_limit": "mucho"}, "money_limit", "Ingresá un importe, como 500.000 o 1.234,50."),
        ({"money_limit": "12,345"}, "money_limit", "Usá como mucho dos decimales."),
        ({"money_limit": "NaN"}, "money_limit", "Ingresá un importe"),
        ({"money_limit": "9999999999999"}, "money_limit", "Entre 0 y 999.999.999.999,99."),
        ({"max_documents": "-1"}, "max_documents", "Entre 0 y 999."),
        ({"max_documents": "1,5"}, "max_documents", "Ingresá un número entero."),
        ({"max_documents": "99999999999"}, "max_documents", "Entre 0 y 999."),
        ({"max_age_days": "3651"}, "max_age_days", "Entre 0 y 3650."),
        ({"max_age_days": "treinta"}, "max_age_days", "Ingresá un número entero."),
        ({"name": " "}, "name", "Este campo es obligatorio."),
        ({"category_id": "999999"}, "category_id", None),
    ],
)
def test_a_bad_policy_is_refused_on_its_field_and_nothing_is_written(
    admin, changes, field, message
):
    response = admin.submit(f"{BASE}/credit-policies/new", **(POLICY | changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    if message:
        assert message in page
    assert count(CreditPolicy) == 0
    assert audit_rows() == []


def test_a_bad_edit_changes_nothing(admin):
    policy = make_policy(code="MIN", money_limit=Decimal("1000"))
    db.session.commit()
    page = f"{BASE}/credit-policies/{policy.id}"
    response = admin.submit(page, **(POLICY | {"money_limit": "-1", "name": "Otro nombre"}))
    assert response.status_code == 422
    policy = find(CreditPolicy, id=policy.id)
    assert (policy.name, policy.money_limit) == ("Política", Decimal("1000.00"))
    assert audit_rows() == []


def test_a_retired_category_is_not_offered_but_a_policy_keeps_its_own(admin):
    retired = PolicyCategory(code="OLD", name="Vieja", deleted_at=utcnow())
    db.session.add(retired)
    db.session.flush()
    keeper = make_policy(code="KEEP", category_id=retired.id)
    db.session.commit()
    form = admin.get(f"{BASE}/credit-policies/new").get_data(as_text=True)
    assert f'value="{retired.id}"' not in form
    refused = admin.submit(
        f"{BASE}/credit-policies/new", **(POLICY | {"category_id": str(retired.id)})
    )
    assert refused.status_code == 422
    assert find(CreditPolicy, code="MIN") is None

    page = f"{BASE}/credit-policies/{keeper.id}"
    assert f'<option selected value="{retired.id}">' in admin.get(page).get_data(as_text=True)
    fields = POLICY | {"code": "KEEP", "name": "Renombrada", "category_id": str(retired.id)}
    assert admin.submit(page, **fields).status_code == 303
    assert find(CreditPolicy, id=keeper.id).name == "Renombrada"


def test_a_repeated_policy_code_is_refused(admin):
    make_policy(code="MIN")
    db.session.commit()
    response = admin.submit(f"{BASE}/credit-policies/new", **POLICY)
    assert response.status_code == 422
    assert "Ya existe un límite de crédito con ese código." in response.get_data(as_text=True)
    assert count(CreditPolicy) == 1


# --- bands ---------------------------------------------------------------------------------


def test_a_band_for_a_role(admin):
    response = admin.submit(
        f"{BASE}/credit-bands/new", **(BAND | {"documents": "y", "max_excess_pct": "12,5"})
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    band = find(CreditBand, name="Supervisores")
    assert (band.user_id, band.role) == (None, "supervisor")
    assert (band.money, band.documents, band.age) == (True, True, False)
    assert band.max_excess == Decimal("50000.00")
    assert band.max_excess_pct == Decimal("12.50")
    [created] = audit_rows("credit_band.create")
    assert created.after == {
        "name": "Supervisores",
        "user_id": None,
        "role": "supervisor",
        "money": True,
        "documents": True,
        "age": False,
        "max_excess": "50000",
        "max_excess_pct": "12.5",
        "max_extra_documents": None,
        "max_extra_days": None,
    }
    listing = listed(admin, "credit-bands")
    assert "Rol: Supervisor" in listing
    assert "Monto hasta $ 50.000 y 12,5\u00a0% · Facturas" in listing


def test_a_band_for_one_supervisor(admin):
    boss = factories.make_user("supervisor", full_name="Ana Jefa")
    factories.make_user("supervisor", full_name="Ex Jefe", active=False)
    factories.make_user("salesperson", full_name="Vera Vendedora")
    db.session.commit()
    form = admin.get(f"{BASE}/credit-bands/new").get_data(as_text=True)
    assert f'<option value="{boss.id}">Ana Jefa · Supervisor</option>' in form
    assert "Ex Jefe" not in form and "Vera Vendedora" not in form
    fields = BAND | {
        "name": "Ana",
        "user_id": str(boss.id),
        "role": "",
        "money": "",
        "age": "y",
        "max_extra_days": "15",
    }
    response = admin.submit(f"{BASE}/credit-bands/new", **fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    band = find(CreditBand, name="Ana")
    assert (band.user_id, band.role, band.money, band.age) == (boss.id, None, False, True)
    assert band.max_extra_days == 15
    listing = listed(admin, "credit-bands")
    assert '<td data-label="Para">Ana Jefa</td>' in listing
    assert "Antigüedad +15 días" in listing


def test_a_band_is_for_a_user_or_a_role_never_both_nor_neither(admin):
    boss = factories.make_user("supervisor")
    db.session.commit()
    new = f"{BASE}/credit-bands/new"
    both = admin.submit(new, **(BAND | {"user_id": str(boss.id)}))
    assert both.status_code == 422
    assert "Elegí un usuario o un rol, no los dos." in both.get_data(as_text=True)
    neither = admin.submit(new, **(BAND | {"role": ""}))
    assert neither.status_code == 422
    assert "Elegí un usuario o un rol." in neither.get_data(as_text=True)
    assert count(CreditBand) == 0
    assert audit_rows() == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"money": ""}, "money", "Marcá al menos un límite que pueda autorizar."),
        ({"role": "salesperson"}, "role", None),
        ({"max_excess": "-1"}, "max_excess", "No puede ser negativo."),
        ({"max_excess_pct": "1000,01"}, "max_excess_pct", "Entre 0 y 1000."),
        ({"max_excess_pct": "diez"}, "max_excess_pct", "Ingresá un porcentaje"),
        ({"max_extra_documents": "-2"}, "max_extra_documents", "Entre 0 y 999."),
        ({"max_extra_days": "9999"}, "max_extra_days", "Entre 0 y 3650."),
        ({"name": ""}, "name", "Este campo es obligatorio."),
    ],
)
def test_a_bad_band_is_refused_on_its_field(admin, changes, field, message):
    response = admin.submit(f"{BASE}/credit-bands/new", **(BAND | changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    if message:
        assert message in page
    assert count(CreditBand) == 0
    assert audit_rows() == []


def test_a_band_refuses_a_user_who_cannot_approve(admin):
    seller = factories.make_user("salesperson")
    gone = factories.make_user("supervisor", active=False)
    db.session.commit()
    for user in (seller, gone):
        fields = BAND | {"user_id": str(user.id), "role": ""}
        assert admin.submit(f"{BASE}/credit-bands/new", **fields).status_code == 422
    assert count(CreditBand) == 0


def test_a_band_keeps_a_supervisor_who_left(admin):
    boss = factories.make_user("supervisor", full_name="Ana Jefa")
    band = CreditBand(name="Ana", user_id=boss.id, money=True)
    db.session.add(band)
    db.session.flush()
    boss.active = False
    db.session.commit()
    page = f"{BASE}/credit-bands/{band.id}"
    assert f'<option selected value="{boss.id}">' in admin.get(page).get_data(as_text=True)
    fields = BAND | {"name": "Ana (baja)", "user_id": str(boss.id), "role": ""}
    assert admin.submit(page, **fields).status_code == 303
    assert find(CreditBand, id=band.id).name == "Ana (baja)"
    assert len(audit_rows("credit_band.update")) == 1


# --- client types ---------------------------------------------------------------------------


def test_a_client_type_gets_a_credit_policy(admin):
    policy = make_policy(code="MAY", name="Mayoristas")
    retired = make_policy(code="OLD", name="Vieja", deleted_at=utcnow())
    db.session.commit()
    new = f"{BASE}/client-types/new"
    form = admin.get(new).get_data(as_text=True)
    assert "Límite de crédito" in form
    assert f'<option value="{policy.id}">MAY · Mayoristas</option>' in form
    assert f'value="{retired.id}"' not in form

    base = {"code": "MAY", "name": "Mayorista", "discount_pct": "0"}
    refused = admin.submit(new, **(base | {"credit_policy_id": str(retired.id)}))
    assert refused.status_code == 422
    assert 'id="credit_policy_id-error"' in refused.get_data(as_text=True)
    assert count(ClientType) == 0

    response = admin.submit(new, **(base | {"credit_policy_id": str(policy.id)}))
    assert response.status_code == 303, response.get_data(as_text=True)
    client_type = find(ClientType, code="MAY")
    assert client_type.credit_policy_id == policy.id
    [created] = audit_rows("client_type.create")
    assert created.after["credit_policy_id"] == policy.id
    assert '<td data-label="Límite de crédito">Mayoristas</td>' in listed(admin, "client-types")

    page = f"{BASE}/client-types/{client_type.id}"
    assert admin.submit(page, **(base | {"credit_policy_id": ""})).status_code == 303
    assert find(ClientType, id=client_type.id).credit_policy_id is None
    [updated] = audit_rows("client_type.update")
    assert (updated.before, updated.after) == (
        {"credit_policy_id": policy.id},
        {"credit_policy_id": None},
    )


def test_the_credit_tables_are_for_the_admin_only(login_as):
    policy = make_policy()
    db.session.commit()
    for role in ("backoffice", "supervisor", "salesperson"):
        user = login_as(role)
        for kind in ("credit-policy-categories", "credit-policies", "credit-bands"):
            assert user.get(f"{BASE}/{kind}/").status_code == 403
            assert user.get(f"{BASE}/{kind}/new").status_code == 403
        response = user.submit("/account", f"{BASE}/credit-policies/new", **POLICY)
        assert response.status_code == 403
        assert user.get(f"{BASE}/credit-policies/{policy.id}").status_code == 403
    assert count(CreditPolicy) == 1
    assert audit_rows() == []


def test_the_services_refuse_what_the_forms_would_not_offer(app):
    from app.reference import services

    seller = factories.make_user("salesperson")
    retired = make_policy(code="OLD", deleted_at=utcnow())
    band = {"name": "X", "user_id": None, "role": None, "money": True}
    refusals = [
        (CreditBand, band | {"user_id": seller.id}, "user_id"),
        (CreditBand, band | {"role": "salesperson"}, "role"),
        (CreditBand, band | {"role": "supervisor", "max_extra_days": -1}, "max_extra_days"),
        (CreditPolicy, {"code": "A", "name": "A", "money_limit": Decimal("-1")}, "money_limit"),
        (CreditPolicy, {"code": "B", "name": "B", "category_id": 999999}, "category_id"),
        (
            ClientType,
            {"code": "T", "name": "T", "credit_policy_id": retired.id},
            "credit_policy_id",
        ),
    ]
    for model, values, field in refusals:
        with pytest.raises(ReferenceRowError) as refused:
            services.create_row(model, values)
        assert set(refused.value.fields) == {field}, (model, values)
    assert count(CreditBand) == 0 and count(ClientType) == 0
    assert audit_rows() == []
