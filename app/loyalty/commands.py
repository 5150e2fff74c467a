"""flask loyalty expire: the nightly run that expires points whose day has come."""

from datetime import date

import click

from app.extensions import db
from app.loyalty import services
from app.loyalty.blueprint import bp


@bp.cli.command("expire")
@click.option("--date", "day", default=None, help="El día de la corrida (AAAA-MM-DD); hoy si no.")
def expire_command(day: str | None) -> None:
    """Expire the points whose expiry day has come."""
    try:
        on = date.fromisoformat(day) if day else None
    except ValueError as error:
        raise click.BadParameter("fecha inválida (AAAA-MM-DD)", param_hint="--date") from error
    points = services.expire(on)
    db.session.commit()
    click.echo(f"Puntos vencidos: {points}.")
