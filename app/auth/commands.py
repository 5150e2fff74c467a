"""CLI: create a user (the first admin of a real installation)."""

import click
from flask.cli import with_appcontext

from app.auth import services
from app.extensions import db


@click.command("create-user")
@click.argument("username")
@click.option("--full-name", required=True, help="Nombre y apellido.")
@click.option(
    "--role",
    type=click.Choice(["admin", "backoffice", "supervisor", "salesperson", "collector"]),
    default="admin",
    show_default=True,
)
@click.password_option(help="Contraseña (se pide si no se pasa).")
@with_appcontext
def create_user_command(username: str, full_name: str, role: str, password: str) -> None:
    """Create a user: flask --app wsgi create-user admin --full-name 'Ana Pérez'."""
    try:
        services.create_user(services.UserData(username, full_name, role), password)
    except services.UserError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Usuario {username} creado ({role}).")
