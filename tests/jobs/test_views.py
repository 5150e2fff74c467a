"""The job's page and API: its user (or the admin) follows it, a running job's page polls,
an ended one shows its result and files; nobody else learns it exists."""

import pytest

from app.extensions import db
from app.jobs import queue
from app.jobs.models import Job, JobFile, JobState

HTMX = {"HX-Request": "true"}


RESULT = {
    "marked": 1,
    "lifted": 0,
    "marked_clients": [{"id": 7, "code": "C1", "name": "Kiosco Moroso"}],
    "lifted_clients": [],
}


@queue.job("test.export", result_template="collections/_delinquency_result.html")
def export_job(ctx: queue.JobContext) -> dict:
    """Make a small file, and leave a result the delinquency run's partial can show."""
    ctx.progress(2, 2)
    ctx.keep_output("clientes.csv", "text/csv", b"codigo;nombre\nC1;Kiosco\n")
    return RESULT


@pytest.fixture
def owner(login_as):
    return login_as("backoffice")


def _ended_job(user_id: int) -> Job:
    row = queue.start_job("test.export", "Exportar clientes", user_id)
    db.session.commit()
    return db.session.get(Job, row.id)


def _running_job(user_id: int) -> Job:
    row = Job(
        kind="test.export",
        title="Exportar clientes",
        user_id=user_id,
        state=JobState.RUNNING,
        runner="r1",
    )
    db.session.add(row)
    db.session.commit()
    queue.queue().put(f"job:{row.id}:progress", {"done": 250, "total": 1000, "message": "Leyendo"})
    return row


def test_the_owner_follows_a_running_job_whose_page_polls(app, owner):
    row = _running_job(owner.user.id)
    page = owner.get(f"/jobs/{row.id}").get_data(as_text=True)
    assert "Exportar clientes" in page and "En curso" in page
    assert 'max="1000" value="250"' in page and "25 %" in page and "Leyendo" in page
    assert 'hx-trigger="every 1s"' in page
    poll = owner.get(f"/jobs/{row.id}", headers=HTMX)
    fragment = poll.get_data(as_text=True)
    assert poll.status_code == 200 and "<html" not in fragment and "25 %" in fragment
    assert "HX-Request" in poll.headers["Vary"]


def test_an_ended_job_shows_its_result_and_file_and_stops_polling(app, owner):
    row = _ended_job(owner.user.id)
    page = owner.get(f"/jobs/{row.id}").get_data(as_text=True)
    assert "Terminada" in page and "hx-trigger" not in page
    assert "Pasó a moroso 1 cliente." in page and "C1 · Kiosco Moroso" in page
    kept = db.session.query(JobFile).filter_by(job_id=row.id, role="output").one()
    download = owner.get(f"/jobs/{row.id}/files/{kept.id}")
    assert download.status_code == 200
    assert download.data == b"codigo;nombre\nC1;Kiosco\n"
    assert "clientes.csv" in download.headers["Content-Disposition"]
    listed = owner.get("/jobs/").get_data(as_text=True)
    assert f"/jobs/{row.id}" in listed


def test_someone_elses_job_is_unknown_but_the_admin_sees_it(app, owner, login_as):
    row = _ended_job(owner.user.id)
    kept = db.session.query(JobFile).filter_by(job_id=row.id, role="output").one()
    other = login_as("backoffice")
    assert other.get(f"/jobs/{row.id}").status_code == 404
    assert other.get(f"/jobs/{row.id}/files/{kept.id}").status_code == 404
    assert f"/jobs/{row.id}" not in other.get("/jobs/").get_data(as_text=True)
    admin = login_as("admin")
    assert admin.get(f"/jobs/{row.id}").status_code == 200
    assert f"/jobs/{row.id}" in admin.get("/jobs/").get_data(as_text=True)


def test_the_api_gives_a_jobs_state_progress_result_and_files(app, owner, login_as):
    row = _running_job(owner.user.id)
    answer = owner.get(f"/api/v1/jobs/{row.id}").get_json()
    assert answer["state"] == "running"
    assert (answer["done"], answer["total"], answer["percent"]) == (250, 1000, 25)
    assert answer["result"] is None and answer["files"] == []
    ended = _ended_job(owner.user.id)
    answer = owner.get(f"/api/v1/jobs/{ended.id}").get_json()
    assert answer["state"] == "done" and answer["result"] == RESULT
    (kept,) = answer["files"]
    assert kept["name"] == "clientes.csv" and kept["url"].endswith(f"/files/{kept['id']}")
    refused = login_as("salesperson").get(f"/api/v1/jobs/{ended.id}")
    assert refused.status_code == 404 and refused.get_json()["error"]["code"]


def test_signed_out_users_see_no_job(app, client, owner):
    row = _ended_job(owner.user.id)
    assert client.get(f"/api/v1/jobs/{row.id}").status_code == 401
    assert client.get(f"/jobs/{row.id}").status_code in (302, 303, 401)
