"""Collection pages: the collector's daily sheet, calls and promises, receipts in the field,
their confirmation by the back office, and the delinquency rule."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import Response, abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.auth.models import User
from app.auth.permissions import can, requires
from app.clients.models import Client
from app.clients.services import visible_client
from app.collections import services, sheet_page
from app.collections.blueprint import bp
from app.collections.jobs import DELINQUENCY
from app.collections.labels import CHANNEL_LABELS, OUTCOME_LABELS, PROMISE_LABELS
from app.collections.models import FieldReceipt
from app.collections.rules import PromiseState
from app.collections.sheet_page import ROWS_ONE_ZONE, ROWS_PER_ZONE
from app.core.idempotency import write_endpoint
from app.core.numbers import parse_decimal
from app.core.rendering import render, wants_fragment
from app.core.routing import MAX_ID
from app.core.templating import money
from app.core.types import local_today
from app.extensions import db
from app.jobs.queue import start_job
from app.ledger import accounts
from app.ledger import forms as ledger_forms
from app.ledger import services as ledger
from app.ledger.models import CURRENCIES, PaymentKind
from app.rates import services as rates

HISTORY_SHOWN = 5
OPEN_ITEMS_SHOWN = 100
FIELD_LINES = 3  # payment lines on the field receipt form; the empty ones are dropped
CALL_FIELDS = (
    "channel", "outcome", "promise_amount", "promise_date", "next_contact_at", "visit_date",
    "visit_from", "visit_to", "notes", "latitude", "longitude", "accuracy",
)  # fmt: skip
LOCATION_FIELDS = ("latitude", "longitude", "accuracy")
BACK_TO = ("sheet", "card")
SHEET_ARGS = ("collector", "date")  # the sheet a form was opened from, to go back to it

PROMISE_FILTERS = {
    "": _l("Pendientes e incumplidas"),
    PromiseState.BROKEN: _l("Incumplidas"),
    PromiseState.OPEN: _l("Pendientes"),
    PromiseState.KEPT: _l("Cumplidas"),
}


def _labels() -> dict:
    """The words every collection page uses."""
    return {
        "channel_labels": CHANNEL_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "promise_labels": PROMISE_LABELS,
        "payment_labels": {kind: ledger.PAYMENT_LABELS[kind] for kind in services.FIELD_KINDS},
        "today": local_today(),
    }


# --- the client card -------------------------------------------------------------------------


@dataclass
class History:
    """The card's collection block: the last calls and their promises' states."""

    calls: list
    states: dict[int, str]
    next_contact: date | None
    channel_labels = CHANNEL_LABELS
    outcome_labels = OUTCOME_LABELS
    promise_labels = PROMISE_LABELS


@bp.app_template_global()
def collection_history_for(client: Client) -> History | None:
    """The client's last collection calls, for users who may see collections."""
    if not can(current_user, "collections.view"):
        return None
    calls = services.calls_of(client, limit=HISTORY_SHOWN)
    latest = next((c.next_contact_at for c in calls if c.next_contact_at), None)
    return History(calls, services.promise_states(calls), latest)


# --- the daily sheet -------------------------------------------------------------------------


def _sheet_params() -> tuple[User, date, list[User]]:
    """Whose sheet and which day: a collector sees their own; others pick from their reach."""
    me = current_user._get_current_object()
    choices = services.sheet_collectors(me)
    wanted = request.args.get("collector", type=int)
    collector = next((u for u in choices if u.id == wanted), None)
    if collector is None:
        collector = next((u for u in choices if u.id == me.id), choices[0] if choices else me)
    try:
        day = date.fromisoformat(request.args.get("date") or "")
    except ValueError:
        day = local_today()
    return collector, day, choices


def _sheet_query(collector: User, day: date) -> dict:
    """The arguments that keep a link (or a form sent from the sheet) on the same sheet."""
    query = {} if day == local_today() else {"date": day.isoformat()}
    if collector.id != current_user.id:
        query["collector"] = collector.id
    return query


def _sheet_args() -> dict[str, str]:
    """The sheet a form was opened from (its ?collector= and ?date=), to go back to it."""
    return {name: request.args[name] for name in SHEET_ARGS if request.args.get(name)}


def _sheet_words(collector: User, day: date) -> dict:
    """What every part of the sheet's page needs beside the sheet."""
    return {
        "collector": collector,
        "day": day,
        "sheet_query": _sheet_query(collector, day),
        # one-tap outcomes are the collector's own, in the street, today
        "may_record": collector.id == current_user.id
        and day == local_today()
        and can(current_user, "collections.log"),
        **_labels(),
    }


@bp.get("/")
@requires("collections.view")
def index():
    """The collector's sheet for a day: whom to visit, by zone, in the order to visit them.

    The zone with the next row to work opens; the others load their rows when opened (an htmx
    GET with ?zone=, which answers the zone's rows; without htmx, ?zone= is the whole zone).
    """
    collector, day, choices = _sheet_params()
    only_zone = request.args.get("zone")
    zone_rows = only_zone is not None and wants_fragment()
    sheet = sheet_page.build_sheet(
        collector,
        day,
        only_zone=only_zone,
        at_client=request.args.get("client", type=int),
        cut=ROWS_ONE_ZONE if only_zone is not None and not zone_rows else ROWS_PER_ZONE,
    )
    return render(
        "collections/index.html",
        block="zone_rows" if zone_rows else "content",
        choices=choices,
        sheet=sheet,
        only_zone=only_zone,
        day_label=sheet_page.day_label(day),
        **_sheet_words(collector, day),
    )


def _sheet_row(client: Client, errors: dict[str, str] | None = None):
    """A row of the sheet after a one-tap outcome: stamped, with the counters that changed."""
    collector, day, _choices = _sheet_params()
    sheet = sheet_page.build_sheet(collector, day, at_client=client.id)
    found = sheet.line_of(client.id)
    if found is None:  # not on that sheet (any more): the page shows where it went
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url_for("collections.index", **_sheet_args())
        return response
    zone, line = found
    return render(
        "collections/index.html",
        block="sheet_row",
        status=422 if errors else 200,
        sheet=sheet,
        zone=zone,
        line=line,
        row_errors=list((errors or {}).values()),
        **_sheet_words(collector, day),
    )


@bp.get("/sheet.pdf")
@requires("collections.view")
def sheet_pdf():
    """The sheet as a printable A4 PDF."""
    collector, day, _choices = _sheet_params()
    zones = sheet_page.build_sheet(collector, day, every_zone=True).zones
    company = current_app.config.get("COMPANY_NAME") or "Clientes en ruta"
    from app.collections import pdf as printing  # fpdf2 loads only where a PDF is made

    body = printing.sheet_pdf(zones, collector, day, company, compress=not current_app.testing)
    response = Response(body, mimetype="application/pdf")
    name = f"hoja-cobranza-{collector.username}-{day.isoformat()}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# --- calls and promises ----------------------------------------------------------------------


def _back(client: Client):
    """Where a saved form returns: the client's row on the sheet it came from (the default), or
    the client's card."""
    if request.values.get("back") == "card":
        return redirect(url_for("clients.card", client_id=client.id), 303)
    url = url_for("collections.index", client=client.id, **_sheet_args())
    return redirect(f"{url}#sheet-client-{client.id}", 303)


def _from_a_sheet_row() -> bool:
    """A one-tap outcome sent by htmx from a row of the sheet, which wants the row back."""
    return wants_fragment() and request.values.get("back") != "card"


def _live_client(client_id: int) -> Client:
    """A client in the user's scope that is not in the trash, else 404."""
    client = visible_client(current_user, client_id, trash=False)
    if client.deleted_at is not None:
        abort(404)
    return client


@bp.route("/clients/<int:client_id>/call", methods=["GET", "POST"])
@requires("collections.log")
@write_endpoint
def call(client_id: int):
    """Log a contact with the debtor: channel, outcome, a promise, the next contact, a visit."""
    client = _live_client(client_id)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {name: (request.form.get(name) or "").strip() for name in CALL_FIELDS}
        try:
            services.log_call(client, values, current_user)
        except services.CollectionError as exc:
            db.session.rollback()
            errors = {name: str(message) for name, message in exc.fields.items()}
        else:
            if _from_a_sheet_row():
                return _sheet_row(client)
            flash(_("Gestión registrada para %(name)s.", name=client.display_name), "success")
            return _back(client)
        if _from_a_sheet_row():
            return _sheet_row(client, errors)
    shown = set(CALL_FIELDS)
    return render(
        "collections/call.html",
        status=422 if errors else 200,
        client=client,
        values=values,
        errors=errors,
        general_errors=[m for k, m in errors.items() if k not in shown],
        summary=accounts.account_summary(client),
        back=request.values.get("back") if request.values.get("back") in BACK_TO else "sheet",
        sheet_args=_sheet_args(),
        **_labels(),
    )


@bp.get("/promises")
@requires("collections.view")
def promises():
    """Promises to pay of the user's clients: open and broken (broken in red), or by state."""
    state = request.args.get("state", "")
    if state not in PROMISE_FILTERS:
        state = ""
    rows = services.promises_in_scope(current_user, state or None)
    if not state:
        rows = [row for row in rows if row[1] != PromiseState.KEPT]
        rows.sort(key=lambda row: (row[1] != PromiseState.BROKEN, row[0].promise_date))
    return render(
        "collections/promises.html",
        block="results",
        rows=rows,
        state=state,
        filters=PROMISE_FILTERS,
        **_labels(),
    )


# --- receipts in the field -------------------------------------------------------------------


def _blank_line() -> dict[str, str]:
    """A payment line with nothing in it (cash)."""
    return dict.fromkeys(ledger_forms.LINE_INPUTS, "") | {"kind": PaymentKind.CASH.value}


def _field_receipt_data(form) -> dict:
    """The form as record_field_receipt takes it."""
    data = ledger_forms.receipt_data(form)
    for name in LOCATION_FIELDS:
        data[name] = (form.get(name) or "").strip()
    return data


@bp.route("/clients/<int:client_id>/receipt", methods=["GET", "POST"])
@requires("collections.log")
@write_endpoint
def receipt(client_id: int):
    """Record what the collector received; it waits for the back office to confirm it."""
    client = _live_client(client_id)
    errors: dict[str, str] = {}
    item_errors: dict[str, str] = {}
    sent: list[dict[str, str]] = []
    if request.method == "POST":
        data = _field_receipt_data(request.form)
        sent = data["applications"]
        try:
            row = services.record_field_receipt(client, data, current_user)
        except services.CollectionError as exc:
            db.session.rollback()
            item_errors, errors = ledger_forms.split_application_errors(exc.fields, sent)
        else:
            flash(
                _(
                    "Cobro registrado: queda pendiente de confirmación (%(amount)s).",
                    amount=money(row.total, row.currency),
                ),
                "success",
            )
            return _back(client)
        values = data
        lines = data["lines"]
    else:
        currency = client.currency or "ARS"
        rate = rates.rate_on(currency, local_today()) if currency != "ARS" else None
        values = {
            "currency": currency,
            "exchange_rate": str(rate) if rate else "",
            "apply_oldest": True,
        }
        lines = []
    lines = (lines + [_blank_line() for _ in range(FIELD_LINES)])[: max(FIELD_LINES, len(lines))]
    items = accounts.open_items(client.id, limit=OPEN_ITEMS_SHOWN)
    listed = {str(item.installment.id) for item in items}
    shown = {"currency", "exchange_rate", "notes"} | {
        f"lines-{index}-{name}" for index in range(len(lines)) for name in ledger_forms.LINE_INPUTS
    }
    general = [m for k, m in errors.items() if k not in shown]
    general += [m for k, m in item_errors.items() if k not in listed]
    return render(
        "collections/receipt.html",
        status=422 if errors or item_errors else 200,
        client=client,
        values=values,
        lines=lines,
        errors=errors,
        general_errors=general,
        items=items,
        installment_counts=accounts.installment_counts({item.document.id for item in items}),
        item_errors=item_errors,
        item_amounts=ledger_forms.amounts_by_installment(sent),
        summary=accounts.account_summary(client),
        issuers=[],
        withholding_labels=ledger.WITHHOLDING_LABELS,
        currencies=CURRENCIES,
        title_of=ledger.document_title,
        more_open=any(line.get("amount") for line in lines[1:])
        or any(key.startswith("lines-") and not key.startswith("lines-0-") for key in errors),
        back=request.values.get("back") if request.values.get("back") in BACK_TO else "sheet",
        sheet_args=_sheet_args(),
        **_labels(),
    )


# --- the back office confirms ----------------------------------------------------------------


def receipt_lines(row: FieldReceipt) -> list[tuple[str, Decimal | None, str]]:
    """A field receipt's payment lines as the back office reads them: kind, amount, details."""
    shown = []
    for line in row.data.get("lines") or []:
        try:
            amount = parse_decimal(str(line.get("amount")), negative=True)
        except ValueError:
            amount = None
        kind = line.get("kind")
        label = ledger.PAYMENT_LABELS.get(kind, kind) if kind in set(PaymentKind) else str(kind)
        tax = line.get("tax")
        values = {**line, "tax": ledger.WITHHOLDING_LABELS.get(tax, tax) if tax else None}
        details = [
            str(values[name])
            for name in (
                *("bank", "number", "due_date", "drawer", "drawer_tax_id", "reference"),
                *("tax", "certificate"),
            )
            if values.get(name)
        ]
        shown.append((str(label), amount, " · ".join(details)))
    return shown


def applied_text(row: FieldReceipt) -> str:
    """What the receipt will pay once confirmed."""
    given = [a for a in row.data.get("applications") or [] if a.get("amount")]
    if given:
        return ngettext(
            "Se aplica a %(num)d comprobante elegido.",
            "Se aplica a %(num)d comprobantes elegidos.",
            len(given),
        )
    if row.data.get("apply_oldest"):
        return _("Se aplica a lo más antiguo.")
    return _("Queda a cuenta, sin aplicar.")


def _pending_page(status: int = 200, failed: int | None = None, errors: dict | None = None):
    """The field receipts waiting for confirmation, with a refused action's messages."""
    rows = services.pending_receipts(current_user)
    return render(
        "collections/receipts.html",
        status=status,
        rows=rows,
        failed=failed,
        errors=errors or {},
        kind_labels=ledger.PAYMENT_LABELS,
        balances={row.client_id: accounts.balances(row.client_id) for row in rows},
        lines_of=receipt_lines,
        applied_text=applied_text,
        **_labels(),
    )


def _field_receipt(receipt_id: int) -> FieldReceipt:
    """A field receipt of a client in the user's scope, else 404."""
    if not 0 < receipt_id <= MAX_ID:
        abort(404)
    row = db.get_or_404(FieldReceipt, receipt_id)
    visible_client(current_user, row.client_id, trash=True)
    return row


@bp.get("/receipts")
@requires("receipts.confirm")
def receipts():
    """Receipts taken in the field that wait for the back office."""
    return _pending_page()


@bp.post("/receipts/<int:receipt_id>/confirm")
@requires("receipts.confirm")
@write_endpoint
def confirm(receipt_id: int):
    """Post a field receipt to the client's account: the balance changes now."""
    row = _field_receipt(receipt_id)
    try:
        document = services.confirm_receipt(row, current_user)
    except services.CollectionError as exc:
        db.session.rollback()
        return _pending_page(422, receipt_id, exc.fields)
    flash(
        _(
            "Cobro confirmado: %(title)s de %(name)s por %(amount)s.",
            title=ledger.document_title(document),
            name=row.client.display_name,
            amount=money(document.amount, document.currency),
        ),
        "success",
    )
    return redirect(url_for("collections.receipts"), 303)


@bp.post("/receipts/<int:receipt_id>/reject")
@requires("receipts.confirm")
@write_endpoint
def reject(receipt_id: int):
    """Refuse a field receipt with a reason; nothing reaches the account."""
    row = _field_receipt(receipt_id)
    try:
        services.reject_receipt(row, request.form.get("reason"), current_user)
    except services.CollectionError as exc:
        db.session.rollback()
        return _pending_page(422, receipt_id, exc.fields)
    flash(_("Cobro rechazado: %(name)s.", name=row.client.display_name), "success")
    return redirect(url_for("collections.receipts"), 303)


# --- delinquency -----------------------------------------------------------------------------


def _delinquency_page(status: int = 200, values=None, errors=None):
    """The rule's form, its last run and the cron line."""
    rule = services.delinquency_rule()
    if values is None:
        values = {
            "days_overdue": str(rule.days_overdue),
            "min_amount": f"{rule.min_amount:.2f}",
            "active": rule.active,
        }
    return render(
        "collections/delinquency.html",
        status=status,
        rule=rule,
        values=values,
        errors=errors or {},
    )


@bp.route("/delinquency", methods=["GET", "POST"])
@requires("delinquency.manage")
@write_endpoint
def delinquency():
    """The delinquency rule: days overdue and minimum amount; saving changes no client."""
    if request.method == "GET":
        return _delinquency_page()
    values = {
        "days_overdue": (request.form.get("days_overdue") or "").strip(),
        "min_amount": (request.form.get("min_amount") or "").strip(),
        "active": bool(request.form.get("active")),
    }
    try:
        services.save_delinquency_rule(values, current_user)
    except services.CollectionError as exc:
        db.session.rollback()
        return _delinquency_page(422, values, exc.fields)
    flash(_("Regla de morosidad guardada."), "success")
    return redirect(url_for("collections.delinquency"), 303)


@bp.post("/delinquency/run")
@requires("delinquency.manage")
@write_endpoint
def run_delinquency():
    """Run the rule now, as the nightly command does, as a background job whose page shows
    whom it marked or lifted."""
    started = start_job(DELINQUENCY, _("Regla de morosidad"), current_user.id)
    return redirect(url_for("jobs.show", job_id=started.id), 303)
