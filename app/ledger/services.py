"""The ledger's shared ground: labels, the payment fields, its error, a document's title and
audit view, and the lock every change to an account takes first.

A balance is the sum of its documents' signed amounts, and equally the sum of their signed open
amounts: applying moves an amount out of a credit's open amount and a debit's at once, and a
void writes a reversing document, so both sums stay equal at every step.
"""

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.clients.models import Client
from app.core.numbers import plain_decimal
from app.core.routing import MAX_ID
from app.extensions import db
from app.ledger.models import Document, DocumentKind, DocumentState, PaymentKind, WithholdingTax

CENT = Decimal("0.01")
LETTERS = ("A", "B", "C", "E", "M", "X", "")

KIND_LABELS = {
    DocumentKind.INVOICE: _l("Factura"),
    DocumentKind.DEBIT_NOTE: _l("Nota de débito"),
    DocumentKind.CREDIT_NOTE: _l("Nota de crédito"),
    DocumentKind.RECEIPT: _l("Recibo"),
    DocumentKind.DEBIT_ADJUSTMENT: _l("Ajuste débito"),
    DocumentKind.CREDIT_ADJUSTMENT: _l("Ajuste crédito"),
    DocumentKind.OPENING_BALANCE: _l("Saldo inicial"),
    DocumentKind.REVERSAL: _l("Anulación"),
}
KIND_CODES = {
    DocumentKind.INVOICE: "FC",
    DocumentKind.DEBIT_NOTE: "ND",
    DocumentKind.CREDIT_NOTE: "NC",
    DocumentKind.RECEIPT: "RC",
    DocumentKind.DEBIT_ADJUSTMENT: "AD",
    DocumentKind.CREDIT_ADJUSTMENT: "AC",
    DocumentKind.OPENING_BALANCE: "SI",
    DocumentKind.REVERSAL: "AN",
}
STATE_LABELS = {
    DocumentState.OPEN: _l("Pendiente"),
    DocumentState.PARTLY_PAID: _l("Pagado en parte"),
    DocumentState.PAID: _l("Pagado"),
    DocumentState.VOID: _l("Anulado"),
}
CREDIT_STATE_LABELS = {
    DocumentState.OPEN: _l("Sin aplicar"),
    DocumentState.PARTLY_PAID: _l("Aplicado en parte"),
    DocumentState.PAID: _l("Aplicado"),
    DocumentState.VOID: _l("Anulado"),
}
PAYMENT_LABELS = {
    PaymentKind.CASH: _l("Efectivo"),
    PaymentKind.OWN_CHECK: _l("Cheque propio"),
    PaymentKind.THIRD_PARTY_CHECK: _l("Cheque de terceros"),
    PaymentKind.OWN_PROMISSORY: _l("Documento propio"),
    PaymentKind.THIRD_PARTY_PROMISSORY: _l("Documento de terceros"),
    PaymentKind.TRANSFER: _l("Transferencia / interbanking"),
    PaymentKind.CARD: _l("Tarjeta de crédito"),
    PaymentKind.WITHHOLDING: _l("Retención"),
}
WITHHOLDING_LABELS = {
    WithholdingTax.IVA: _l("IVA"),
    WithholdingTax.IIBB: _l("Ingresos Brutos"),
    WithholdingTax.GANANCIAS: _l("Ganancias"),
    WithholdingTax.SUSS: _l("SUSS"),
}
BUCKET_LABELS = {
    "not_due": _l("A vencer"),
    "1_30": _l("1 a 30 días"),
    "31_60": _l("31 a 60 días"),
    "61_90": _l("61 a 90 días"),
    "over_90": _l("Más de 90 días"),
}

# The fields each payment kind needs, besides the amount.
PAYMENT_FIELDS = {
    PaymentKind.CASH: (),
    PaymentKind.OWN_CHECK: ("bank", "number", "due_date"),
    PaymentKind.THIRD_PARTY_CHECK: ("bank", "number", "due_date", "drawer", "drawer_tax_id"),
    PaymentKind.OWN_PROMISSORY: ("number", "due_date"),
    PaymentKind.THIRD_PARTY_PROMISSORY: ("number", "due_date", "drawer", "drawer_tax_id"),
    PaymentKind.TRANSFER: ("reference",),
    PaymentKind.CARD: ("card_plan_id", "number"),
    PaymentKind.WITHHOLDING: ("tax", "certificate"),
}
LINE_FIELDS = (
    "bank", "number", "due_date", "drawer", "drawer_tax_id", "reference", "card_plan_id", "tax",
    "certificate",
)  # fmt: skip


def row_id(raw: object) -> int | None:
    """An id as a number a row could have; None for anything else (too large ones included)."""
    try:
        ident = int(raw)
    except (TypeError, ValueError, OverflowError):
        return None
    return ident if 0 < ident <= MAX_ID else None


class LedgerError(ValueError):
    """A ledger change that cannot be made; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(str(v) for v in fields.values()))
        self.fields = fields


def document_title(document: Document) -> str:
    """How people name a document: "FC A 0001-00001234"."""
    if document.kind == DocumentKind.REVERSAL and document.reverses is not None:
        return _("Anulación de %(title)s", title=document_title(document.reverses))
    parts = [KIND_CODES.get(document.kind, document.kind), document.letter, document.number]
    return " ".join(part for part in parts if part)


def state_label(document: Document) -> str:
    """The state in words, as a debit or a credit reads it."""
    labels = STATE_LABELS if document.is_debit else CREDIT_STATE_LABELS
    return str(labels.get(document.state, document.state))


def audit_view(document: Document) -> dict:
    """A document as the audit log keeps it."""
    return {
        "client_id": document.client_id,
        "kind": document.kind,
        "letter": document.letter,
        "number": document.number,
        "date": document.date.isoformat(),
        "currency": document.currency,
        "exchange_rate": plain_decimal(document.exchange_rate),
        "amount": plain_decimal(document.amount),
        "open_amount": plain_decimal(document.open_amount),
        "state": document.state,
        "sale_condition_id": document.sale_condition_id,
        "reverses_id": document.reverses_id,
        "void_reason": document.void_reason,
    }


def lock_account(client_id: int) -> None:
    """Hold the client's row until commit, so one account's writes happen one after another.

    Every change to an account takes this lock first; the row locks that follow never wait
    on each other, so two writers cannot deadlock. SQLite already writes one at a time.
    """
    db.session.execute(sa.select(Client.id).where(Client.id == client_id).with_for_update())


def lock_and_reload_account(client: Client) -> None:
    """Take lock_account's lock and read the client's row afresh, in one statement."""
    db.session.refresh(client, with_for_update=True)
