"""A real worker process (`flask jobs worker`) over the queue's SQLite file: it runs the jobs the
app starts, and a worker killed in the middle of a bulk e-mail is taken over by the next one
without any client getting the message twice."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app import create_app
from app.clients.models import Client
from app.collections.jobs import BULK_MAIL, DELINQUENCY
from app.collections.models import EmailSent
from app.extensions import db
from app.jobs import queue
from app.jobs.models import Job, JobState
from tests import factories
from tests.collections.smtp_server import free_port, make_account, make_template, owe
from tests.conftest import app_config

ROOT = Path(__file__).resolve().parents[2]
SILENT_AFTER = 2  # seconds: how soon the next worker takes over a dead one's job


class SlowInbox:
    """An SMTP handler that keeps each message as it arrives, then takes a while to answer."""

    def __init__(self, delay: float):
        self.delay = delay
        self.received: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        """Keep the message, then wait before saying it was taken."""
        self.received.extend(envelope.rcpt_tos)
        await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    """A slow SMTP server on 127.0.0.1."""
    inbox = SlowInbox(delay=0.4)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip() -> None:
    """Redis must answer in CI; elsewhere its tests are skipped without it."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}")


@pytest.fixture(params=["sqlite-queue"])
def queued_app(request, app, database_url, tmp_path):
    """The app as a web server runs it: jobs go on the queue (a SQLite file, or Redis), not
    inline."""
    settings = {"JOBS_IMMEDIATE": False, "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite")}
    if request.param == "redis-queue":
        _redis_or_skip()
        settings |= {"REDIS_URL": REDIS_URL, "JOBS_QUEUE_NAME": f"test-{uuid.uuid4().hex}"}
    web = create_app(app_config(database_url) | settings)
    web.queue_settings = settings
    yield web
    huey = web.extensions["jobs"].huey
    if request.param == "redis-queue":
        huey.storage.flush_all()
    else:
        huey.storage.close()
    with web.app_context():
        db.engine.dispose()


class Workers:
    """Starts and kills `flask jobs worker` processes over the test database and queue."""

    def __init__(self, database_url: str, queue: dict, log_dir: Path, smtp_port: int):
        self.env = (
            os.environ
            | {name: str(value) for name, value in queue.items()}
            | {
                "DATABASE_URL": database_url,
                "JOBS_IMMEDIATE": "0",
                "JOBS_SILENT_AFTER": str(SILENT_AFTER),
                "SECRET_KEY": "test-secret",
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "SMTP_SECURITY": "none",
                "SMTP_TIMEOUT": "5",
                "FLASK_DEBUG": "0",
            }
        )
        self.log_dir = log_dir
        self.running: list[subprocess.Popen] = []
        self.files = []

    def start(self) -> subprocess.Popen:
        """A new worker process with one thread."""
        log = open(self.log_dir / f"worker-{len(self.running)}.log", "wb")  # noqa: SIM115
        self.files.append(log)
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"]
        command += ["--workers", "1"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.running.append(process)
        return process

    def logs(self) -> str:
        """What every worker wrote."""
        return "\n".join(path.read_text() for path in sorted(self.log_dir.glob("worker-*.log")))

    def stop_all(self) -> None:
        """Stop every worker still running."""
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.files:
            log.close()


@pytest.fixture
def workers(queued_app, database_url, tmp_path, smtp):
    """Worker processes, stopped after the test."""
    started = Workers(database_url, queued_app.queue_settings, tmp_path, smtp.port)
    yield started
    started.stop_all()


def _wait_for(check, timeout: float, what: str, workers: Workers):
    """Poll until check() is true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        db.session.expire_all()
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"waited {timeout} s for {what}; the workers said:\n{workers.logs()[-4000:]}")


def _job(job_id: int) -> Job:
    return db.session.get(Job, job_id)


@pytest.mark.parametrize("queued_app", ["sqlite-queue", "redis-queue"], indirect=True)
def test_a_worker_process_runs_a_job_the_app_queued(app, queued_app, workers):
    debtor = factories.make_client(trade_name="Kiosco Moroso")
    owe(debtor, "50000.00", 120)
    db.session.commit()
    with queued_app.app_context():
        job_id = queue.start_job(DELINQUENCY, "Regla de morosidad", None).id
        db.session.commit()
        db.session.remove()
    assert _job(job_id).state == JobState.QUEUED  # nothing runs it inside the web app
    workers.start()
    _wait_for(lambda: _job(job_id).state == JobState.DONE, 60, "the job to end", workers)
    assert _job(job_id).result["marked"] == 1
    assert db.session.get(Client, debtor.id).state == "delinquent"


def test_a_killed_worker_bulk_send_is_resumed_and_nobody_gets_it_twice(
    app, queued_app, workers, smtp
):
    office = factories.make_user(role="backoffice")
    addresses = [f"cliente{n}@kioscos.example" for n in range(8)]
    for n, address in enumerate(addresses):
        factories.make_client(code=f"C{n:03d}", trade_name=f"Kiosco {n}", email=address)
    template = make_template(make_account())
    db.session.commit()
    with queued_app.app_context():
        params = {"template_id": str(template.id)}
        job_id = queue.start_job(BULK_MAIL, "Envío masivo", office.id, params).id
        db.session.commit()
        db.session.remove()

    first = workers.start()
    _wait_for(lambda: len(smtp.received) >= 3, 60, "three messages", workers)
    first.send_signal(signal.SIGKILL)  # no goodbye: its job stays "running"
    first.wait(timeout=10)
    killed_at = list(smtp.received)
    assert _job(job_id).state == JobState.RUNNING
    assert 3 <= len(killed_at) < len(addresses)

    time.sleep(SILENT_AFTER + 0.5)  # the dead worker's heartbeat goes stale
    workers.start()
    _wait_for(lambda: _job(job_id).state == JobState.DONE, 90, "the resumed send", workers)

    ended = _job(job_id)
    assert ended.attempts == 2
    rows = db.session.scalars(sa.select(EmailSent).where(EmailSent.job_id == job_id)).all()
    # one log row per client, and no address received the message twice
    assert sorted(row.to_address for row in rows) == sorted(addresses)
    assert len(smtp.received) == len(set(smtp.received))
    sent = {row.to_address for row in rows if row.status == "sent"}
    cut = [row for row in rows if row.status == "failed"]
    assert sent <= set(smtp.received)
    # at most the one message that was leaving when the worker died is left for a person
    assert len(cut) <= 1
    assert all("puede haber llegado o no" in row.error for row in cut)
    assert sent | {row.to_address for row in cut} == set(addresses)
    assert ended.result["sent"] == len(sent) and ended.result["failed"] == len(cut)
    # the second worker sent only what the first had not reached
    assert set(smtp.received) - set(killed_at) == sent - set(killed_at)
