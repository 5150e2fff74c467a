"""Backups: SQLite's online backup API, or pg_dump/pg_restore for PostgreSQL."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db


class BackupError(RuntimeError):
    """A backup or restore that could not be made."""


def _pg_command(engine: sa.Engine, program: str) -> tuple[list[str], dict]:
    """The libpq arguments and environment for pg_dump/pg_restore (password not on argv)."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} no está instalado (paquete postgresql-client).")
    url = engine.url
    args = [program, "--no-owner", "--dbname", url.database or ""]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args += [flag, str(value)]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def backup(engine: sa.Engine, path: Path) -> None:
    """Copy the live database to `path` without stopping the app."""
    if engine.dialect.name == "sqlite":
        target = sqlite3.connect(path)
        raw = engine.raw_connection()
        try:
            raw.driver_connection.backup(target)
        finally:
            raw.close()
            target.close()
    elif engine.dialect.name == "postgresql":
        args, env = _pg_command(engine, "pg_dump")
        _run([*args, "--format=custom", "--file", str(path)], env)
    else:
        raise BackupError(f"No sé hacer copias de {engine.dialect.name}.")


def restore(engine: sa.Engine, path: Path) -> None:
    """Replace the database's contents with the backup at `path` (stop the app first)."""
    if not path.is_file():
        raise BackupError(f"No existe la copia {path}.")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(path)
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            raw.close()
            source.close()
    elif engine.dialect.name == "postgresql":
        args, env = _pg_command(engine, "pg_restore")
        _run([*args, "--clean", "--if-exists", "--single-transaction", str(path)], env)
    else:
        raise BackupError(f"No sé restaurar {engine.dialect.name}.")
    engine.dispose()


def _run(args: list[str], env: dict) -> None:
    """Run a client program; its error output becomes a BackupError."""
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(done.stderr.strip() or f"{args[0]} terminó con código {done.returncode}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the database to PATH (SQLite online backup, or pg_dump's custom format)."""
    if path.exists():
        raise click.ClickException(f"{path} ya existe: elegí otro nombre.")
    try:
        backup(db.engine, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Copia guardada en {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="No preguntar: reemplazar los datos actuales.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database's contents with the backup at PATH (stop the app first)."""
    if not yes:
        click.confirm("Esto reemplaza todos los datos actuales. ¿Seguir?", abort=True)
    try:
        restore(db.engine, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Datos restaurados desde {path}.")
