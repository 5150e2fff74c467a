"""CLI: the ABC rating (for cron) and the monthly sums added up again."""

from decimal import Decimal

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

import app.reports.month_sums as month_sums
from app.audit import services as audit
from app.extensions import db
from app.reports.abc import rate_clients
from app.reports.models import ProductMonth, SalesMonth
from app.reports.services import report_settings

PERCENT = click.FloatRange(0, 100)


@click.command("abc-rating")
@click.option("--a", "a_pct", type=PERCENT, help="Save a new share of sales for A first (80).")
@click.option("--b", "b_pct", type=PERCENT, help="Save a new share of sales for B first (15).")
@click.option("--dry-run", is_flag=True, help="Report what would change, change nothing.")
@with_appcontext
def abc_rating_command(a_pct: float | None, b_pct: float | None, dry_run: bool) -> None:
    """Rate clients A, B or C from the last 12 months' sales; pinned ratings stay."""
    settings = report_settings()
    if a_pct is not None or b_pct is not None:
        before = {"abc_a_pct": str(settings.abc_a_pct), "abc_b_pct": str(settings.abc_b_pct)}
        a = Decimal(str(a_pct)) if a_pct is not None else settings.abc_a_pct
        b = Decimal(str(b_pct)) if b_pct is not None else settings.abc_b_pct
        if a <= 0 or a + b > 100:
            raise click.BadParameter("A tiene que ser más que 0 y A + B como mucho 100")
        settings.abc_a_pct, settings.abc_b_pct = (
            a.quantize(Decimal("0.01")),
            b.quantize(Decimal("0.01")),
        )
        after = {"abc_a_pct": str(settings.abc_a_pct), "abc_b_pct": str(settings.abc_b_pct)}
        audit.record("reports.abc_thresholds", "report_settings", settings.id, before, after)
    run = rate_clients(dry_run)
    counts = run.counts
    click.echo(
        f"Umbrales: A {settings.abc_a_pct} %, B {settings.abc_b_pct} %. "
        f"Ventas del {run.start:%d/%m/%Y} al {run.end:%d/%m/%Y}. "
        f"A: {counts['A']}, B: {counts['B']}, C: {counts['C']}. "
        f"Cambian: {len(run.changes)}. Fijadas a mano (sin cambios): {run.pinned}."
    )
    if dry_run:
        db.session.rollback()
        click.echo("Prueba: no se guardó nada.")
    else:
        db.session.commit()


@click.command("month-sums")
@with_appcontext
def month_sums_command() -> None:
    """Add the monthly sales sums (by client and by product) up again from the ledger."""
    month_sums.rebuild()
    db.session.commit()
    clients = db.session.scalar(sa.select(sa.func.count()).select_from(SalesMonth))
    products = db.session.scalar(sa.select(sa.func.count()).select_from(ProductMonth))
    click.echo(f"Sumas mensuales rehechas: {clients} meses de clientes, {products} de productos.")
