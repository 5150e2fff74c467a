"""Benchmark: the decision at order time through the API, on SQLite and PostgreSQL.

Loads the demo data (about ten documents a client: 100,000 clients make about 1,000,000
documents; its catalogue gives the products priced in every list), then, through the Flask
test client with a bearer token, on random clients:
- (a) GET /api/v1/clients/{id}/credit?amount=... (the issue's target: p95 under 10 ms of
  server time), for a salesperson (their own clients) and for the back office;
- (b) POST /api/v1/orders with 3 lines on current account and an Idempotency-Key, as the
  phone sends it: priced, decided under the client's lock and kept (accepted or blocked);
- the same order for one client with 10,000 documents (--documents);
and the SQL statements one request of each kind runs (fewest-most over 20 requests). Server
time is the time around `client.get` / `client.post`: median, p95 and max, with this
process's CPU time and the load average (a busy machine stretches the elapsed times).

Usage: python -m benchmarks.orders [--clients 100000] [--documents 10000] [--requests 500]
       [--pg postgresql+psycopg://...] [--explain]
With --pg, that database is emptied (schema dropped) first: point it at a scratch database.
"""

import gc
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.auth.models import User
from app.auth.services import issue_api_token
from app.clients.models import Client
from app.clients.services import scoped_clients
from app.demo.ledger import load_account_history
from app.extensions import db
from app.ledger.models import Document
from app.orders import services as orders
from app.orders.models import Order, Price, PriceList, Product
from benchmarks.credit import random_orders, summary, time_api
from benchmarks.demo_data import demo_database
from benchmarks.ledger import bench_targets, big_client, plan, print_figures, scale_parser

WARM_UP = 20
BIG_RUNS = 100
LINES = 3
CANDIDATES = 3_000  # clients tried for orders: those that can buy on current account stay
# (label, username): a salesperson reaches their own clients, the back office every client
CALLERS = [("salesperson", "vendedor1"), ("backoffice", "oficina")]


def priced_everywhere() -> list[int]:
    """Active products of the demo catalogue with a price in every price list."""
    lists = db.session.scalar(sa.select(sa.func.count(PriceList.id)))
    return db.session.scalars(
        sa.select(Price.product_id)
        .join(Product, Product.id == Price.product_id)
        .where(Product.active, Product.deleted_at.is_(None), Price.deleted_at.is_(None))
        .group_by(Price.product_id)
        .having(sa.func.count(sa.distinct(Price.price_list_id)) == lists)
        .order_by(Price.product_id)
    ).all()


def order_body(rng: random.Random, client_id: int, product_ids: list[int]) -> dict:
    """An order of 3 different products, 1 to 12 of each, on current account."""
    return {
        "client_id": client_id,
        "payment_method": "current_account",
        "lines": [
            {"product_id": ident, "quantity": rng.randint(1, 12)}
            for ident in rng.sample(product_ids, LINES)
        ],
    }


def orderable(client_ids: list[int], product_ids: list[int]) -> list[int]:
    """The clients (of a sample) that can take an order on current account at their prices."""
    lines = [{"product_id": ident, "quantity": 1} for ident in product_ids[:LINES]]
    found = []
    for client_id in client_ids:
        client = db.session.get(Client, client_id)
        try:
            orders.quote(client, {"payment_method": "current_account", "lines": lines})
        except orders.OrderError:
            continue
        found.append(client_id)
    return found


def time_orders(app: Flask, token: str, bodies: list[dict]) -> tuple[list, list, dict]:
    """Milliseconds of each POST (elapsed, and this process's CPU), and the statuses taken."""
    client = app.test_client()
    elapsed, cpu, statuses = [], [], {}
    for body in bodies:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post("/api/v1/orders", json=body, headers=headers)
        elapsed.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 201, (body, response.status_code, response.get_data())
        status = response.json["status"]
        statuses[status] = statuses.get(status, 0) + 1
    return elapsed, cpu, statuses


def statements_of(app: Flask, request: Callable[[FlaskClient], object]) -> list[tuple]:
    """The (SQL, parameters, milliseconds) of the statements one request runs."""
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
        request(app.test_client())
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
    return statements


def credit_request(token: str, client_id: int) -> Callable[[FlaskClient], object]:
    """GET the credit decision for a client."""
    headers = {"Authorization": f"Bearer {token}"}
    return lambda client: client.get(
        f"/api/v1/clients/{client_id}/credit?amount=1000", headers=headers
    )


def order_request(token: str, body: dict) -> Callable[[FlaskClient], object]:
    """POST an order with a fresh key."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    return lambda client: client.post("/api/v1/orders", json=body, headers=headers)


def print_plans(app: Flask, label: str, statements: list[tuple]) -> None:
    """Each statement of a request with its time, and the plan of its SELECTs."""
    with app.app_context():
        dialect = db.engine.dialect.name
        for sql, parameters, ms in statements:
            print(f"--- {dialect} {label} {ms:.2f} ms: {' '.join(sql.split())[:300]}")
            if sql.lstrip().upper().startswith("SELECT") and "FOR UPDATE" not in sql.upper():
                print(plan(sql, parameters))
        db.session.rollback()


def run(url: str, clients: int, documents: int, requests: int, explain: bool) -> dict:
    """Build the data, then time the credit decision and the order through the API."""
    results: dict[str, float | int | str] = demo_database(url, clients)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    rng = random.Random(1)
    with app.app_context():
        product_ids = priced_everywhere()
        results["products"] = len(product_ids)
        big = big_client()
        big.price_list_id = db.session.scalar(
            sa.select(PriceList.id).where(PriceList.code == "MAY")
        )
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
            buyers = orderable(rng.sample(ids, min(CANDIDATES, len(ids))), product_ids)
            callers.append((label, token, ids, buyers))
        db.session.commit()
    gc.collect()  # what the load left behind is not the requests' to collect
    for label, token, ids, buyers in callers:
        time_api(app, token, random_orders(rng, ids, WARM_UP))
        elapsed, cpu, allowed = time_api(app, token, random_orders(rng, ids, requests))
        results[f"credit_{label}_ms"] = summary(elapsed)
        results[f"credit_{label}_cpu_ms"] = summary(cpu)
        results[f"credit_{label}_allowed"] = f"{allowed}/{requests}"
        counts = [
            len(statements_of(app, credit_request(token, ident))) for ident in rng.sample(ids, 20)
        ]
        results[f"credit_{label}_statements"] = f"{min(counts)}-{max(counts)}"

        bodies = [order_body(rng, rng.choice(buyers), product_ids) for _ in range(WARM_UP)]
        time_orders(app, token, bodies)
        bodies = [order_body(rng, rng.choice(buyers), product_ids) for _ in range(requests)]
        elapsed, cpu, statuses = time_orders(app, token, bodies)
        results[f"order_{label}_ms"] = summary(elapsed)
        results[f"order_{label}_cpu_ms"] = summary(cpu)
        results[f"order_{label}_statuses"] = "/".join(
            f"{k}:{v}" for k, v in sorted(statuses.items())
        )
        counts = [
            len(statements_of(app, order_request(token, order_body(rng, ident, product_ids))))
            for ident in rng.sample(buyers, 20)
        ]
        results[f"order_{label}_statements"] = f"{min(counts)}-{max(counts)}"
        # the machine's load: other work on it shows in the elapsed times, not in the CPU
        results[f"{label}_load"] = f"{os.getloadavg()[0]:.1f}"
    office_token = callers[-1][1]
    bodies = [order_body(rng, big_id, product_ids) for _ in range(BIG_RUNS)]
    elapsed, _cpu, _statuses = time_orders(app, office_token, bodies)
    results["order_big_client_ms"] = summary(elapsed)
    with app.app_context():
        results["orders_kept"] = db.session.scalar(sa.select(sa.func.count(Order.id)))
    if explain:
        _label, token, _ids, buyers = callers[0]
        client_id = rng.choice(buyers)
        print_plans(app, "credit", statements_of(app, credit_request(token, client_id)))
        body = order_body(rng, client_id, product_ids)
        print_plans(app, "order", statements_of(app, order_request(token, body)))
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    """Run the benchmark and print a report."""
    parser = scale_parser(__doc__, explain="print each statement of a request and its plan")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = bench_targets(tmp, args.pg)
        print(
            f"{args.clients} demo clients + 1 client with {args.documents} documents; credit "
            f"decision (GET) and order with {LINES} lines (POST) over {args.requests} requests "
            "each on random clients (target: p95 under 10 ms of server time)"
        )
        for name, url in targets:
            print_figures(name, run(url, args.clients, args.documents, args.requests, args.explain))


if __name__ == "__main__":
    main()
