"""The office keeps the IIBB jurisdictions in a page: list, create and edit, validated and
audited; others may not."""

from decimal import Decimal

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.taxes import jurisdictions as services
from app.taxes.models import IibbJurisdiction
from tests.taxes.test_rates_import import arba

GOOD = {
    "code": "901",
    "name": "Ciudad de Buenos Aires",
    "province": "Ciudad Autónoma de Buenos Aires",
    "registry_format": "AGIP",
    "default_rate": "",
    "minimum_amount": "1.000,50",
    "include_multilateral": "y",
    "active": "y",
}


def audit_rows() -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "iibb.jurisdiction")
        .order_by(AuditEntry.id)
    ).all()


def test_the_service_refuses_bad_values_and_changes_nothing(app):
    arba()
    values = {
        "code": "902",
        "name": "",
        "province": "x" * 61,
        "registry_format": "SIFERE",
        "default_rate": Decimal("120"),
        "minimum_amount": Decimal("-1"),
        "include_multilateral": True,
        "active": True,
    }
    try:
        services.save_jurisdiction(None, values)
    except services.JurisdictionError as exc:
        assert set(exc.fields) == {
            "code", "name", "province", "registry_format", "default_rate", "minimum_amount",
        }  # fmt: skip
        assert "902" in exc.fields["code"]
    else:
        raise AssertionError("saved")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IibbJurisdiction)) == 1


def test_the_office_creates_a_jurisdiction_from_the_page(app, login_as):
    office = login_as("backoffice")
    response = office.submit("/taxes/jurisdictions/new", **GOOD)
    assert response.status_code == 303
    listing = office.get("/taxes/jurisdictions/").get_data(as_text=True)
    assert "Ciudad de Buenos Aires" in listing and "AGIP (Ciudad de Buenos Aires" in listing
    row = db.session.scalar(sa.select(IibbJurisdiction))
    assert row.registry_format == "AGIP"
    assert row.default_rate is None and row.minimum_amount == Decimal("1000.50")
    (entry,) = audit_rows()
    assert entry.before is None and entry.after["minimum_amount"] == "1000.50"
    assert entry.actor_id == office.user.id


def test_an_edit_is_audited_with_what_changed(app, login_as):
    jurisdiction = arba()
    office = login_as("admin")
    page = f"/taxes/jurisdictions/{jurisdiction.id}"
    assert "Buenos Aires" in office.get(page).get_data(as_text=True)
    response = office.submit(
        page,
        code="902",
        name="Buenos Aires",
        province="Buenos Aires",
        registry_format="ARBA",
        default_rate="5,5",
        minimum_amount="50",
        active="y",
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert jurisdiction.default_rate == Decimal("5.50") and not jurisdiction.include_multilateral
    (entry,) = audit_rows()
    assert entry.before == {"default_rate": "6.00", "include_multilateral": True}
    assert entry.after == {"default_rate": "5.50", "include_multilateral": False}


def test_bad_input_shows_spanish_messages_and_saves_nothing(app, login_as):
    arba()
    office = login_as("backoffice")
    response = office.submit(
        "/taxes/jurisdictions/new", **(GOOD | {"code": "902", "default_rate": "mucho"})
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ingresá un porcentaje" in page
    response = office.submit("/taxes/jurisdictions/new", **(GOOD | {"code": "902"}))
    assert response.status_code == 422
    assert "Ya hay una jurisdicción con el código 902." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IibbJurisdiction)) == 1
    assert audit_rows() == []


def test_salespeople_and_supervisors_may_not_keep_jurisdictions(app, login_as):
    for role in ("salesperson", "supervisor"):
        assert login_as(role).get("/taxes/jurisdictions/").status_code == 403
