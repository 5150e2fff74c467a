"""How long the reports take over the demo data (issue 21: under a second each at 100,000
clients and 1,000,000 documents, on SQLite and PostgreSQL).

Loads the demo data without its paid history (about ten documents a client, each invoice and
credit note itemised), then times, as the admin (every client) and as vendedor1 (own clients):
the ranking of clients by sales and by margin, of salespeople by sales and of products by
margin over a year, the 12-month trend, the clients at risk as the page reads them (the first
500 and their count, from the last run), the inactive clients, and one client's purchase
history; the run that reckons every client against the at-risk rules (the nightly job's work),
and the ABC run as a dry run.

Usage: python -m benchmarks.reports [--clients 100000] [--runs 5] [--pg URL]
"""

import tempfile
import time
from datetime import timedelta

import sqlalchemy as sa

import app.reports.purchases as purchases
import app.reports.risk as risk
import app.reports.services as services
from app import create_app
from app.auth.models import User
from app.clients.models import Client
from app.core.sqlite import refresh_statistics
from app.core.types import local_today
from app.extensions import db
from app.ledger.models import Document, DocumentLine
from app.reports.abc import rate_clients
from benchmarks.demo_data import demo_database
from benchmarks.ledger import bench_targets, print_figures, scale_parser, timed


def run(url: str, clients: int, runs: int) -> dict:
    """Build the data, then time each report."""
    results: dict[str, float | str] = demo_database(url, clients)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        refresh_statistics()  # as the job queue does every night
        results["documents"] = db.session.scalar(sa.select(sa.func.count(Document.id)))
        results["lines"] = db.session.scalar(sa.select(sa.func.count(DocumentLine.id)))
        today = local_today()
        year_ago = today - timedelta(days=364)
        year = (year_ago, today)
        started = time.perf_counter()
        run = risk.refresh(today)  # what the nightly job does; the page then reads it
        db.session.commit()
        results["at_risk_run_s"] = time.perf_counter() - started
        results["clients_at_risk"] = run.clients_at_risk
        for who in ("admin", "vendedor1"):
            user = db.session.scalar(sa.select(User).where(User.username == who))
            for label, call in [
                ("rank_clients", lambda u=user: services.ranking(u, "sales", "clients", *year)),
                ("rank_margin", lambda u=user: services.ranking(u, "margin", "products", *year)),
                (
                    "rank_client_margin",
                    lambda u=user: services.ranking(u, "margin", "clients", *year),
                ),
                (
                    "rank_salespeople",
                    lambda u=user: services.ranking(u, "sales", "salespeople", *year),
                ),
                ("trend", lambda u=user: services.monthly_trend(u, today)),
                ("at_risk_page", lambda u=user: (risk.listed(u, 500), risk.listed_count(u))),
                ("inactive", lambda u=user: risk.inactive_clients(u, today, 60)),
            ]:
                median, worst = timed(call, runs)
                results[f"{who}_{label}_ms"] = f"{median:.0f} (max {worst:.0f})"
        client = db.session.scalar(sa.select(Client).order_by(Client.id).limit(1))
        median, worst = timed(lambda: purchases.purchases(client, today), runs)
        results["purchases_ms"] = f"{median:.0f} (max {worst:.0f})"
        started = time.perf_counter()
        rate_clients(dry_run=True)
        results["abc_dry_run_s"] = time.perf_counter() - started
        db.session.rollback()
        db.engine.dispose()
    return results


def main() -> None:
    """Run the benchmark and print a report."""
    parser = scale_parser(__doc__, explain="(not used)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{args.clients} demo clients; each report over {args.runs} runs")
        for name, url in bench_targets(tmp, args.pg):
            print_figures(name, run(url, args.clients, args.runs))


if __name__ == "__main__":
    main()
