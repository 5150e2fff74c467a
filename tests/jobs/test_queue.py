"""The job queue, run inline as the tests run it: a job runs once its starter commits, reports
progress, commits its work with its end, fails for good on a refusal, is retried on an error,
and a job whose worker fell silent is taken over by the next worker that looks."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.types import utcnow
from app.extensions import db
from app.jobs import queue
from app.jobs.models import Job, JobFile, JobState
from tests import factories

RUNS: list[dict] = []


@queue.job("test.count")
def count_job(ctx: queue.JobContext) -> dict:
    """Count to the number asked, reporting progress, and keep a file with the count."""
    RUNS.append(dict(ctx.params))
    upto = ctx.params["upto"]
    for done in range(1, upto + 1):
        ctx.progress(done, upto, f"contando {done}")
    ctx.keep_output("cuenta.txt", "text/plain", str(upto).encode())
    if ctx.params.get("refuse"):
        raise queue.JobRefused("El archivo no sirve.", {"errors": 3})
    if ctx.params.get("crash"):
        raise RuntimeError("boom")
    return {"counted": upto, "inputs": [each.data.decode() for each in ctx.input_files()]}


@pytest.fixture(autouse=True)
def _runs():
    RUNS.clear()
    yield
    RUNS.clear()


def _job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_a_job_runs_once_its_starter_commits(app):
    user = factories.make_user()
    row = queue.start_job(
        "test.count", "Contar", user.id, {"upto": 5}, files=[("numeros.txt", "text/plain", b"uno")]
    )
    assert RUNS == []  # nothing runs inside the starter's transaction
    db.session.commit()
    assert RUNS == [{"upto": 5}]
    done = _job(row.id)
    assert done.state == JobState.DONE
    assert done.result == {"counted": 5, "inputs": ["uno"]}
    assert done.attempts == 1 and done.finished_at is not None
    progress = queue.progress_of(done)
    assert (progress.done, progress.total, progress.percent) == (5, 5, 100)
    assert progress.message == "contando 5"
    kept = db.session.scalars(sa.select(JobFile).where(JobFile.role == "output")).one()
    assert (kept.name, queue.output_file(done, kept.id).data) == ("cuenta.txt", b"5")


def test_a_job_whose_starter_rolls_back_never_runs(app):
    queue.start_job("test.count", "Contar", None, {"upto": 2})
    db.session.rollback()
    assert RUNS == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_a_refused_job_fails_at_once_with_its_report_and_keeps_nothing(app):
    row = queue.start_job("test.count", "Contar", None, {"upto": 3, "refuse": True})
    db.session.commit()
    failed = _job(row.id)
    assert failed.state == JobState.FAILED
    assert failed.error == "El archivo no sirve."
    assert failed.result == {"errors": 3}
    assert len(RUNS) == 1  # not retried
    outputs = db.session.scalar(
        sa.select(sa.func.count()).select_from(JobFile).where(JobFile.role == "output")
    )
    assert outputs == 0  # the work rolled back with the failure


def test_an_unexpected_error_queues_the_job_again_until_the_retries_run_out(app):
    row = queue.start_job("test.count", "Contar", None, {"upto": 1, "crash": True})
    db.session.commit()
    waiting = _job(row.id)
    assert waiting.state == JobState.QUEUED  # Huey holds the retry for later
    assert waiting.runner is None
    assert "RuntimeError" in waiting.error and "se vuelve a intentar" in waiting.error
    queue.run(row.id, retries_left=0)  # the last attempt
    failed = _job(row.id)
    assert failed.state == JobState.FAILED
    assert failed.attempts == 2
    assert failed.error == "La tarea falló por un error inesperado (RuntimeError)."


def test_a_job_held_by_a_live_worker_is_not_run_twice(app):
    row = Job(
        kind="test.count",
        title="Contar",
        params={"upto": 1},
        state=JobState.RUNNING,
        runner="other",
        started_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    queue.queue().put(f"job:{row.id}:beat", {"runner": "other", "at": __import__("time").time()})
    queue.run(row.id)
    assert RUNS == []
    assert queue.recover_jobs() == []
    assert _job(row.id).runner == "other"


def test_a_job_whose_worker_fell_silent_is_taken_over(app):
    long_ago = utcnow() - timedelta(seconds=queue.SILENT_AFTER + 5)
    row = Job(
        kind="test.count",
        title="Contar",
        params={"upto": 2},
        state=JobState.RUNNING,
        runner="dead",
        started_at=long_ago,
        created_at=long_ago,
        attempts=1,
    )
    db.session.add(row)
    db.session.commit()
    assert queue.recover_jobs() == [row.id]
    taken = _job(row.id)
    assert taken.state == JobState.DONE and taken.attempts == 2
    assert taken.runner != "dead"
    assert RUNS == [{"upto": 2}]


def test_a_job_lost_from_the_queue_is_queued_again(app):
    long_ago = utcnow() - timedelta(seconds=queue.LOST_AFTER + 5)
    row = Job(kind="test.count", title="Contar", params={"upto": 1}, created_at=long_ago)
    recent = Job(kind="test.count", title="Contar", params={"upto": 9})
    db.session.add_all([row, recent])
    db.session.commit()
    assert queue.recover_jobs() == [row.id]
    assert _job(row.id).state == JobState.DONE
    assert _job(recent.id).state == JobState.QUEUED


def test_a_job_claimed_by_one_runner_cannot_be_claimed_by_another(app):
    row = Job(kind="test.count", title="Contar", params={"upto": 1})
    db.session.add(row)
    db.session.commit()
    first = queue.claim(row.id)
    assert first is not None
    assert queue.claim(row.id) is None
    assert _job(row.id).runner == first


def test_an_unknown_kind_fails_with_a_message(app):
    row = Job(kind="retired.kind", title="Vieja", params={})
    db.session.add(row)
    db.session.commit()
    queue.run(row.id)
    failed = _job(row.id)
    assert failed.state == JobState.FAILED and "retired.kind" in failed.error


def test_starting_an_unregistered_kind_is_a_programming_error(app):
    with pytest.raises(KeyError):
        queue.start_job("nobody.knows", "x", None)


def test_the_files_of_jobs_ended_long_ago_are_forgotten(app):
    old = queue.start_job(
        "test.count",
        "Contar",
        None,
        {"upto": 1},
        files=[("base.csv", "text/csv", b"datos personales")],
    )
    recent = queue.start_job("test.count", "Contar", None, {"upto": 1})
    db.session.commit()
    db.session.execute(
        sa.update(Job).where(Job.id == old.id).values(finished_at=utcnow() - timedelta(days=8))
    )
    db.session.commit()
    assert queue.forget_old_files(days=7) == 2  # the upload and the output of the old job
    left = db.session.scalars(sa.select(JobFile.job_id)).all()
    assert left == [recent.id]
    assert _job(old.id).state == JobState.DONE  # the job itself stays, for its result


def test_a_queue_that_cannot_take_the_job_leaves_it_for_the_recovery(app, monkeypatch):
    def down(job_id):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(queue.queue(), "send", down)
    row = queue.start_job("test.count", "Contar", None, {"upto": 1})
    db.session.commit()  # the starter's commit does not fail for it
    assert _job(row.id).state == JobState.QUEUED and RUNS == []
