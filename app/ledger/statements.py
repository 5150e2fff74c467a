"""The account statement (estado de cuenta): a date range's documents with a running balance."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from app.clients.models import Client
from app.extensions import db
from app.ledger.models import Application, Document
from app.ledger.services import CENT


@dataclass
class StatementLine:
    """One document in a statement, with the running balance after it."""

    document: Document
    debit: Decimal
    credit: Decimal
    balance: Decimal
    applications: list[Application]


@dataclass
class Statement:
    """An account statement (estado de cuenta) for a date range in one currency."""

    client: Client
    currency: str
    date_from: date
    date_to: date
    opening: Decimal
    lines: list[StatementLine]
    closing: Decimal

    @property
    def total_debit(self) -> Decimal:
        """What was charged in the period."""
        return sum((line.debit for line in self.lines), Decimal("0"))

    @property
    def total_credit(self) -> Decimal:
        """What was credited in the period."""
        return sum((line.credit for line in self.lines), Decimal("0"))


def statement(client: Client, date_from: date, date_to: date, currency: str = "ARS") -> Statement:
    """The client's documents in a date range with a running balance from the opening balance."""
    opening = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Document.sign * Document.amount), 0)).where(
            Document.client_id == client.id,
            Document.currency == currency,
            Document.date < date_from,
        )
    )
    opening = Decimal(opening).quantize(CENT)
    documents = list(
        db.session.scalars(
            sa.select(Document)
            .where(
                Document.client_id == client.id,
                Document.currency == currency,
                Document.date >= date_from,
                Document.date <= date_to,
            )
            .order_by(Document.date, Document.id)
        )
    )
    applications: dict[int, list[Application]] = {}
    if documents:
        ids = [document.id for document in documents]
        for application in db.session.scalars(
            sa.select(Application)
            .where(
                sa.or_(
                    Application.credit_document_id.in_(ids),
                    Application.debit_document_id.in_(ids),
                ),
                Application.unapplied_at.is_(None),
            )
            .order_by(Application.id)
        ):
            applications.setdefault(application.credit_document_id, []).append(application)
            applications.setdefault(application.debit_document_id, []).append(application)
    _preload(documents, applications)
    running = opening
    lines = []
    for document in documents:
        running += document.signed_amount
        lines.append(
            StatementLine(
                document=document,
                debit=document.amount if document.is_debit else Decimal("0"),
                credit=Decimal("0") if document.is_debit else document.amount,
                balance=running,
                applications=applications.get(document.id, []),
            )
        )
    return Statement(client, currency, date_from, date_to, opening, lines, running)


def _preload(documents: list[Document], applications: dict[int, list[Application]]) -> None:
    """Load the documents' installments and the documents their applications name, at once."""
    ids = {document.id for document in documents}
    ids |= {
        other
        for found in applications.values()
        for application in found
        for other in (application.credit_document_id, application.debit_document_id)
    }
    ids |= {document.reverses_id for document in documents if document.reverses_id}
    if ids:
        db.session.scalars(
            sa.select(Document)
            .options(sa.orm.selectinload(Document.installments))
            .where(Document.id.in_(ids))
        ).all()
