"""The worker: `flask --app wsgi jobs worker` takes jobs from the queue until it is stopped."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from app.jobs.queue import queue


@click.group("jobs")
def jobs_cli() -> None:
    """The background job queue."""


@jobs_cli.command("worker")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jobs run at once (threads).",
)
@click.option("--quiet", is_flag=True, help="Log only warnings and errors.")
@with_appcontext
def worker_command(workers: int, quiet: bool) -> None:
    """Run jobs until stopped (Ctrl+C or SIGTERM lets the running ones end first)."""
    if current_app.config.get("JOBS_IMMEDIATE"):
        raise click.UsageError("JOBS_IMMEDIATE is on: jobs run where they are started.")
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="[%(asctime)s] %(levelname)s %(name)s: %(message)s",
    )
    where = current_app.config.get("REDIS_URL") or current_app.config.get("JOBS_SQLITE_PATH")
    click.echo(f"jobs worker: {workers} threads on {where or 'instance/jobs.sqlite'}")
    consumer = queue().huey.create_consumer(
        workers=workers, worker_type="thread", periodic=True, check_worker_health=True
    )
    consumer.run()
