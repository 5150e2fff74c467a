"""Collections: logging calls and promises, the collector's sheet, field receipts, delinquency."""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.audit.services import record
from app.auth.models import User
from app.clients import services as clients
from app.clients.models import Address, Client, ClientState
from app.clients.reference import Zone
from app.collections.models import (
    Channel,
    CollectionCall,
    DelinquencyRule,
    FieldReceipt,
    FieldReceiptState,
    Outcome,
)
from app.collections.rules import (
    Candidate,
    PromiseState,
    Reason,
    is_delinquent,
    promise_state,
    sheet_order,
)
from app.core.location import phone_location
from app.core.numbers import parse_decimal
from app.core.types import MAX_AMOUNT, local_today, utcnow
from app.extensions import db
from app.ledger import posting
from app.ledger import services as ledger
from app.ledger.models import (
    Document,
    DocumentInstallment,
    DocumentKind,
    DocumentState,
    PaymentKind,
)

MAX_NOTES = 2000
# What a collector may take in the street: cash, the client's own or a third party's cheque, a
# transfer, and withholding certificates from clients that are withholding agents. Cards and
# promissory notes are taken by the back office only.
FIELD_KINDS = (
    PaymentKind.CASH,
    PaymentKind.OWN_CHECK,
    PaymentKind.THIRD_PARTY_CHECK,
    PaymentKind.TRANSFER,
    PaymentKind.WITHHOLDING,
)
# overdue accounts on a day's sheet, by priority (visits and promises due always go on it)
MAX_OVERDUE_ROWS = 200
MAX_AHEAD = timedelta(days=366)


class CollectionError(ValueError):
    """Input refused, with a Spanish message per field."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def _amount(raw: object) -> Decimal | None:
    """A positive amount with at most two decimals, or None."""
    if raw in (None, ""):
        return None
    try:
        value = parse_decimal(raw)
    except ValueError:
        return None
    if value <= 0 or value.as_tuple().exponent < -2:
        return None
    return value if value <= MAX_AMOUNT else None


def _is_zero(raw: str) -> bool:
    """True when the typed amount is zero ("0", "0,00")."""
    try:
        return parse_decimal(raw) == 0
    except ValueError:
        return False


def _day(raw: object) -> date | bool | None:
    """A date from a date or ISO text; False when it is not one."""
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        return False


def _clock(raw: object) -> time | bool | None:
    """A time of day from "HH:MM"; False when it is not one."""
    if raw in (None, ""):
        return None
    if isinstance(raw, time):
        return raw
    try:
        return time.fromisoformat(str(raw).strip())
    except ValueError:
        return False


# --- calls and promises ----------------------------------------------------------------------


def log_call(client: Client, data: dict, user: User) -> CollectionCall:
    """Record one contact with a debtor and its outcome (and a promise, when there is one)."""
    today = local_today()
    errors: dict[str, str] = {}
    channel = data.get("channel")
    if channel not in {c.value for c in Channel}:
        errors["channel"] = _("Elegí cómo fue el contacto.")
    outcome = data.get("outcome")
    if outcome not in {o.value for o in Outcome}:
        errors["outcome"] = _("Elegí el resultado del contacto.")
    amount = _amount(data.get("promise_amount"))
    promised = _day(data.get("promise_date"))
    if outcome == Outcome.PROMISE:
        if amount is None:
            errors["promise_amount"] = _("Ingresá el importe prometido.")
        if not promised:
            errors["promise_date"] = _("Ingresá la fecha prometida.")
        elif promised < today or promised > today + MAX_AHEAD:
            errors["promise_date"] = _("La fecha prometida debe ser de hoy en adelante.")
    elif promised is False:
        errors["promise_date"] = _("Fecha inválida.")
    elif data.get("promise_amount") not in (None, "") and amount is None:
        errors["promise_amount"] = _("El importe debe ser mayor que cero.")
    next_contact = _day(data.get("next_contact_at"))
    if next_contact is False or (next_contact and not today <= next_contact <= today + MAX_AHEAD):
        errors["next_contact_at"] = _("La próxima gestión debe ser de hoy en adelante.")
    visit = _day(data.get("visit_date"))
    start, end = _clock(data.get("visit_from")), _clock(data.get("visit_to"))
    if visit is False or (visit and not today <= visit <= today + MAX_AHEAD):
        errors["visit_date"] = _("La visita debe ser de hoy en adelante.")
    if start is False or end is False:
        errors["visit_from"] = _("Horario inválido: usá HH:MM.")
    elif start and end and end <= start:
        errors["visit_to"] = _("El horario debe terminar después de empezar.")
    elif (start or end) and not visit:
        errors["visit_date"] = _("Indicá el día de la visita.")
    currency = data.get("promise_currency") or client.currency
    if currency not in ("ARS", "USD"):
        errors["promise_currency"] = _("Moneda inválida: usá ARS o USD.")
    notes = (data.get("notes") or "").strip() or None
    if notes and len(notes) > MAX_NOTES:
        errors["notes"] = _("Las notas no pueden superar los 2000 caracteres.")
    if client.is_deleted:
        errors["client_id"] = _("El cliente está en la papelera.")
    if errors:
        raise CollectionError(errors)
    lat, lon, accuracy = phone_location(data) or (None, None, None)
    call = CollectionCall(
        client_id=client.id,
        user_id=user.id,
        channel=channel,
        outcome=outcome,
        promise_amount=amount if amount else None,
        promise_currency=currency if amount else None,
        promise_date=promised or None,
        next_contact_at=next_contact or None,
        visit_date=visit or None,
        visit_from=start or None,
        visit_to=end or None,
        notes=notes,
        latitude=lat,
        longitude=lon,
        location_accuracy=accuracy,
    )
    db.session.add(call)
    db.session.flush()
    record("collection.call", "client", client.id, None, call_view(call))
    return call


def call_view(call: CollectionCall) -> dict:
    """A call as the audit log keeps it."""
    return {
        "call_id": call.id,
        "channel": call.channel,
        "outcome": call.outcome,
        "promise_amount": str(call.promise_amount) if call.promise_amount else None,
        "promise_date": call.promise_date.isoformat() if call.promise_date else None,
    }


def calls_of(client: Client, limit: int = 20) -> list[CollectionCall]:
    """The client's collection history, newest first."""
    return list(
        db.session.scalars(
            sa.select(CollectionCall)
            .where(CollectionCall.client_id == client.id, CollectionCall.deleted_at.is_(None))
            .order_by(CollectionCall.created_at.desc(), CollectionCall.id.desc())
            .limit(limit)
        )
    )


def _call_day(call: CollectionCall) -> date:
    """The local day (the company's time zone) the call was made."""
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "America/Argentina/Buenos_Aires"
    return call.created_at.astimezone(ZoneInfo(zone)).date()


def promise_states(calls: list[CollectionCall], today: date | None = None) -> dict[int, str]:
    """Each promise's state: kept, open or broken, from the receipts since its call."""
    today = today or local_today()
    promises = [c for c in calls if c.outcome == Outcome.PROMISE and c.promise_date]
    if not promises:
        return {}
    ids = {c.client_id for c in promises}
    start = min(_call_day(c) for c in promises)
    end = max(c.promise_date for c in promises)
    receipts = db.session.execute(
        sa.select(Document.client_id, Document.currency, Document.date, Document.amount).where(
            Document.client_id.in_(ids),
            Document.kind == DocumentKind.RECEIPT,
            Document.state != DocumentState.VOID,
            Document.reverses_id.is_(None),
            Document.date >= start,
            Document.date <= end,
        )
    ).all()
    states = {}
    for call in promises:
        paid = sum(
            (
                amount
                for client_id, currency, day, amount in receipts
                if client_id == call.client_id
                and currency == call.promise_currency
                and _call_day(call) <= day <= call.promise_date
            ),
            Decimal("0"),
        )
        states[call.id] = promise_state(call.promise_amount, call.promise_date, paid, today).value
    return states


def promises_in_scope(user: User, state: str | None = None, today: date | None = None):
    """The promises of the user's clients from the last 60 days with their states."""
    today = today or local_today()
    reach = clients.scoped_clients(user).with_only_columns(Client.id)
    calls = list(
        db.session.scalars(
            sa.select(CollectionCall)
            .where(
                CollectionCall.client_id.in_(reach),
                CollectionCall.outcome == Outcome.PROMISE,
                CollectionCall.deleted_at.is_(None),
                CollectionCall.promise_date >= today - timedelta(days=60),
            )
            .order_by(CollectionCall.promise_date, CollectionCall.id)
        )
    )
    states = promise_states(calls, today)
    rows = [(call, states[call.id]) for call in calls]
    return [row for row in rows if state is None or row[1] == state]


# --- the collector's daily sheet -------------------------------------------------------------


@dataclass
class SheetRow:
    """One client on the day's sheet."""

    candidate: Candidate
    client: Client
    address: str
    phone: str | None
    window: tuple[time, time | None] | None
    promise: CollectionCall | None


def _overdue(clients_query, day: date, limit: int | None = None) -> dict:
    """Overdue debt per client (account currency): total, amount x days, oldest due date.

    With a limit, only the clients of highest priority (amount x days) are read.
    """
    weighted = sa.func.sum(
        DocumentInstallment.open_amount
        * (sa.literal(day.toordinal()) - _ordinal(DocumentInstallment.due_date))
    )
    query = (
        sa.select(
            DocumentInstallment.client_id,
            sa.func.sum(DocumentInstallment.open_amount),
            weighted,
            sa.func.min(DocumentInstallment.due_date),
        )
        .join(Client, Client.id == DocumentInstallment.client_id)
        .where(
            DocumentInstallment.client_id.in_(clients_query),
            DocumentInstallment.open_amount > 0,
            DocumentInstallment.due_date < day,
            DocumentInstallment.currency == Client.currency,
        )
        .group_by(DocumentInstallment.client_id)
    )
    if limit:
        query = query.order_by(weighted.desc(), DocumentInstallment.client_id).limit(limit)
    return {
        cid: (total, amount_days, oldest)
        for cid, total, amount_days, oldest in db.session.execute(query)
    }


def sheet(
    collector: User, day: date | None = None, max_overdue: int = MAX_OVERDUE_ROWS
) -> list[tuple[str, list[SheetRow]]]:
    """The collector's clients to visit on a day, by zone, in the order to visit them.

    A client is on it when a visit was agreed for that day, a promise falls due that day or
    was broken, or the account has the overdue debt of highest priority (the first
    max_overdue: nobody visits thousands of clients in a day); see
    collections.rules.sheet_order.
    """
    day = day or local_today()
    mine = sa.select(Client.id).where(
        Client.collector_id == collector.id, Client.deleted_at.is_(None)
    )
    overdue = _overdue(mine, day, limit=max_overdue)
    visits = {
        call.client_id: call
        for call in db.session.scalars(
            sa.select(CollectionCall)
            .where(CollectionCall.client_id.in_(mine), CollectionCall.visit_date == day)
            .order_by(CollectionCall.id)
        )
    }
    promise_calls = list(
        db.session.scalars(
            sa.select(CollectionCall).where(
                CollectionCall.client_id.in_(mine),
                CollectionCall.outcome == Outcome.PROMISE,
                CollectionCall.promise_date <= day,
                CollectionCall.promise_date >= day - timedelta(days=30),
            )
        )
    )
    states = promise_states(promise_calls, day)
    due_promises = {
        call.client_id: call
        for call in promise_calls
        if (call.promise_date == day and states[call.id] == PromiseState.OPEN)
        or states[call.id] == PromiseState.BROKEN
    }
    ids = set(overdue) | set(visits) | set(due_promises)
    if not ids:
        return []
    missing = (set(visits) | set(due_promises)) - set(overdue)
    if missing:  # their debt, when it did not make the top of the list
        overdue |= _overdue(sa.select(Client.id).where(Client.id.in_(missing)), day)
    rows = {
        client.id: client
        for client in db.session.scalars(sa.select(Client).where(Client.id.in_(ids)))
    }
    zones = dict(db.session.execute(sa.select(Zone.id, Zone.name)).all())
    shipping = _visit_addresses(ids)
    candidates, extra = [], {}
    for client_id in sorted(ids):
        client = rows[client_id]
        total, weighted, oldest = overdue.get(client_id, (Decimal("0"), Decimal("0"), None))
        visit = visits.get(client_id)
        window = (visit.visit_from or time.min, visit.visit_to) if visit else None
        reasons = {Reason.VISIT} if visit else set()
        if client_id in due_promises:
            reasons.add(Reason.PROMISE)
        if total:
            reasons.add(Reason.OVERDUE)
        candidate = Candidate(
            client_id=client_id,
            zone=zones.get(client.sales_zone_id, ""),
            overdue=Decimal(total),
            amount_days=Decimal(weighted or 0),
            oldest_due=_as_date(oldest),
            window=window,
            promise_due=client_id in due_promises,
            reasons=frozenset(reasons),
        )
        candidates.append(candidate)
        address = shipping.get(client_id) or ", ".join(filter(None, (client.street, client.city)))
        extra[client_id] = (client, address, due_promises.get(client_id))
    return [
        (
            zone,
            [
                SheetRow(
                    c,
                    extra[c.client_id][0],
                    extra[c.client_id][1],
                    extra[c.client_id][0].mobile or extra[c.client_id][0].phone,
                    c.window,
                    extra[c.client_id][2],
                )
                for c in ordered
            ],
        )
        for zone, ordered in sheet_order(candidates)
    ]


def _ordinal(column):
    """A date column as a day number (days since 0001-01-01), on SQLite and PostgreSQL."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        return sa.cast(sa.func.julianday(column) - 1721424.5, sa.Integer)
    return column - sa.literal(date(1, 1, 1)) + 1


def _as_date(value) -> date | None:
    """SQLite returns text for MIN(date)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _visit_addresses(ids: set[int]) -> dict[int, str]:
    """The first shipping address of each client, as one line."""
    found: dict[int, str] = {}
    for row in db.session.scalars(
        sa.select(Address)
        .where(Address.client_id.in_(ids), Address.kind == "shipping", Address.deleted_at.is_(None))
        .order_by(Address.id)
    ):
        found.setdefault(row.client_id, ", ".join(filter(None, (row.street, row.city))))
    return found


# --- receipts in the field -------------------------------------------------------------------


def record_field_receipt(client: Client, data: dict, user: User) -> FieldReceipt:
    """Keep what a collector received, checked as the ledger would post it, for confirmation.

    data is the ledger receipt (lines, applications or apply_oldest, notes, currency) plus
    latitude/longitude/accuracy. A line of a kind outside FIELD_KINDS is refused. Nothing reaches
    the account until the back office confirms.
    """
    refused = {
        f"lines-{index}-kind": _(
            "En la calle se cobra en efectivo, cheque propio o de terceros, transferencia o "
            "retenciones; las demás formas de pago las carga la oficina."
        )
        for index, line in enumerate(data.get("lines") or [])
        if isinstance(line, dict) and line.get("kind") and line["kind"] not in FIELD_KINDS
    }
    if refused:
        raise CollectionError(refused)
    payload = json.loads(
        json.dumps(
            {
                key: data[key]
                for key in ("lines", "applications", "apply_oldest", "notes", "currency")
                if key in data
            },
            default=str,  # dates and amounts as text, as the ledger reads them
        )
    )
    # the receipt is dated the day the money was received, not the day it is confirmed
    payload["date"] = local_today().isoformat()
    savepoint = db.session.begin_nested()
    try:
        receipt = posting.post_receipt(client, payload, user, source="field")
        total, currency = receipt.amount, receipt.currency
    except ledger.LedgerError as exc:
        savepoint.rollback()
        raise CollectionError(exc.fields) from None
    savepoint.rollback()
    lat, lon, accuracy = phone_location(data) or (None, None, None)
    row = FieldReceipt(
        client_id=client.id,
        user_id=user.id,
        state=FieldReceiptState.PENDING,
        currency=currency,
        total=total,
        data=payload,
        notes=(payload.get("notes") or "").strip() or None,
        latitude=lat,
        longitude=lon,
        location_accuracy=accuracy,
    )
    db.session.add(row)
    db.session.flush()
    record(
        "collection.field_receipt",
        "client",
        client.id,
        None,
        {"field_receipt_id": row.id, "total": str(total), "currency": currency},
    )
    return row


def pending_receipts(user: User) -> list[FieldReceipt]:
    """Field receipts waiting for the back office, oldest first, in the user's scope."""
    reach = clients.scoped_clients(user).with_only_columns(Client.id)
    return list(
        db.session.scalars(
            sa.select(FieldReceipt)
            .where(
                FieldReceipt.state == FieldReceiptState.PENDING,
                FieldReceipt.client_id.in_(reach),
            )
            .order_by(FieldReceipt.created_at, FieldReceipt.id)
        )
    )


def confirm_receipt(row: FieldReceipt, user: User) -> Document:
    """Post a field receipt to the ledger; the balance changes now."""
    ledger.lock_account(row.client_id)
    db.session.refresh(row)
    if row.state != FieldReceiptState.PENDING:
        raise CollectionError({"state": _("Este recibo ya fue revisado.")})
    client = db.session.get(Client, row.client_id)
    try:
        document = posting.post_receipt(client, dict(row.data), user, source="field")
    except ledger.LedgerError as exc:
        raise CollectionError(exc.fields) from None
    row.state = FieldReceiptState.CONFIRMED
    row.document_id = document.id
    row.decided_by_id = user.id
    row.decided_at = utcnow()
    db.session.flush()
    record(
        "collection.receipt_confirm",
        "client",
        client.id,
        {"state": "pending"},
        {"state": row.state, "field_receipt_id": row.id, "document_id": document.id},
    )
    return document


def reject_receipt(row: FieldReceipt, reason: str | None, user: User) -> None:
    """Refuse a field receipt (wrong client, bounced transfer...): nothing is posted."""
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 500:
        raise CollectionError({"reason": _("Contá por qué se rechaza el recibo.")})
    ledger.lock_account(row.client_id)
    db.session.refresh(row)
    if row.state != FieldReceiptState.PENDING:
        raise CollectionError({"state": _("Este recibo ya fue revisado.")})
    row.state = FieldReceiptState.REJECTED
    row.reject_reason = reason
    row.decided_by_id = user.id
    row.decided_at = utcnow()
    db.session.flush()
    record(
        "collection.receipt_reject",
        "client",
        row.client_id,
        {"state": "pending"},
        {"state": row.state, "field_receipt_id": row.id, "reason": reason},
    )


# --- delinquency -----------------------------------------------------------------------------


def delinquency_rule() -> DelinquencyRule:
    """The company's rule (made with its defaults the first time)."""
    rule = db.session.scalar(sa.select(DelinquencyRule).order_by(DelinquencyRule.id).limit(1))
    if rule is None:
        rule = DelinquencyRule(days_overdue=60, min_amount=Decimal("0"), currency="ARS")
        db.session.add(rule)
        db.session.flush()
    return rule


@dataclass
class DelinquencyRun:
    """What a run of the rule changed."""

    marked: list[int]
    lifted: list[int]


def run_delinquency(today: date | None = None) -> DelinquencyRun:
    """Mark delinquent the active clients the rule catches, and lift the ones it marked before.

    A client made delinquent by hand is never lifted by the rule. Each change writes an
    automatic note and an audit row, through the client service.
    """
    today = today or local_today()
    rule = delinquency_rule()
    if not rule.active:
        return DelinquencyRun([], [])
    cutoff = today - timedelta(days=rule.days_overdue)
    overdue = defaultdict(
        Decimal,
        db.session.execute(
            sa.select(DocumentInstallment.client_id, sa.func.sum(DocumentInstallment.open_amount))
            .where(
                DocumentInstallment.open_amount > 0,
                DocumentInstallment.due_date <= cutoff,
                DocumentInstallment.currency == rule.currency,
            )
            .group_by(DocumentInstallment.client_id)
        ).all(),
    )
    caught = {cid for cid, amount in overdue.items() if is_delinquent(amount, rule.min_amount)}
    to_mark = db.session.scalars(
        sa.select(Client).where(
            Client.id.in_(caught), Client.state == ClientState.ACTIVE, Client.deleted_at.is_(None)
        )
    ).all()
    to_lift = db.session.scalars(
        sa.select(Client).where(
            Client.delinquent_by_rule,
            Client.state == ClientState.DELINQUENT,
            Client.id.not_in(caught) if caught else sa.true(),
        )
    ).all()
    for client in to_mark:
        amount = ledger_money(overdue[client.id], rule.currency)
        clients.set_state(client, ClientState.DELINQUENT)
        client.delinquent_by_rule = True
        clients.add_note(
            client,
            _(
                "Regla de morosidad: %(amount)s vencido hace más de %(days)s días.",
                amount=amount,
                days=rule.days_overdue,
            ),
            automatic=True,
        )
    for client in to_lift:
        clients.set_state(client, ClientState.ACTIVE)
        client.delinquent_by_rule = False
        clients.add_note(
            client,
            _("Regla de morosidad: ya no tiene deuda vencida que la alcance; vuelve a activo."),
            automatic=True,
        )
    rule.last_run_at = utcnow()
    db.session.flush()
    return DelinquencyRun([c.id for c in to_mark], [c.id for c in to_lift])


def ledger_money(amount: Decimal, currency: str) -> str:
    """An amount as notes show it."""
    from app.credit.rules import money_text

    text = money_text(amount)
    return text if currency == "ARS" else text.replace("$", "US$", 1)


# --- for the collection pages ----------------------------------------------------------------


def sheet_collectors(user: User) -> list[User]:
    """Whose sheet the user may open: their own, their team's collectors, or every collector."""
    from app.auth.permissions import SCOPES
    from app.auth.services import team_ids

    scope = SCOPES[user.role]
    if scope == "own":
        return [user]
    query = sa.select(User).where(User.role == "collector", User.active.is_(True))
    if scope == "team":
        query = query.where(User.id.in_(team_ids(user)))
    return list(db.session.scalars(query.order_by(User.full_name, User.id)))


def save_delinquency_rule(data: dict, user: User) -> DelinquencyRule:
    """Change the rule's days, minimum amount and whether it runs; the change is audited."""
    errors: dict[str, str] = {}
    raw_days = str(data.get("days_overdue") or "").strip()
    days = int(raw_days) if raw_days.isascii() and raw_days.isdigit() else 0
    if not 1 <= days <= 3650:
        errors["days_overdue"] = _("Indicá entre 1 y 3650 días.")
    raw_amount = str(data.get("min_amount") or "0").strip()
    amount = _amount(raw_amount)
    if amount is None and not _is_zero(raw_amount):
        errors["min_amount"] = _("Ingresá un importe de cero o más, con hasta dos decimales.")
    if errors:
        raise CollectionError(errors)
    rule = delinquency_rule()
    before = _rule_view(rule)
    rule.days_overdue = days
    rule.min_amount = amount or Decimal("0")
    rule.active = bool(data.get("active"))
    db.session.flush()
    record("collection.delinquency_rule", "delinquency_rule", rule.id, before, _rule_view(rule))
    return rule


def _rule_view(rule: DelinquencyRule) -> dict:
    """The rule as the audit log keeps it."""
    return {
        "days_overdue": rule.days_overdue,
        "min_amount": str(rule.min_amount),
        "currency": rule.currency,
        "active": rule.active,
    }
