"""Operations on a client's current account; each flushes and writes its audit row.

A balance is the sum of its documents' signed amounts, and equally the sum of their signed open
amounts: applying moves an amount out of a credit's open amount and a debit's at once, and a
void writes a reversing document, so both sums stay equal at every step.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.clients.models import Client
from app.core.numbers import parse_decimal
from app.core.routing import MAX_ID
from app.core.types import MAX_AMOUNT, Money, local_today, utcnow
from app.extensions import db
from app.ledger.models import (
    CURRENCIES,
    DEBIT_KINDS,
    POSTABLE_KINDS,
    Application,
    CardIssuer,
    CardPlan,
    Document,
    DocumentInstallment,
    DocumentKind,
    DocumentState,
    PaymentKind,
    ReceiptLine,
    SaleCondition,
    WithholdingTax,
)
from app.ledger.rules import AGING_BUCKETS, aging_bucket, installments, weighted_days_to_pay
from app.taxes.rules import TaxIdType, validate_tax_id

CENT = Decimal("0.01")
DUE_SOON_DAYS = 7
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


def _row_id(raw: object) -> int | None:
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
        "exchange_rate": _plain(document.exchange_rate),
        "amount": _plain(document.amount),
        "open_amount": _plain(document.open_amount),
        "state": document.state,
        "sale_condition_id": document.sale_condition_id,
        "reverses_id": document.reverses_id,
        "void_reason": document.void_reason,
    }


def _plain(value: Decimal) -> str:
    """A decimal as text, with no trailing zeros (0.00 and 0 are the same)."""
    return format(value.normalize(), "f")


# --- parsing ---------------------------------------------------------------------------------


def parse_amount(raw: object, name: str, errors: dict, positive: bool = True) -> Decimal | None:
    """A money amount with at most two decimals, typed as parse_decimal reads it."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors[name] = _("Ingresá un importe.")
        return None
    try:
        value = parse_decimal(raw, negative=True)
    except ValueError:
        errors[name] = _("Importe inválido.")
        return None
    if value.as_tuple().exponent < -2:
        errors[name] = _("Usá como mucho dos decimales.")
        return None
    if positive and value <= 0:
        errors[name] = _("El importe debe ser mayor que cero.")
        return None
    if abs(value) > MAX_AMOUNT:
        errors[name] = _("El importe es demasiado grande.")
        return None
    return value.quantize(CENT)


def parse_date(raw: object, name: str, errors: dict, required: bool = True) -> date | None:
    """An ISO date (2026-11-23) or a date object."""
    if isinstance(raw, date):
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors[name] = _("Ingresá una fecha.")
        return None
    try:
        value = date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = _("Fecha inválida.")
        return None
    if not date(2000, 1, 1) <= value <= date(2099, 12, 31):
        errors[name] = _("La fecha está fuera de rango.")
        return None
    return value


def _letter(data: dict, default: str, errors: dict) -> str:
    """The document's letter (A, B, C, E, M, X or none), upper case."""
    letter = (data.get("letter") or default).strip().upper()
    if letter not in LETTERS:
        errors["letter"] = _("Letra inválida.")
    return letter


def _reason(raw: object, missing: str, errors: dict) -> str:
    """Why a document is voided: required, up to 200 characters."""
    reason = raw.strip() if isinstance(raw, str) else ""
    if not reason:
        errors["reason"] = missing
    elif len(reason) > 200:
        errors["reason"] = _("El motivo es demasiado largo.")
    return reason


NUMBER_PATTERN = re.compile(r"^(\d{1,5})-(\d{1,8})$")


def normalize_number(raw: str | None) -> str | None:
    """ "1-1234" -> "0001-00001234"; other numbers are kept as written (trimmed, upper case)."""
    text = (raw or "").strip().upper()
    if not text:
        return None
    match = NUMBER_PATTERN.match(text)
    if match:
        point, number = match.groups()
        return f"{int(point):04d}-{int(number):08d}"
    return text


def next_number(kind: str, letter: str, point_of_sale: int = 1) -> str:
    """The next free number of a kind and letter at a point of sale."""
    prefix = f"{point_of_sale:04d}-"
    last = db.session.scalar(
        sa.select(sa.func.max(Document.number)).where(
            Document.kind == kind,
            Document.letter == letter,
            Document.number.like(prefix + "%"),
            sa.func.length(Document.number) == len(prefix) + 8,
            Document.reverses_id.is_(None),
        )
    )
    following = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{following:08d}"


def _check_number_free(kind: str, letter: str, number: str, errors: dict) -> None:
    """A number identifies one document of its kind and letter."""
    taken = db.session.scalar(
        sa.select(Document.id).where(
            Document.kind == kind,
            Document.letter == letter,
            Document.number == number,
            Document.reverses_id.is_(None),
        )
    )
    if taken:
        errors["number"] = _("Ya existe un comprobante de ese tipo con ese número.")


def _currency_and_rate(data: dict, client: Client, errors: dict) -> tuple[str, Decimal]:
    """The document's currency and the exchange rate of the day stored with it."""
    currency = (data.get("currency") or client.currency or "ARS").strip().upper()
    if currency not in CURRENCIES:
        errors["currency"] = _("Moneda inválida: usá ARS o USD.")
        return "ARS", Decimal("1")
    if currency == "ARS":
        return currency, Decimal("1")
    raw = data.get("exchange_rate")
    try:
        rate = parse_decimal(raw) if raw not in (None, "") else None
    except ValueError:
        rate = None
    if rate is None or rate <= 0 or rate > Decimal("99999999"):
        errors["exchange_rate"] = _("Ingresá la cotización del día para documentos en USD.")
        return currency, Decimal("1")
    return currency, rate.quantize(Decimal("0.000001"))


def latest_rate(currency: str) -> Decimal | None:
    """The exchange rate (pesos per unit) of the latest document posted in that currency."""
    if currency == "ARS":
        return Decimal("1")
    return db.session.scalar(
        sa.select(Document.exchange_rate)
        .where(Document.currency == currency)
        .order_by(Document.date.desc(), Document.id.desc())
        .limit(1)
    )


def client_sale_condition(client: Client) -> SaleCondition | None:
    """The client's own sale condition, or its type's default."""
    if client.sale_condition_id:
        return db.session.get(SaleCondition, client.sale_condition_id)
    if client.client_type and client.client_type.default_sale_condition_id:
        return db.session.get(SaleCondition, client.client_type.default_sale_condition_id)
    return None


def allowed_kinds(client: Client) -> tuple[str, ...]:
    """The document kinds the client's type allows (all of them when it says nothing)."""
    allowed = client.client_type.allowed_document_kinds if client.client_type else None
    if not allowed:
        return (*POSTABLE_KINDS, DocumentKind.RECEIPT)
    return tuple(kind for kind in (*POSTABLE_KINDS, DocumentKind.RECEIPT) if kind in allowed)


def _cash_only(client: Client) -> bool:
    """True when the client's type sells only for cash."""
    return bool(client.client_type and client.client_type.cash_only)


# --- posting ---------------------------------------------------------------------------------


def post_document(client: Client, data: dict, user: User | None, source: str = "backoffice"):
    """Post an invoice, note, adjustment or opening balance to the client's account."""
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in POSTABLE_KINDS:
        errors["kind"] = _("Elegí un tipo de comprobante.")
    elif kind not in allowed_kinds(client):
        errors["kind"] = _(
            "El tipo de cliente %(type)s no admite %(kind)s.",
            type=client.client_type.name,
            kind=str(KIND_LABELS[DocumentKind(kind)]).lower(),
        )
    letter = _letter(data, "", errors)
    number = normalize_number(data.get("number"))
    if number is None and kind in POSTABLE_KINDS:
        number = next_number(kind, letter)
    elif number is not None and len(number) > 20:
        errors["number"] = _("El número es demasiado largo.")
    when = parse_date(data.get("date") or local_today(), "date", errors)
    amount = parse_amount(data.get("amount"), "amount", errors)
    currency, rate = _currency_and_rate(data, client, errors)
    condition = None
    # Invoices and debit notes follow the client's terms; other debits are due on their date
    # unless a sale condition is named.
    if kind in (DocumentKind.INVOICE, DocumentKind.DEBIT_NOTE) or (
        kind in DEBIT_KINDS and data.get("sale_condition_id") not in (None, "")
    ):
        condition = _sale_condition_for(client, data.get("sale_condition_id"), kind, errors)
    notes = (data.get("notes") or "").strip() or None
    if notes and len(notes) > 2000:
        errors["notes"] = _("La nota es demasiado larga.")
    if client.is_deleted:
        errors["client_id"] = _("El cliente está en la papelera.")
    if not errors:
        _check_number_free(kind, letter, number, errors)
    if errors:
        raise LedgerError(errors)
    document = Document(
        client_id=client.id,
        kind=kind,
        sign=1 if kind in DEBIT_KINDS else -1,
        letter=letter,
        number=number,
        date=when,
        currency=currency,
        exchange_rate=rate,
        amount=amount,
        open_amount=amount,
        state=DocumentState.OPEN,
        sale_condition_id=condition.id if condition else None,
        notes=notes,
        source=source,
        created_by_id=user.id if user else None,
    )
    db.session.add(document)
    if document.is_debit:
        _add_installments(document, condition)
    db.session.flush()
    if kind == DocumentKind.INVOICE and (not client.last_sale_date or when > client.last_sale_date):
        client.last_sale_date = when
    audit.record("ledger.document.create", "document", document.id, None, audit_view(document))
    return document


def _sale_condition_for(
    client: Client, raw_id: object, kind: str, errors: dict
) -> SaleCondition | None:
    """The sale condition a debit document uses: the one given, else the client's."""
    condition = None
    if raw_id not in (None, ""):
        ident = _row_id(raw_id)
        condition = db.session.get(SaleCondition, ident) if ident else None
        if condition is None or condition.is_deleted:
            errors["sale_condition_id"] = _("Elegí una condición de venta de la lista.")
            return None
    else:
        condition = client_sale_condition(client)
    if (
        kind == DocumentKind.INVOICE
        and _cash_only(client)
        and condition
        and not condition.is_immediate
    ):
        errors["sale_condition_id"] = _(
            "El tipo de cliente %(type)s vende solo de contado.", type=client.client_type.name
        )
    return condition


def _add_installments(document: Document, condition: SaleCondition | None) -> None:
    """Split a debit document into its installments; without terms it is due on its date."""
    if condition is None:
        parts = [(document.date, document.amount)]
    else:
        parts = [
            (part.due_date, part.amount)
            for part in installments(
                condition.rule, document.date, document.amount, condition.installments
            )
        ]
    for number, (due, amount) in enumerate(parts, start=1):
        document.installments.append(
            DocumentInstallment(
                client_id=document.client_id,
                currency=document.currency,
                number=number,
                due_date=due,
                amount=amount,
                open_amount=amount,
            )
        )


def preview_installments(
    condition: SaleCondition | None, when: date, amount: Decimal
) -> list[tuple[int, date, Decimal]]:
    """The installments a debit document would get, for the form's preview."""
    if condition is None:
        return [(1, when, amount)]
    return [
        (part.number, part.due_date, part.amount)
        for part in installments(condition.rule, when, amount, condition.installments)
    ]


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
        installment_id = _row_id(row.get("installment_id"))
        if installment_id is None:
            errors[f"applications-{index}-installment_id"] = _("Elegí un comprobante a cancelar.")
            continue
        if amount is not None:
            allocations.append(Allocation(installment_id, amount))
    return allocations


def _parse_line(index: int, row: dict, errors: dict) -> ReceiptLine | None:
    """One payment line of a receipt, checked for what its kind needs."""
    prefix = f"lines-{index}-"
    kind = row.get("kind")
    if kind not in PAYMENT_FIELDS:
        errors[prefix + "kind"] = _("Elegí una forma de pago.")
        return None
    amount = parse_amount(row.get("amount"), prefix + "amount", errors)
    values: dict = {}
    for name in LINE_FIELDS:
        raw = row.get(name)
        values[name] = raw.strip() if isinstance(raw, str) else raw
        if values[name] == "":
            values[name] = None
    for name in PAYMENT_FIELDS[PaymentKind(kind)]:
        if values.get(name) in (None, ""):
            errors[prefix + name] = _(
                "Este dato es obligatorio para %(kind)s.",
                kind=str(PAYMENT_LABELS[PaymentKind(kind)]).lower(),
            )
    if values.get("due_date") is not None:
        values["due_date"] = parse_date(values["due_date"], prefix + "due_date", errors)
    if values.get("drawer_tax_id"):
        check = validate_tax_id(TaxIdType.CUIT, str(values["drawer_tax_id"]))
        if check.valid:
            values["drawer_tax_id"] = check.compact
        else:
            errors[prefix + "drawer_tax_id"] = _(check.error)
    if values.get("card_plan_id") is not None:
        ident = _row_id(values["card_plan_id"])
        plan = db.session.get(CardPlan, ident) if ident else None
        if plan is None or plan.is_deleted:
            errors[prefix + "card_plan_id"] = _("Elegí un plan de tarjeta de la lista.")
        else:
            values["card_plan_id"] = plan.id
    if values.get("tax") is not None and values["tax"] not in set(WithholdingTax):
        errors[prefix + "tax"] = _("Elegí el impuesto retenido.")
    for name, size in (("bank", 80), ("number", 30), ("drawer", 120), ("reference", 60),
                       ("certificate", 40)):  # fmt: skip
        if values.get(name) is not None and len(str(values[name])) > size:
            errors[prefix + name] = _("El dato es demasiado largo.")
    if amount is None or any(key.startswith(prefix) for key in errors):
        return None
    # A line keeps only the fields its kind uses.
    kept = {name: values[name] for name in PAYMENT_FIELDS[PaymentKind(kind)]}
    if kind == PaymentKind.CARD and values.get("number"):
        kept["number"] = values["number"]
    return ReceiptLine(kind=kind, amount=amount, **kept)


def post_receipt(
    client: Client,
    data: dict,
    user: User | None,
    source: str = "backoffice",
) -> Document:
    """Record a receipt with its payment lines, and apply it as asked (or leave it unapplied).

    data: number (optional), letter, date, currency, exchange_rate, notes, lines (list of dicts),
    applications (list of {installment_id, amount}) and apply_oldest (bool).
    """
    errors: dict[str, str] = {}
    if DocumentKind.RECEIPT not in allowed_kinds(client):
        errors["kind"] = _(
            "El tipo de cliente %(type)s no admite recibos.", type=client.client_type.name
        )
    letter = _letter(data, "X", errors)
    number = normalize_number(data.get("number")) or next_number(DocumentKind.RECEIPT, letter)
    if len(number) > 20:
        errors["number"] = _("El número es demasiado largo.")
    when = parse_date(data.get("date") or local_today(), "date", errors)
    currency, rate = _currency_and_rate(data, client, errors)
    lines = [
        line
        for index, row in enumerate(data.get("lines") or [])
        if (line := _parse_line(index, row, errors)) is not None
    ]
    if not data.get("lines") and "lines" not in errors:
        errors["lines"] = _("Cargá al menos una forma de pago.")
    allocations = parse_allocations(data.get("applications"), errors)
    notes = (data.get("notes") or "").strip() or None
    if client.is_deleted:
        errors["client_id"] = _("El cliente está en la papelera.")
    total = sum((line.amount for line in lines), Decimal("0"))
    if not errors and total > MAX_AMOUNT:
        errors["lines"] = _("El importe es demasiado grande.")
    if not errors and sum(a.amount for a in allocations) > total:
        errors["applications"] = _("Se aplica más de lo que se cobró.")
    if not errors:
        _check_number_free(DocumentKind.RECEIPT, letter, number, errors)
    if errors:
        raise LedgerError(errors)
    receipt = Document(
        client_id=client.id,
        kind=DocumentKind.RECEIPT,
        sign=-1,
        letter=letter,
        number=number,
        date=when,
        currency=currency,
        exchange_rate=rate,
        amount=total,
        open_amount=total,
        state=DocumentState.OPEN,
        notes=notes,
        source=source,
        created_by_id=user.id if user else None,
    )
    receipt.lines = lines
    db.session.add(receipt)
    db.session.flush()
    if not client.last_receipt_date or when > client.last_receipt_date:
        client.last_receipt_date = when
    audit.record(
        "ledger.receipt.create",
        "document",
        receipt.id,
        None,
        {**audit_view(receipt), "lines": [_line_view(line) for line in lines]},
    )
    if allocations:
        apply(receipt, allocations, user)
    elif data.get("apply_oldest"):
        apply_oldest(receipt, user)
    return receipt


def _line_view(line: ReceiptLine) -> dict:
    """A payment line as the audit log keeps it."""
    view = {"kind": line.kind, "amount": _plain(line.amount)}
    for name in LINE_FIELDS:
        value = getattr(line, name)
        if value is not None:
            view[name] = value.isoformat() if isinstance(value, date) else value
    return view


def post_voided_receipt(client: Client, data: dict, user: User | None) -> Document:
    """Enter a receipt form that was spoiled on paper, so its number is accounted for."""
    errors: dict[str, str] = {}
    letter = _letter(data, "X", errors)
    number = normalize_number(data.get("number"))
    if number is None:
        errors["number"] = _("Ingresá el número del recibo anulado.")
    elif len(number) > 20:
        errors["number"] = _("El número es demasiado largo.")
    when = parse_date(data.get("date") or local_today(), "date", errors)
    reason = _reason(data.get("reason"), _("Contá por qué se anuló."), errors)
    if not errors:
        _check_number_free(DocumentKind.RECEIPT, letter, number, errors)
    if errors:
        raise LedgerError(errors)
    receipt = Document(
        client_id=client.id,
        kind=DocumentKind.RECEIPT,
        sign=-1,
        letter=letter,
        number=number,
        date=when,
        currency=client.currency or "ARS",
        exchange_rate=Decimal("1"),
        amount=Decimal("0"),
        open_amount=Decimal("0"),
        state=DocumentState.VOID,
        voided_at=utcnow(),
        void_reason=reason,
        created_by_id=user.id if user else None,
    )
    db.session.add(receipt)
    db.session.flush()
    audit.record("ledger.receipt.voided_entry", "document", receipt.id, None, audit_view(receipt))
    return receipt


# --- applying --------------------------------------------------------------------------------


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


def lock_account(client_id: int) -> None:
    """Hold the client's row until commit, so one account's writes happen one after another.

    Every change to an account takes this lock first; the row locks that follow never wait
    on each other, so two writers cannot deadlock. SQLite already writes one at a time.
    """
    db.session.execute(sa.select(Client.id).where(Client.id == client_id).with_for_update())


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
            "Se aplica más de lo disponible (%(open)s).", open=_plain(credit.open_amount)
        )
    # Lock in one order (by id) so two applications at once wait for each other, never deadlock.
    for ident in sorted({a.installment_id for a in allocations if _row_id(a.installment_id)}):
        _locked(DocumentInstallment, ident)
    seen: set[int] = set()
    targets = []
    for index, allocation in enumerate(allocations):
        name = f"applications-{index}-amount"
        installment = (
            db.session.get(DocumentInstallment, allocation.installment_id)
            if _row_id(allocation.installment_id)
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
                "Supera el saldo pendiente (%(open)s).", open=_plain(installment.open_amount)
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
                {"id": a.id, "installment_id": a.installment_id, "amount": _plain(a.amount)}
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
    reason = _reason(reason, _("Contá por qué se anula."), errors)
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


# --- reading ---------------------------------------------------------------------------------


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


# --- aging report ----------------------------------------------------------------------------


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


# --- statement -------------------------------------------------------------------------------


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
