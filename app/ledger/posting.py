"""Posting documents to an account: invoices, notes, adjustments, opening balances, receipts and
spoiled receipt forms; each flushes and writes its audit row.
"""

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.clients.models import Client
from app.core.numbers import plain_decimal
from app.core.types import MAX_AMOUNT, local_today, utcnow
from app.extensions import db
from app.ledger.applications import apply, apply_oldest, parse_allocations
from app.ledger.models import (
    DEBIT_KINDS,
    POSTABLE_KINDS,
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
from app.ledger.parsing import (
    allowed_kinds,
    cash_only,
    check_number_free,
    client_sale_condition,
    currency_and_rate,
    next_number,
    normalize_number,
    parse_amount,
    parse_date,
    parse_letter,
    parse_reason,
)
from app.ledger.rules import installments
from app.ledger.sale_lines import parse_sale_lines
from app.ledger.services import (
    KIND_LABELS,
    LINE_FIELDS,
    PAYMENT_FIELDS,
    PAYMENT_LABELS,
    LedgerError,
    audit_view,
    row_id,
)
from app.loyalty import services as loyalty
from app.orders.invoicing import mark_invoiced, order_to_bill
from app.taxes.rules import TaxIdType, validate_tax_id


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
    letter = parse_letter(data, "", errors)
    number = normalize_number(data.get("number"))
    if number is None and kind in POSTABLE_KINDS:
        number = next_number(kind, letter)
    elif number is not None and len(number) > 20:
        errors["number"] = _("El número es demasiado largo.")
    when = parse_date(data.get("date") or local_today(), "date", errors)
    amount = parse_amount(data.get("amount"), "amount", errors)
    currency, rate = currency_and_rate(data, client, errors, when)
    items = parse_sale_lines(data.get("items"), kind, amount, rate, errors)
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
    order = order_to_bill(client.id, data.get("order_id"), kind, errors)
    if not errors:
        check_number_free(kind, letter, number, errors)
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
        order_id=order.id if order else None,
    )
    document.sale_lines = items
    db.session.add(document)
    if document.is_debit:
        _add_installments(document, condition)
    db.session.flush()
    if kind == DocumentKind.INVOICE and (not client.last_sale_date or when > client.last_sale_date):
        client.last_sale_date = when
    audit.record("ledger.document.create", "document", document.id, None, audit_view(document))
    loyalty.on_document_posted(document)
    if order is not None:
        mark_invoiced(order, document)
    return document


def _sale_condition_for(
    client: Client, raw_id: object, kind: str, errors: dict
) -> SaleCondition | None:
    """The sale condition a debit document uses: the one given, else the client's."""
    condition = None
    if raw_id not in (None, ""):
        ident = row_id(raw_id)
        condition = db.session.get(SaleCondition, ident) if ident else None
        if condition is None or condition.is_deleted:
            errors["sale_condition_id"] = _("Elegí una condición de venta de la lista.")
            return None
    else:
        condition = client_sale_condition(client)
    if (
        kind == DocumentKind.INVOICE
        and cash_only(client)
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
        ident = row_id(values["card_plan_id"])
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
    letter = parse_letter(data, "X", errors)
    number = normalize_number(data.get("number")) or next_number(DocumentKind.RECEIPT, letter)
    if len(number) > 20:
        errors["number"] = _("El número es demasiado largo.")
    when = parse_date(data.get("date") or local_today(), "date", errors)
    currency, rate = currency_and_rate(data, client, errors, when)
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
        check_number_free(DocumentKind.RECEIPT, letter, number, errors)
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
    view = {"kind": line.kind, "amount": plain_decimal(line.amount)}
    for name in LINE_FIELDS:
        value = getattr(line, name)
        if value is not None:
            view[name] = value.isoformat() if isinstance(value, date) else value
    return view


def post_voided_receipt(client: Client, data: dict, user: User | None) -> Document:
    """Enter a receipt form that was spoiled on paper, so its number is accounted for."""
    errors: dict[str, str] = {}
    letter = parse_letter(data, "X", errors)
    number = normalize_number(data.get("number"))
    if number is None:
        errors["number"] = _("Ingresá el número del recibo anulado.")
    elif len(number) > 20:
        errors["number"] = _("El número es demasiado largo.")
    when = parse_date(data.get("date") or local_today(), "date", errors)
    reason = parse_reason(data.get("reason"), _("Contá por qué se anuló."), errors)
    if not errors:
        check_number_free(DocumentKind.RECEIPT, letter, number, errors)
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
