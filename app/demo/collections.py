"""Demo collections: each collector's calls over the last weeks (promises kept, open and broken,
visits agreed for today and tomorrow), a couple of field receipts waiting for the office, and
the delinquency rule. A few hundred rows at most, whatever the number of clients."""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.auth.models import Role, User
from app.clients.models import Client, ClientState
from app.collections import services
from app.collections.models import Channel, CollectionCall, Outcome
from app.core.types import local_today
from app.extensions import db
from app.ledger.models import Document, DocumentInstallment, DocumentKind, DocumentState

DEBTORS_PER_COLLECTOR = 40
WINDOWS = [
    (time(9), time(11)),
    (time(10), time(12)),
    (time(14), time(16)),
    (time(16, 30), time(18)),
]
NOTES = {
    Outcome.PROMISE: [
        "Dice que cobra el viernes y paga.",
        "Paga cuando le depositen los cheques.",
        "Promete transferir; pedir comprobante.",
    ],
    Outcome.NO_ANSWER: ["No atiende; dejé mensaje.", "Local cerrado al pasar."],
    Outcome.REFUSED: ["Dice que no puede pagar este mes."],
    Outcome.DISPUTE: ["Reclama una nota de crédito por mercadería vencida."],
    Outcome.WRONG_NUMBER: ["El número es de otra persona; pedir el nuevo."],
    Outcome.PAID: ["Pagó en efectivo al pasar."],
}
THOUSAND = Decimal("1000")


def add_demo_collections(rng: random.Random) -> dict[str, int]:
    """Write the demo calls, field receipts and rule; return how many of each."""
    today = local_today()
    rule = services.delinquency_rule()
    rule.days_overdue, rule.min_amount, rule.active = 60, Decimal("50000"), True
    counts = {"calls": 0, "field_receipts": 0}
    collectors = db.session.scalars(
        sa.select(User).where(User.role == Role.COLLECTOR).order_by(User.username)
    ).all()
    for collector in collectors:
        debtors = _debtors(collector, today)
        if not debtors:
            continue
        rng.shuffle(debtors)
        receipts, rest = (debtors[-2:], debtors[:-2]) if len(debtors) >= 4 else ([], debtors)
        half = len(rest) // 2
        counts["calls"] += _past_calls(rng, collector, rest[:half], today)
        counts["calls"] += _kept_promises(rng, collector, today)
        counts["calls"] += _current_calls(rng, collector, rest[half:], today)
        counts["field_receipts"] += _field_receipts(rng, collector, receipts, today)
    db.session.flush()
    return counts


def _debtors(collector: User, today: date) -> list[tuple[Client, Decimal]]:
    """The collector's active clients with the most overdue debt, and that debt."""
    rows = db.session.execute(
        sa.select(Client, sa.func.sum(DocumentInstallment.open_amount).label("overdue"))
        .join(DocumentInstallment, DocumentInstallment.client_id == Client.id)
        .where(
            Client.collector_id == collector.id,
            Client.state == ClientState.ACTIVE,
            Client.deleted_at.is_(None),
            DocumentInstallment.open_amount > 0,
            DocumentInstallment.due_date < today,
            DocumentInstallment.currency == Client.currency,
        )
        .group_by(Client.id)
        .order_by(sa.desc("overdue"), Client.id)
        .limit(DEBTORS_PER_COLLECTOR)
    ).all()
    return [(client, Decimal(overdue)) for client, overdue in rows]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time of a day as the UTC timestamp the calls keep."""
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "America/Argentina/Buenos_Aires"
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


def _part(rng: random.Random, amount: Decimal) -> Decimal:
    """A round part of a debt, as people promise it (at least a thousand)."""
    share = Decimal(rng.choice([25, 40, 50, 75, 100])) / 100
    return max(THOUSAND, (amount * share / THOUSAND).quantize(Decimal("1")) * THOUSAND)


def _call(collector: User, client: Client, day: date, hour: int, **fields) -> CollectionCall:
    """A call made on a past day (written directly: the service takes calls from today on)."""
    call = CollectionCall(
        client_id=client.id,
        user_id=collector.id,
        created_at=_at(day, hour, 15 * (client.id % 4)),
        **fields,
    )
    db.session.add(call)
    return call


def _past_calls(rng, collector: User, debtors: list, today: date) -> int:
    """Calls of the last weeks: no answer, disputes, refusals, and promises now broken."""
    written = 0
    for index, (client, overdue) in enumerate(debtors):
        first = today - timedelta(days=rng.randint(15, 28))
        _call(
            collector, client, first, rng.randint(9, 17),
            channel=rng.choice([Channel.PHONE, Channel.WHATSAPP]),
            outcome=Outcome.NO_ANSWER,
            notes=rng.choice(NOTES[Outcome.NO_ANSWER]),
        )  # fmt: skip
        written += 1
        if index % 3 == 0:
            # A promise whose date has passed with no payment: broken.
            called = today - timedelta(days=rng.randint(8, 12))
            _call(
                collector, client, called, rng.randint(9, 17),
                channel=Channel.PHONE,
                outcome=Outcome.PROMISE,
                promise_amount=_part(rng, overdue),
                promise_currency=client.currency,
                promise_date=called + timedelta(days=rng.randint(2, 5)),
                next_contact_at=called + timedelta(days=7),
                notes=rng.choice(NOTES[Outcome.PROMISE]),
            )  # fmt: skip
        else:
            outcome = rng.choice([Outcome.REFUSED, Outcome.DISPUTE, Outcome.WRONG_NUMBER])
            _call(
                collector, client, today - timedelta(days=rng.randint(2, 7)), rng.randint(9, 17),
                channel=Channel.VISIT if outcome != Outcome.WRONG_NUMBER else Channel.PHONE,
                outcome=outcome,
                notes=rng.choice(NOTES[outcome]),
            )  # fmt: skip
        written += 1
    return written


def _kept_promises(rng, collector: User, today: date, limit: int = 6) -> int:
    """Promises that a later receipt kept: the call a few days before a real payment."""
    receipts = db.session.execute(
        sa.select(Document.client_id, Document.date, Document.amount, Document.currency)
        .join(Client, Client.id == Document.client_id)
        .where(
            Client.collector_id == collector.id,
            Document.kind == DocumentKind.RECEIPT,
            Document.state != DocumentState.VOID,
            Document.reverses_id.is_(None),
            Document.date.between(today - timedelta(days=25), today - timedelta(days=2)),
            Document.amount >= THOUSAND,
        )
        .order_by(Document.date.desc(), Document.id)
        .limit(limit)
    ).all()
    for client_id, paid_on, amount, currency in receipts:
        client = db.session.get(Client, client_id)
        called = paid_on - timedelta(days=rng.randint(1, 4))
        _call(
            collector, client, called, rng.randint(9, 17),
            channel=rng.choice([Channel.PHONE, Channel.VISIT]),
            outcome=Outcome.PROMISE,
            promise_amount=(amount / THOUSAND).quantize(Decimal("1"), "ROUND_DOWN") * THOUSAND,
            promise_currency=currency,
            promise_date=paid_on,
            notes=rng.choice(NOTES[Outcome.PROMISE]),
        )  # fmt: skip
    return len(receipts)


def _current_calls(rng, collector: User, debtors: list, today: date) -> int:
    """Today's calls through the service: promises due today and later, visits agreed."""
    written = 0
    for index, (client, overdue) in enumerate(debtors):
        data: dict = {"channel": Channel.PHONE.value}
        if index % 3 == 0:
            start, end = WINDOWS[index // 3 % len(WINDOWS)]
            visit_day = today if index % 2 == 0 else today + timedelta(days=1)
            data |= {
                "outcome": Outcome.PROMISE.value,
                "promise_amount": str(_part(rng, overdue)),
                "promise_date": visit_day.isoformat(),
                "visit_date": visit_day.isoformat(),
                "visit_from": start.strftime("%H:%M"),
                "visit_to": end.strftime("%H:%M"),
                "notes": "Pasar a cobrar en ese horario.",
            }
        elif index % 3 == 1:
            data |= {
                "outcome": Outcome.PROMISE.value,
                "promise_amount": str(_part(rng, overdue)),
                "promise_date": (today + timedelta(days=index % 2 * 3)).isoformat(),
                "next_contact_at": (today + timedelta(days=4)).isoformat(),
                "notes": rng.choice(NOTES[Outcome.PROMISE]),
            }
        else:
            data |= {
                "outcome": Outcome.NO_ANSWER.value,
                "next_contact_at": (today + timedelta(days=1)).isoformat(),
                "notes": rng.choice(NOTES[Outcome.NO_ANSWER]),
            }
        services.log_call(client, data, collector)
        written += 1
    return written


def _field_receipts(rng, collector: User, debtors: list, today: date) -> int:
    """A cash receipt and a third-party check taken in the field, waiting for the office."""
    written = 0
    for index, (client, overdue) in enumerate(debtors):
        amount = _part(rng, overdue)
        if index % 2 == 0:
            line = {"kind": "cash", "amount": str(amount)}
        else:
            line = {
                "kind": "third_party_check",
                "amount": str(amount),
                "bank": rng.choice(["Banco Nación", "Banco Galicia", "Banco Provincia"]),
                "number": str(rng.randrange(10_000_000, 99_999_999)),
                "due_date": (today + timedelta(days=rng.randint(5, 30))).isoformat(),
                "drawer": client.legal_name,
                "drawer_tax_id": client.tax_id,
            }
        try:
            services.record_field_receipt(
                client,
                {"lines": [line], "apply_oldest": True, "notes": "Cobrado en la visita."},
                collector,
            )
        except services.CollectionError:
            continue  # a client whose type takes no receipts
        written += 1
    return written
