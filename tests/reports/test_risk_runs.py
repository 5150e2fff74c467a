"""The clients at risk as the pages read them: the last run of the rules over every account
(nightly, after the thresholds change, or on demand), not a reckoning per request."""

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

import app.reports.risk as risk
import app.reports.services as services
from app.core.types import local_today
from app.credit.models import CreditPolicy
from app.extensions import db
from app.jobs.models import Job, JobState
from app.jobs.queue import start_nightly_jobs
from app.reports.jobs import RISK
from app.reports.models import ClientRisk, RiskRun
from tests import factories

D = Decimal
TODAY = date(2026, 11, 15)
API = "/api/v1"


def _limit(amount: str) -> CreditPolicy:
    policy = CreditPolicy(code=f"L{amount}", name=f"Hasta {amount}", money_limit=D(amount))
    db.session.add(policy)
    db.session.flush()
    return policy


def _at_the_limit(name: str, policy: CreditPolicy, owed: str = "95.00", **fields):
    """A client whose balance is above 90 % of its limit (at risk by credit use)."""
    client = factories.make_client(trade_name=name, credit_policy_id=policy.id, **fields)
    factories.post_document(client, "invoice", owed)
    return client


def _risk_jobs() -> list[Job]:
    return list(db.session.scalars(sa.select(Job).where(Job.kind == RISK).order_by(Job.id)))


def test_a_run_keeps_what_the_reckoning_found_with_its_figures(app):
    admin = factories.make_user("admin")
    seller = factories.make_user("salesperson")
    services.save_report_settings({"risk_sales_fall_pct": D("30"), "risk_sales_floor": D("0")})
    _at_the_limit("Al límite", _limit("1000"), "950.00")
    falling = factories.make_client(trade_name="Compra menos", salesperson_id=seller.id)
    factories.post_document(falling, "invoice", "1000.00", date="2026-06-10")
    factories.post_document(falling, "invoice", "600.00", date="2026-09-10")
    factories.post_receipt(falling, "1600.00", date="2026-11-01")
    steady = factories.make_client(trade_name="Sin problemas")
    factories.post_document(steady, "invoice", "100.00", date="2026-06-10")
    factories.post_document(steady, "invoice", "100.00", date="2026-09-10")
    db.session.commit()

    run = risk.refresh(TODAY)
    db.session.commit()

    assert (run.day, run.clients_at_risk) == (TODAY, 2)
    kept = risk.listed(admin)
    reckoned = risk.at_risk(admin, TODAY)
    assert [(c.client_id, c.code, c.name, c.reasons) for c in kept] == [
        (c.client_id, c.code, c.name, c.reasons) for c in reckoned
    ]
    by_name = {each.name: each for each in kept}
    assert by_name["Al límite"].reasons[0].figures == {
        "balance": D("950.00"),
        "limit": D("1000.00"),
        "pct": D("95"),
    }
    assert by_name["Compra menos"].reasons[0].figures["before"] == D("1000.00")
    assert risk.listed_count(admin) == 2
    assert [each.name for each in risk.listed(seller)] == ["Compra menos"]
    assert risk.listed_count(seller) == 1
    assert risk.reason_counts([steady.id, falling.id]) == {falling.id: 1}
    assert [each.name for each in risk.listed(admin, limit=1)] == [kept[0].name]


def test_a_new_run_replaces_the_last_ones_clients(app):
    admin = factories.make_user("admin")
    policy = _limit("100")
    first = _at_the_limit("Primero", policy)
    db.session.commit()
    risk.refresh(TODAY)
    db.session.commit()
    factories.post_receipt(first, "95.00")
    _at_the_limit("Segundo", policy)
    db.session.commit()
    risk.refresh(TODAY)
    db.session.commit()
    assert [each.name for each in risk.listed(admin)] == ["Segundo"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClientRisk)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RiskRun)) == 2


def test_a_run_is_stale_on_a_later_day_or_with_other_thresholds(app):
    today = local_today()
    assert risk.is_stale(None, today)
    run = risk.refresh(today)
    db.session.commit()
    assert not risk.is_stale(run, today)
    assert risk.is_stale(run, today + timedelta(days=1))
    services.save_report_settings({"risk_credit_use_pct": D("80.00")})
    db.session.commit()
    assert risk.is_stale(run, today)
    # the same threshold written another way is not a change
    assert not risk.is_stale(risk.refresh(today), today)
    services.save_report_settings({"risk_credit_use_pct": D("80")})
    assert not risk.is_stale(risk.last_run(), today)


def test_the_page_shows_the_last_run_until_it_is_run_again(app, login_as):
    policy = _limit("100")
    _at_the_limit("El primero", policy)
    db.session.commit()
    office = login_as("backoffice")

    page = office.get("/reports/at-risk").get_data(as_text=True)
    assert "El primero" in page and "Calculado el " in page
    assert len(_risk_jobs()) == 1  # no run yet: the page started one (inline while testing)

    _at_the_limit("El segundo", policy)
    db.session.commit()
    page = office.get("/reports/at-risk").get_data(as_text=True)
    assert "El primero" in page and "El segundo" not in page
    assert len(_risk_jobs()) == 1  # today's run, with today's thresholds: nothing to start

    answer = office.submit("/reports/at-risk", "/reports/at-risk/refresh")
    assert answer.status_code == 303
    jobs = _risk_jobs()
    assert answer.headers["Location"].endswith(f"/jobs/{jobs[-1].id}")
    assert (len(jobs), jobs[-1].state, jobs[-1].user_id) == (2, JobState.DONE, office.user.id)
    page = office.get("/reports/at-risk").get_data(as_text=True)
    assert "El primero" in page and "El segundo" in page


def test_new_thresholds_make_the_page_run_again(app, login_as):
    _at_the_limit("Al 95", _limit("100"))
    db.session.commit()
    office = login_as("backoffice")
    assert "Al 95" in office.get("/reports/at-risk").get_data(as_text=True)
    services.save_report_settings({"risk_credit_use_pct": D("96")})
    db.session.commit()
    page = office.get("/reports/at-risk").get_data(as_text=True)
    assert "Al 95" not in page and "Ningún cliente en riesgo." in page
    assert len(_risk_jobs()) == 2


def test_the_dashboard_counts_from_the_last_run(app, login_as):
    policy = _limit("100")
    _at_the_limit("Uno", policy)
    _at_the_limit("Dos", policy)
    db.session.commit()
    page = login_as("backoffice").get("/reports/").get_data(as_text=True)
    assert "En riesgo: 2" in page


def test_only_supervisors_and_the_office_run_it_on_demand(app, login_as):
    seller = login_as("salesperson")
    page = seller.get("/reports/at-risk").get_data(as_text=True)
    assert "Recalcular ahora" not in page
    jobs = len(_risk_jobs())  # the page's own run (there was none yet)
    answer = seller.submit("/account", "/reports/at-risk/refresh")
    assert answer.status_code == 403
    assert len(_risk_jobs()) == jobs


def test_the_night_starts_one_run_and_none_while_one_waits(app):
    _at_the_limit("De noche", _limit("100"))
    db.session.commit()
    started = start_nightly_jobs()
    assert [job.kind for job in started] == [RISK]
    assert started[0].state == JobState.DONE and started[0].user_id is None
    assert risk.last_run().clients_at_risk == 1

    waiting = Job(kind=RISK, title="en cola", params={})
    db.session.add(waiting)
    db.session.commit()
    assert start_nightly_jobs() == []
    assert len(_risk_jobs()) == 2


def test_the_api_says_when_the_list_was_made(app, as_user):
    admin = factories.make_user("admin")
    client = _at_the_limit("Al tope", _limit("100"))
    db.session.commit()
    body = as_user(admin).get(f"{API}/reports/at-risk").json
    run = risk.last_run()
    assert [item["client_id"] for item in body["items"]] == [client.id]
    assert body["day"] == run.day.isoformat()
    assert body["computed_at"].startswith(run.finished_at.isoformat()[:19])
