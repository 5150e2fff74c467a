"""Demo route days: where each shop is, each client's visit plan, the reasons list and
today's first outcomes, so Hoy, the map and the team's day show a working route."""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import Role, User
from app.clients.models import Address, Client, ClientState
from app.clients.visit_plan import monday
from app.core.changes import reserve_change_seqs
from app.core.types import local_now, local_today
from app.extensions import db
from app.route.models import Visit, VisitReason
from app.route.rules import Place, suggest_order
from app.route.services import plan_of, route_day

# The centre of each demo city (latitude, longitude); shops are spread about a kilometre round it.
CITY_CENTRES = {
    "San Isidro": (-34.4708, -58.5286),
    "Vicente López": (-34.5265, -58.4757),
    "Tigre": (-34.4260, -58.5796),
    "San Fernando": (-34.4418, -58.5603),
    "Morón": (-34.6534, -58.6198),
    "Merlo": (-34.6653, -58.7276),
    "Castelar": (-34.6515, -58.6448),
    "Ituzaingó": (-34.6581, -58.6672),
    "Lanús": (-34.7061, -58.3920),
    "Quilmes": (-34.7206, -58.2546),
    "Avellaneda": (-34.6625, -58.3653),
    "Banfield": (-34.7440, -58.3970),
    "Balvanera": (-34.6090, -58.4030),
    "Almagro": (-34.6100, -58.4210),
    "Caballito": (-34.6190, -58.4420),
    "Boedo": (-34.6300, -58.4160),
    "La Plata": (-34.9214, -57.9545),
    "City Bell": (-34.8700, -58.0510),
    "Berisso": (-34.8730, -57.8860),
    "Ensenada": (-34.8650, -57.9110),
    "Córdoba": (-31.4201, -64.1888),
    "Villa Carlos Paz": (-31.4241, -64.4978),
    "Río Ceballos": (-31.1649, -64.3227),
    "Rosario": (-32.9442, -60.6505),
    "Funes": (-32.9170, -60.8100),
    "Villa Gobernador Gálvez": (-33.0260, -60.6330),
    "Mendoza": (-32.8895, -68.8458),
    "Godoy Cruz": (-32.9250, -68.8450),
    "Guaymallén": (-32.9000, -68.7900),
    "Maipú": (-32.9830, -68.7830),
}
REASONS = [
    ("CER", "Local cerrado", "both", 10),
    ("STK", "Tenía stock", "no_order", 20),
    ("DIN", "Sin dinero", "no_order", 30),
    ("AUS", "Dueño ausente", "both", 40),
    ("PRE", "Compró a la competencia", "no_order", 50),
    ("TIE", "Sin tiempo en la ruta", "skipped", 60),
    ("CAL", "Calle cortada o lluvia", "skipped", 70),
]
ROUTE_DAYS = 6  # Monday to Saturday
WEEKLY_A_DAY = 15
FORTNIGHTLY_A_DAY = 10
MONTHLY_A_DAY = 15
COLLECTION_A_DAY = 30
WINDOWS = [(time(8, 0), time(12, 0)), (time(9, 0), time(13, 0)), (time(14, 0), time(18, 0))]
MICRO = Decimal("0.000001")


def add_demo_routes(rng: random.Random) -> None:
    """Coordinates, visit plans, the reasons list and today's first outcomes."""
    _place_addresses(rng)
    db.session.flush()
    reasons = _add_reasons()
    for seller in db.session.scalars(sa.select(User).where(User.role == Role.SALESPERSON)):
        _plan_route(rng, seller, "salesperson_id", "visit", "route_position", ROUTE_DAYS)
    for collector in db.session.scalars(sa.select(User).where(User.role == Role.COLLECTOR)):
        _plan_route(rng, collector, "collector_id", "collection", "collection_position", 5)
    db.session.flush()
    for person in db.session.scalars(
        sa.select(User).where(User.role.in_([Role.SALESPERSON, Role.COLLECTOR]))
    ):
        _order_route(person)
    _first_outcomes(rng, reasons)


def _place_addresses(rng: random.Random) -> None:
    """Each fiscal address in a known city gets a point near the city's centre."""
    rows = db.session.execute(
        sa.select(Address.id, Address.city).where(Address.kind == "fiscal")
    ).all()
    for address_id, city in rows:
        centre = CITY_CENTRES.get(city)
        if centre is None or rng.random() < 0.04:  # a few shops nobody located yet
            continue
        lat = Decimal(str(centre[0] + rng.gauss(0, 0.012))).quantize(MICRO)
        lng = Decimal(str(centre[1] + rng.gauss(0, 0.014))).quantize(MICRO)
        db.session.execute(
            sa.update(Address).where(Address.id == address_id).values(latitude=lat, longitude=lng)
        )


def _add_reasons() -> dict[str, VisitReason]:
    reasons = {
        code: VisitReason(code=code, name=name, applies_to=use, position=position)
        for code, name, use, position in REASONS
    }
    db.session.add_all(reasons.values())
    db.session.flush()
    return reasons


def _points(client_ids: list[int]) -> dict[int, tuple[float, float]]:
    rows = db.session.execute(
        sa.select(Address.client_id, Address.latitude, Address.longitude).where(
            Address.client_id.in_(client_ids),
            Address.kind == "fiscal",
            Address.latitude.is_not(None),
        )
    )
    return {cid: (float(lat), float(lng)) for cid, lat, lng in rows}


def _plan_route(
    rng: random.Random, owner: User, column: str, prefix: str, position: str, days: int
) -> None:
    """Split the owner's clients into one cluster a weekday (by zone, then west to east), each
    day's stops numbered along the cluster; most weekly, some every 2 or 4 weeks."""
    clients = db.session.execute(
        sa.select(Client.id, Client.sales_zone_id, Client.abc_rating).where(
            getattr(Client, column) == owner.id,
            Client.deleted_at.is_(None),
            Client.state.notin_([ClientState.DISABLED, ClientState.POTENTIAL]),
        )
    ).all()
    if prefix == "collection":  # a collector calls on a share of the clients, every 2 weeks
        clients = [row for row in clients if rng.random() < 0.3]
    where = _points([row[0] for row in clients])
    ordered = sorted(
        clients, key=lambda row: (row[1] or 0, where.get(row[0], (0.0, 0.0))[1], row[0])
    )
    per_day: dict[int, list[int]] = defaultdict(list)
    size = max(1, -(-len(ordered) // days))
    this_week = monday(local_today())
    for index, (client_id, _zone, rating) in enumerate(ordered):
        weekday = min(index // size, days - 1)
        stops = per_day[weekday]
        stops.append(client_id)
        every = _frequency(len(stops)) if prefix == "visit" else _collection_frequency(len(stops))
        if every is None:
            continue  # beyond a day's work: served by phone, no visits planned
        mask = 1 << weekday
        if rating == "A" and every == 1 and rng.random() < 0.3:
            mask |= 1 << ((weekday + 3) % days)  # a big client seen twice a week
        window = rng.choice(WINDOWS) if rng.random() < 0.2 else (None, None)
        db.session.execute(
            sa.update(Client)
            .where(Client.id == client_id)
            .values(
                {
                    f"{prefix}_weekdays": mask,
                    f"{prefix}_every_weeks": every,
                    f"{prefix}_week_of": this_week - timedelta(weeks=len(stops) % every),
                    f"{prefix}_from": window[0],
                    f"{prefix}_to": window[1],
                    position: len(stops) * 10,
                }
            )
        )


def _order_route(owner: User) -> None:
    """Number each weekday's stops in the suggested order, as a salesperson who accepted it."""
    plan = plan_of(owner)
    for offset in range(7):
        clients = db.session.scalars(
            sa.select(Client).where(plan.owner == owner.id, plan.weekdays.op("&")(1 << offset) != 0)
        ).all()
        where = _points([c.id for c in clients])
        places = [
            Place(c.id, *where.get(c.id, (None, None)))
            for c in sorted(clients, key=lambda c: where.get(c.id, (0.0, 0.0))[1])
        ]
        for n, client_id in enumerate(suggest_order(places), start=1):
            db.session.execute(
                sa.update(Client)
                .where(Client.id == client_id)
                .values({plan.position: offset * 100 + n})
            )


def _collection_frequency(nth: int) -> int | None:
    """A collector calls on 30 clients a day every 2 weeks; the rest of a big portfolio by phone."""
    return 2 if nth <= COLLECTION_A_DAY else None


def _frequency(nth: int) -> int | None:
    """The first 15 clients of a day's cluster weekly, the next 10 every 2 weeks, 15 more
    every 4, the rest by phone: 15 to 30 stops a day whatever the portfolio's size."""
    if nth <= WEEKLY_A_DAY:
        return 1
    if nth <= WEEKLY_A_DAY + FORTNIGHTLY_A_DAY:
        return 2
    return 4 if nth <= WEEKLY_A_DAY + FORTNIGHTLY_A_DAY + MONTHLY_A_DAY else None


def _first_outcomes(rng: random.Random, reasons: dict[str, VisitReason]) -> None:
    """Yesterday's route worked to the end and a third of today's, so Hoy and the team's day
    show progress."""
    today = local_today()
    rows = []
    for seller in db.session.scalars(sa.select(User).where(User.role == Role.SALESPERSON)):
        for day, share in ((today - timedelta(days=1), 1.0), (today, 1 / 3)):
            stops = [s for s in route_day(seller, day).planned if s.state == "pending"]
            started = datetime.combine(day, time(8, 30), local_now().tzinfo)
            for n, stop in enumerate(stops[: int(len(stops) * share)]):
                rows.append(_outcome(rng, reasons, seller, stop.client.id, day, started, n))
    if rows:
        seqs = reserve_change_seqs(db.session.connection(), len(rows))
        rows = [row | {"change_seq": seq} for row, seq in zip(rows, seqs, strict=True)]
        db.session.execute(sa.insert(Visit), rows)


def _outcome(rng, reasons, seller, client_id, day, started, n) -> dict:
    outcome = rng.choices(["no_order", "skipped", "collected"], weights=[60, 25, 15])[0]
    reason = None
    if outcome == "no_order":
        reason = reasons[rng.choice(["STK", "DIN", "AUS", "PRE", "CER"])]
    elif outcome == "skipped":
        reason = reasons[rng.choice(["TIE", "CAL", "CER"])]
    return {
        "client_id": client_id,
        "user_id": seller.id,
        "day": day,
        "outcome": outcome,
        "reason_id": reason.id if reason else None,
        "planned": True,
        "recorded_at": started + timedelta(minutes=20 * n),
    }
