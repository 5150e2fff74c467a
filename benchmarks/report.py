"""The performance report: the app over real HTTP, beside a bare floor app on the same data.

For SQLite (and PostgreSQL with --pg): builds the data (the migrations and the demo data:
10,000 clients, 2,000 with --quick), starts the app (gunicorn -w 3 wsgi:app) and the floor
(benchmarks/floor.py, gunicorn -w 3) on free localhost ports, and measures both in the same
run, in rounds (3: the median round, and the worst), with 16 keep-alive connections from one
aiohttp process (benchmarks/load.py) that shares the machine's cores with the servers:
- client read: GET /api/v1/clients/<id> (back office token) vs the floor's GET /clients/<id>;
- cash order and current-account order: POST /api/v1/orders with an Idempotency-Key vs the
  floor's insert of the same order;
- the credit decision and the client search, one request at a time (p95 of the round trip);
- each worker's memory (VmRSS) after the load;
- with --rush, the morning rush (benchmarks/rush.py); with --pair (and --pg, and a Redis for
  the rate limiter), the rush against two app servers on one PostgreSQL, and the cash order's
  throughput of the pair beside one server's.
A target missed is reported NOT MET; the run never fails for it. Output: a table here, and
report.json and report.md under --out (benchmarks/out/, git-ignored).

Usage: python -m benchmarks.report [--quick] [--pg postgresql+psycopg://...] [--rush]
       [--pair] [--redis redis://127.0.0.1:6379/15] [--out benchmarks/out]
With --pg, that database is emptied (schema dropped) first: point it at a scratch database.
"""

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.auth.models import User
from app.auth.services import issue_api_token
from app.clients.models import Client
from app.extensions import db
from app.ledger.models import Document
from benchmarks import pages, servers
from benchmarks.demo_data import demo_database
from benchmarks.load import Figures, Request, run_load
from benchmarks.orders import order_body, orderable, priced_everywhere
from benchmarks.report_text import markdown, table
from benchmarks.rush import Pace, Phone, add_phones, count_orders, run_rush

OUT = Path(__file__).resolve().parent / "out"
SIZES = {  # clients, seconds a load lasts, rounds, one-at-a-time requests, the rush's pace
    "quick": {
        "clients": 2_000,
        "seconds": 2.0,
        "rounds": 3,
        "requests": 200,
        "pace": Pace(burst=30, interval=30, cycles=2, order_every=6),
    },
    "full": {
        "clients": 10_000,
        "seconds": 10.0,
        "rounds": 3,
        "requests": 500,
        "pace": Pace(burst=60, interval=60, cycles=3, order_every=12),
    },
}
CONNECTIONS = 16
BUYERS = 300  # clients tried for the orders: those that can buy on current account stay
SEARCHES = ["nuñez don", "30-35", "zzzz", "kiosco", "almacen", "pereyra", "super"]


@dataclass
class Data:
    """What a run needs of the database it built."""

    url: str
    token: str
    client_ids: list[int]
    buyers: list[int]
    products: list[int]
    phones: list[Phone] = field(default_factory=list)
    sizes: dict = field(default_factory=dict)


def build(url: str, clients: int) -> tuple[Flask, Data]:
    """Migrate, load the demo data; a back-office token."""
    built = demo_database(url, clients)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    rng = random.Random(1)
    with app.app_context():
        office = db.session.scalar(sa.select(User).where(User.username == "oficina"))
        token, _ = issue_api_token(office, days=1)
        ids = db.session.scalars(sa.select(Client.id).where(Client.deleted_at.is_(None))).all()
        products = priced_everywhere()
        buyers = orderable(rng.sample(ids, min(BUYERS, len(ids))), products)
        db.session.commit()
        analyze()
        sizes = {
            "clients": len(ids),
            "documents": db.session.scalar(sa.select(sa.func.count(Document.id))),
            **{label: round(seconds, 1) for label, seconds in built.items()},
        }
        db.engine.dispose()
    return app, Data(url, token, ids, buyers, products, [], sizes)


def analyze() -> None:
    """Fresh planner statistics on PostgreSQL, as autovacuum would give them in a while."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))


def deal_to_phones(app: Flask, data: Data) -> None:
    """The rush's 200 phone users, the clients dealt out to them (after the pages are weighed
    as the demo's own users see them)."""
    with app.app_context():
        data.phones = add_phones()[0]
        db.session.commit()
        analyze()
        db.engine.dispose()


def app_env(url: str, limiter: str = "memory://") -> dict[str, str]:
    """The app's settings for gunicorn (app/config.py)."""
    return {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": limiter}


def pickers(data: Data, app_urls: list[str], floor_url: str, seed: int) -> dict:
    """For each kind of request: (the app's request picker, the floor's)."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {data.token}"}

    def app_url(n: int) -> str:
        return app_urls[n % len(app_urls)]

    def read(n: int) -> Request:
        return Request("GET", f"{app_url(n)}/api/v1/clients/{rng.choice(data.client_ids)}", headers)

    def floor_read(_n: int) -> Request:
        return Request("GET", f"{floor_url}/clients/{rng.choice(data.client_ids)}")

    def order(method: str):
        def pick(n: int) -> Request:
            body = order_body(rng, rng.choice(data.buyers), data.products) | {
                "payment_method": method
            }
            keyed = headers | {"Idempotency-Key": uuid.uuid4().hex}
            return Request("POST", f"{app_url(n)}/api/v1/orders", keyed, body)

        def floor_pick(_n: int) -> Request:
            body = order_body(rng, rng.choice(data.buyers), data.products) | {
                "payment_method": method
            }
            return Request("POST", f"{floor_url}/orders", json=body)

        return pick, floor_pick

    return {
        "client_read": (read, floor_read),
        "cash_order": order("cash"),
        "account_order": order("current_account"),
    }


def rounds_summary(runs: list[Figures]) -> dict:
    """Median throughput and latencies over rounds, the worst round's p95, all errors."""
    return {
        "throughput": statistics.median(f.throughput for f in runs),
        "median_ms": statistics.median(f.median_ms for f in runs),
        "p95_ms": statistics.median(f.p95_ms for f in runs),
        "worst_p95_ms": max(f.p95_ms for f in runs),
        "max_ms": max(f.max_ms for f in runs),
        "requests": sum(f.requests for f in runs),
        "errors": sum(f.errors for f in runs),
        "error_samples": [s for f in runs for s in f.error_samples][:5],
        "statuses": {k: sum(f.statuses.get(k, 0) for f in runs) for k in runs[0].statuses},
        "generator_cpu_us": statistics.median(f.generator_cpu_us for f in runs),
    }


def side_by_side(data: Data, app_urls: list[str], floor_url: str | None, size: dict) -> dict:
    """Each kind of request on the app and on the floor, alternating, in rounds."""
    kinds = pickers(data, app_urls, floor_url or "", seed=3)
    runs: dict[str, dict[str, list[Figures]]] = {k: {"app": [], "floor": []} for k in kinds}
    for _ in range(size["rounds"]):
        for kind, (app_pick, floor_pick) in kinds.items():
            runs[kind]["app"].append(run_load(app_pick, CONNECTIONS, size["seconds"]))
            if floor_url:
                runs[kind]["floor"].append(run_load(floor_pick, CONNECTIONS, size["seconds"]))
    results = {}
    for kind, both in runs.items():
        app = rounds_summary(both["app"])
        results[kind] = {"app": app}
        if floor_url:
            floor = rounds_summary(both["floor"])
            results[kind] |= {"floor": floor, "ratio": app["throughput"] / floor["throughput"]}
    return results


def one_at_a_time(data: Data, app_url: str, requests: int) -> dict:
    """The credit decision and the client search, one request at a time."""
    rng = random.Random(4)
    headers = {"Authorization": f"Bearer {data.token}"}

    def credit(_n: int) -> Request:
        amount = f"{rng.randrange(1_000, 500_000)}.{rng.randrange(100):02d}"
        url = f"{app_url}/api/v1/clients/{rng.choice(data.client_ids)}/credit?amount={amount}"
        return Request("GET", url, headers)

    def search(n: int) -> Request:
        return Request("GET", f"{app_url}/api/v1/clients?q={quote(SEARCHES[n % 7])}", headers)

    return {
        "credit": run_load(credit, 1, requests=requests).as_dict(),
        "search": run_load(search, 1, requests=requests).as_dict(),
    }


def log_trouble(log_dir: Path) -> dict[str, dict[str, int]]:
    """Tracebacks and lock errors each server's log holds."""
    found = {}
    for log in sorted(log_dir.glob("gunicorn-*.log")):
        text = log.read_text(errors="replace")
        found[log.stem] = {
            "tracebacks": text.count("Traceback"),
            "locked": text.count("database is locked"),
            "worker_timeouts": text.count("WORKER TIMEOUT"),
        }
    return found


def rush_figures(app: Flask, data: Data, urls: list[str], size: dict) -> dict:
    """The morning rush against these servers, with the orders it wrote."""
    with app.app_context():
        before = count_orders()
        db.engine.dispose()
    figures = run_rush(urls, data.phones, data.products, size["pace"])
    with app.app_context():
        figures.orders_written = count_orders() - before
        db.engine.dispose()
    return figures.as_dict()


def run_engine(name: str, url: str, size: dict, args, log_dir: Path) -> dict:
    """Everything measured on one database engine."""
    began = time.perf_counter()
    app, data = build(url, size["clients"])
    result: dict = {"engine": name, "sizes": data.sizes}
    env = app_env(url) | {"BENCH_LOG_DIR": str(log_dir)}
    main = servers.start(f"{name}-app", "wsgi:app", env)
    floor = servers.start(
        f"{name}-floor",
        "benchmarks.floor:create_app()",
        {"FLOOR_DATABASE_URL": url, "BENCH_LOG_DIR": str(log_dir)},
    )
    phases = result["phase_seconds"] = {"build": round(time.perf_counter() - began, 1)}

    def lap(name: str, started: float) -> None:
        phases[name] = round(time.perf_counter() - started, 1)

    try:
        result["load_before"] = os.getloadavg()
        started = time.perf_counter()
        result["side_by_side"] = side_by_side(data, [main.url], floor.url, size)
        lap("side_by_side", started)
        started = time.perf_counter()
        result["one_at_a_time"] = one_at_a_time(data, main.url, size["requests"])
        lap("one_at_a_time", started)
        result["worker_mb"] = {"app": main.worker_rss_mb(), "floor": floor.worker_rss_mb()}
        floor.stop()
        started = time.perf_counter()
        result["pages"] = pages.measure(main.url)
        lap("pages", started)
        if args.rush:
            started = time.perf_counter()
            deal_to_phones(app, data)
            result["rush"] = rush_figures(app, data, [main.url], size)
            lap("rush", started)
            result["worker_mb_after_rush"] = main.worker_rss_mb()
        result["load_after"] = os.getloadavg()
    finally:
        main.stop()
        floor.stop()
    if args.pair and name == "postgresql":
        env = app_env(url, args.redis) | {"BENCH_LOG_DIR": str(log_dir)}
        pair = [servers.start(f"{name}-pair{n}", "wsgi:app", env) for n in (1, 2)]
        started = time.perf_counter()
        try:
            urls = [server.url for server in pair]
            one = side_by_side(data, urls[:1], None, size | {"rounds": 1})["cash_order"]["app"]
            both = side_by_side(data, urls, None, size | {"rounds": 1})["cash_order"]["app"]
            result["pair"] = {"one_cash_order": one, "pair_cash_order": both}
            if args.rush:
                result["pair"]["rush"] = rush_figures(app, data, urls, size)
        finally:
            for server in pair:
                server.stop()
        lap("pair", started)
    return result


def machine(pg: str | None) -> dict:
    """The machine's details: CPU, cores, load, Python, SQLite and PostgreSQL versions."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    details = {
        "cpu": model,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if pg:
        engine = sa.create_engine(pg)
        with engine.connect() as conn:
            details["postgresql"] = conn.scalar(sa.text("SHOW server_version"))
        engine.dispose()
    return details


def main() -> None:
    """Run the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 clients, short loads")
    parser.add_argument("--pg", help="a scratch PostgreSQL database URL")
    parser.add_argument("--rush", action="store_true", help="the morning rush too")
    parser.add_argument("--pair", action="store_true", help="two app servers (needs --pg)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15", help="for --pair")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    size = SIZES["quick" if args.quick else "full"]
    args.out.mkdir(parents=True, exist_ok=True)
    log_dir = args.out / "logs"
    log_dir.mkdir(exist_ok=True)
    for old in log_dir.glob("gunicorn-*.log"):
        old.unlink()
    report = {
        "mode": "quick" if args.quick else "full",
        "machine": machine(args.pg),
        "pace": size["pace"].describe(),
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        if args.pg:
            targets.append(("postgresql", args.pg))
        for name, url in targets:
            report["runs"].append(run_engine(name, url, size, args, log_dir))
    report["machine"]["load_average_after"] = os.getloadavg()
    report["server_logs"] = log_trouble(log_dir)
    (args.out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    (args.out / "report.md").write_text(markdown(report))
    print(table(report))
    print(f"\nreport: {args.out / 'report.md'} and report.json")


if __name__ == "__main__":
    main()
