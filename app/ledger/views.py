"""Account pages: a client's current account, documents, receipts, applications and voids."""

from datetime import date
from decimal import Decimal

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import can, requires
from app.clients.models import Client
from app.clients.services import visible_client
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.routing import MAX_ID
from app.core.templating import money
from app.core.types import local_today
from app.extensions import db
from app.ledger import accounts, applications, forms, posting
from app.ledger import services as ledger
from app.ledger.blueprint import bp
from app.ledger.models import (
    CURRENCIES,
    DEBIT_KINDS,
    POSTABLE_KINDS,
    Application,
    CardIssuer,
    Document,
    DocumentKind,
    SaleCondition,
)
from app.ledger.parsing import allowed_kinds, client_sale_condition, parse_amount, parse_date
from app.taxes.services import client_invoice

OPEN_ITEMS_SHOWN = 100
DOCUMENTS_PER_PAGE = 30
MAX_PAYMENT_LINES = 30
DEFAULT_RECEIPT_LETTER = "X"
MAX_PAGE = 100_000


@bp.app_context_processor
def _account_helpers() -> dict:
    """What any page may ask about a client's account (the card shows a summary)."""
    return {"account_summary_for": account_summary_for, "days_overdue": days_overdue}


def account_summary_for(client: Client) -> accounts.AccountSummary | None:
    """The client's account at a glance, for users who may see it."""
    if not can(current_user, "ledger.view"):
        return None
    return accounts.account_summary(client)


def days_overdue(due: date | None) -> int:
    """Days since a due date (0 when it is not past)."""
    return max(0, (local_today() - due).days) if due else 0


def _labels() -> dict:
    """The words every account page uses for kinds, states, payments and buckets."""
    return {
        "title_of": ledger.document_title,
        "document_state": ledger.state_label,
        "kind_labels": ledger.KIND_LABELS,
        "payment_labels": ledger.PAYMENT_LABELS,
        "withholding_labels": ledger.WITHHOLDING_LABELS,
        "bucket_labels": ledger.BUCKET_LABELS,
        "currencies": CURRENCIES,
        "today": local_today(),
    }


def _client(client_id: int) -> Client:
    """The client if the user reaches it (the office also reaches clients in the trash)."""
    return visible_client(current_user, client_id)


def _document(document_id: int) -> Document:
    """The document if its client is in the user's scope, else 404."""
    document = db.get_or_404(Document, document_id)
    _client(document.client_id)
    return document


def _installment_counts(items: list[accounts.OpenItem]) -> dict[int, int]:
    """How many installments each listed document has."""
    return accounts.installment_counts({item.document.id for item in items})


def _general_errors(errors: dict[str, str], shown: set[str]) -> list[str]:
    """Messages with no field of their own on the page; they go at the top of the form."""
    return [message for key, message in errors.items() if key not in shown]


def _unlisted(item_errors: dict[str, str], items: list[accounts.OpenItem]) -> dict[str, str]:
    """Errors about open items the page does not list (no longer open, or never were)."""
    listed = {str(item.installment.id) for item in items}
    return {key: message for key, message in item_errors.items() if key not in listed}


# --- the account -----------------------------------------------------------------------------


@bp.get("/clients/<int:client_id>/account")
@requires("ledger.view")
def account(client_id: int):
    """The client's current account: balance, aging, open items and unapplied credits."""
    client = _client(client_id)
    summary = accounts.account_summary(client)
    items = accounts.open_items(client.id, limit=OPEN_ITEMS_SHOWN)
    return render(
        "ledger/account.html",
        client=client,
        summary=summary,
        items=items,
        open_count=sum(c.open_items for c in summary.currencies),
        installment_counts=_installment_counts(items),
        credits=accounts.open_credits(client.id),
        **_labels(),
    )


@bp.get("/clients/<int:client_id>/account/documents")
@requires("ledger.view")
def documents(client_id: int):
    """Every document of the account, newest first; htmx appends the next page's rows."""
    client = _client(client_id)
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    page = accounts.documents_page(client.id, page=number, per_page=DOCUMENTS_PER_PAGE)
    return render("ledger/documents.html", block="rows", client=client, page=page, **_labels())


# --- documents -------------------------------------------------------------------------------


def _sale_conditions() -> list[SaleCondition]:
    """The sale conditions a document may name."""
    return accounts.sale_conditions()


def _document_defaults(client: Client, kinds: list[str]) -> dict[str, str]:
    """What the new-document form starts with: the client's letter, currency and terms."""
    invoice = client_invoice(client)
    condition = client_sale_condition(client)
    return {
        "kind": DocumentKind.INVOICE if DocumentKind.INVOICE in kinds else (kinds or [""])[0],
        "letter": invoice.letter if invoice else "",
        "number": "",
        "date": local_today().isoformat(),
        "currency": client.currency or "ARS",
        "exchange_rate": "",
        "amount": "",
        "sale_condition_id": str(condition.id) if condition else "",
        "notes": "",
    }


def _preview(client: Client, values: dict) -> list[tuple[int, date, Decimal | None]] | None:
    """The installments a debit document with these values would get; None for credits.

    Without a valid amount yet, the due dates still show (the amounts are left out).
    """
    kind = values.get("kind") or DocumentKind.INVOICE
    if kind not in POSTABLE_KINDS or kind not in DEBIT_KINDS:
        return None
    ignored: dict[str, str] = {}
    when = parse_date(values.get("date"), "date", ignored) or local_today()
    amount = parse_amount(values.get("amount"), "amount", ignored)
    condition = None
    raw = values.get("sale_condition_id")
    if raw:
        ident = int(raw) if raw.isdigit() else 0
        condition = db.session.get(SaleCondition, ident) if 0 < ident <= MAX_ID else None
    elif kind in (DocumentKind.INVOICE, DocumentKind.DEBIT_NOTE):
        condition = client_sale_condition(client)
    parts = posting.preview_installments(condition, when, amount or Decimal("1000"))
    return [(number, due, part if amount else None) for number, due, part in parts]


@bp.route("/clients/<int:client_id>/account/documents/new", methods=["GET", "POST"])
@requires("ledger.edit")
@write_endpoint
def new_document(client_id: int):
    """Post an invoice, a note, an adjustment or an opening balance by hand."""
    client = _client(client_id)
    kinds = [kind for kind in allowed_kinds(client) if kind in POSTABLE_KINDS]
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = forms.plain_fields(request.form, forms.DOCUMENT_FIELDS)
        try:
            document = posting.post_document(client, values, current_user)
        except ledger.LedgerError as exc:
            db.session.rollback()
            errors = exc.fields
        else:
            flash(_("%(title)s registrado.", title=ledger.document_title(document)), "success")
            return redirect(url_for("ledger.document", document_id=document.id), 303)
    else:
        values = _document_defaults(client, kinds)
    return render(
        "ledger/document_form.html",
        status=422 if errors else 200,
        client=client,
        values=values,
        errors=errors,
        general_errors=_general_errors(errors, set(forms.DOCUMENT_FIELDS)),
        kinds=kinds,
        conditions=_sale_conditions(),
        letters=ledger.LETTERS,
        preview=_preview(client, values),
        **_labels(),
    )


@bp.get("/ledger/due-dates")
@requires("ledger.edit")
def due_dates():
    """The due dates a document would get (the form's live preview)."""
    client_id = request.args.get("client_id", type=int)
    if client_id is None or not 0 < client_id <= MAX_ID:
        abort(404)
    client = _client(client_id)
    values = forms.plain_fields(request.args, forms.DOCUMENT_FIELDS)
    response = make_response(
        render_template(
            "ledger/_due_dates.html", preview=_preview(client, values), values=values, **_labels()
        )
    )
    response.vary.add("HX-Request")
    return response


@bp.get("/ledger/documents/<int:document_id>")
@requires("ledger.view")
def document(document_id: int):
    """One document: its figures, installments, payment lines, applications and void."""
    return _document_page(_document(document_id))


def _document_page(
    document: Document,
    status: int = 200,
    apply_errors: dict[str, str] | None = None,
    apply_amounts: dict[str, str] | None = None,
    apply_general: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
):
    """The document page, with what a refused action left to correct."""
    client = db.session.get(Client, document.client_id)
    can_edit = can(current_user, "ledger.edit")
    applicable = (
        can_edit
        and not document.is_debit
        and document.kind != DocumentKind.REVERSAL
        and document.state != "void"
        and document.open_amount > 0
    )
    items = []
    if applicable:
        items = [
            item
            for item in accounts.open_items(client.id)
            if item.installment.currency == document.currency
        ]
    reversal = accounts.reversal_of(document)
    errors = errors or {}
    return render(
        "ledger/document.html",
        status=status,
        client=client,
        document=document,
        applications=applications.applications_of(document),
        reversal=reversal,
        applicable=applicable,
        voidable=can_edit and document.state != "void" and document.kind != DocumentKind.REVERSAL,
        items=items,
        installment_counts=_installment_counts(items),
        apply_errors=apply_errors or {},
        apply_amounts=apply_amounts or {},
        apply_general=[
            *(apply_general or {}).values(),
            *_unlisted(apply_errors or {}, items).values(),
        ],
        errors=errors,
        general_errors=_general_errors(errors, {"reason"}),
        **_labels(),
    )


@bp.post("/ledger/documents/<int:document_id>/apply")
@requires("ledger.edit")
@write_endpoint
def apply(document_id: int):
    """Apply a receipt or credit to open items: the amounts given, or the oldest first."""
    document = _document(document_id)
    sent = forms.allocations(request.form)
    try:
        if request.form.get("apply_oldest"):
            made = applications.apply_oldest(document, current_user)
            if not made:
                raise ledger.LedgerError({"applications": _("No hay comprobantes para aplicar.")})
        else:
            errors: dict[str, str] = {}
            allocations = applications.parse_allocations(forms.for_service(sent), errors)
            if errors:
                raise ledger.LedgerError(errors)
            made = applications.apply(document, allocations, current_user)
    except ledger.LedgerError as exc:
        db.session.rollback()
        by_item, others = forms.split_application_errors(exc.fields, sent)
        return _document_page(
            db.session.get(Document, document_id),
            status=422,
            apply_errors=by_item,
            apply_amounts=forms.amounts_by_installment(sent),
            apply_general={k: v for k, v in others.items() if k.startswith("applications")},
            errors={k: v for k, v in others.items() if not k.startswith("applications")},
        )
    total = sum((application.amount for application in made), Decimal("0"))
    flash(
        _("Se aplicaron %(amount)s.", amount=money(total, document.currency)),
        "success",
    )
    return redirect(url_for("ledger.document", document_id=document_id), 303)


@bp.post("/ledger/applications/<int:application_id>/unapply")
@requires("ledger.edit")
@write_endpoint
def unapply(application_id: int):
    """Undo an application; the page comes back to the document it was undone from."""
    application = db.get_or_404(Application, application_id)
    _client(application.client_id)
    back = request.form.get("document_id", type=int)
    if back not in (application.credit_document_id, application.debit_document_id):
        back = application.credit_document_id
    try:
        applications.unapply(application, current_user)
    except ledger.LedgerError as exc:
        db.session.rollback()
        return _document_page(db.session.get(Document, back), status=422, errors=exc.fields)
    flash(_("Aplicación deshecha."), "success")
    return redirect(url_for("ledger.document", document_id=back), 303)


@bp.post("/ledger/documents/<int:document_id>/void")
@requires("ledger.edit")
@write_endpoint
def void(document_id: int):
    """Void a document with a reason: its applications are undone and a reversal is written."""
    document = _document(document_id)
    try:
        applications.void_document(document, request.form.get("reason", ""), current_user)
    except ledger.LedgerError as exc:
        db.session.rollback()
        return _document_page(db.session.get(Document, document_id), status=422, errors=exc.fields)
    flash(_("Comprobante anulado."), "success")
    return redirect(url_for("ledger.document", document_id=document_id), 303)


# --- receipts --------------------------------------------------------------------------------


def _card_issuers() -> list[CardIssuer]:
    """Card issuers and their plans, for the card payment line's select."""
    return accounts.card_issuers()


def _blank_line() -> dict[str, str]:
    """A payment line with nothing in it yet (cash)."""
    return dict.fromkeys(forms.LINE_INPUTS, "") | {"kind": "cash"}


@bp.route("/clients/<int:client_id>/account/receipts/new", methods=["GET", "POST"])
@requires("ledger.edit")
@write_endpoint
def new_receipt(client_id: int):
    """Record a receipt with its payment lines and what it pays."""
    client = _client(client_id)
    errors: dict[str, str] = {}
    item_errors: dict[str, str] = {}
    sent: list[dict[str, str]] = []
    if request.method == "POST":
        data = forms.receipt_data(request.form)
        sent = data["applications"]
        try:
            receipt = posting.post_receipt(client, data, current_user)
        except ledger.LedgerError as exc:
            db.session.rollback()
            item_errors, errors = forms.split_application_errors(exc.fields, sent)
        else:
            title = ledger.document_title(receipt)
            flash(_("Recibo %(title)s registrado.", title=title), "success")
            return redirect(url_for("ledger.document", document_id=receipt.id), 303)
        values = data
        lines = data["lines"] or [_blank_line()]
    else:
        values = {
            "letter": DEFAULT_RECEIPT_LETTER,
            "date": local_today().isoformat(),
            "currency": client.currency or "ARS",
            "apply_oldest": False,
        }
        lines = [_blank_line()]
    shown = set(forms.RECEIPT_FIELDS) | {
        f"lines-{index}-{name}" for index in range(len(lines)) for name in forms.LINE_INPUTS
    }
    items = accounts.open_items(client.id)
    return render(
        "ledger/receipt_form.html",
        status=422 if errors or item_errors else 200,
        client=client,
        values=values,
        lines=lines,
        errors=errors,
        general_errors=[*_general_errors(errors, shown), *_unlisted(item_errors, items).values()],
        items=items,
        installment_counts=_installment_counts(items),
        item_errors=item_errors,
        item_amounts=forms.amounts_by_installment(sent),
        issuers=_card_issuers(),
        letters=ledger.LETTERS,
        **_labels(),
    )


@bp.get("/ledger/receipts/line")
@requires("ledger.edit")
def payment_line():
    """One more payment line for the receipt form (htmx appends it)."""
    index = request.args.get("index", 1, type=int)
    if not 0 <= index < MAX_PAYMENT_LINES:
        return "", 204
    response = make_response(
        render_template(
            "ledger/_payment_line.html",
            index=index,
            line=_blank_line(),
            errors={},
            issuers=_card_issuers(),
            next_index=index + 1 if index + 1 < MAX_PAYMENT_LINES else None,
            standalone=True,
            **_labels(),
        )
    )
    response.vary.add("HX-Request")
    return response


@bp.route("/clients/<int:client_id>/account/receipts/voided", methods=["GET", "POST"])
@requires("ledger.edit")
@write_endpoint
def voided_receipt(client_id: int):
    """Enter a receipt form spoiled on paper, so its number is accounted for."""
    client = _client(client_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = forms.plain_fields(request.form, forms.VOIDED_RECEIPT_FIELDS)
        try:
            receipt = posting.post_voided_receipt(client, values, current_user)
        except ledger.LedgerError as exc:
            db.session.rollback()
            errors = exc.fields
        else:
            flash(
                _("Recibo anulado %(title)s registrado.", title=ledger.document_title(receipt)),
                "success",
            )
            return redirect(url_for("ledger.document", document_id=receipt.id), 303)
    else:
        values = {"letter": DEFAULT_RECEIPT_LETTER, "date": local_today().isoformat()}
    return render(
        "ledger/voided_receipt_form.html",
        status=422 if errors else 200,
        client=client,
        values=values,
        errors=errors,
        general_errors=_general_errors(errors, set(forms.VOIDED_RECEIPT_FIELDS)),
        letters=ledger.LETTERS,
        **_labels(),
    )
