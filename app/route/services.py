"""The route day: whose stops fall on a day, in what order, what happened at each; recording
an outcome, reordering the route and the supervisor's view of the team's day."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.models import Role, User
from app.auth.permissions import SCOPES
from app.auth.services import team_ids
from app.clients.models import Address, Client, ClientState
from app.clients.services import scoped_clients
from app.clients.visit_plan import day_names, is_due, window_of
from app.collections.models import CollectionCall, FieldReceipt
from app.collections.services import promise_states
from app.core.types import local_now, local_today
from app.extensions import db
from app.ledger.accounts import owed_by_client
from app.notices.services import notices_in_force
from app.orders.models import Order, OrderStatus
from app.route import rules
from app.route.models import Visit, VisitOutcome, VisitReason

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


def _agenda(owner: User, day: date) -> dict[int, list[str]]:
    """What the collections side set for the day on the owner's clients: agreed visits,
    promises falling due and next contacts."""
    calls = db.session.scalars(
        sa.select(CollectionCall)
        .join(Client, Client.id == CollectionCall.client_id)
        .where(
            Client.collector_id == owner.id,
            Client.deleted_at.is_(None),
            CollectionCall.deleted_at.is_(None),
            sa.or_(
                CollectionCall.visit_date == day,
                CollectionCall.promise_date == day,
                CollectionCall.next_contact_at == day,
            ),
        )
        .order_by(CollectionCall.id)
    )
    items: dict[int, list[str]] = defaultdict(list)
    for call in calls:
        if call.visit_date == day:
            hours = ""
            if call.visit_from:
                hours = f" {call.visit_from:%H:%M}"
                hours += f"-{call.visit_to:%H:%M}" if call.visit_to else ""
            items[call.client_id].append(_("Visita acordada") + hours)
        if call.promise_date == day and call.promise_amount:
            items[call.client_id].append(_("Vence una promesa de pago"))
        if call.next_contact_at == day:
            items[call.client_id].append(_("Próximo contacto agendado"))
    return items


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
    agenda = _agenda(owner, day) if plan is COLLECTION else {}
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
        stop.notices = len(notices_in_force(stop.client, day))
        stop.agenda = agenda.get(cid, [])
    return RouteDay(owner, day, stops)


def _stop(client: Client, plan: Columns, planned: bool) -> Stop:
    return Stop(
        client=client,
        position=getattr(client, plan.position),
        window=window_of(getattr(client, plan.start), getattr(client, plan.end)),
        planned=planned,
    )


def reasons(outcome: str | None = None) -> list[VisitReason]:
    """The reasons in use, in the office's order; only those for an outcome when given."""
    query = sa.select(VisitReason).where(VisitReason.deleted_at.is_(None))
    if outcome in rules.NEEDS_REASON:
        query = query.where(VisitReason.applies_to.in_(rules.NEEDS_REASON[outcome]))
    return list(db.session.scalars(query.order_by(VisitReason.position, VisitReason.name)))


PROBLEM_MESSAGES = {
    "outcome": _l("Elegí un resultado de la lista."),
    "reason_missing": _l("Elegí el motivo."),
    "reason_kind": _l("Ese motivo no corresponde a este resultado."),
    "reason_unwanted": _l("Este resultado no lleva motivo."),
    "future": _l("No se puede registrar una visita de un día que todavía no llegó."),
    "too_old": _l(
        "Solo se registran visitas de los últimos %(days)d días.", days=rules.MAX_DAYS_BACK
    ),
}


def record_visit(user: User, client: Client, data: dict) -> tuple[Visit, bool]:
    """Record (or replace) the outcome of the user's visit to a client on a day.

    `data`: day, outcome, reason_id, note, latitude, longitude, location_accuracy. Answers the
    visit and whether it is new. The visit is planned when the client was due that day.
    """
    day = data.get("day") or local_today()
    reason = None
    if data.get("reason_id") is not None:
        reason = db.session.get(VisitReason, data["reason_id"])
        if reason is None or reason.is_deleted:
            raise VisitError({"reason_id": _("Ese motivo no existe.")})
    problems = rules.outcome_problems(
        data.get("outcome"), reason.applies_to if reason else None, day, local_today()
    )
    if problems:
        raise VisitError({name: str(PROBLEM_MESSAGES[code]) for name, code in problems.items()})
    plan = plan_of(user)
    planned = getattr(client, plan.owner.key) == user.id and is_due(
        getattr(client, plan.weekdays.key),
        getattr(client, plan.every_weeks),
        getattr(client, plan.week_of),
        day,
    )
    visit = db.session.scalar(
        sa.select(Visit).where(
            Visit.client_id == client.id, Visit.user_id == user.id, Visit.day == day
        )
    )
    before = _visit_view(visit) if visit else None
    created = visit is None
    if created:
        visit = Visit(client_id=client.id, user_id=user.id, day=day)
        db.session.add(visit)
    visit.outcome = data["outcome"]
    visit.reason_id = reason.id if reason else None
    visit.note = data.get("note")
    visit.planned = planned
    visit.latitude = data.get("latitude")
    visit.longitude = data.get("longitude")
    visit.location_accuracy = data.get("location_accuracy")
    visit.deleted_at = None
    visit.recorded_at = local_now()
    db.session.flush()
    record(
        "visit.record" if created else "visit.change",
        "client",
        client.id,
        before,
        _visit_view(visit),
    )
    return visit, created


def _visit_view(visit: Visit) -> dict:
    return {
        "visit_id": visit.id,
        "day": visit.day.isoformat(),
        "outcome": visit.outcome,
        "reason_id": visit.reason_id,
        "note": visit.note,
        "planned": visit.planned,
    }


def plan_view(client: Client) -> dict:
    """Both visit plans as the audit log keeps them."""
    view = {}
    for prefix, plan in (("visit", SALES), ("collection", COLLECTION)):
        view[f"{prefix}_days"] = day_names(getattr(client, plan.weekdays.key))
        view[f"{prefix}_every_weeks"] = getattr(client, plan.every_weeks)
        week = getattr(client, plan.week_of)
        view[f"{prefix}_week_of"] = week.isoformat() if week else None
        window = window_of(getattr(client, plan.start), getattr(client, plan.end))
        view[f"{prefix}_window"] = str(window) if window else None
        view[f"{prefix}_position"] = getattr(client, plan.position)
    return view


def set_positions(owner: User, ordered: list[int], actor: User) -> None:
    """Put the owner's route in this order (client ids), reusing the positions those stops
    already had so the rest of the week keeps its order; stops without one go after."""
    plan = plan_of(owner)
    clients = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Client).where(Client.id.in_(ordered), plan.owner == owner.id)
        )
    }
    if set(clients) != set(ordered) or len(set(ordered)) != len(ordered):
        raise VisitError({"order": _("La ruta cambió: volvé a cargarla.")})
    taken = sorted(p for c in clients.values() if (p := getattr(c, plan.position)) is not None)
    highest = db.session.scalar(
        sa.select(sa.func.max(getattr(Client, plan.position))).where(plan.owner == owner.id)
    )
    spare = (highest or 0) + 1
    while len(taken) < len(ordered):
        taken.append(spare)
        spare += 1
    positions = dict(zip(ordered, sorted(taken), strict=True))
    for cid, position in positions.items():
        client = clients[cid]
        before = getattr(client, plan.position)
        if before == position:
            continue
        setattr(client, plan.position, position)
        record(
            "client.route_position",
            "client",
            cid,
            {plan.position: before},
            {plan.position: position},
            actor_id=actor.id,
        )
    db.session.flush()


def move_stop(owner: User, day: date, client_id: int, step: int, actor: User) -> None:
    """Move one planned stop up (-1) or down (+1) in the day's route."""
    ids = [s.client.id for s in route_day(owner, day).planned]
    if client_id not in ids:
        raise VisitError({"client_id": _("Ese cliente no está en la ruta del día.")})
    at = ids.index(client_id)
    to = min(max(at + step, 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    set_positions(owner, ids, actor)


def suggested_order(owner: User, day: date, start: tuple[float, float] | None = None) -> list[int]:
    """The planned stops' client ids in the suggested order (rules.suggest_order)."""
    route = route_day(owner, day)
    places = [
        rules.Place(
            s.client.id,
            float(s.latitude) if s.latitude is not None else None,
            float(s.longitude) if s.longitude is not None else None,
            s.window,
        )
        for s in route.planned
    ]
    return rules.suggest_order(places, start, rules.start_time(local_now(), day))


@dataclass
class TeamRow:
    """A person's day in numbers, for the supervisor."""

    owner: User
    planned: int = 0
    visited: int = 0
    with_order: int = 0
    without_order: int = 0
    skipped: int = 0
    unplanned: int = 0
    pending: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def team_day(viewer: User, day: date) -> list[TeamRow]:
    """Each salesperson's or collector's day the viewer may look at."""
    rows = []
    for owner in route_owners(viewer):
        if owner.role == Role.SUPERVISOR:
            continue
        route = route_day(owner, day)
        row = TeamRow(owner)
        reasons_count: dict[str, int] = defaultdict(int)
        for stop in route.stops:
            if stop.planned:
                row.planned += 1
            else:
                row.unplanned += 1
            if stop.state == rules.StopState.PENDING:
                row.pending += 1
            elif stop.state == rules.StopState.SKIPPED:
                row.skipped += 1
            else:
                row.visited += 1
                if stop.outcome == VisitOutcome.ORDER:
                    row.with_order += 1
                elif stop.outcome == VisitOutcome.NO_ORDER:
                    row.without_order += 1
            if stop.reason:
                reasons_count[stop.reason] += 1
        row.reasons = dict(sorted(reasons_count.items(), key=lambda kv: (-kv[1], kv[0])))
        rows.append(row)
    return rows


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


AGENDA_DAYS_BACK = 30


@dataclass
class AgendaItem:
    """Something the collections side set for a day that is not done yet."""

    day: date
    kind: str  # "visit" | "promise" | "contact"
    call: CollectionCall
    client: Client
    collector: User | None

    @property
    def label(self) -> str:
        return str(AGENDA_LABELS[self.kind])


AGENDA_LABELS = {
    "visit": _l("Visita acordada"),
    "promise": _l("Vence una promesa de pago"),
    "contact": _l("Próximo contacto agendado"),
}


def collection_agenda(viewer: User, today: date | None = None) -> list[AgendaItem]:
    """The agreed visits, promises due and next contacts of the clients the viewer reaches,
    up to today and not done yet, the most overdue first.

    A visit or next contact is done once a later call to the client was logged; a promise
    once it is kept (the receipts since its call cover it).
    """
    today = today or local_today()
    since = today - timedelta(days=AGENDA_DAYS_BACK)
    reach = scoped_clients(viewer).with_only_columns(Client.id)
    calls = db.session.scalars(
        sa.select(CollectionCall)
        .where(
            CollectionCall.client_id.in_(reach),
            CollectionCall.deleted_at.is_(None),
            sa.or_(
                CollectionCall.visit_date.between(since, today),
                CollectionCall.promise_date.between(since, today),
                CollectionCall.next_contact_at.between(since, today),
            ),
        )
        .options(selectinload(CollectionCall.client).selectinload(Client.collector))
    ).all()
    latest = dict(
        db.session.execute(
            sa.select(CollectionCall.client_id, sa.func.max(CollectionCall.created_at))
            .where(
                CollectionCall.client_id.in_({c.client_id for c in calls}),
                CollectionCall.deleted_at.is_(None),
            )
            .group_by(CollectionCall.client_id)
        ).all()
    )
    states = promise_states(list(calls), today)
    items = []
    for call in calls:
        followed = latest.get(call.client_id) is not None and _after(
            latest[call.client_id], call.created_at
        )
        due = (
            ("visit", call.visit_date, not followed),
            ("promise", call.promise_date, states.get(call.id) in ("open", "broken")),
            ("contact", call.next_contact_at, not followed),
        )
        for kind, day, pending in due:
            if day and since <= day <= today and pending:
                items.append(AgendaItem(day, kind, call, call.client, call.client.collector))
    return sorted(items, key=lambda i: (i.day, i.client.display_name.lower(), i.kind))


def _after(later: datetime, earlier: datetime) -> bool:
    """True when `later` is after `earlier` (SQLite gives back naive UTC times)."""
    if later.tzinfo is None and earlier.tzinfo is not None:
        earlier = earlier.replace(tzinfo=None)
    elif earlier.tzinfo is None and later.tzinfo is not None:
        later = later.replace(tzinfo=None)
    return later > earlier
