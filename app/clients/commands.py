"""CLI: import and export the client master as CSV or XLSX (`flask clients import|export`)."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.auth.models import User
from app.clients import transfer, transfer_export
from app.extensions import db


@click.group("clients")
def clients_cli() -> None:
    """The client master in and out of spreadsheets."""


def _user(username: str | None) -> User | None:
    """The user the import's audit rows name (or whose scope an export takes), if given."""
    if not username:
        return None
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.BadParameter(f"no existe el usuario {username}", param_hint="--user")
    return user


@clients_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only check the file and report; write nothing.")
@click.option("--valid-only", is_flag=True, help="Import the valid rows and skip the bad ones.")
@click.option("--user", "username", help="User name the audit rows are attributed to.")
@with_appcontext
def import_command(file: Path, dry_run: bool, valid_only: bool, username: str | None) -> None:
    """Create or update clients from a CSV or XLSX file (the template's columns)."""
    user = _user(username)
    with click.progressbar(length=1, label="Procesando filas") as bar:

        def progress(done: int, total: int) -> None:
            """Move the bar to done of total."""
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        report = transfer.import_clients(
            file.read_bytes(), file.name, user, dry_run=dry_run, valid_only=valid_only,
            progress=progress,
        )  # fmt: skip
    if report.applied:
        db.session.commit()
    else:
        db.session.rollback()
    click.echo(transfer.report_summary(report))
    if dry_run and not report.refused:
        click.echo("Verificación: no se escribió nada.")
    for error in report.errors:
        click.echo(f"fila {error.row or '-'}\t{error.column or '-'}\t{error.message}")
    if report.error_count > len(report.errors):
        click.echo(f"... y {report.error_count - len(report.errors)} errores más.")
    if report.ignored_columns:
        click.echo("Columnas no reconocidas (no se importan): " + ", ".join(report.ignored_columns))
    if report.refused:
        raise SystemExit(1)


@clients_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), help="Default: the extension.")
@click.option("--user", "username", help="Export only the clients this user sees.")
@with_appcontext
def export_command(file: Path, fmt: str | None, username: str | None) -> None:
    """Write the client master (or a user's clients) to a CSV or XLSX file."""
    fmt = fmt or ("xlsx" if file.suffix.lower() == ".xlsx" else "csv")
    data = transfer_export.export_clients(_user(username), {}, fmt)
    file.write_bytes(data)
    click.echo(f"Clientes exportados a {file}.")
