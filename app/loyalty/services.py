"""The loyalty program: the rule, points earned and taken back with the ledger's documents,
expiry, and adjustments by hand. Each change is an entry of the points ledger; the client's
loyalty_points is their sum, kept on the card for lists, the API and the phone."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.clients.models import Client
from app.core.numbers import parse_decimal
from app.core.types import local_today
from app.extensions import db
from app.ledger.models import Document, DocumentKind
from app.loyalty.models import EntryKind, LoyaltyEntry, LoyaltySettings
from app.loyalty.rules import add_months, points_for, take_oldest_first

MAX_POINTS = 10_000_000
NOTE_LENGTH = 200


class LoyaltyError(ValueError):
    """A change the program refuses; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


@dataclass(frozen=True)
class NextExpiry:
    """The points that expire first, and when."""

    on: date
    points: int


# --- the rule --------------------------------------------------------------------------------


def loyalty_settings() -> LoyaltySettings:
    """The company's rule (made with its defaults the first time)."""
    row = db.session.scalar(sa.select(LoyaltySettings).order_by(LoyaltySettings.id).limit(1))
    if row is None:
        row = LoyaltySettings(active=True, amount_per_point=Decimal("1000"), expiry_months=12)
        db.session.add(row)
        db.session.flush()
    return row


def _settings_view(row: LoyaltySettings) -> dict:
    """The rule as the audit log keeps it."""
    return {
        "active": row.active,
        "amount_per_point": f"{row.amount_per_point:.2f}",
        "expiry_months": row.expiry_months,
    }


def save_settings(data: dict) -> LoyaltySettings:
    """Change the rule: pesos per point, months until points expire, and whether it runs.
    Points already earned keep their expiry; the change is audited."""
    errors: dict[str, str] = {}
    try:
        amount = parse_decimal(str(data.get("amount_per_point") or "").strip())
    except (ValueError, InvalidOperation):
        amount = None
    if amount is None or amount <= 0 or amount > Decimal("999999999") or amount != round(amount, 2):
        errors["amount_per_point"] = _(
            "Ingresá un importe mayor que cero, con hasta dos decimales."
        )
    raw_months = str(data.get("expiry_months") or "").strip()
    months = int(raw_months) if raw_months.isascii() and raw_months.isdigit() else 0
    if not 1 <= months <= 120:
        errors["expiry_months"] = _("Indicá entre 1 y 120 meses.")
    if errors:
        raise LoyaltyError(errors)
    row = loyalty_settings()
    before = _settings_view(row)
    row.amount_per_point = amount
    row.expiry_months = months
    row.active = bool(data.get("active"))
    db.session.flush()
    record("loyalty.settings", "loyalty_settings", row.id, before, _settings_view(row))
    return row


# --- reading a client's points ---------------------------------------------------------------


def balance(client_id: int) -> int:
    """The client's points: the sum of its ledger."""
    total = db.session.scalar(
        sa.select(sa.func.sum(LoyaltyEntry.points)).where(LoyaltyEntry.client_id == client_id)
    )
    return int(total or 0)


def next_expiry(client_id: int) -> NextExpiry | None:
    """The first day some of the client's points expire, and how many; None if none will."""
    row = db.session.execute(
        sa.select(LoyaltyEntry.expires_on, sa.func.sum(LoyaltyEntry.remaining))
        .where(
            LoyaltyEntry.client_id == client_id,
            LoyaltyEntry.remaining > 0,
            LoyaltyEntry.expires_on.is_not(None),
        )
        .group_by(LoyaltyEntry.expires_on)
        .order_by(LoyaltyEntry.expires_on)
        .limit(1)
    ).first()
    return NextExpiry(row[0], int(row[1])) if row else None


def entries(client_id: int, limit: int = 10) -> list[LoyaltyEntry]:
    """The client's latest point changes, newest first."""
    return list(
        db.session.scalars(
            sa.select(LoyaltyEntry)
            .where(LoyaltyEntry.client_id == client_id)
            .order_by(LoyaltyEntry.day.desc(), LoyaltyEntry.id.desc())
            .limit(limit)
        )
    )


# --- changing them ---------------------------------------------------------------------------


def _add(client: Client, kind: str, points: int, day: date, **values) -> LoyaltyEntry:
    """Points in: a lot that expires after the rule's months."""
    months = loyalty_settings().expiry_months
    entry = LoyaltyEntry(
        client_id=client.id,
        kind=kind,
        points=points,
        remaining=points,
        day=day,
        expires_on=add_months(day, months),
        **values,
    )
    db.session.add(entry)
    client.loyalty_points = (client.loyalty_points or 0) + points
    return entry


def _take(client: Client, kind: str, points: int, day: date, **values) -> LoyaltyEntry | None:
    """Points out, from the lots that expire first; never more than the client has."""
    lots = list(
        db.session.scalars(
            sa.select(LoyaltyEntry)
            .where(LoyaltyEntry.client_id == client.id, LoyaltyEntry.remaining > 0)
            .order_by(LoyaltyEntry.expires_on, LoyaltyEntry.id)
            .with_for_update()
        )
    )
    kept = take_oldest_first([lot.remaining for lot in lots], points)
    taken = sum(lot.remaining for lot in lots) - sum(kept)
    if taken <= 0:
        return None
    for lot, remaining in zip(lots, kept, strict=True):
        lot.remaining = remaining
    entry = LoyaltyEntry(client_id=client.id, kind=kind, points=-taken, day=day, **values)
    db.session.add(entry)
    client.loyalty_points = (client.loyalty_points or 0) - taken
    return entry


def on_document_posted(document: Document) -> LoyaltyEntry | None:
    """An invoice earns the client points by the rule; a credit note takes them back."""
    if document.kind not in (DocumentKind.INVOICE, DocumentKind.CREDIT_NOTE):
        return None
    client = db.session.get(Client, document.client_id)
    if not client.loyalty_enabled:
        return None
    rule = loyalty_settings()
    if not rule.active:
        return None
    pesos = document.amount * (document.exchange_rate or Decimal("1"))
    points = points_for(pesos, rule.amount_per_point)
    if not points:
        return None
    if document.kind == DocumentKind.INVOICE:
        entry = _add(client, EntryKind.EARNED, points, document.date, document_id=document.id)
    else:
        entry = _take(client, EntryKind.RETURNED, points, document.date, document_id=document.id)
    db.session.flush()
    return entry


def on_document_voided(document: Document, reversal: Document) -> LoyaltyEntry | None:
    """A voided invoice gives back the points it earned (those still there)."""
    earned = db.session.scalar(
        sa.select(sa.func.sum(LoyaltyEntry.points)).where(
            LoyaltyEntry.document_id == document.id, LoyaltyEntry.kind == EntryKind.EARNED
        )
    )
    if not earned:
        return None
    client = db.session.get(Client, document.client_id)
    entry = _take(client, EntryKind.RETURNED, int(earned), reversal.date, document_id=reversal.id)
    db.session.flush()
    return entry


def adjust(client: Client, raw_points: object, note: str, actor_id: int | None) -> LoyaltyEntry:
    """Add or take points by hand, with the reason; audited."""
    errors: dict[str, str] = {}
    text = str(raw_points or "").strip().replace("+", "", 1)
    points = int(text) if text.lstrip("-").isdigit() and text.isascii() else 0
    if not points or abs(points) > MAX_POINTS:
        errors["points"] = _("Indicá los puntos: positivos para sumar, negativos para restar.")
    elif points < 0 and -points > balance(client.id):
        errors["points"] = _("El cliente no tiene tantos puntos.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Contá por qué se ajustan.")
    elif len(note) > NOTE_LENGTH:
        errors["note"] = _("Como máximo %(count)d caracteres.", count=NOTE_LENGTH)
    if errors:
        raise LoyaltyError(errors)
    before = client.loyalty_points
    values = {"note": note, "actor_id": actor_id}
    if points > 0:
        entry = _add(client, EntryKind.ADJUSTED, points, local_today(), **values)
    else:
        entry = _take(client, EntryKind.ADJUSTED, -points, local_today(), **values)
    db.session.flush()
    record(
        "loyalty.adjust",
        "client",
        client.id,
        {"loyalty_points": before},
        {"loyalty_points": client.loyalty_points, "note": note},
    )
    return entry


def follow_card_change(client: Client) -> LoyaltyEntry | None:
    """The points typed on the client's card (the form, the API, an import) go into the
    ledger as an adjustment, so the balance stays explained (the card's audit row has it)."""
    wanted = max(client.loyalty_points or 0, 0)
    held = balance(client.id)
    entry = None
    if wanted != held:
        note = _("Cambio en la ficha del cliente")
        if wanted > held:
            entry = _add(client, EntryKind.ADJUSTED, wanted - held, local_today(), note=note)
        else:
            entry = _take(client, EntryKind.ADJUSTED, held - wanted, local_today(), note=note)
    client.loyalty_points = wanted
    db.session.flush()
    return entry


def expire(today: date | None = None) -> int:
    """Expire the points whose day has come (expires_on on or before today); returns how many
    points expired. Run nightly: flask loyalty expire."""
    today = today or local_today()
    lots = list(
        db.session.scalars(
            sa.select(LoyaltyEntry)
            .where(LoyaltyEntry.remaining > 0, LoyaltyEntry.expires_on <= today)
            .order_by(LoyaltyEntry.client_id, LoyaltyEntry.expires_on, LoyaltyEntry.id)
            .with_for_update()
        )
    )
    total = 0
    for lot in lots:
        client = db.session.get(Client, lot.client_id)
        db.session.add(
            LoyaltyEntry(
                client_id=lot.client_id,
                kind=EntryKind.EXPIRED,
                points=-lot.remaining,
                day=lot.expires_on,
                note=_("Vencieron los puntos del %(day)s", day=lot.day.strftime("%d/%m/%Y")),
            )
        )
        client.loyalty_points = (client.loyalty_points or 0) - lot.remaining
        total += lot.remaining
        lot.remaining = 0
    loyalty_settings().last_expiry_run_on = today
    db.session.flush()
    return total
