"""A client's account as it stands: balances, the summary, open items and credits, its documents,
and the combined account of a family of clients.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.clients.models import Client
from app.core.types import local_today
from app.extensions import db
from app.ledger.models import (
    Application,
    CardIssuer,
    Document,
    DocumentInstallment,
    DocumentKind,
    DocumentState,
    SaleCondition,
)
from app.ledger.rules import AGING_BUCKETS, aging_bucket, weighted_days_to_pay
from app.ledger.services import CENT

DUE_SOON_DAYS = 7


def balances(client_id: int) -> dict[str, Decimal]:
    """The open balance per currency (positive: the client owes; negative: in their favour)."""
    rows = db.session.execute(
        sa.select(Document.currency, sa.func.sum(Document.sign * Document.open_amount))
        .where(
            Document.client_id == client_id,
            Document.state.in_((DocumentState.OPEN, DocumentState.PARTLY_PAID)),
        )
        .group_by(Document.currency)
    )
    return {currency: Decimal(total).quantize(CENT) for currency, total in rows if total}


def owed_by_client(client_ids: list[int], as_of: date) -> dict[int, tuple[Decimal, Decimal]]:
    """(open debt, part past due) per client in its account's currency, for a list of clients.

    Clients owing nothing are left out. One query, for lists such as the route day.
    """
    if not client_ids:
        return {}
    overdue = sa.case((DocumentInstallment.due_date < as_of, DocumentInstallment.open_amount))
    rows = db.session.execute(
        sa.select(
            DocumentInstallment.client_id,
            sa.func.sum(DocumentInstallment.open_amount),
            sa.func.coalesce(sa.func.sum(overdue), 0),
        )
        .join(Client, Client.id == DocumentInstallment.client_id)
        .where(
            DocumentInstallment.client_id.in_(client_ids),
            DocumentInstallment.open_amount > 0,
            DocumentInstallment.currency == Client.currency,
        )
        .group_by(DocumentInstallment.client_id)
    )
    return {
        cid: (Decimal(owed).quantize(CENT), Decimal(late).quantize(CENT))
        for cid, owed, late in rows
    }


def open_position(client_id: int, currency: str) -> tuple[Decimal, tuple[date, ...]]:
    """The balance in one currency and the dates of its unpaid debit documents, in one query.

    What the credit decision needs at every order, so it reads only the open documents.
    """
    rows = db.session.execute(
        sa.select(Document.sign, Document.open_amount, Document.date).where(
            Document.client_id == client_id,
            Document.currency == currency,
            Document.state.in_((DocumentState.OPEN, DocumentState.PARTLY_PAID)),
        )
    ).all()
    balance = sum((sign * amount for sign, amount, _day in rows), Decimal("0")).quantize(CENT)
    unpaid = sorted(day for sign, amount, day in rows if sign > 0 and amount > 0)
    return balance, tuple(unpaid)


def balances_from_history(client_id: int) -> dict[str, Decimal]:
    """The balance per currency as the sum of every document ever posted (voids net to zero)."""
    rows = db.session.execute(
        sa.select(Document.currency, sa.func.sum(Document.sign * Document.amount))
        .where(Document.client_id == client_id)
        .group_by(Document.currency)
    )
    return {currency: Decimal(total).quantize(CENT) for currency, total in rows if total}


@dataclass
class CurrencySummary:
    """A client's account in one currency."""

    currency: str
    balance: Decimal = Decimal("0")
    unapplied: Decimal = Decimal("0")  # credits not yet applied
    buckets: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(AGING_BUCKETS, Decimal("0"))
    )
    due_soon: Decimal = Decimal("0")
    open_items: int = 0

    @property
    def overdue(self) -> Decimal:
        """Everything past its due date."""
        return sum((v for k, v in self.buckets.items() if k != "not_due"), Decimal("0"))


@dataclass
class AccountSummary:
    """What the card and the account page show at a glance."""

    currencies: list[CurrencySummary]
    oldest_due: date | None
    days_to_pay: Decimal | None
    last_sale_date: date | None
    last_receipt_date: date | None

    def of(self, currency: str) -> CurrencySummary | None:
        """The summary of one currency, if the client has documents in it."""
        return next((c for c in self.currencies if c.currency == currency), None)


def _bucket_case(as_of: date):
    """SQL that names the aging bucket of an installment's due date."""
    due = DocumentInstallment.due_date
    return sa.case(
        (due >= as_of, "not_due"),
        (due >= as_of - timedelta(days=30), "1_30"),
        (due >= as_of - timedelta(days=60), "31_60"),
        (due >= as_of - timedelta(days=90), "61_90"),
        else_="over_90",
    )


def account_summary(client: Client, as_of: date | None = None) -> AccountSummary:
    """Balance, aging buckets, due-soon amount and payment habits of one client."""
    as_of = as_of or local_today()
    by_currency: dict[str, CurrencySummary] = {}
    bucket = _bucket_case(as_of)
    rows = db.session.execute(
        sa.select(
            DocumentInstallment.currency,
            bucket,
            sa.func.sum(DocumentInstallment.open_amount),
            sa.func.count(),
            sa.func.sum(
                sa.case(
                    (
                        DocumentInstallment.due_date.between(
                            as_of, as_of + timedelta(days=DUE_SOON_DAYS)
                        ),
                        DocumentInstallment.open_amount,
                    ),
                    else_=0,
                )
            ),
        )
        .where(DocumentInstallment.client_id == client.id, DocumentInstallment.open_amount > 0)
        .group_by(DocumentInstallment.currency, bucket)
    )
    for currency, name, total, count, soon in rows:
        summary = by_currency.setdefault(currency, CurrencySummary(currency))
        summary.buckets[name] += Decimal(total).quantize(CENT)
        summary.open_items += count
        summary.due_soon += Decimal(soon or 0).quantize(CENT)
    credits = db.session.execute(
        sa.select(Document.currency, sa.func.sum(Document.open_amount))
        .where(
            Document.client_id == client.id,
            Document.sign < 0,
            Document.open_amount > 0,
        )
        .group_by(Document.currency)
    )
    for currency, total in credits:
        by_currency.setdefault(currency, CurrencySummary(currency)).unapplied = Decimal(
            total
        ).quantize(CENT)
    for summary in by_currency.values():
        summary.balance = sum(summary.buckets.values(), Decimal("0")) - summary.unapplied
    oldest = db.session.scalar(
        sa.select(sa.func.min(DocumentInstallment.due_date)).where(
            DocumentInstallment.client_id == client.id, DocumentInstallment.open_amount > 0
        )
    )
    ordered = sorted(
        by_currency.values(), key=lambda s: (s.currency != client.currency, s.currency)
    )
    return AccountSummary(
        currencies=ordered,
        oldest_due=oldest,
        days_to_pay=days_to_pay(client.id, as_of),
        last_sale_date=client.last_sale_date,
        last_receipt_date=client.last_receipt_date,
    )


def days_to_pay(client_id: int, as_of: date, window_days: int = 365) -> Decimal | None:
    """Average days from a document's date to its payment, weighted by amount, over a year."""
    debit = sa.orm.aliased(Document)
    credit = sa.orm.aliased(Document)
    rows = db.session.execute(
        sa.select(debit.date, credit.date, Application.amount)
        .join(debit, debit.id == Application.debit_document_id)
        .join(credit, credit.id == Application.credit_document_id)
        .where(
            Application.client_id == client_id,
            Application.unapplied_at.is_(None),
            credit.kind == DocumentKind.RECEIPT,
            credit.date >= as_of - timedelta(days=window_days),
        )
    )
    return weighted_days_to_pay((d, c, a) for d, c, a in rows)


@dataclass
class OpenItem:
    """One open installment, as the account page and the collector list it."""

    installment: DocumentInstallment
    document: Document
    days_overdue: int
    bucket: str


def open_items(client_id: int, as_of: date | None = None, limit: int | None = None):
    """The client's open installments, oldest due date first."""
    as_of = as_of or local_today()
    query = (
        sa.select(DocumentInstallment, Document)
        .join(Document, Document.id == DocumentInstallment.document_id)
        .where(DocumentInstallment.client_id == client_id, DocumentInstallment.open_amount > 0)
        .order_by(DocumentInstallment.due_date, DocumentInstallment.id)
    )
    if limit:
        query = query.limit(limit)
    return [
        OpenItem(
            installment,
            document,
            max(0, (as_of - installment.due_date).days),
            aging_bucket(installment.due_date, as_of),
        )
        for installment, document in db.session.execute(query)
    ]


def open_credits(client_id: int) -> list[Document]:
    """Receipts and credits with an amount still to apply."""
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.client_id == client_id, Document.sign < 0, Document.open_amount > 0)
            .order_by(Document.date, Document.id)
        )
    )


def documents_page(
    client_id: int,
    page: int = 1,
    per_page: int = 50,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str | None = None,
    state: str | None = None,
):
    """The client's documents, newest first, optionally filtered, paginated."""
    query = sa.select(Document).where(Document.client_id == client_id)
    if date_from:
        query = query.where(Document.date >= date_from)
    if date_to:
        query = query.where(Document.date <= date_to)
    if kind:
        query = query.where(Document.kind == kind)
    if state:
        query = query.where(Document.state == state)
    return db.paginate(
        query.order_by(Document.date.desc(), Document.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def installment_counts(document_ids: set[int]) -> dict[int, int]:
    """How many installments each document has, in one query."""
    if not document_ids:
        return {}
    rows = db.session.execute(
        sa.select(DocumentInstallment.document_id, sa.func.count())
        .where(DocumentInstallment.document_id.in_(document_ids))
        .group_by(DocumentInstallment.document_id)
    )
    return dict(rows.all())


def sale_conditions() -> list[SaleCondition]:
    """The sale conditions in use, by code."""
    return list(
        db.session.scalars(
            sa.select(SaleCondition)
            .where(SaleCondition.deleted_at.is_(None))
            .order_by(SaleCondition.code)
            .execution_options(reference_cache=True)
        )
    )


def card_issuers() -> list[CardIssuer]:
    """The credit-card issuers in use, by name, with their plans."""
    return list(
        db.session.scalars(
            sa.select(CardIssuer)
            .options(sa.orm.selectinload(CardIssuer.plans))
            .where(CardIssuer.deleted_at.is_(None))
            .order_by(CardIssuer.name)
        )
    )


def reversal_of(document: Document) -> Document | None:
    """The reversing document a void wrote, if the document was voided."""
    return db.session.scalar(sa.select(Document).where(Document.reverses_id == document.id))


@dataclass
class FamilyAccount:
    """The combined account of a family's clients."""

    balances: dict[str, Decimal]  # currency -> combined balance
    overdue: dict[str, Decimal]  # currency -> combined overdue amount
    by_client: dict[int, dict[str, Decimal]]  # client id -> currency -> balance
    last_sale_date: date | None
    last_receipt_date: date | None


def family_account(clients: list[Client], as_of: date | None = None) -> FamilyAccount:
    """Balances of several related clients, each and combined, in two grouped queries."""
    as_of = as_of or local_today()
    ids = [client.id for client in clients]
    by_client: dict[int, dict[str, Decimal]] = {}
    combined: dict[str, Decimal] = {}
    overdue: dict[str, Decimal] = {}
    if ids:
        rows = db.session.execute(
            sa.select(
                Document.client_id,
                Document.currency,
                sa.func.sum(Document.sign * Document.open_amount),
            )
            .where(
                Document.client_id.in_(ids),
                Document.state.in_((DocumentState.OPEN, DocumentState.PARTLY_PAID)),
            )
            .group_by(Document.client_id, Document.currency)
        )
        for client_id, currency, total in rows:
            amount = Decimal(total).quantize(CENT)
            by_client.setdefault(client_id, {})[currency] = amount
            combined[currency] = combined.get(currency, Decimal("0")) + amount
        late = db.session.execute(
            sa.select(DocumentInstallment.currency, sa.func.sum(DocumentInstallment.open_amount))
            .where(
                DocumentInstallment.client_id.in_(ids),
                DocumentInstallment.open_amount > 0,
                DocumentInstallment.due_date < as_of,
            )
            .group_by(DocumentInstallment.currency)
        )
        overdue = {currency: Decimal(total).quantize(CENT) for currency, total in late}
    sales = [c.last_sale_date for c in clients if c.last_sale_date]
    receipts = [c.last_receipt_date for c in clients if c.last_receipt_date]
    return FamilyAccount(
        balances={k: v for k, v in combined.items() if v},
        overdue=overdue,
        by_client=by_client,
        last_sale_date=max(sales, default=None),
        last_receipt_date=max(receipts, default=None),
    )
