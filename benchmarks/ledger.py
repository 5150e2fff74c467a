"""Benchmark: current-account balances and aging at scale, on SQLite and PostgreSQL.

Loads the demo data (about ten documents a client: 100,000 clients make about 1,000,000
documents), adds one client with 10,000 documents, then times:
- for that client: services.balances, account_summary and open_items (median and p95);
- over every client: services.aging_report, first page with its totals, each of its two
  queries on its own, and the overdue-only and one collector's views (on PostgreSQL also
  with JIT compilation off).

Usage: python -m benchmarks.ledger [--clients 100000] [--documents 10000] [--runs 50]
       [--pg postgresql+psycopg://...] [--explain]
With --pg, that database is emptied (schema dropped) first: point it at a scratch database.
"""

import argparse
import random
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from app import create_app
from app.auth.models import User
from app.clients.models import Client, ClientState
from app.clients.reference import ClientType
from app.clients.services import scoped_clients
from app.demo.clients import valid_cuit
from app.demo.ledger import load_account_history
from app.extensions import db
from app.ledger import accounts, aging
from app.ledger.models import Document
from benchmarks.demo_data import demo_database

AGING_RUNS = 5


def timed(call, runs: int) -> tuple[float, float]:
    """Median and p95 of a call in milliseconds, each run with an empty session."""
    timings = []
    for _ in range(runs):
        db.session.expunge_all()
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, round(0.95 * len(timings)))]


@contextmanager
def statement_times(found: list[tuple[str, object, float]]):
    """Collect (SQL, parameters, milliseconds) of each statement run inside the block."""
    engine = db.engine

    def before(conn, _cursor, _statement, _parameters, _context, _many):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, _cursor, statement, parameters, _context, _many):
        elapsed = (time.perf_counter() - conn.info["bench_started"]) * 1000
        found.append((statement, parameters, elapsed))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def big_client() -> Client:
    """A supermarket chain that buys every day: the client that gets 10,000 documents."""
    supermarket = db.session.scalar(sa.select(ClientType).where(ClientType.code == "SUP"))
    collector = db.session.scalar(sa.select(User).where(User.username == "cobrador1"))
    client = Client(
        code="GRANDE01",
        legal_name="Hipermercados del Litoral S.A.",
        trade_name="Hiper Litoral",
        tax_id=valid_cuit(random.Random(1), "30"),
        iva_condition="Responsable Inscripto",
        state=ClientState.ACTIVE,
        client_type_id=supermarket.id if supermarket else None,
        collector_id=collector.id if collector else None,
        salesperson_id=None,
        search_text="grande01 hipermercados del litoral",
    )
    db.session.add(client)
    db.session.flush()
    return client


def run(url: str, clients: int, documents: int, runs: int, explain: bool) -> dict:
    """Build the data, then time the one-client reads and the aging report."""
    results: dict[str, float | str] = demo_database(url, clients)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        started = time.perf_counter()
        client = big_client()
        results["big_client_documents"] = load_account_history(client, documents)
        db.session.commit()
        results["build_big_client_s"] = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            # a fresh bulk load has no planner statistics until autovacuum gets to it
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        results["documents"] = db.session.scalar(sa.select(sa.func.count(Document.id)))
        client_id = client.id

        def summary():
            return accounts.account_summary(db.session.get(Client, client_id))

        for label, call in [
            ("balances", lambda: accounts.balances(client_id)),
            ("account_summary", summary),
            ("open_items", lambda: accounts.open_items(client_id)),
        ]:
            median, p95 = timed(call, runs)
            results[f"{label}_ms"] = f"{median:.1f} (p95 {p95:.1f})"
        results["open_items"] = len(accounts.open_items(client_id))
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        collector = db.session.scalar(sa.select(User).where(User.username == "cobrador1"))
        for label, query, options in [
            ("aging_all", scoped_clients(admin), {}),
            ("aging_overdue", scoped_clients(admin), {"overdue_only": True}),
            ("aging_collector", scoped_clients(collector), {}),
        ]:
            median, p95 = timed(lambda q=query, o=options: aging.aging_report(q, **o), AGING_RUNS)
            results[f"{label}_ms"] = f"{median:.0f} (max {p95:.0f})"
        if db.engine.dialect.name == "postgresql":
            # the planner's row estimates for the report are huge, so PostgreSQL compiles it
            # with JIT, which takes longer than running it
            db.session.execute(sa.text("SET jit = off"))
            median, p95 = timed(lambda: aging.aging_report(scoped_clients(admin)), AGING_RUNS)
            results["aging_all_jit_off_ms"] = f"{median:.0f} (max {p95:.0f})"
            db.session.execute(sa.text("RESET jit"))
        statements: list[tuple[str, object, float]] = []
        db.session.expunge_all()
        with statement_times(statements):
            _rows, _totals, count = aging.aging_report(scoped_clients(admin))
        results["aging_rows"] = count
        results["aging_totals_query_ms"] = f"{statements[0][2]:.0f}"
        results["aging_page_query_ms"] = f"{statements[1][2]:.0f}"
        if explain:
            for sql, parameters, _ms in statements:
                print(f"--- {db.engine.dialect.name} plan of {sql[:200]!r}...")
                print(plan(sql, parameters))
        db.engine.dispose()
    return results


def plan(sql: str, parameters) -> str:
    """The query plan of a statement as the driver ran it."""
    analyze = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
    cursor = db.session.connection().connection.cursor()
    cursor.execute(analyze + sql, parameters)
    lines = ["  ".join(str(value) for value in row) for row in cursor.fetchall()]
    cursor.close()
    return "\n".join(lines)


def scale_parser(doc: str, explain: str) -> argparse.ArgumentParser:
    """The arguments the ledger-sized benchmarks share: sizes, PostgreSQL, query plans."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--pg", help="a scratch PostgreSQL database URL")
    parser.add_argument("--explain", action="store_true", help=explain)
    return parser


def bench_targets(tmp: str, pg: str | None) -> list[tuple[str, str]]:
    """SQLite in a temporary folder, and PostgreSQL when a URL is given."""
    targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
    if pg:
        targets.append(("postgresql", pg))
    return targets


def print_figures(name: str, results: dict) -> None:
    """One line of the report: the engine and its figures."""
    figures = ", ".join(
        f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in results.items()
    )
    print(f"{name:<11} {figures}")


def main() -> None:
    """Run the benchmark and print a report."""
    parser = scale_parser(__doc__, explain="print the aging query plans")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = bench_targets(tmp, args.pg)
        print(
            f"{args.clients} demo clients + 1 client with {args.documents} documents; "
            f"one-client reads over {args.runs} runs, aging over {AGING_RUNS}"
        )
        for name, url in targets:
            print_figures(name, run(url, args.clients, args.documents, args.runs, args.explain))


if __name__ == "__main__":
    main()
