"""The route day: whose stops fall on a day, in what order, what happened at each; recording
an outcome, reordering the route and the supervisor's view of the team's day."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import Role, User
from app.auth.permissions import SCOPES
from app.auth.services import team_ids
from app.clients.models import Address, Client, ClientState
from app.clients.visit_plan import is_due, window_of
from app.collections.models import FieldReceipt
from app.core.types import local_now, local_today
from app.extensions import db
from app.ledger.accounts import owed_by_client
from app.notices.services import notices_in_force
from app.orders.models import Order, OrderStatus
from app.route import rules
from app.route.agenda import due_on
from app.route.models import Visit, VisitOutcome

ZERO = Decimal("0")
OUTCOME_LABELS = {
    VisitOutcome.ORDER: _l("Con pedido"),
    VisitOutcome.NO_ORDER: _l("Sin pedido"),
    VisitOutcome.COLLECTED: _l("Cobrado"),
    VisitOutcome.SKIPPED: _l("Salteada"),
}


class VisitError(ValueError):
    """An outcome that cannot be recorded; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def outcome_label(outcome: str | None) -> str:
    """The outcome as the screens say it."""
    return str(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else ""


@dataclass(frozen=True)
class Columns:
    """The client columns of one kind of visit plan (a salesperson's or a collector's)."""

    owner: sa.Column
    weekdays: sa.Column
    every_weeks: str
    week_of: str
    start: str
    end: str
    position: str


SALES = Columns(
    Client.salesperson_id,
    Client.visit_weekdays,
    "visit_every_weeks",
    "visit_week_of",
    "visit_from",
    "visit_to",
    "route_position",
)
COLLECTION = Columns(
    Client.collector_id,
    Client.collection_weekdays,
    "collection_every_weeks",
    "collection_week_of",
    "collection_from",
    "collection_to",
    "collection_position",
)


def plan_of(user: User) -> Columns:
    """A collector works the collection plan; everyone else the salesperson's."""
    return COLLECTION if user.role == Role.COLLECTOR else SALES


@dataclass
class Stop:
    """One client on a route day."""

    client: Client
    position: int | None
    window: object  # visit_plan.Window | None
    planned: bool
    state: str = rules.StopState.PENDING
    outcome: str | None = None
    visit: Visit | None = None
    orders: int = 0
    receipts: int = 0
    owed: Decimal = ZERO
    overdue: Decimal = ZERO
    notices: int = 0
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    agenda: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str | None:
        return self.visit.reason.name if self.visit and self.visit.reason else None

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.outcome)


@dataclass
class RouteDay:
    """A person's stops of a day in route order, the planned ones first."""

    owner: User
    day: date
    stops: list[Stop]

    @property
    def planned(self) -> list[Stop]:
        return [stop for stop in self.stops if stop.planned]

    @property
    def done(self) -> int:
        return sum(stop.state != rules.StopState.PENDING for stop in self.planned)

    @property
    def next_stop(self) -> Stop | None:
        return next((s for s in self.stops if s.state == rules.StopState.PENDING), None)


def route_owners(user: User) -> list[User]:
    """Whose route the user may look at: their own, their team's, or everyone's in the field."""
    scope = SCOPES[Role(user.role)]
    query = sa.select(User).where(
        User.active.is_(True), User.role.in_([Role.SALESPERSON, Role.COLLECTOR, Role.SUPERVISOR])
    )
    if scope == "own":
        return [user]
    if scope == "team":
        query = query.where(User.id.in_(team_ids(user)))
    return list(db.session.scalars(query.order_by(User.full_name, User.username)))


def _due_clients(owner: User, day: date, plan: Columns) -> list[Client]:
    """The owner's clients whose plan calls for a visit on the day, in route order."""
    bit = 1 << day.weekday()
    query = sa.select(Client).where(
        plan.owner == owner.id,
        Client.deleted_at.is_(None),
        Client.state != ClientState.DISABLED,
        plan.weekdays.op("&")(bit) != 0,
    )
    clients = db.session.scalars(query).all()
    due = [
        c
        for c in clients
        if is_due(
            getattr(c, plan.weekdays.key),
            getattr(c, plan.every_weeks),
            getattr(c, plan.week_of),
            day,
        )
    ]
    return sorted(due, key=lambda c: _route_key(c, plan))


def _route_key(client: Client, plan: Columns) -> tuple:
    position = getattr(client, plan.position)
    return (position is None, position or 0, client.display_name.lower(), client.id)


def client_coordinates(client_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Where each client is (for other domains' maps): see _coordinates."""
    return _coordinates(client_ids)


def _coordinates(client_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Where each client is: its fiscal address's coordinates, else any address's."""
    rows = db.session.execute(
        sa.select(Address.client_id, Address.latitude, Address.longitude, Address.kind)
        .where(
            Address.client_id.in_(client_ids),
            Address.deleted_at.is_(None),
            Address.latitude.is_not(None),
            Address.longitude.is_not(None),
        )
        .order_by(Address.client_id, (Address.kind != "fiscal"), Address.id)
    )
    found: dict[int, tuple[Decimal, Decimal]] = {}
    for cid, lat, lng, _kind in rows:
        found.setdefault(cid, (lat, lng))
    return found


def _orders(owner: User, day: date) -> dict[int, int]:
    """Orders the owner took on the day per client (a cancelled one does not count)."""
    query = sa.select(Order.client_id, sa.func.count()).where(
        Order.user_id == owner.id, Order.date == day, Order.status != OrderStatus.CANCELLED
    )
    return dict(db.session.execute(query.group_by(Order.client_id)).all())


def _receipts(owner: User, day: date) -> dict[int, int]:
    """Field receipts the owner recorded on the day (by the company's date)."""
    start, end = _day_bounds(day)
    rows = db.session.execute(
        sa.select(FieldReceipt.client_id, sa.func.count())
        .where(
            FieldReceipt.user_id == owner.id,
            FieldReceipt.created_at >= start,
            FieldReceipt.created_at < end,
            FieldReceipt.deleted_at.is_(None),
        )
        .group_by(FieldReceipt.client_id)
    )
    return dict(rows.all())


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants a company day starts and ends."""
    zone = local_now().tzinfo
    start = datetime.combine(day, datetime.min.time(), zone)
    end = datetime.combine(day.fromordinal(day.toordinal() + 1), datetime.min.time(), zone)
    return start, end


def route_day(owner: User, day: date | None = None) -> RouteDay:
    """The owner's stops of the day: the planned ones in route order (and, for a collector,
    the clients the collections agenda names), then the unplanned visits already made."""
    day = day or local_today()
    plan = plan_of(owner)
    due = _due_clients(owner, day, plan)
    agenda = due_on(owner, day) if plan is COLLECTION else {}
    due_ids = {c.id for c in due}
    extra_ids = set(agenda) - due_ids
    visits = {
        v.client_id: v
        for v in db.session.scalars(
            sa.select(Visit).where(
                Visit.user_id == owner.id, Visit.day == day, Visit.deleted_at.is_(None)
            )
        )
    }
    orders = _orders(owner, day)
    receipts = _receipts(owner, day)
    unplanned_ids = (set(visits) | set(orders) | set(receipts)) - due_ids - extra_ids
    extra = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Client).where(Client.id.in_(extra_ids | unplanned_ids))
        )
    }
    stops = [_stop(c, plan, True) for c in due]
    stops += [_stop(extra[cid], plan, True) for cid in sorted(extra_ids, key=lambda i: extra[i].id)]
    stops += sorted(
        (_stop(extra[cid], plan, False) for cid in unplanned_ids if cid in extra),
        key=lambda s: (s.client.display_name.lower(), s.client.id),
    )
    ids = [s.client.id for s in stops]
    owed = owed_by_client(ids, day)
    where = _coordinates(ids)
    for stop in stops:
        cid = stop.client.id
        stop.visit = visits.get(cid)
        stop.orders = orders.get(cid, 0)
        stop.receipts = receipts.get(cid, 0)
        recorded = stop.visit.outcome if stop.visit else None
        if recorded is None and stop.receipts:
            recorded = VisitOutcome.COLLECTED.value
        stop.state, stop.outcome = rules.stop_state(recorded, stop.orders)
        stop.owed, stop.overdue = owed.get(cid, (ZERO, ZERO))
        stop.latitude, stop.longitude = where.get(cid, (None, None))
        stop.notices = len(notices_in_force(stop.client, day, owner.role))
        stop.agenda = agenda.get(cid, [])
    return RouteDay(owner, day, stops)


def _stop(client: Client, plan: Columns, planned: bool) -> Stop:
    return Stop(
        client=client,
        position=getattr(client, plan.position),
        window=window_of(getattr(client, plan.start), getattr(client, plan.end)),
        planned=planned,
    )


def owner_clients(owner: User) -> tuple[list[Client], dict[int, tuple[Decimal, Decimal]]]:
    """All the owner's live clients (as salesperson, or collector) and where they are."""
    plan = plan_of(owner)
    clients = list(
        db.session.scalars(
            sa.select(Client)
            .where(plan.owner == owner.id, Client.deleted_at.is_(None))
            .order_by(Client.legal_name)
        )
    )
    return clients, _coordinates([c.id for c in clients])
