"""Demo notices: a dozen realistic ones for single clients and for groups, past to future."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app.audit import services as audit
from app.auth.models import User
from app.clients.models import Client, ClientState
from app.clients.reference import Category, ClientType, Family, Segment, Zone
from app.core.types import local_today, utcnow
from app.extensions import db
from app.notices.client_sets import create_for_clients
from app.notices.models import Notice, NoticeSeen
from app.notices.rules import Severity, TargetKind


@dataclass(frozen=True)
class DemoNotice:
    """A notice to write: what it says and for how long, counted in days from today."""

    message: str
    severity: Severity
    starts: int  # days from today (negative: already started)
    ends: int | None  # days from today; None: no end


# For single clients of the first salesperson, so "vendedor1" sees them on the route.
CLIENT_NOTICES = [
    DemoNotice("No entregar sin pago del saldo vencido.", Severity.IMPORTANT, -20, None),
    DemoNotice("Cheque rechazado: cobrar antes de vender.", Severity.IMPORTANT, -3, 30),
    DemoNotice("Cliente pide facturas separadas por sucursal.", Severity.WARNING, -60, None),
    DemoNotice(
        "Recibe mercadería solo de 8 a 11; no estacionar en la puerta.", Severity.INFO, -90, None
    ),
]
VACATION = "Cierra por vacaciones del 1 al 15/1: ofrecer un pedido grande antes."


def _end_of_month(day: date) -> date:
    """The last day of the day's month."""
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _next_vacation(today: date) -> tuple[date, date]:
    """From a month before the next 1 January (or today) to the 15th of January."""
    year = today.year + 1 if today > date(today.year, 1, 15) else today.year
    end = date(year, 1, 15)
    return min(today, date(year - 1, 12, 1)), end


def add_demo_notices(rng: random.Random) -> list[Notice]:
    """Write the demo notices over the demo clients and groups that exist; return them."""
    today = local_today()
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    author = users.get("oficina") or users.get("admin")
    salesperson = users.get("vendedor1")
    rows = _client_rows(rng, today, _candidate_clients(salesperson)) + _group_rows(today)
    notices = [
        Notice(
            message=message,
            severity=severity,
            target_kind=kind,
            target_id=target_id,
            valid_from=starts,
            valid_to=ends,
            created_by_id=author.id if author else None,
            created_at=utcnow() - timedelta(days=age, minutes=rng.randint(0, 600)),
        )
        for message, severity, kind, target_id, starts, ends, age in rows
        if target_id is not None
    ]
    db.session.add_all(notices)
    db.session.flush()
    _mark_one_seen(notices, salesperson)
    return notices


def _client_rows(rng: random.Random, today: date, clients: list[Client]) -> list[tuple]:
    """Notices for single clients: the first for a delinquent client when there is one."""
    delinquent = [c for c in clients if c.state == ClientState.DELINQUENT]
    first = [rng.choice(delinquent)] if delinquent else []
    others = [c for c in clients if c not in first]
    wanted = len(CLIENT_NOTICES) + 1 - len(first)  # one more for the vacation
    chosen = first + rng.sample(others, min(len(others), wanted))
    rows = []
    for client, demo in zip(chosen, CLIENT_NOTICES, strict=False):
        ends = today + timedelta(days=demo.ends) if demo.ends is not None else None
        starts = today + timedelta(days=demo.starts)
        rows.append((demo.message, demo.severity, TargetKind.CLIENT, client.id, starts, ends,
                     -demo.starts))  # fmt: skip
    if len(chosen) > len(CLIENT_NOTICES):
        starts, ends = _next_vacation(today)
        rows.append((VACATION, Severity.INFO, TargetKind.CLIENT, chosen[-1].id, starts, ends, 2))
    return rows


def _group_rows(today: date) -> list[tuple]:
    """Notices for a zone, client types, a segment, a category and a family: past to future."""

    def day(offset: int) -> date:
        """Today plus (or minus) some days."""
        return today + timedelta(days=offset)

    zone = _first(Zone, Zone.code == "Z01")
    kiosk = _first(ClientType, ClientType.code == "KIO")
    supermarket = _first(ClientType, ClientType.code == "SUP")
    retail = _first(ClientType, ClientType.code == "MIN")
    next_month = _end_of_month(today) + timedelta(days=1)
    warn, info = Severity.WARNING, Severity.INFO
    return [
        ("Corte de calle en la zona: entregar por la mañana.",
         warn, TargetKind.ZONE, zone, day(-2), day(12), 2),
        ("Feriado: no hubo reparto el lunes; reprogramar las entregas.",
         info, TargetKind.ZONE, zone, day(-70), day(-64), 71),
        ("Ofrecer promo galletitas 3x2 (hasta fin de mes).",
         info, TargetKind.CLIENT_TYPE, kiosk, day(-5), _end_of_month(today), 5),
        ("Promo golosinas de verano: 10 % en cajas cerradas.",
         info, TargetKind.CLIENT_TYPE, kiosk, day(-120), day(-90), 121),
        ("Supermercados: 5 % extra en gaseosas pagando al contado.",
         info, TargetKind.CLIENT_TYPE, supermarket, day(-1), day(20), 1),
        ("Desde el mes próximo el pedido mínimo es de $ 50.000.",
         warn, TargetKind.CLIENT_TYPE, retail, next_month, None, 0),
        ("Autoservicios: ofrecer la exhibidora de lácteos en comodato.",
         info, TargetKind.SEGMENT, _first(Segment, Segment.code == "AUT"), day(-10), None, 10),
        ("Bebidas: lista de precios nueva desde el lunes; avisar al cliente.",
         warn, TargetKind.CATEGORY, _first(Category, Category.code == "BEB"), day(4), day(30), 0),
        ("Grupo Gómez: consultar a administración antes de dar crédito a una sucursal.",
         warn, TargetKind.FAMILY, _first(Family, Family.name == "Grupo Gómez Hnos."), day(-30),
         None, 30),
    ]  # fmt: skip


def _candidate_clients(salesperson: User | None) -> list[Client]:
    """Live clients of the salesperson (any live client when there is none)."""
    query = sa.select(Client).where(Client.deleted_at.is_(None))
    if salesperson is not None:
        query = query.where(Client.salesperson_id == salesperson.id)
    return db.session.scalars(query.order_by(Client.id).limit(200)).all()


def _first(model: type, *where) -> int | None:
    """The id of the first live row that matches, or None."""
    return db.session.scalar(
        sa.select(model.id).where(model.deleted_at.is_(None), *where).order_by(model.id).limit(1)
    )


def _mark_one_seen(notices: list[Notice], salesperson: User | None) -> None:
    """The salesperson already saw the long-standing delivery-hours notice."""
    if salesperson is None:
        return
    for notice in notices:
        if notice.target_kind == TargetKind.CLIENT and notice.severity == Severity.INFO:
            db.session.add(
                NoticeSeen(
                    notice_id=notice.id,
                    user_id=salesperson.id,
                    client_id=notice.target_id,
                    seen_at=utcnow() - timedelta(days=1),
                )
            )
            return


SET_NOTICE = "Llegó la promo de yerba: ofrecer el pack de 10 con 15 % de descuento."


def add_demo_notice_set(rng: random.Random, size: int = 6) -> list[Notice]:
    """A notice the office sent to a hand-picked set of vendedor1's clients (one each)."""
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    author = users.get("oficina") or users.get("admin")
    salesperson = users.get("vendedor1")
    if author is None or salesperson is None:
        return []
    ids = db.session.scalars(
        sa.select(Client.id)
        .where(
            Client.salesperson_id == salesperson.id,
            Client.state == ClientState.ACTIVE,
            Client.deleted_at.is_(None),
        )
        .order_by(Client.id)
    ).all()
    if not ids:
        return []
    picked = sorted(rng.sample(list(ids), min(size, len(ids))))
    today = local_today()
    values = {
        "message": SET_NOTICE,
        "severity": Severity.INFO.value,
        "audience": "sales",
        "valid_from": today - timedelta(days=2),
        "valid_to": _end_of_month(today),
    }
    with audit.acting_as(author.id):
        return create_for_clients(values, author, picked)
