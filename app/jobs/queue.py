"""The job queue: Huey over a SQLite file by default, over Redis when REDIS_URL is set, inline
while testing. A job is a row users follow (app/jobs/models.py) and one Huey task that runs it.

Huey hands a task to one worker, but a worker killed midway takes its task with it; so the row,
not the queue, says who runs a job. A worker claims the row before running it, beats a heartbeat
while it runs, and a job whose worker fell silent is claimed again by the next worker that looks
(at start and every minute). A job's work commits with its "done", so a job killed midway is
rolled back and run again; work that commits piecewise (one e-mail at a time) must skip what an
earlier attempt already did.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import gettext as _
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from sqlalchemy.orm import undefer

from app.core.sqlite import refresh_statistics
from app.core.types import utcnow
from app.extensions import db
from app.jobs.models import ENDED, Job, JobFile, JobState

log = logging.getLogger(__name__)

RETRIES = 3  # attempts after the first, for unexpected errors
RETRY_DELAY = 10  # seconds before the first retry; doubled each time
SILENT_AFTER = 60  # seconds without a heartbeat before a running job is taken over
LOST_AFTER = 600  # seconds a job may wait in the queue before it is queued again
KEPT_ERROR = 500


class JobRefused(Exception):
    """Work that cannot be done as asked (a bad file, a missing setting): it fails at once, with
    a message for the user and whatever report the job made, and is not retried."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.message = message
        self.result = result


@dataclass(frozen=True)
class Handler:
    """A kind of job: the function that does the work, its title and the partial showing its
    result on the job's page."""

    kind: str
    run: Callable[["JobContext"], dict | None]
    result_template: str | None
    nightly: str | None = None  # the title of a run the queue starts every night, if any


HANDLERS: dict[str, Handler] = {}
NIGHTLY_AT = {"hour": "3", "minute": "30"}  # local time of the server


def job(kind: str, result_template: str | None = None, nightly: str | None = None):
    """Register a function as the work of a kind of job: `run(ctx) -> result dict or None`;
    with `nightly` (a title), the queue also starts one every night."""

    def register(run: Callable[["JobContext"], dict | None]):
        HANDLERS[kind] = Handler(kind, run, result_template, nightly)
        return run

    return register


def handler_for(kind: str) -> Handler | None:
    """The registered handler of a kind of job."""
    return HANDLERS.get(kind)


# --- the queue of an app -------------------------------------------------------------------------


def make_huey(config: dict, instance_path: str) -> Huey:
    """Huey over Redis when REDIS_URL is set, else over a SQLite file; inline while testing."""
    name = config.get("JOBS_QUEUE_NAME") or "clientes-en-ruta"
    if config.get("JOBS_IMMEDIATE"):
        return MemoryHuey(name, immediate=True, results=False)
    if config.get("REDIS_URL"):
        return RedisHuey(name, url=config["REDIS_URL"], results=False)
    path = config.get("JOBS_SQLITE_PATH") or str(Path(instance_path) / "jobs.sqlite")
    huey = SqliteHuey(name, filename=path, results=False, timeout=30)
    huey.storage.close()  # opened to create its tables; each process opens its own
    return huey


class JobQueue:
    """The app's Huey and the one task that runs any job."""

    def __init__(self, app: Flask):
        self.app = app
        self.huey = make_huey(app.config, app.instance_path)

        @self.huey.task(
            retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=2, context=True, name="job"
        )
        def run_job(job_id: int, task=None) -> None:
            with app.app_context():
                run(job_id, retries_left=task.retries if task else 0)

        @self.huey.periodic_task(crontab(minute="*"), name="recover-jobs")
        def recover() -> None:
            with app.app_context():
                recover_jobs()

        @self.huey.periodic_task(crontab(hour="4", minute="20"), name="forget-job-files")
        def forget() -> None:
            with app.app_context():
                forget_old_files()

        @self.huey.periodic_task(crontab(hour="4", minute="40"), name="refresh-statistics")
        def statistics() -> None:
            with app.app_context():
                refresh_statistics()

        @self.huey.periodic_task(crontab(**NIGHTLY_AT), name="nightly-jobs")
        def nightly() -> None:
            with app.app_context():
                start_nightly_jobs()

        @self.huey.on_startup("recover-jobs")
        def recover_at_start() -> None:
            with app.app_context():
                recover_jobs()

        self.run_job = run_job

    def send(self, job_id: int) -> None:
        """Put a job's task on the queue (inline while testing: it runs now)."""
        self.run_job(job_id)

    def put(self, key: str, value: dict) -> None:
        """Keep a small value beside the queue (progress, heartbeats), not in the app's database,
        whose SQLite write lock a job may hold for its whole transaction."""
        self.huey.put(key, value)

    def peek(self, key: str) -> dict | None:
        """A value kept with put, or None."""
        return self.huey.get(key, peek=True)


def init_app(app: Flask) -> None:
    """Give the app its job queue."""
    app.extensions["jobs"] = JobQueue(app)


def queue() -> JobQueue:
    """The current app's job queue."""
    return current_app.extensions["jobs"]


# --- starting a job ------------------------------------------------------------------------------


def start_job(
    kind: str,
    title: str,
    user_id: int | None,
    params: dict | None = None,
    files: list[tuple[str, str, bytes]] = (),
) -> Job:
    """Add a job (and its input files: name, content type, bytes); it is queued once the
    caller's transaction commits, and never if it rolls back."""
    if kind not in HANDLERS:
        raise KeyError(kind)
    row = Job(kind=kind, title=title[:200], user_id=user_id, params=params or {})
    for name, content_type, data in files:
        row.files.append(
            JobFile(
                role="input", name=name[:200], content_type=content_type, data=data, size=len(data)
            )
        )
    db.session.add(row)
    db.session.flush()
    job_id, jobs = row.id, queue()

    def send(_session) -> None:
        try:
            jobs.send(job_id)
        except Exception:  # the queue is down: the job is saved, and queued again later
            log.exception("job %s could not be queued; recover_jobs will queue it", job_id)

    sa.event.listen(db.session(), "after_commit", send, once=True)
    return row


def start_nightly_jobs() -> list[Job]:
    """Start the night's run of every kind of job that has one, unless one is already queued
    or running (a slow night, or someone asked for it just before)."""
    started = []
    for handler in HANDLERS.values():
        if handler.nightly and pending(handler.kind) is None:
            started.append(start_job(handler.kind, handler.nightly, None))
    db.session.commit()
    return started


def pending(kind: str) -> Job | None:
    """A job of this kind that is queued or running, if any."""
    return db.session.scalar(
        sa.select(Job)
        .where(Job.kind == kind, Job.state.in_((JobState.QUEUED, JobState.RUNNING)))
        .order_by(Job.id.desc())
        .limit(1)
    )


# --- progress ------------------------------------------------------------------------------------


def _progress_key(job_id: int) -> str:
    return f"job:{job_id}:progress"


def _beat_key(job_id: int) -> str:
    return f"job:{job_id}:beat"


@dataclass(frozen=True)
class Progress:
    """How far a job got: items done of the total (None: not known yet) and what it is doing."""

    done: int = 0
    total: int | None = None
    message: str = ""

    @property
    def percent(self) -> int | None:
        """Done as a whole percentage of the total, when the total is known."""
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


def progress_of(job_row: Job) -> Progress:
    """The last progress the job's worker reported (all done for a job done)."""
    kept = queue().peek(_progress_key(job_row.id)) or {}
    report = Progress(kept.get("done", 0), kept.get("total"), kept.get("message", ""))
    if job_row.state == JobState.DONE and report.total:
        return Progress(report.total, report.total, report.message)
    return report


class Heartbeat:
    """A thread that tells, every few seconds, that a runner still holds a job."""

    def __init__(self, jobs: JobQueue, job_id: int, runner: str):
        self.jobs, self.key, self.runner = jobs, _beat_key(job_id), runner
        self.every = max(0.5, silent_after() / 10)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"beat-{job_id}")

    def _beat(self) -> None:
        while True:
            try:
                self.jobs.put(self.key, {"runner": self.runner, "at": time.time()})
            except Exception:  # a missed beat is survivable; a dead beat thread is not
                log.warning("heartbeat of %s failed", self.key, exc_info=True)
            if self.stopped.wait(self.every):
                return

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()


class JobContext:
    """What a job's work gets: its row's id, who asked, its parameters, and ways to report
    progress, read its input and keep its output."""

    def __init__(self, job_row: Job, jobs: JobQueue):
        self.job_id = job_row.id
        self.kind = job_row.kind
        self.user_id = job_row.user_id
        self.params = dict(job_row.params or {})
        self.attempt = job_row.attempts
        self._jobs = jobs
        self._last = 0.0

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report how far the work got (written at most a few times a second)."""
        now = time.monotonic()
        if now - self._last < 0.2 and (total is None or done < total):
            return
        self._last = now
        value = {"done": done, "total": total, "message": message[:200]}
        self._jobs.put(_progress_key(self.job_id), value)

    def input_files(self) -> list[JobFile]:
        """The files the job was given, with their bytes."""
        return list(
            db.session.scalars(
                sa.select(JobFile)
                .options(undefer(JobFile.data))
                .where(JobFile.job_id == self.job_id, JobFile.role == "input")
                .order_by(JobFile.id)
            )
        )

    def keep_output(self, name: str, content_type: str, data: bytes) -> None:
        """Keep a file the job made, for its user to download; written with the job's end."""
        db.session.add(
            JobFile(
                job_id=self.job_id,
                role="output",
                name=name[:200],
                content_type=content_type,
                data=data,
                size=len(data),
            )
        )


# --- running a job -------------------------------------------------------------------------------


def silent_after() -> float:
    """Seconds without a heartbeat after which a running job is taken over (JOBS_SILENT_AFTER)."""
    return float(current_app.config.get("JOBS_SILENT_AFTER") or SILENT_AFTER)


def is_silent(job_row: Job) -> bool:
    """True when a running job's worker has not been heard of for a while (silent_after)."""
    beat = queue().peek(_beat_key(job_row.id)) or {}
    quiet = silent_after()
    if beat.get("runner") == job_row.runner and time.time() - beat.get("at", 0) < quiet:
        return False
    started = job_row.started_at or job_row.created_at
    return utcnow() - started >= timedelta(seconds=quiet)


def claim(job_id: int) -> str | None:
    """Take the job for this run, unless it ended or a live worker holds it; the runner's token."""
    row = db.session.get(Job, job_id)
    if row is None or row.ended:
        return None
    if row.state == JobState.RUNNING and not is_silent(row):
        return None
    token = uuid.uuid4().hex
    held_by = Job.runner.is_(None) if row.runner is None else Job.runner == row.runner
    claimed = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.state.in_([JobState.QUEUED, JobState.RUNNING]), held_by)
        .values(
            state=JobState.RUNNING, runner=token, attempts=Job.attempts + 1, started_at=utcnow()
        )
    ).rowcount
    db.session.commit()
    return token if claimed == 1 else None


def _end(job_id: int, holder: str, **values) -> None:
    """Write the job's end, unless another runner took it over meanwhile."""
    db.session.execute(
        sa.update(Job).where(Job.id == job_id, Job.runner == holder).values(**values)
    )


def unexpected(error: Exception, again: bool) -> str:
    """What the user reads of an error the work did not expect (the log keeps the trace)."""
    name = type(error).__name__
    if again:
        return _("Falló un intento (%(error)s); se vuelve a intentar en unos segundos.", error=name)
    return _("La tarea falló por un error inesperado (%(error)s).", error=name)


def run(job_id: int, retries_left: int = 0) -> None:
    """Claim and run one job; its work and its end commit together."""
    runner = claim(job_id)
    if runner is None:
        return
    jobs = queue()
    row = db.session.get(Job, job_id)
    handler = HANDLERS.get(row.kind)
    if handler is None:
        _end(
            job_id,
            runner,
            state=JobState.FAILED,
            finished_at=utcnow(),
            error=_("Esta versión no sabe hacer esta tarea (%(kind)s).", kind=row.kind),
        )
        db.session.commit()
        return
    context = JobContext(row, jobs)
    with Heartbeat(jobs, job_id, runner):
        try:
            result = handler.run(context)
            _end(
                job_id, runner, state=JobState.DONE, result=result, error=None, finished_at=utcnow()
            )
            db.session.commit()
        except JobRefused as refused:
            db.session.rollback()
            _end(
                job_id,
                runner,
                state=JobState.FAILED,
                result=refused.result,
                error=refused.message[:KEPT_ERROR],
                finished_at=utcnow(),
            )
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, row.kind)
            again = retries_left > 0
            _end(
                job_id,
                runner,
                state=JobState.QUEUED if again else JobState.FAILED,
                runner=None,
                error=unexpected(error, again),
                finished_at=None if again else utcnow(),
            )
            db.session.commit()
            if again:
                raise  # Huey queues the task again, later each time


def recover_jobs() -> list[int]:
    """Queue again the jobs whose worker fell silent, and those waiting too long in the queue
    (their message lost); a job's claim keeps a job queued twice from running twice."""
    now = utcnow()
    candidates = db.session.scalars(
        sa.select(Job).where(
            sa.or_(
                sa.and_(
                    Job.state == JobState.RUNNING,
                    Job.started_at < now - timedelta(seconds=silent_after()),
                ),
                sa.and_(
                    Job.state == JobState.QUEUED,
                    Job.created_at < now - timedelta(seconds=LOST_AFTER),
                ),
            )
        )
    ).all()
    again = [row.id for row in candidates if row.state == JobState.QUEUED or is_silent(row)]
    db.session.rollback()
    jobs = queue()
    for job_id in again:
        log.warning("job %s queued again", job_id)
        jobs.send(job_id)
    return again


def forget_old_files(days: float | None = None) -> int:
    """Delete the files of jobs ended more than JOBS_FILES_DAYS ago (uploaded client bases and
    exports hold personal data); how many files it deleted."""
    days = current_app.config.get("JOBS_FILES_DAYS", 7) if days is None else days
    before = utcnow() - timedelta(days=days)
    ended = sa.select(Job.id).where(Job.state.in_(ENDED), Job.finished_at < before)
    gone = db.session.execute(sa.delete(JobFile).where(JobFile.job_id.in_(ended))).rowcount
    db.session.commit()
    return gone


def visible_job(job_id: int, user_id: int, sees_all: bool) -> Job | None:
    """The job, if the user started it (or may see every job)."""
    row = db.session.get(Job, job_id)
    if row is None or (row.user_id != user_id and not sees_all):
        return None
    return row


def output_file(job_row: Job, file_id: int) -> JobFile | None:
    """One of the files a job made, with its bytes."""
    return db.session.scalar(
        sa.select(JobFile)
        .options(undefer(JobFile.data))
        .where(JobFile.id == file_id, JobFile.job_id == job_row.id, JobFile.role == "output")
    )
