"""Benchmark: demo data load and the client list search at scale, on SQLite and PostgreSQL.

Usage: python -m benchmarks.demo_data [--clients 100000] [--pg postgresql+psycopg://...]
With --pg, that database is emptied (schema dropped) first: point it at a scratch database.
"""

import argparse
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.auth.models import User
from app.clients.services import scoped_clients, search_clients, sort_clients
from app.demo.commands import load_demo_data
from app.extensions import db


def reset(url: str) -> None:
    """Drop everything in a PostgreSQL scratch database."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def run(url: str, clients: int) -> dict:
    """Load the demo data and time a few searches."""
    reset(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    results = {}
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        load_demo_data(clients, seed=1, history=False)
        results["load_s"] = time.perf_counter() - started
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
