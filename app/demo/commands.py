"""CLI: realistic, reproducible demo data for an Argentine distributor."""

import random
import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

import app.reports.month_sums as month_sums
import app.reports.risk as risk
from app.auth.models import User
from app.cases.demo import add_demo_cases
from app.clients.models import Client
from app.core.changes import reserve_change_seqs
from app.core.sqlite import refresh_statistics
from app.core.types import local_today, utcnow
from app.demo.catalogue import add_demo_catalogue
from app.demo.clients import (
    BATCH,
    DOOR_PROSPECTS,
    add_client_details,
    add_door_prospects,
    add_supermarket_chain,
    make_client,
    with_unique_cuit,
)
from app.demo.collections import add_demo_collections
from app.demo.credit import add_credit, add_credit_sources
from app.demo.deliveries import add_demo_deliveries
from app.demo.jobs import add_demo_jobs
from app.demo.ledger import add_ledger
from app.demo.loyalty import add_demo_loyalty
from app.demo.mail import add_demo_mail
from app.demo.orders import add_demo_orders
from app.demo.rates import add_demo_rates, add_issuer_details
from app.demo.reference import DEMO_PASSWORD, DEMO_USERS, create_reference_data
from app.demo.route import add_demo_routes
from app.demo.sales import add_document_lines
from app.demo.taxes import add_agip_registry, add_iibb_registry
from app.extensions import db
from app.notices.demo import add_demo_notice_set, add_demo_notices


def load_demo_data(clients: int, seed: int, history: bool = True) -> int:
    """Fill an empty database; clients and documents go in bulk, in batches.

    history: also the year and a half of paid sales before the accounts' months (the reports
    compare a year with the one before); the benchmarks leave it out, to keep their scale of
    about ten documents a client. Returns how many ledger documents it wrote.
    """
    # the monthly sums are added up once at the end, not row by row as the ledger goes in
    with month_sums.paused():
        documents = _fill(clients, seed, history)
    db.session.commit()
    return documents


def _fill(clients: int, seed: int, history: bool) -> int:
    """Every part of the demo, in the order that keeps each seed's data what it was."""
    rng = random.Random(seed)
    refs = create_reference_data()
    now = utcnow()
    taken: set[str] = set()
    for start in range(1, clients + 1, BATCH):
        count = min(BATCH, clients - start + 1)
        seqs = reserve_change_seqs(db.session.connection(), count)
        rows = []
        for offset, seq in enumerate(seqs):
            row = make_client(rng, start + offset, rng.choice(refs["zones"]), refs)
            row = with_unique_cuit(rng, row, taken)
            rows.append(row | {"change_seq": seq, "created_at": now})
        db.session.execute(sa.insert(Client), rows)
    add_client_details(rng)
    add_supermarket_chain(rng, refs, taken)
    add_iibb_registry(rng)
    documents = add_ledger(rng, refs, history_seed=seed if history else None)
    add_credit(rng)
    add_demo_notices(rng)
    add_demo_catalogue(seed)
    # its own random stream, so the rest of the demo stays what it was for a seed
    add_document_lines(random.Random(f"lines-{seed}"))
    add_demo_orders(random.Random(seed + 1))
    sends = add_demo_mail(rng)
    add_demo_collections(rng)
    add_demo_routes(rng)
    add_demo_jobs(random.Random(seed + 2), sends)  # its own stream: the rest stays as it was
    # No random draws, and then a stream of their own: the rest stays as it was.
    add_demo_rates()
    add_issuer_details()
    add_demo_loyalty(random.Random(seed + 3))
    add_demo_cases(random.Random(f"cases-{seed}"))  # its own stream too
    documents += add_demo_deliveries(random.Random(f"deliveries-{seed}"))  # its own stream too
    # Last: new shops, with no account, orders or calls yet.
    add_door_prospects(rng, taken)
    # Their own streams, after the rest: the draws of the others stay what they were.
    add_agip_registry(random.Random(f"agip-{seed}"))
    add_demo_notice_set(random.Random(f"notice-set-{seed}"))
    # its own stream: where limits come from besides types, and IVA liberations
    add_credit_sources(random.Random(seed + 3))
    return documents


@click.command("demo-data")
@click.option(
    "--clients",
    default=1200,
    show_default=True,
    help=f"Cuántos clientes crear (aparte, {len(DOOR_PROSPECTS)} prospectos de vendedor1).",
)
@click.option("--seed", default=1, show_default=True, help="Semilla: los mismos datos cada vez.")
@click.option("--if-empty", is_flag=True, help="No hacer nada si la base ya tiene usuarios.")
@with_appcontext
def demo_data_command(clients: int, seed: int, if_empty: bool) -> None:
    """Load demo users, zones, client types, price lists, clients and their accounts."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        if if_empty:
            click.echo("La base ya tiene datos: no se cargan datos de demostración.")
            return
        raise click.ClickException(
            "La base ya tiene datos: los datos de demostración van en una base vacía."
        )
    if clients < 0:
        raise click.BadParameter("tiene que ser 0 o más", param_hint="--clients")
    started = time.perf_counter()
    documents = load_demo_data(clients, seed)
    refresh_statistics()
    at_risk = risk.refresh(local_today()).clients_at_risk  # as the nightly job leaves it
    db.session.commit()
    click.echo(
        f"Datos de demostración cargados: {len(DEMO_USERS)} usuarios (contraseña {DEMO_PASSWORD}), "
        f"{clients} clientes, {len(DOOR_PROSPECTS)} prospectos de vendedor1, {documents} "
        f"comprobantes ({at_risk} clientes en riesgo), en {time.perf_counter() - started:.1f} s."
    )
