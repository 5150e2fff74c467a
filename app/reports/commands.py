"""CLI for cron: the ABC rating."""

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.reports.abc import rate_clients


@click.command("abc-rating")
@click.option("--dry-run", is_flag=True, help="Report what would change, change nothing.")
@with_appcontext
def abc_rating_command(dry_run: bool) -> None:
    """Rate clients A, B or C from the last 12 months' sales; pinned ratings stay."""
    run = rate_clients(dry_run)
    counts = run.counts
    click.echo(
        f"Ventas del {run.start:%d/%m/%Y} al {run.end:%d/%m/%Y}. "
        f"A: {counts['A']}, B: {counts['B']}, C: {counts['C']}. "
        f"Cambian: {len(run.changes)}. Fijadas a mano (sin cambios): {run.pinned}."
    )
    if dry_run:
        db.session.rollback()
        click.echo("Prueba: no se guardó nada.")
    else:
        db.session.commit()
