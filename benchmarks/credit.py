"""Benchmark: the credit decision at order time, on SQLite and PostgreSQL.

Loads the demo data (about ten documents a client: 100,000 clients make about 1,000,000
documents; credit policies by client type and for some clients), then on random clients:
- the API round trip GET /api/v1/clients/{id}/credit?amount=... through the Flask test
  client with a bearer token, for a salesperson (their own clients) and for the back office
  (every client); server time is the time around `client.get`: median, p95 and max, with
  this process's CPU time and the load average (a busy machine stretches the elapsed times);
- the back office's round trip for one client with 10,000 documents (--documents), over
  100 requests;
- services.decision alone (the client read by id, its snapshot and the decision);
- the SQL statements a request runs (fewest-most over 20 requests; SQLite's BEGIN is one
  of them, while on PostgreSQL the pool's ping, BEGIN and ROLLBACK are three more round
  trips), and with --explain their query plans.
Target (issue 6): p95 under 10 ms of server time.

Usage: python -m benchmarks.credit [--clients 100000] [--documents 10000] [--requests 500]
       [--pg postgresql+psycopg://...] [--explain]
With --pg, that database is emptied (schema dropped) first: point it at a scratch database.
"""

import gc
import os
import random
import statistics
import tempfile
import time
from decimal import Decimal

import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.auth.models import User
from app.auth.services import issue_api_token
from app.clients.models import Client
from app.clients.services import scoped_clients
from app.credit import services as credit
from app.demo.ledger import load_account_history
from app.extensions import db
from app.ledger.models import Document
from benchmarks.demo_data import demo_database
from benchmarks.ledger import bench_targets, big_client, plan, print_figures, scale_parser

WARM_UP = 20
BIG_RUNS = 100
# (label, username): a salesperson reaches their own clients, the back office every client
CALLERS = [("salesperson", "vendedor1"), ("backoffice", "oficina")]


def summary(timings: list[float]) -> str:
    """Median, p95 and max of timings in milliseconds."""
    timings = sorted(timings)
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)))]
    return f"{statistics.median(timings):.2f} (p95 {p95:.2f}, max {timings[-1]:.2f})"


def random_orders(rng: random.Random, client_ids: list[int], count: int) -> list[tuple]:
    """(client id, amount) pairs: modest to large orders on random clients."""
    return [
        (rng.choice(client_ids), Decimal(rng.randrange(100_000, 50_000_000)).scaleb(-2))
        for _ in range(count)
    ]


def time_api(app: Flask, token: str, orders: list[tuple]) -> tuple[list, list, int]:
    """Milliseconds of each request (elapsed, and this process's CPU), and how many were allowed.

    The requests run outside any app context, each in its own as a server would run it.
    """
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    elapsed, cpu, allowed = [], [], 0
    for client_id, amount in orders:
        url = f"/api/v1/clients/{client_id}/credit?amount={amount}"
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        elapsed.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.get_data())
        allowed += response.json["allowed"]
    return elapsed, cpu, allowed


def one_request(app: Flask, token: str, client_id: int) -> list[tuple[str, object, float]]:
    """The statements one API request runs."""
    statements: list[tuple[str, object, float]] = []
    started: list[float] = []
    with app.app_context():
        engine = db.engine

    def before(conn, _cursor, _statement, _parameters, _context, _many):
        started.append(time.perf_counter())

    def after(conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters, (time.perf_counter() - started.pop()) * 1000))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        app.test_client().get(
            f"/api/v1/clients/{client_id}/credit?amount=1000",
            headers={"Authorization": f"Bearer {token}"},
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
    return statements


def run(url: str, clients: int, documents: int, requests: int, explain: bool) -> dict:
    """Build the data, then time the API round trip and the decision alone."""
    results: dict[str, float | int | str] = demo_database(url, clients)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    rng = random.Random(1)
    with app.app_context():
        big = big_client()
        results["big_client_documents"] = load_account_history(big, documents)
        big_id = big.id
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # A fresh bulk load has no planner statistics and an empty visibility map, and
            # autovacuum and the checkpoint would otherwise write it out during the timing.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
                conn.execute(sa.text("CHECKPOINT"))
        results["documents"] = db.session.scalar(sa.select(sa.func.count(Document.id)))
        callers = []
        for label, username in CALLERS:
            user = db.session.scalar(sa.select(User).where(User.username == username))
            token, _ = issue_api_token(user, days=1)
            ids = db.session.scalars(scoped_clients(user).with_only_columns(Client.id)).all()
            callers.append((label, token, ids))
        db.session.commit()
    gc.collect()  # what the load left behind is not the requests' to collect
    for label, token, ids in callers:
        time_api(app, token, random_orders(rng, ids, WARM_UP))
        elapsed, cpu, allowed = time_api(app, token, random_orders(rng, ids, requests))
        results[f"api_{label}_ms"] = summary(elapsed)
        results[f"api_{label}_cpu_ms"] = summary(cpu)
        results[f"api_{label}_allowed"] = f"{allowed}/{requests}"
        # the machine's load: other work on it shows in the elapsed times, not in the CPU
        results[f"api_{label}_load"] = f"{os.getloadavg()[0]:.1f}"
        counts = [len(one_request(app, token, ident)) for ident in rng.sample(ids, 20)]
        results[f"api_{label}_statements"] = f"{min(counts)}-{max(counts)}"
    office_token = callers[-1][1]
    elapsed, _cpu, _allowed = time_api(app, office_token, random_orders(rng, [big_id], BIG_RUNS))
    results["api_big_client_ms"] = summary(elapsed)
    with app.app_context():
        every = [ident for _, _, ids in callers for ident in ids]
        timings = []
        for client_id, amount in random_orders(rng, every, requests):
            db.session.expunge_all()
            started = time.perf_counter()
            credit.decision(db.session.get(Client, client_id), amount, "current_account")
            timings.append((time.perf_counter() - started) * 1000)
        results["decision_ms"] = summary(timings)
        if explain:
            for sql, parameters, ms in one_request(app, callers[1][1], rng.choice(every)):
                print(f"--- {db.engine.dialect.name} {ms:.2f} ms: {' '.join(sql.split())[:300]}")
                if sql.lstrip().upper().startswith("SELECT"):
                    print(plan(sql, parameters))
        db.engine.dispose()
    return results


def main() -> None:
    """Run the benchmark and print a report."""
    parser = scale_parser(__doc__, explain="print each statement's plan")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = bench_targets(tmp, args.pg)
        print(
            f"{args.clients} demo clients + 1 client with {args.documents} documents; credit "
            f"decision over {args.requests} requests on random clients (target: p95 under "
            "10 ms of server time)"
        )
        for name, url in targets:
            print_figures(name, run(url, args.clients, args.documents, args.requests, args.explain))


if __name__ == "__main__":
    main()
