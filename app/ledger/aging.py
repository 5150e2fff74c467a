"""The aging report: what each client owes by how late it is, in one currency."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.clients.models import Client
from app.core.types import Money, local_today
from app.extensions import db
from app.ledger.models import Document, DocumentInstallment
from app.ledger.rules import AGING_BUCKETS
from app.ledger.services import CENT


@dataclass
class AgingRow:
    """One client's line of the aging report, in one currency."""

    client_id: int
    code: str
    name: str
    currency: str
    buckets: dict[str, Decimal]
    unapplied: Decimal

    @property
    def total(self) -> Decimal:
        """What the client owes net of unapplied credits."""
        return sum(self.buckets.values(), Decimal("0")) - self.unapplied

    @property
    def overdue(self) -> Decimal:
        """The part past its due dates."""
        return sum((v for k, v in self.buckets.items() if k != "not_due"), Decimal("0"))


def _aging_query(clients: sa.Select, as_of: date, currency: str, overdue_only: bool):
    """The aging select (one row per client with debt or credit) and its overdue expression.

    Open installments and open credits are read once each, as one stream of (client, due
    date, debt, credit) rows grouped by client: one pass over each table at any size.
    """
    client_ids = clients.with_only_columns(Client.id).order_by(None).scalar_subquery()
    items = sa.union_all(
        sa.select(
            DocumentInstallment.client_id.label("client_id"),
            DocumentInstallment.due_date.label("due_date"),
            DocumentInstallment.open_amount.label("debt"),
            sa.literal(0, Money).label("credit"),
        ).where(
            DocumentInstallment.open_amount > 0,
            DocumentInstallment.currency == currency,
            DocumentInstallment.client_id.in_(client_ids),
        ),
        sa.select(
            Document.client_id,
            sa.null(),
            sa.literal(0, Money),
            Document.open_amount,
        ).where(
            Document.sign < 0,
            Document.open_amount > 0,
            Document.currency == currency,
            Document.client_id.in_(client_ids),
        ),
    ).subquery()
    due = items.c.due_date
    bucket = sa.case(
        (due.is_(None), "credit"),
        (due >= as_of, "not_due"),
        (due >= as_of - timedelta(days=30), "1_30"),
        (due >= as_of - timedelta(days=60), "31_60"),
        (due >= as_of - timedelta(days=90), "61_90"),
        else_="over_90",
    )
    per_client = (
        sa.select(
            items.c.client_id,
            *[
                sa.func.sum(sa.case((bucket == name, items.c.debt), else_=0)).label(name)
                for name in AGING_BUCKETS
            ],
            sa.func.sum(items.c.credit).label("unapplied"),
        )
        .group_by(items.c.client_id)
        .subquery()
    )
    overdue = sum(getattr(per_client.c, name) for name in AGING_BUCKETS[1:])
    base = sa.select(
        Client.id,
        Client.code,
        sa.func.coalesce(Client.trade_name, Client.legal_name),
        *[getattr(per_client.c, name) for name in AGING_BUCKETS],
        per_client.c.unapplied,
    ).join_from(per_client, Client, Client.id == per_client.c.client_id)
    if overdue_only:
        base = base.where(overdue > 0)
    return base, overdue


def _aging_row(row, currency: str) -> AgingRow:
    """One row of the aging select as an AgingRow."""
    return AgingRow(
        client_id=row[0],
        code=row[1],
        name=row[2],
        currency=currency,
        buckets={
            name: Decimal(value).quantize(CENT)
            for name, value in zip(AGING_BUCKETS, row[3:8], strict=True)
        },
        unapplied=Decimal(row[8]).quantize(CENT),
    )


def aging_report(
    clients: sa.Select,
    as_of: date | None = None,
    currency: str = "ARS",
    page: int = 1,
    per_page: int = 50,
    overdue_only: bool = False,
) -> tuple[list[AgingRow], dict[str, Decimal], int]:
    """Aging buckets per client for the clients a select yields, with totals and a row count.

    `clients` is a select of Client (already scoped and filtered); rows are ordered by the
    overdue amount, largest first.
    """
    as_of = as_of or local_today()
    base, overdue = _aging_query(clients, as_of, currency, overdue_only)
    summed = base.subquery()
    sums = db.session.execute(
        sa.select(sa.func.count(), *[sa.func.sum(column) for column in list(summed.c)[3:]])
    ).one()
    count = sums[0]
    totals = {
        name: Decimal(value or 0).quantize(CENT)
        for name, value in zip((*AGING_BUCKETS, "unapplied"), sums[1:], strict=True)
    }
    rows = db.session.execute(
        base.order_by(overdue.desc(), Client.code).limit(per_page).offset((page - 1) * per_page)
    )
    return [_aging_row(row, currency) for row in rows], totals, count


def aging_rows(
    clients: sa.Select, as_of: date, currency: str = "ARS", overdue_only: bool = False
) -> Iterator[AgingRow]:
    """Every row of the aging report in its order, read in batches (for exports)."""
    base, overdue = _aging_query(clients, as_of, currency, overdue_only)
    result = db.session.execute(
        base.order_by(overdue.desc(), Client.code).execution_options(yield_per=1000)
    )
    for row in result:
        yield _aging_row(row, currency)


def client_currencies(client: Client) -> list[str]:
    """The currencies the client has documents in, the account's own first."""
    found = set(
        db.session.scalars(
            sa.select(Document.currency).where(Document.client_id == client.id).distinct()
        )
    )
    found.add(client.currency or "ARS")
    return sorted(found, key=lambda code: (code != (client.currency or "ARS"), code))
