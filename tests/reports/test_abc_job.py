"""The office rates the clients A, B or C on demand, from the dashboard, as a background job."""

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.extensions import db
from tests import factories
from tests.conftest import csrf_from


def test_the_office_rates_now_and_the_jobs_page_says_what_changed(app, login_as):
    big = factories.make_client(code="GRANDE", trade_name="Mayorista Grande")
    small = factories.make_client(code="CHICO", trade_name="Kiosco Chico")
    factories.post_document(big, amount="90000.00")
    factories.post_document(small, amount="1000.00")
    db.session.commit()
    office = login_as("backoffice")
    page = office.get("/reports/").get_data(as_text=True)
    assert "Calificación ABC" in page and "primer 80 %" in page and "Calificar ahora" in page
    response = office.client.post(
        "/reports/abc", data={"csrf_token": csrf_from(page), "idempotency_key": "abc-ahora-001"}
    )
    assert response.status_code == 303 and "/jobs/" in response.location
    done = office.get(response.location).get_data(as_text=True)
    assert "Terminada" in done and "GRANDE · Mayorista Grande" in done
    db.session.expire_all()
    assert db.session.get(Client, big.id).abc_rating == "A"
    assert db.session.get(Client, small.id).abc_rating == "C"
    audited = db.session.scalars(
        sa.select(AuditEntry.entity_id).where(
            AuditEntry.entity_type == "client", AuditEntry.action.like("%abc%")
        )
    ).all()
    assert {str(big.id), str(small.id)} <= set(audited)


def test_supervisors_see_the_dashboard_but_do_not_run_the_rating(app, login_as):
    supervisor = login_as("supervisor")
    page = supervisor.get("/reports/").get_data(as_text=True)
    assert "Calificar ahora" not in page
    token = csrf_from(supervisor.get("/account").get_data(as_text=True))
    assert supervisor.client.post("/reports/abc", data={"csrf_token": token}).status_code == 403
