"""CLI for cron: the delinquency rule."""

from datetime import date

import click
from flask.cli import with_appcontext

from app.collections import services
from app.core.numbers import parse_decimal
from app.extensions import db


@click.command("delinquency")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Run as of this day.")
@click.option("--days", type=click.IntRange(1, 3650), help="Save a new number of days first.")
@click.option("--amount", type=str, help="Save a new minimum overdue amount first.")
@click.option("--dry-run", is_flag=True, help="Report what would change, change nothing.")
@with_appcontext
def delinquency_command(on, days: int | None, amount: str | None, dry_run: bool) -> None:
    """Mark delinquent the clients the rule catches and lift the ones it no longer does."""
    rule = services.delinquency_rule()
    if days is not None:
        rule.days_overdue = days
    if amount is not None:
        try:
            rule.min_amount = parse_decimal(amount)
        except ValueError:
            raise click.BadParameter(
                "un importe como 15000 o 15000,50", param_hint="--amount"
            ) from None
        if rule.min_amount < 0:
            raise click.BadParameter("el importe no puede ser negativo", param_hint="--amount")
    day: date | None = on.date() if on else None
    run = services.run_delinquency(day)
    click.echo(
        f"Regla: más de {rule.days_overdue} días y desde {rule.min_amount} {rule.currency}. "
        f"Pasan a morosos: {len(run.marked)}. Vuelven a activos: {len(run.lifted)}."
    )
    if dry_run:
        db.session.rollback()
        click.echo("Prueba: no se guardó nada.")
    else:
        db.session.commit()
