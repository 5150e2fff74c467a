"""Benchmark: the first sync and an empty delta of GET /api/v1/sync, on SQLite and PostgreSQL.

Loads the demo data, then for the back office (every client) and a salesperson (their own)
walks a first sync page by page with `Accept-Encoding: gzip` through the Flask test client
with a bearer token: server time (around `client.get`), bytes on the wire (gzip) and
unpacked, pages and SQL statements per page; then the delta with the final cursor and no
changes (what a phone asks every few minutes).

Usage: python -m benchmarks.sync [--clients 1000] [--runs 3] [--pg postgresql+psycopg://...]
With --pg, that database is emptied (schema dropped) first: point it at a scratch database.
"""

import argparse
import gzip
import json
import statistics
import tempfile
import time

import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.auth.models import User
from app.auth.services import issue_api_token
from app.extensions import db
from benchmarks.demo_data import demo_database
from benchmarks.ledger import bench_targets, print_figures

CALLERS = [("backoffice", "oficina"), ("salesperson", "vendedor1")]


def walk(app: Flask, token: str, since: str | None = None) -> dict:
    """Follow one sync to its last page; its time, sizes, pages and statements per page."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    statements: list[int] = []

    def count(*_args):
        statements[-1] += 1

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    seconds = wire = unpacked = clients = 0
    try:
        while True:
            statements.append(0)
            started = time.perf_counter()
            response = client.get(
                "/api/v1/sync" + (f"?since={since}" if since else ""), headers=headers
            )
            seconds += time.perf_counter() - started
            assert response.status_code == 200, response.get_data()[:300]
            data = response.get_data()
            wire += len(data)
            if response.headers.get("Content-Encoding") == "gzip":
                data = gzip.decompress(data)
            unpacked += len(data)
            body = json.loads(data)
            clients += len(body["clients"])
            since = body["cursor"]
            if not body["more"]:
                break
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return {
        "s": seconds,
        "kib_gzip": wire / 1024,
        "kib_json": unpacked / 1024,
        "clients": clients,
        "pages": len(statements),
        "statements": f"{min(statements)}-{max(statements)}",
        "cursor": since,
    }


def run(url: str, clients: int, runs: int) -> dict:
    """Load the demo data, then time first syncs and empty deltas."""
    results: dict = {}
    demo_database(url, clients, history=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        tokens = []
        for label, username in CALLERS:
            user = db.session.scalar(sa.select(User).where(User.username == username))
            tokens.append((label, issue_api_token(user, days=1)[0]))
        db.session.commit()
    for label, token in tokens:
        first = [walk(app, token) for _ in range(runs)]
        last = first[-1]
        results[f"{label}_clients"] = last["clients"]
        results[f"{label}_pages"] = last["pages"]
        results[f"{label}_first_sync_s"] = statistics.median(r["s"] for r in first)
        results[f"{label}_kib_gzip"] = last["kib_gzip"]
        results[f"{label}_kib_json"] = last["kib_json"]
        results[f"{label}_statements_per_page"] = last["statements"]
        empty = [walk(app, token, last["cursor"]) for _ in range(runs)]
        results[f"{label}_empty_delta_ms"] = statistics.median(r["s"] for r in empty) * 1000
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    """Run the benchmark and print a report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", help="a scratch PostgreSQL database URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{args.clients} demo clients; first sync (gzip) and an empty delta, median of "
              f"{args.runs}")  # fmt: skip
        for name, url in bench_targets(tmp, args.pg):
            print_figures(name, run(url, args.clients, args.runs))


if __name__ == "__main__":
    main()
