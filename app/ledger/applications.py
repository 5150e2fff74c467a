"""Applying credits to debits, undoing it, and voiding a document; each locks the account first,
flushes and writes its audit row.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.clients.models import Client
from app.core.numbers import plain_decimal
from app.core.types import local_today, utcnow
from app.extensions import db
from app.ledger.models import (
    Application,
    Document,
    DocumentInstallment,
    DocumentKind,
    DocumentState,
)
from app.ledger.parsing import parse_amount, parse_reason
from app.ledger.services import LedgerError, audit_view, lock_account, row_id
from app.loyalty import services as loyalty


@dataclass
class Allocation:
    """An amount of a credit to apply to one installment."""

    installment_id: int
    amount: Decimal


def parse_allocations(raw: Iterable[dict] | None, errors: dict) -> list[Allocation]:
    """Allocations from JSON or form rows: installment_id and amount; empty amounts are skipped."""
    allocations = []
    for index, row in enumerate(raw or []):
        amount_raw = row.get("amount")
        if amount_raw in (None, "") or str(amount_raw).strip() in ("", "0", "0,00", "0.00"):
            continue
        name = f"applications-{index}-amount"
        amount = parse_amount(amount_raw, name, errors)
        installment_id = row_id(row.get("installment_id"))
        if installment_id is None:
            errors[f"applications-{index}-installment_id"] = _("Elegí un comprobante a cancelar.")
            continue
        if amount is not None:
            allocations.append(Allocation(installment_id, amount))
    return allocations


def _set_state(document: Document) -> None:
    """A document's state follows its open amount."""
    if document.state == DocumentState.VOID:
        return
    if document.open_amount == document.amount:
        document.state = DocumentState.OPEN
    elif document.open_amount == 0:
        document.state = DocumentState.PAID
    else:
        document.state = DocumentState.PARTLY_PAID


def _locked(model, ident: int):
    """Load a row for change, locked until commit on PostgreSQL (SQLite writes one at a time)."""
    return db.session.scalar(
        sa.select(model)
        .where(model.id == ident)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def apply(
    credit: Document,
    allocations: list[Allocation],
    user: User | None,
    on: date | None = None,
) -> list[Application]:
    """Apply amounts of a receipt or credit to the client's open installments."""
    errors: dict[str, str] = {}
    lock_account(credit.client_id)
    credit = _locked(Document, credit.id)
    if credit.is_debit or credit.kind == DocumentKind.REVERSAL:
        raise LedgerError({"document": _("Solo se aplican recibos, notas de crédito y ajustes.")})
    if credit.state == DocumentState.VOID:
        raise LedgerError({"document": _("El comprobante está anulado.")})
    total = sum((a.amount for a in allocations), Decimal("0"))
    if not allocations:
        errors["applications"] = _("Indicá qué comprobantes cancela y por cuánto.")
    elif total > credit.open_amount:
        errors["applications"] = _(
            "Se aplica más de lo disponible (%(open)s).", open=plain_decimal(credit.open_amount)
        )
    # Lock in one order (by id) so two applications at once wait for each other, never deadlock.
    for ident in sorted({a.installment_id for a in allocations if row_id(a.installment_id)}):
        _locked(DocumentInstallment, ident)
    seen: set[int] = set()
    targets = []
    for index, allocation in enumerate(allocations):
        name = f"applications-{index}-amount"
        installment = (
            db.session.get(DocumentInstallment, allocation.installment_id)
            if row_id(allocation.installment_id)
            else None
        )
        debit = installment.document if installment else None
        if (
            installment is None
            or installment.client_id != credit.client_id
            or debit.state == DocumentState.VOID
        ):
            errors[f"applications-{index}-installment_id"] = _(
                "Ese comprobante no está pendiente en esta cuenta."
            )
            continue
        if installment.id in seen:
            errors[f"applications-{index}-installment_id"] = _("Ese comprobante se repite.")
            continue
        seen.add(installment.id)
        if installment.currency != credit.currency:
            errors[name] = _("Solo se aplica entre comprobantes de la misma moneda.")
        elif allocation.amount > installment.open_amount:
            errors[name] = _(
                "Supera el saldo pendiente (%(open)s).", open=plain_decimal(installment.open_amount)
            )
        targets.append((installment, allocation.amount))
    if errors:
        raise LedgerError(errors)
    before = audit_view(credit)
    on = on or local_today()
    made = []
    for ident in sorted({installment.document_id for installment, _amount in targets}):
        _locked(Document, ident)
    for installment, amount in targets:
        debit = db.session.get(Document, installment.document_id)
        installment.open_amount -= amount
        debit.open_amount -= amount
        credit.open_amount -= amount
        _set_state(debit)
        application = Application(
            client_id=credit.client_id,
            credit_document_id=credit.id,
            installment_id=installment.id,
            debit_document_id=debit.id,
            amount=amount,
            applied_on=on,
            created_by_id=user.id if user else None,
        )
        db.session.add(application)
        made.append(application)
    _set_state(credit)
    db.session.flush()
    audit.record(
        "ledger.apply",
        "document",
        credit.id,
        before,
        {
            **audit_view(credit),
            "applications": [
                {"id": a.id, "installment_id": a.installment_id, "amount": plain_decimal(a.amount)}
                for a in made
            ],
        },
    )
    return made


def apply_oldest(credit: Document, user: User | None, on: date | None = None) -> list[Application]:
    """Apply a credit to the client's open installments in due-date order, as far as it goes."""
    left = credit.open_amount
    allocations = []
    open_installments = db.session.scalars(
        sa.select(DocumentInstallment)
        .join(Document, Document.id == DocumentInstallment.document_id)
        .where(
            DocumentInstallment.client_id == credit.client_id,
            DocumentInstallment.currency == credit.currency,
            DocumentInstallment.open_amount > 0,
            Document.state != DocumentState.VOID,
        )
        .order_by(DocumentInstallment.due_date, DocumentInstallment.id)
    )
    for installment in open_installments:
        if left <= 0:
            break
        amount = min(left, installment.open_amount)
        allocations.append(Allocation(installment.id, amount))
        left -= amount
    if not allocations:
        return []
    return apply(credit, allocations, user, on)


def unapply(application: Application, user: User | None) -> None:
    """Undo an application: the amounts go back to open on both sides; the row stays as history."""
    lock_account(application.client_id)
    application = _locked(Application, application.id)
    if not application.active:
        raise LedgerError({"application": _("Esa aplicación ya se deshizo.")})
    # The same order as apply: credit, installment, debit.
    credit = _locked(Document, application.credit_document_id)
    installment = _locked(DocumentInstallment, application.installment_id)
    debit = _locked(Document, application.debit_document_id)
    before = audit_view(credit)
    installment.open_amount += application.amount
    debit.open_amount += application.amount
    credit.open_amount += application.amount
    _set_state(debit)
    _set_state(credit)
    application.unapplied_at = utcnow()
    application.unapplied_by_id = user.id if user else None
    db.session.flush()
    audit.record(
        "ledger.unapply",
        "document",
        credit.id,
        before,
        {**audit_view(credit), "unapplied": application.id},
    )


def void_document(document: Document, reason: str, user: User | None, on: date | None = None):
    """Void a document: undo its applications and write a reversing document dated today."""
    errors: dict[str, str] = {}
    reason = parse_reason(reason, _("Contá por qué se anula."), errors)
    if errors:
        raise LedgerError(errors)
    lock_account(document.client_id)
    document = _locked(Document, document.id)
    if document.state == DocumentState.VOID or document.kind == DocumentKind.REVERSAL:
        raise LedgerError({"document": _("El comprobante ya está anulado.")})
    before = audit_view(document)
    for application in active_applications(document):
        unapply(application, user)
    db.session.refresh(document)
    on = on or local_today()
    if on < document.date:
        on = document.date
    reversal = Document(
        client_id=document.client_id,
        kind=DocumentKind.REVERSAL,
        sign=-document.sign,
        letter=document.letter,
        number=document.number,
        date=on,
        currency=document.currency,
        exchange_rate=document.exchange_rate,
        amount=document.amount,
        open_amount=Decimal("0"),
        state=DocumentState.VOID,
        reverses_id=document.id,
        void_reason=reason,
        created_by_id=user.id if user else None,
    )
    db.session.add(reversal)
    document.open_amount = Decimal("0")
    document.state = DocumentState.VOID
    document.voided_at = utcnow()
    document.void_reason = reason
    for installment in document.installments:
        installment.open_amount = Decimal("0")
    db.session.flush()
    _refresh_last_dates(db.session.get(Client, document.client_id))
    audit.record(
        "ledger.document.void",
        "document",
        document.id,
        before,
        {**audit_view(document), "reversal_id": reversal.id},
    )
    loyalty.on_document_voided(document, reversal)
    return reversal


def _refresh_last_dates(client: Client) -> None:
    """Last sale and last receipt dates from the documents still standing."""

    def last(kind: str) -> date | None:
        return db.session.scalar(
            sa.select(sa.func.max(Document.date)).where(
                Document.client_id == client.id,
                Document.kind == kind,
                Document.state != DocumentState.VOID,
            )
        )

    client.last_sale_date = last(DocumentKind.INVOICE)
    client.last_receipt_date = last(DocumentKind.RECEIPT)


def active_applications(document: Document) -> list[Application]:
    """The applications that involve a document and are not undone, oldest first."""
    column = Application.debit_document_id if document.is_debit else Application.credit_document_id
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(column == document.id, Application.unapplied_at.is_(None))
            .order_by(Application.id)
        )
    )


def applications_of(document: Document) -> list[Application]:
    """Every application of a document, undone ones too, for its history."""
    column = Application.debit_document_id if document.is_debit else Application.credit_document_id
    return list(
        db.session.scalars(
            sa.select(Application).where(column == document.id).order_by(Application.id)
        )
    )
