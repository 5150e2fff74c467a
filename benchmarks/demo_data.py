"""Benchmark: demo data load and the client list search at scale, on SQLite and PostgreSQL.

Usage: python -m benchmarks.demo_data [--clients 100000] [--pg postgresql+psycopg://...]
With --pg, that database is emptied (schema dropped) first: point it at a scratch database.
"""

import argparse
import hashlib
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.auth.models import User
from app.clients.services import scoped_clients, search_clients, sort_clients
from app.demo.commands import load_demo_data
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
# copies of the demo data kept between the benchmarks of a `make bench` (SQLite files here;
# PostgreSQL databases named after the scratch one)
TEMPLATES = Path(tempfile.gettempdir()) / "clientes-bench-templates"


def reset(url: str) -> None:
    """Drop everything in a PostgreSQL scratch database."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def demo_database(url: str, clients: int, history: bool = False, build: bool = False) -> dict:
    """Empty the database at url and give it the schema and the demo data (seed 1) at this
    size; {"build_demo_s": seconds} when it was loaded, {"copy_demo_s": seconds} when copied.

    A `make bench` loads the same demo a dozen times, twice a database: the first load of a
    size is kept (SQLite: a file in the temp folder; PostgreSQL: a template database beside
    the scratch one, `<name>_tpl_<key>_<size>`) and the next benchmarks copy it, in a second or
    two instead of 10 to 20. The key is a hash of the code that makes it (app/, migrations/)
    and of the day (the demo's dates count from today), so a copy is never older than either;
    copies under another key are dropped when a new one is kept. build=True always loads (the
    benchmark that times the load); so does a PostgreSQL user that may not create databases.
    """
    key = f"{_template_key()}_{clients}{'h' if history else ''}"
    if not build:
        started = time.perf_counter()
        if _copy_template(url, key):
            return {"copy_demo_s": time.perf_counter() - started}
    reset(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        load_demo_data(clients, seed=1, history=history)
        seconds = time.perf_counter() - started
        db.engine.dispose()
    _keep_template(url, key)
    return {"build_demo_s": seconds}


def _template_key() -> str:
    digest = hashlib.sha256(date.today().isoformat().encode())
    for folder in ("app", "migrations"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _sqlite_path(url: str) -> Path:
    return Path(sa.make_url(url).database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (its WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _admin(url: str) -> sa.Engine:
    """The same PostgreSQL server's maintenance database, outside transactions."""
    return sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _template_name(url: str, key: str) -> str:
    return f"{sa.make_url(url).database}_tpl_{key}"[:63]


def _copy_template(url: str, key: str) -> bool:
    """Put the kept copy in place of the database at url; False when there is none."""
    if sa.make_url(url).get_backend_name() == "sqlite":
        template = TEMPLATES / f"{key}.db"
        if not template.exists():
            return False
        target = _sqlite_path(url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        _sqlite_copy(template, target)
        return True
    name, scratch = _template_name(url, key), sa.make_url(url).database
    engine = _admin(url)
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT 1 FROM pg_database WHERE datname = :name")
            if not conn.scalar(query, {"name": name}):
                return False
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{scratch}" TEMPLATE "{name}"'))
        return True
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def _keep_template(url: str, key: str) -> None:
    """Keep a copy of the database just loaded (and drop copies made by older code)."""
    if sa.make_url(url).get_backend_name() == "sqlite":
        TEMPLATES.mkdir(exist_ok=True)
        for old in TEMPLATES.glob("*.db"):
            if not old.name.startswith(_template_key()):
                old.unlink(missing_ok=True)
        _sqlite_copy(_sqlite_path(url), TEMPLATES / f"{key}.db")
        return
    name, scratch = _template_name(url, key), sa.make_url(url).database
    engine = _admin(url)
    try:
        with engine.connect() as conn:
            older = conn.scalars(
                sa.text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                {"prefix": f"{scratch}_tpl_%"},
            )
            for old in [old for old in older if not old.startswith(name.rsplit("_", 1)[0])]:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{old}"'))
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{scratch}"'))
    except sa.exc.DBAPIError:
        pass  # no right to create databases: every benchmark loads its own
    finally:
        engine.dispose()


def run(url: str, clients: int) -> dict:
    """Load the demo data and time a few searches."""
    results = {"load_s": demo_database(url, clients, build=True)["build_demo_s"]}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
        for label, user, text in [
            ("search_all_name_ms", admin, "nuñez don"),
            ("search_all_cuit_ms", admin, "30-35"),
            ("search_all_nomatch_ms", admin, "zzzz"),
            ("search_own_name_ms", seller, "kiosco"),
        ]:
            query = sort_clients(search_clients(scoped_clients(user), text), "name").limit(25)
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                db.session.scalars(query).all()
                timings.append(time.perf_counter() - started)
            results[label] = sorted(timings)[2] * 1000
        db.engine.dispose()
    return results


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--pg", help="a scratch PostgreSQL database URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        if args.pg:
            targets.append(("postgresql", args.pg))
        print(f"{args.clients} demo clients")
        for name, url in targets:
            results = run(url, args.clients)
            figures = ", ".join(f"{k} {v:.1f}" for k, v in results.items())
            print(f"{name:<11} {figures}")


if __name__ == "__main__":
    main()
