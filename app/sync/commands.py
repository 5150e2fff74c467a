"""CLI for cron: purging old idempotency keys."""

from datetime import timedelta

import click
from flask.cli import with_appcontext

from app.core.idempotency import purge_done
from app.extensions import db


@click.group("idempotency")
def idempotency_cli() -> None:
    """The idempotency keys kept with the responses of writes."""


@idempotency_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Delete finished keys older than this many days.",
)
@with_appcontext
def purge_command(days: int) -> None:
    """Delete finished idempotency keys older than --days; meant to run daily from cron."""
    deleted = purge_done(timedelta(days=days))
    db.session.commit()
    click.echo(f"Claves de idempotencia borradas (de más de {days} días): {deleted}.")
