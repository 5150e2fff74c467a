"""Collection pages: the collector's daily sheet, calls and promises, receipts in the field,
their confirmation by the back office, and the delinquency rule."""

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from app.auth.models import User
from app.auth.permissions import can, requires
from app.clients.models import Client
from app.clients.services import visible_client
from app.collections import links, services
from app.collections import pdf as printing
from app.collections.blueprint import bp
from app.collections.labels import CHANNEL_LABELS, OUTCOME_LABELS, PROMISE_LABELS
from app.collections.models import FieldReceipt
from app.collections.rules import PromiseState, Reason
from app.core.idempotency import write_endpoint
from app.core.numbers import parse_decimal
from app.core.rendering import render
from app.core.routing import MAX_ID
from app.core.templating import money
from app.core.types import local_today
from app.extensions import db
from app.ledger import accounts
from app.ledger import forms as ledger_forms
from app.ledger import services as ledger
from app.ledger.models import CURRENCIES, PaymentKind
from app.ledger.parsing import latest_rate

ROWS_PER_ZONE = 40  # a day's work; the rest of a zone opens on a page of its own
ROWS_ONE_ZONE = 500
HISTORY_SHOWN = 5
OPEN_ITEMS_SHOWN = 100
RUN_NAMES_SHOWN = 50
FIELD_LINES = 3  # payment lines on the field receipt form; the empty ones are dropped
CALL_FIELDS = (
    "channel", "outcome", "promise_amount", "promise_date", "next_contact_at", "visit_date",
    "visit_from", "visit_to", "notes", "latitude", "longitude", "accuracy",
)  # fmt: skip
LOCATION_FIELDS = ("latitude", "longitude", "accuracy")
BACK_TO = ("sheet", "card")

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


@dataclass
class SheetLine:
    """One row of the sheet with what the page shows and the links it offers."""

    row: services.SheetRow
    due: Decimal
    currency: str
    late_days: int | None
    chips: list[tuple[str, str]]
    tel: str | None
    whatsapp: str | None


@dataclass
class SheetZone:
    """A zone's section: its rows in visiting order (maybe cut) and its totals."""

    name: str
    lines: list[SheetLine]
    count: int
    overdue: Decimal
    currencies: set[str] = field(default_factory=set)

    @property
    def hidden(self) -> int:
        """Rows of the zone left out of the page."""
        return self.count - len(self.lines)


def _window_text(window: tuple[time, time | None]) -> str:
    """The agreed visit's time window as a chip says it."""
    start, end = window
    if end is not None:
        return _(
            "Visita %(start)s–%(end)s", start=start.strftime("%H:%M"), end=end.strftime("%H:%M")
        )
    if start != time.min:
        return _("Visita desde las %(start)s", start=start.strftime("%H:%M"))
    return _("Visita pactada")


def _chips(row: services.SheetRow, day: date) -> list[tuple[str, str]]:
    """Why the client is on the sheet, as chips: visit, promise due or broken, overdue."""
    chips = []
    reasons = row.candidate.reasons
    if Reason.VISIT in reasons and row.window:
        chips.append(("visit", _window_text(row.window)))
    if Reason.PROMISE in reasons and row.promise is not None:
        if row.promise.promise_date >= day:
            text = _("Promesa vence hoy") if day == local_today() else _("Promesa vence ese día")
            chips.append(("promise", text))
        else:
            chips.append(("broken", _("Promesa incumplida")))
    if Reason.OVERDUE in reasons:
        chips.append(("overdue", _("Vencido")))
    return chips


def reminder_text(client: Client, due: Decimal, currency: str, promise=None) -> str:
    """A polite WhatsApp reminder in the company's name, with the amount due."""
    company = current_app.config.get("COMPANY_NAME") or "Clientes en ruta"
    name = client.trade_name or client.legal_name
    if promise is not None and not due:
        return _(
            "Hola, %(name)s. Te escribimos de %(company)s para recordarte el pago de "
            "%(amount)s que acordamos para el %(date)s. ¡Muchas gracias!",
            name=name,
            company=company,
            amount=money(promise.promise_amount, promise.promise_currency or currency),
            date=promise.promise_date.strftime("%d/%m"),
        )
    if due:
        return _(
            "Hola, %(name)s. Te escribimos de %(company)s para recordarte que tu cuenta tiene "
            "un saldo vencido de %(amount)s. ¿Cuándo te queda bien pagarlo o que pase el "
            "cobrador? ¡Muchas gracias!",
            name=name,
            company=company,
            amount=money(due, currency),
        )
    return _(
        "Hola, %(name)s. Te escribimos de %(company)s para confirmar la visita del cobrador. "
        "¡Muchas gracias!",
        name=name,
        company=company,
    )


def _sheet_line(row: services.SheetRow, day: date) -> SheetLine:
    """A sheet row with its amount due, chips and links."""
    client, candidate = row.client, row.candidate
    currency = client.currency or "ARS"
    due = candidate.overdue
    late = (day - candidate.oldest_due).days if candidate.oldest_due else None
    text = reminder_text(client, due, currency, row.promise)
    return SheetLine(
        row=row,
        due=due,
        currency=currency,
        late_days=late,
        chips=_chips(row, day),
        tel=links.tel_href(row.phone),
        whatsapp=links.whatsapp_url(client.mobile or client.phone, text),
    )


def _sheet_zones(collector: User, day: date, only_zone: str | None = None) -> list[SheetZone]:
    """The sheet by zone, each zone cut to a day's work (or one zone in full)."""
    zones = []
    for name, rows in services.sheet(collector, day):
        if only_zone is not None and name != only_zone:
            continue
        shown = rows[: ROWS_ONE_ZONE if only_zone is not None else ROWS_PER_ZONE]
        overdue = sum((row.candidate.overdue for row in rows), Decimal("0"))
        zones.append(
            SheetZone(
                name=name,
                lines=[_sheet_line(row, day) for row in shown],
                count=len(rows),
                overdue=overdue,
                currencies={row.client.currency or "ARS" for row in rows},
            )
        )
    return zones


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


@bp.get("/")
@requires("collections.view")
def index():
    """The collector's sheet for a day: whom to visit, by zone, in the order to visit them."""
    collector, day, choices = _sheet_params()
    only_zone = request.args.get("zone")
    zones = _sheet_zones(collector, day, only_zone)
    return render(
        "collections/index.html",
        collector=collector,
        day=day,
        choices=choices,
        zones=zones,
        only_zone=only_zone,
        total=sum(zone.count for zone in zones),
        **_labels(),
    )


@bp.get("/sheet.pdf")
@requires("collections.view")
def sheet_pdf():
    """The sheet as a printable A4 PDF."""
    collector, day, _choices = _sheet_params()
    zones = _sheet_zones(collector, day)
    company = current_app.config.get("COMPANY_NAME") or "Clientes en ruta"
    body = printing.sheet_pdf(zones, collector, day, company, compress=not current_app.testing)
    response = Response(body, mimetype="application/pdf")
    name = f"hoja-cobranza-{collector.username}-{day.isoformat()}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# --- calls and promises ----------------------------------------------------------------------


def _back(client: Client):
    """Where a saved form returns: the sheet (the default) or the client's card."""
    if request.values.get("back") == "card":
        return redirect(url_for("clients.card", client_id=client.id), 303)
    return redirect(url_for("collections.index"), 303)


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
            flash(_("Gestión registrada para %(name)s.", name=client.display_name), "success")
            return _back(client)
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
        rate = latest_rate(currency) if currency != "ARS" else None
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


def _delinquency_page(status: int = 200, values=None, errors=None, run=None):
    """The rule's form, its last run, the run's result and the cron line."""
    rule = services.delinquency_rule()
    if values is None:
        values = {
            "days_overdue": str(rule.days_overdue),
            "min_amount": f"{rule.min_amount:.2f}",
            "active": rule.active,
        }
    changed = {}
    if run is not None:
        ids = run.marked[:RUN_NAMES_SHOWN] + run.lifted[:RUN_NAMES_SHOWN]
        changed = {ident: db.session.get(Client, ident) for ident in ids}
    return render(
        "collections/delinquency.html",
        status=status,
        rule=rule,
        values=values,
        errors=errors or {},
        run=run,
        changed=changed,
        names_shown=RUN_NAMES_SHOWN,
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
    """Run the rule now, as the nightly command does, and show whom it marked or lifted."""
    return _delinquency_page(run=services.run_delinquency())
