"""The JSON API for current accounts: documents, receipts, applications, voids and balances.

The ERP's invoicing posts documents here and collectors' phones post receipts.
"""

from datetime import timedelta
from decimal import Decimal

from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import NotFound

from app.api.blueprint import bp
from app.api.common import load_json, query_args, refusals, visible_client
from app.api.docs import (
    OUT_OF_SCOPE,
    REFUSED_WRITE,
    UNKNOWN,
    api_doc,
    name_schemas,
    read_errors,
    write_errors,
)
from app.auth.permissions import requires
from app.clients import services as clients
from app.clients.models import Client
from app.core.idempotency import write_endpoint
from app.core.types import local_today
from app.extensions import db
from app.ledger import accounts, aging, applications, posting, statements
from app.ledger import services as ledger
from app.ledger.models import (
    Application,
    Document,
    DocumentState,
)
from app.ledger.rules import AGING_BUCKETS
from app.ledger.schemas import (
    AccountArgsSchema,
    AccountSchema,
    AgingArgsSchema,
    AgingReportSchema,
    AgingRowSchema,
    AgingTotalsSchema,
    AllocationSchema,
    ApplicationSchema,
    ApplySchema,
    BucketsSchema,
    CardIssuerSchema,
    CardPlanSchema,
    CurrencySummarySchema,
    DocumentListArgsSchema,
    DocumentPageSchema,
    DocumentSchema,
    DocumentSummarySchema,
    InstallmentSchema,
    NewDocumentSchema,
    NewReceiptSchema,
    OpenItemSchema,
    PaymentLineOutSchema,
    PaymentLineSchema,
    SaleConditionSchema,
    StatementArgsSchema,
    StatementLineSchema,
    StatementSchema,
    VoidedReceiptSchema,
    VoidResultSchema,
    VoidSchema,
)

ONE_CLIENT = "/clients/<int:client_id>"
ONE_DOCUMENT = "/documents/<int:document_id>"
# The account answers the oldest open items; the currency summaries count them all.
MAX_OPEN_ITEMS = 500
STATEMENT_DAYS = 90


refusals_as_422 = refusals(ledger.LedgerError)

name_schemas(
    Buckets=BucketsSchema,
    Installment=InstallmentSchema,
    PaymentLineOut=PaymentLineOutSchema,
    Application=ApplicationSchema,
    DocumentSummary=DocumentSummarySchema,
    Document=DocumentSchema,
    DocumentPage=DocumentPageSchema,
    VoidResult=VoidResultSchema,
    CurrencySummary=CurrencySummarySchema,
    OpenItem=OpenItemSchema,
    Account=AccountSchema,
    StatementLine=StatementLineSchema,
    Statement=StatementSchema,
    AgingRow=AgingRowSchema,
    AgingTotals=AgingTotalsSchema,
    AgingReport=AgingReportSchema,
    SaleCondition=SaleConditionSchema,
    CardPlan=CardPlanSchema,
    CardIssuer=CardIssuerSchema,
    PaymentLine=PaymentLineSchema,
    Allocation=AllocationSchema,
    NewDocument=NewDocumentSchema,
    NewReceipt=NewReceiptSchema,
    VoidedReceipt=VoidedReceiptSchema,
    Apply=ApplySchema,
    Void=VoidSchema,
)


def _client_in_body(client_id: int) -> Client:
    """The client a new document is for; an unknown one is a field error, not a 404."""
    try:
        client = clients.visible_client(current_user, client_id, trash=True)
    except NotFound:
        raise ledger.LedgerError({"client_id": _("No existe.")}) from None
    if client.is_deleted:
        raise ledger.LedgerError({"client_id": _("El cliente está en la papelera.")})
    return client


def _document(document_id: int) -> Document:
    """A document of a client in the caller's scope, else 404."""
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    visible_client(document.client_id)
    return document


def _document_json(document: Document, status: int = 200):
    """A document with its parts, and where to find it."""
    response = jsonify(DocumentSchema().dump(document))
    response.headers["Location"] = url_for(".get_document", document_id=document.id)
    return response, status


def _next_page(endpoint: str, schema: Schema, number: int | None, **values) -> str | None:
    """The address of the next page (if any), keeping the query string's arguments."""
    if number is None:
        return None
    names = {field.data_key or name for name, field in schema.fields.items()}
    sent = {name: value for name, value in request.args.items() if name in names and value}
    return url_for(endpoint, **values, **(sent | {"page": number}))


# --- reading ---------------------------------------------------------------------------------


@bp.get(f"{ONE_CLIENT}/account")
@api_doc(
    "A client's balances per currency, aging buckets, payment habits, oldest open items and "
    "unapplied credits",
    query=AccountArgsSchema,
    answers={"200": ("The account", "Account")},
    errors=read_errors(OUT_OF_SCOPE),
)
@requires("ledger.view")
@refusals_as_422
def get_account(client_id: int):
    """Balances, aging buckets, payment habits, open items and open credits of a client."""
    client = visible_client(client_id)
    as_of = query_args(AccountArgsSchema()).get("as_of") or local_today()
    summary = accounts.account_summary(client, as_of)
    items = accounts.open_items(client.id, as_of, limit=MAX_OPEN_ITEMS)
    counts = accounts.installment_counts({item.document.id for item in items})
    body = {
        "client_id": client.id,
        "as_of": as_of,
        "balances": accounts.balances(client.id),
        "currencies": summary.currencies,
        "oldest_due": summary.oldest_due,
        "days_to_pay": summary.days_to_pay,
        "last_sale_date": summary.last_sale_date,
        "last_receipt_date": summary.last_receipt_date,
        "open_items": [
            {
                "installment_id": item.installment.id,
                "document_id": item.document.id,
                "title": ledger.document_title(item.document),
                "kind": item.document.kind,
                "date": item.document.date,
                "due_date": item.installment.due_date,
                "number": item.installment.number,
                "installments": counts[item.document.id],
                "amount": item.installment.amount,
                "open_amount": item.installment.open_amount,
                "currency": item.installment.currency,
                "days_overdue": item.days_overdue,
                "bucket": item.bucket,
            }
            for item in items
        ],
        "open_credits": accounts.open_credits(client.id),
    }
    return jsonify(AccountSchema().dump(body))


@bp.get(f"{ONE_CLIENT}/documents")
@api_doc(
    "A client's documents, newest first, filtered by date range, kind and state",
    query=DocumentListArgsSchema,
    answers={"200": ("A page of documents; `next` is null on the last", "DocumentPage")},
    errors=read_errors(OUT_OF_SCOPE),
)
@requires("ledger.view")
@refusals_as_422
def list_client_documents(client_id: int):
    """A client's documents, newest first, filtered by dates, kind and state, a page at a time."""
    client = visible_client(client_id)
    schema = DocumentListArgsSchema()
    args = query_args(schema)
    page = accounts.documents_page(
        client.id,
        args["page"],
        args["per_page"],
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        kind=args.get("kind"),
        state=args.get("state"),
    )
    body = {
        "items": page.items,
        "next": _next_page(".list_client_documents", schema, page.next_num, client_id=client.id),
        "total": page.total,
    }
    return jsonify(DocumentPageSchema().dump(body))


@bp.get(ONE_DOCUMENT)
@api_doc(
    "A document with its installments, payment lines and applications",
    answers={"200": ("The document", "Document")},
    errors=read_errors(OUT_OF_SCOPE),
)
@requires("ledger.view")
def get_document(document_id: int):
    """One document with its installments, payment lines and applications."""
    return _document_json(_document(document_id))


@bp.get(f"{ONE_CLIENT}/statement")
@api_doc(
    "The account statement (estado de cuenta) of a date range in one currency: opening "
    "balance, each document with its applications, running balance",
    query=StatementArgsSchema,
    answers={"200": ("The statement", "Statement")},
    errors=read_errors(OUT_OF_SCOPE),
)
@requires("ledger.view")
@refusals_as_422
def get_statement(client_id: int):
    """The account statement for a date range in one currency, with a running balance."""
    client = visible_client(client_id)
    args = query_args(StatementArgsSchema())
    date_to = args.get("date_to") or local_today()
    date_from = args.get("date_from") or date_to - timedelta(days=STATEMENT_DAYS)
    if date_from > date_to:
        raise ValidationError({"from": [_("La fecha inicial es posterior a la final.")]})
    currency = args.get("currency") or client.currency or "ARS"
    found = statements.statement(client, date_from, date_to, currency)
    return jsonify(StatementSchema().dump(found))


@bp.get("/aging")
@api_doc(
    "Aging buckets per client in the caller's scope, largest overdue first, with totals "
    "(back office and supervisors)",
    query=AgingArgsSchema,
    answers={"200": ("A page of the report; `next` is null on the last", "AgingReport")},
    errors=read_errors(("403", "Not allowed (back office and supervisors)")),
)
@requires("ledger.reports")
@refusals_as_422
def get_aging():
    """Aging buckets per client in the caller's scope, largest overdue first, with totals."""
    schema = AgingArgsSchema()
    args = query_args(schema)
    as_of = args.get("as_of") or local_today()
    rows, totals, count = aging.aging_report(
        clients.scoped_clients(current_user),
        as_of,
        args["currency"],
        args["page"],
        args["per_page"],
        args["overdue_only"],
    )
    overdue = sum((totals[name] for name in AGING_BUCKETS[1:]), Decimal("0"))
    owed = totals["not_due"] + overdue
    more = args["page"] * args["per_page"] < count
    body = {
        "as_of": as_of,
        "currency": args["currency"],
        "items": rows,
        "totals": totals | {"total": owed - totals["unapplied"], "overdue": overdue},
        "count": count,
        "next": _next_page(".get_aging", schema, args["page"] + 1 if more else None),
    }
    return jsonify(AgingReportSchema().dump(body))


@bp.get("/sale-conditions")
@api_doc(
    "The sale conditions in use",
    answers={"200": ("Every sale condition", {"type": "array", "items": "SaleCondition"})},
    errors=read_errors(),
)
@requires("ledger.view")
def list_sale_conditions():
    """The sale conditions in use, by code."""
    conditions = accounts.sale_conditions()
    return jsonify(SaleConditionSchema(many=True).dump(conditions))


@bp.get("/card-issuers")
@api_doc(
    "The credit-card issuers in use, with their plans",
    answers={"200": ("Every issuer", {"type": "array", "items": "CardIssuer"})},
    errors=read_errors(),
)
@requires("ledger.view")
def list_card_issuers():
    """The credit-card issuers in use, with their plans."""
    issuers = accounts.card_issuers()
    return jsonify(CardIssuerSchema(many=True).dump(issuers))


# --- writing ---------------------------------------------------------------------------------


@bp.post("/documents")
@api_doc(
    "Post an invoice, note, adjustment or opening balance (back office); debits get their "
    "installments from the sale condition",
    body=("The data", "NewDocument"),
    answers={"201": ("Posted", "Document")},
    errors=write_errors(REFUSED_WRITE),
)
@requires("ledger.edit")
@write_endpoint
@refusals_as_422
def create_document():
    """Post an invoice, note, adjustment or opening balance (the ERP's invoicing)."""
    data = load_json(NewDocumentSchema())
    client = _client_in_body(data.pop("client_id"))
    return _document_json(posting.post_document(client, data, current_user, source="api"), 201)


@bp.post("/receipts")
@api_doc(
    "Record a receipt with its payment lines (back office); applied to the named "
    "installments, to the oldest ones (apply_oldest), or left unapplied",
    body=("The data", "NewReceipt"),
    answers={"201": ("Recorded", "Document")},
    errors=write_errors(REFUSED_WRITE),
)
@requires("ledger.edit")
@write_endpoint
@refusals_as_422
def create_receipt():
    """Record a receipt with its payment lines; apply it as asked or leave it unapplied."""
    data = load_json(NewReceiptSchema())
    client = _client_in_body(data.pop("client_id"))
    return _document_json(posting.post_receipt(client, data, current_user, source="api"), 201)


@bp.post("/receipts/voided")
@api_doc(
    "Enter a receipt form spoiled on paper, so its number is accounted for (back office)",
    body=("The data", "VoidedReceipt"),
    answers={"201": ("Entered (state void, amount 0)", "Document")},
    errors=write_errors(REFUSED_WRITE),
)
@requires("ledger.edit")
@write_endpoint
@refusals_as_422
def create_voided_receipt():
    """Enter a receipt form spoiled on paper, so its number is accounted for."""
    data = load_json(VoidedReceiptSchema())
    client = _client_in_body(data.pop("client_id"))
    return _document_json(posting.post_voided_receipt(client, data, current_user), 201)


@bp.post(f"{ONE_DOCUMENT}/applications")
@api_doc(
    "Apply a receipt or credit to open installments (back office)",
    body=("The data", "Apply"),
    answers={"200": ("The credit with its applications", "Document")},
    errors=write_errors(REFUSED_WRITE, UNKNOWN),
)
@requires("ledger.edit")
@write_endpoint
@refusals_as_422
def apply_document(document_id: int):
    """Apply a receipt or credit to named open installments, or to the oldest ones."""
    document = _document(document_id)
    data = load_json(ApplySchema())
    if not data.get("apply_oldest"):
        allocations = [
            applications.Allocation(row["installment_id"], row["amount"])
            for row in data["applications"]
        ]
        applications.apply(document, allocations, current_user)
    elif not applications.apply_oldest(document, current_user):
        if document.is_debit or document.state == DocumentState.VOID:
            applications.apply(document, [], current_user)  # raises: it says why this cannot apply
        raise ledger.LedgerError(
            {"apply_oldest": _("No hay saldo para aplicar ni comprobantes pendientes.")}
        )
    return _document_json(document)


@bp.post("/applications/<int:application_id>/unapply")
@api_doc(
    "Undo an application (back office); it stays in the history with `unapplied_at`",
    answers={"200": ("The credit document it belonged to", "Document")},
    errors=write_errors(REFUSED_WRITE, UNKNOWN),
)
@requires("ledger.edit")
@write_endpoint
@refusals_as_422
def unapply_application(application_id: int):
    """Undo an application; answers the credit document it belonged to."""
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    visible_client(application.client_id)
    applications.unapply(application, current_user)
    return _document_json(db.session.get(Document, application.credit_document_id))


@bp.post(f"{ONE_DOCUMENT}/void")
@api_doc(
    "Void a document (back office): its applications are undone and a reversing document is "
    "written (never a delete)",
    body=("The data", "Void"),
    answers={"200": ("The voided document and its reversal", "VoidResult")},
    errors=write_errors(REFUSED_WRITE, UNKNOWN),
)
@requires("ledger.edit")
@write_endpoint
@refusals_as_422
def void_document(document_id: int):
    """Void a document: its applications are undone and a reversing document is written."""
    document = _document(document_id)
    data = load_json(VoidSchema())
    reversal = applications.void_document(document, data["reason"], current_user)
    body = VoidResultSchema().dump({"document": document, "reversal": reversal})
    return jsonify(body)
