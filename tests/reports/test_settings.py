"""The back office sets the reports' thresholds on a page; each change is audited, bad input
changes nothing, and the at-risk page states the thresholds in force."""

from decimal import Decimal

import sqlalchemy as sa

import app.reports.services as services
from app.audit.models import AuditEntry
from app.extensions import db
from app.reports.models import ReportSettings

D = Decimal
FORM = {
    "abc_a_pct": "75",
    "abc_b_pct": "20",
    "inactive_days": "45",
    "risk_broken_promises": "3",
    "risk_paying_slower_days": "20",
    "risk_credit_use_pct": "95,5",
    "risk_sales_fall_pct": "60 %",
    "risk_sales_floor": "250.000",
}


def _stored() -> ReportSettings:
    db.session.expire_all()
    return db.session.scalars(sa.select(ReportSettings)).one()


def test_the_office_saves_the_thresholds_and_the_change_is_audited(app, login_as):
    office = login_as("backoffice")
    page = office.get("/reports/settings").get_data(as_text=True)
    # the defaults, as people write them
    assert 'value="80"' in page and 'value="60"' in page and 'value="100.000"' in page

    response = office.submit("/reports/settings", idempotency_key="ajustes-0001", **FORM)
    assert response.status_code == 303
    assert "Ajustes guardados." in office.get(response.location).get_data(as_text=True)
    stored = _stored()
    assert (stored.abc_a_pct, stored.abc_b_pct, stored.inactive_days) == (D("75"), D("20"), 45)
    assert stored.risk_thresholds.broken_promises == 3
    assert stored.risk_thresholds.paying_slower_days == 20
    assert stored.risk_thresholds.credit_use_pct == D("95.5")
    assert stored.risk_thresholds.sales_fall_pct == D("60")
    assert stored.risk_thresholds.sales_floor == D("250000")
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "reports.settings")
    ).one()
    assert entry.before["risk_sales_floor"] == "100000"
    assert entry.after["risk_sales_floor"] == "250000"
    assert entry.after["risk_credit_use_pct"] == "95.5"

    rules = office.get("/reports/at-risk").get_data(as_text=True)
    assert "Incumplió 3 o más promesas de pago" in rules
    assert "Su saldo supera el 95,5 % de su límite de crédito." in rules
    assert "si antes compró más de $ 250.000" in rules

    again = office.submit("/reports/settings", idempotency_key="ajustes-0002", **FORM)
    assert "No había cambios." in office.get(again.location).get_data(as_text=True)
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "reports.settings"))
        == 1
    )


def test_bad_thresholds_are_refused_with_their_reason_and_change_nothing(app, login_as):
    office = login_as("backoffice")
    services.report_settings()
    db.session.commit()
    bad = dict(
        FORM,
        abc_a_pct="90",
        abc_b_pct="15",
        risk_sales_fall_pct="100",
        risk_broken_promises="dos",
        risk_sales_floor="",
    )
    response = office.submit("/reports/settings", idempotency_key="ajustes-0003", **bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Revisá los campos marcados." in page
    assert "Entre 1 y 99." in page
    assert "Ingresá un número entero." in page
    assert "Completá este dato." in page
    stored = _stored()
    assert stored.risk_sales_fall_pct == D("50") and stored.risk_broken_promises == 2
    assert stored.abc_a_pct == D("80")
    assert not db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "reports.settings")
    ).all()

    # A and B together over the whole of the sales, with every field right
    over = dict(FORM, abc_a_pct="90", abc_b_pct="15")
    response = office.submit("/reports/settings", idempotency_key="ajustes-0004", **over)
    assert response.status_code == 422
    assert "A y B juntos no pueden pasar el total de las ventas." in response.get_data(as_text=True)
    assert _stored().abc_a_pct == D("80")


def test_only_the_back_office_sets_the_thresholds(app, login_as):
    supervisor = login_as("supervisor")
    assert supervisor.get("/reports/settings").status_code == 403
    dashboard = supervisor.get("/reports/").get_data(as_text=True)
    assert "Ajustes de los informes" not in dashboard
    office = login_as("backoffice")
    assert "Ajustes de los informes" in office.get("/reports/").get_data(as_text=True)
