"""Delta sync: the clients in a user's scope with what order time and collections need.

A cursor names the global change sequence a phone is up to date with (app/core/changes.py).
A request reads the current sequence H once and answers the clients touched in (since, H]:
their own row, a child row (contacts, documents, orders...), a notice aimed at them, or the
type, zone or credit policy they hang from. Clients are sent whole, a page at a time in id
order; a continuation cursor carries (since, H, last id) so the next call continues the same
window, and the last page answers H. Everything committed at or below H is seen here, since
the counter's row lock orders commits; a row changed while the pages are read shows again in
the next delta.

A cursor also names the user's scope as it was (their role's reach and, for a supervisor, the
team): when it changes, no change number says which clients came or went, so the cursor is
refused and the phone syncs again from zero.
"""

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit.models import AuditEntry
from app.auth.models import Role, User
from app.auth.permissions import SCOPES
from app.auth.services import team_ids
from app.cases.models import Case
from app.cases.rules import DONE_STATES
from app.clients.models import (
    Address,
    AuthorizedPickup,
    Category,
    Client,
    ClientNote,
    ClientType,
    Contact,
    Family,
    Segment,
    Zone,
)
from app.clients.services import scoped_clients
from app.collections.models import CollectionCall, FieldReceipt
from app.core.changes import current_change_seq
from app.core.types import local_today
from app.credit.models import CreditPolicy, OverrideRequest
from app.credit.rules import CREDIT_METHODS, Applied, Assigned, Limits, Snapshot
from app.credit.services import applied_limits, assigned_policies, family_limit, own_limits
from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import Document, DocumentInstallment, DocumentState, SaleCondition
from app.notices import rules as notice_rules
from app.notices.models import Notice, NoticeSeen
from app.notices.rules import TargetKind
from app.notices.services import GROUP_MODELS, ShownNotice, groups_of
from app.orders.models import (
    PENDING_STATUSES,
    ClientCondition,
    Order,
    OrderStatus,
    Price,
    PriceList,
    Product,
    Promotion,
    VolumeDiscount,
)
from app.orders.services import (
    allowed_payment_methods,
    default_payment_method,
    type_discount_pct,
)
from app.rates import services as rates
from app.reports.purchases import CompactHistory, compact_histories
from app.route.agenda import upcoming
from app.route.models import Visit, VisitReason
from app.taxes.models import IibbJurisdiction, IibbRate

PAGE_SIZE = 100  # clients a page: a cheap phone parses and stores one in well under 100 ms
# The card offline shows this many of a client's latest notes (the online card shows as many).
NOTES_PER_CLIENT = 20
# ... and its latest cases, the ones still being worked on first (the online card's five).
CASES_PER_CLIENT = 5
# The route day offline: a client carries its visits and orders of these last days (and today).
RECENT_DAYS = 7
CENT = Decimal("0.01")
MAX_SEQ = 10**18
CURSOR_RE = re.compile(r"^(\d{1,18})(?:-(\d{1,18})-(\d{1,18}))?\.([0-9a-f]{8})$")

# Tables whose rows belong to one client: a change to one touches that client.
CLIENT_CHILDREN = (
    Contact,
    Address,
    AuthorizedPickup,
    Document,
    DocumentInstallment,
    Order,
    OverrideRequest,
    CollectionCall,
    FieldReceipt,
    ClientCondition,
    Visit,
    ClientNote,
    Case,
)
# The client columns a notice of each group kind is aimed through.
NOTICE_TARGETS = {
    TargetKind.CLIENT: ("id",),
    TargetKind.CLIENT_TYPE: ("client_type_id",),
    TargetKind.ZONE: ("sales_zone_id",),
    TargetKind.FAMILY: ("family_id",),
    TargetKind.SEGMENT: ("segment1_id", "segment2_id", "segment3_id", "segment4_id"),
    TargetKind.CATEGORY: ("category1_id", "subcategory1_id", "category2_id", "subcategory2_id"),
}


# The groups a credit policy may be assigned to, by the notice target kind that reaches
# their clients.
POLICY_GROUPS = {
    TargetKind.CLIENT_TYPE: ClientType,
    TargetKind.ZONE: Zone,
    TargetKind.FAMILY: Family,
    TargetKind.SEGMENT: Segment,
    TargetKind.CATEGORY: Category,
}


class CursorError(ValueError):
    """A cursor this server did not hand out (or one from before a restore)."""

    def __init__(self):
        super().__init__("bad cursor")
        self.fields = {"since": _("El cursor de sincronización no es válido: sincronizá de cero.")}


@dataclass(frozen=True)
class Cursor:
    """Where a phone stands: up to date with `since`; inside the window up to `upto`, the
    clients up to id `after` already sent."""

    since: int = 0
    upto: int | None = None
    after: int = 0
    scope: str = ""  # scope_tag() of the user when the cursor was handed out

    def text(self) -> str:
        """The opaque string the phone keeps."""
        if self.upto is None:
            return f"{self.since}.{self.scope}"
        return f"{self.since}-{self.upto}-{self.after}.{self.scope}"


@dataclass
class Catalogue:
    """Catalogue and reference rows changed in the window (all live ones on a first sync)."""

    products: list[Product] = field(default_factory=list)
    price_lists: list[PriceList] = field(default_factory=list)
    prices: list[Price] = field(default_factory=list)
    promotions: list[Promotion] = field(default_factory=list)
    volume_discounts: list[VolumeDiscount] = field(default_factory=list)
    sale_conditions: list[SaleCondition] = field(default_factory=list)
    visit_reasons: list[VisitReason] = field(default_factory=list)
    # Every active jurisdiction, always whole (they are few and carry no change number).
    jurisdictions: list[IibbJurisdiction] = field(default_factory=list)


@dataclass
class ClientEntry:
    """One client as the phone stores it: the card, its credit, account and people."""

    client: Client
    payment_methods: list[str]
    default_payment_method: str | None
    notices: list[ShownNotice]
    snapshot: Snapshot
    # which limits apply and why (credit.rules.resolve_limits), and what they come from, so
    # the phone resolves them as the server does (credit.js resolveLimits)
    applied: Applied
    own_limits: Limits
    assigned: list[Assigned]
    balances: dict[str, Decimal]
    open_items: list[dict]
    contacts: list[Contact]
    pickups: list[AuthorizedPickup]
    addresses: list[Address]
    conditions: list[ClientCondition]
    # What the order total needs besides the catalogue: the type's discount, the sale
    # condition an order takes by default, and the IIBB registry rows of the client's CUIT.
    type_discount_pct: Decimal = Decimal("0")
    sale_condition_id: int | None = None
    iibb_rates: list[IibbRate] = field(default_factory=list)
    # the groups its notices are aimed at, held so their labels come from the session
    notice_targets: list = field(default_factory=list)
    # The route day: its visits of the last RECENT_DAYS days by anyone (salesperson and
    # collector), and the orders taken then, which make a stop "with an order".
    visits: list[Visit] = field(default_factory=list)
    recent_orders: list[Order] = field(default_factory=list)
    # what the collections side set from RECENT_DAYS ago on (route.agenda.upcoming)
    agenda: list[dict] = field(default_factory=list)
    # its latest NOTES_PER_CLIENT notes, manual and automatic, newest first
    notes: list[dict] = field(default_factory=list)
    # what it bought in the last 12 months, compact (reports.purchases.compact_histories)
    purchases: CompactHistory | None = None
    # its latest CASES_PER_CLIENT cases, the open ones first, newest first
    cases: list[dict] = field(default_factory=list)


@dataclass
class SyncPage:
    """One answer of the sync endpoint."""

    cursor: str
    more: bool
    full: bool  # a first sync: the phone replaces what it had
    on: date
    clients: list[ClientEntry]
    tombstones: list[int]
    catalogue: Catalogue | None  # on the first page of a window only


def parse_cursor(text: str | None) -> Cursor:
    """The cursor a phone sent; empty or absent is a first sync."""
    if text is None or text.strip() in ("", "0"):
        return Cursor()
    match = CURSOR_RE.fullmatch(text.strip())
    if match is None:
        raise CursorError()
    since, upto, after = (int(part) if part else None for part in match.groups()[:3])
    scope = match.group(4)
    if upto is None:
        return Cursor(since, scope=scope)
    if since > upto or after < 1:
        raise CursorError()
    return Cursor(since, upto, after, scope)


def scope_tag(user: User) -> str:
    """A short digest of the clients' reach of the user: their role's scope and, for a
    supervisor, who is on the team."""
    scope = SCOPES[Role(user.role)]
    team = ",".join(map(str, sorted(team_ids(user)))) if scope == "team" else ""
    return hashlib.sha256(f"{scope}:{team}".encode()).hexdigest()[:8]


def page_size() -> int:
    """Clients per page (config SYNC_PAGE_SIZE, default PAGE_SIZE)."""
    return int(current_app.config.get("SYNC_PAGE_SIZE") or PAGE_SIZE)


def sync_page(user: User, since: str | None, size: int | None = None) -> SyncPage:
    """The next page of the user's delta after the cursor `since`."""
    cursor = parse_cursor(since)
    scope = scope_tag(user)
    if (cursor.since or cursor.upto is not None) and cursor.scope != scope:
        raise CursorError()  # the user's scope changed: start over
    size = size or page_size()
    current = current_change_seq(db.session.connection())
    if cursor.since > current or (cursor.upto or 0) > current:
        raise CursorError()  # a cursor from the future: the database was restored
    upto = current if cursor.upto is None else cursor.upto
    full = cursor.since == 0
    rows = _candidates(user, cursor.since, upto, cursor.after, full, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    live = [client_id for client_id, in_scope in rows if in_scope]
    tombstones = [client_id for client_id, in_scope in rows if not in_scope]
    next_cursor = (
        Cursor(cursor.since, upto, rows[-1][0], scope) if more else Cursor(upto, scope=scope)
    )
    first_page = cursor.after == 0
    return SyncPage(
        cursor=next_cursor.text(),
        more=more,
        full=full,
        on=local_today(),
        clients=client_entries(user, live),
        tombstones=tombstones,
        catalogue=catalogue(cursor.since, upto) if first_page else None,
    )


# --- which clients -------------------------------------------------------------------------


def _window(column, since: int, upto: int):
    """The column's change number falls in (since, upto]."""
    return sa.and_(column > since, column <= upto)


def _candidates(
    user: User, since: int, upto: int, after: int, full: bool, limit: int
) -> list[tuple[int, bool]]:
    """The next client ids of the window after `after`, each with whether it is in scope.

    Out of scope ones are tombstones: a client leaves a scope only by a change to its own
    row (trashed, reassigned), and only one that may have been the user's is named, so an
    invoice posted to someone else's client tells this phone nothing.
    """
    in_scope = scoped_clients(user).whereclause
    query = sa.select(Client.id).where(Client.id > after).order_by(Client.id).limit(limit)
    if full:
        return [(client_id, True) for client_id in db.session.scalars(query.where(in_scope))]
    own_row = _window(Client.change_seq, since, upto)
    touched = sa.or_(own_row, *_touched_through_others(user, since, upto))
    query = query.add_columns(sa.case((in_scope, True), else_=False)).where(
        touched, sa.or_(in_scope, sa.and_(own_row, _was_in_scope(user)))
    )
    return [(client_id, bool(flag)) for client_id, flag in db.session.execute(query)]


def _was_in_scope(user: User):
    """A condition on Client: it is the user's but trashed, or the audit log shows it was
    assigned to the user (or the team) before a change."""
    owned = scoped_clients(user, include_deleted=True).whereclause
    scope = SCOPES[Role(user.role)]
    if owned is None or scope == "all":
        return sa.true()
    people = [user.id] if scope == "own" else team_ids(user)
    before = AuditEntry.before
    reassigned = (
        sa.select(AuditEntry.id)
        .where(
            AuditEntry.entity_type == "client",
            AuditEntry.entity_id == sa.cast(Client.id, sa.String),
            AuditEntry.action == "client.update",
            sa.or_(
                before["salesperson_id"].as_integer().in_(people),
                before["collector_id"].as_integer().in_(people),
            ),
        )
        .exists()
    )
    return sa.or_(owned, reassigned)


def _touched_through_others(user: User, since: int, upto: int) -> list:
    """Conditions on Client for the clients a change in another table reaches."""
    children = [
        sa.select(model.client_id).where(_window(model.change_seq, since, upto))
        for model in CLIENT_CHILDREN
    ]
    children.append(
        sa.select(NoticeSeen.client_id).where(
            NoticeSeen.user_id == user.id, _window(NoticeSeen.change_seq, since, upto)
        )
    )
    touched = sa.union_all(*children)
    conditions = [Client.id.in_(touched)]
    # A family's shared limit counts every member's exposure: a change to one member's
    # account (or to the member itself) reaches the others.
    members = sa.select(Client.family_id).where(
        sa.or_(Client.id.in_(touched), _window(Client.change_seq, since, upto)),
        Client.family_id.in_(sa.select(Family.id).where(Family.credit_limit.is_not(None))),
    )
    conditions.append(Client.family_id.in_(members))
    groups = _changed_notice_targets(since, upto)
    groups[TargetKind.CLIENT_TYPE] |= _changed_ids(ClientType, since, upto)
    policies = _changed_ids(CreditPolicy, since, upto)
    if policies:
        conditions.append(Client.credit_policy_id.in_(policies))
        # the groups a credit policy may be assigned to (credit.services.HOLDERS)
        for kind, model in POLICY_GROUPS.items():
            groups[kind] |= set(
                db.session.scalars(sa.select(model.id).where(model.credit_policy_id.in_(policies)))
            )
    for kind, model in POLICY_GROUPS.items():
        groups[kind] |= _changed_ids(model, since, upto)
    for kind, ids in groups.items():
        if ids:
            columns = [getattr(Client, name) for name in NOTICE_TARGETS[kind]]
            conditions.append(sa.or_(*(column.in_(sorted(ids)) for column in columns)))
    return conditions


def _changed_ids(model, since: int, upto: int) -> set[int]:
    """Ids of the model's rows changed in the window."""
    return set(
        db.session.scalars(sa.select(model.id).where(_window(model.change_seq, since, upto)))
    )


def _changed_notice_targets(since: int, upto: int) -> dict[str, set[int]]:
    """Kind -> ids every notice changed in the window is or was aimed at.

    A notice moved from one zone to another must leave the first zone's clients too: its
    earlier targets come from the audit log, which keeps each version's target.
    """
    targets: dict[str, set[int]] = defaultdict(set)
    for kind in NOTICE_TARGETS:
        targets[kind] = set()
    changed = db.session.execute(
        sa.select(Notice.id, Notice.target_kind, Notice.target_id).where(
            _window(Notice.change_seq, since, upto)
        )
    ).all()
    for _id, kind, target_id in changed:
        targets[kind].add(target_id)
    if changed:
        history = db.session.execute(
            sa.select(AuditEntry.before, AuditEntry.after).where(
                AuditEntry.entity_type == "notice",
                AuditEntry.entity_id.in_([str(row.id) for row in changed]),
            )
        )
        for before, after in history:
            for version in (before, after):
                kind = (version or {}).get("target_kind")
                target_id = (version or {}).get("target_id")
                if kind in targets and isinstance(target_id, int):
                    targets[kind].add(target_id)
    return targets


# --- what each client carries --------------------------------------------------------------


def client_entries(user: User, client_ids: list[int]) -> list[ClientEntry]:
    """The entries of these clients, each table read once for all of them."""
    if not client_ids:
        return []
    today = local_today()
    clients = db.session.scalars(
        sa.select(Client)
        .where(Client.id.in_(client_ids))
        .order_by(Client.id)
        .options(
            selectinload(Client.credit_policy),
            selectinload(Client.client_type).selectinload(ClientType.credit_policy),
            selectinload(Client.sales_zone).selectinload(Zone.credit_policy),
            selectinload(Client.family).selectinload(Family.credit_policy),
            *(
                selectinload(getattr(Client, name.removesuffix("_id"))).selectinload(
                    model.credit_policy
                )
                for model, names in (
                    (Segment, NOTICE_TARGETS[TargetKind.SEGMENT]),
                    (Category, NOTICE_TARGETS[TargetKind.CATEGORY]),
                )
                for name in names
            ),
        )
    ).all()
    documents = _open_documents(client_ids)
    pending = _pending_orders(clients)
    items = _open_items(client_ids)
    contacts = _children(Contact, client_ids, Contact.name)
    pickups = _children(AuthorizedPickup, client_ids, AuthorizedPickup.name)
    addresses = _children(Address, client_ids, Address.kind)
    conditions = _children(
        ClientCondition,
        client_ids,
        ClientCondition.valid_from,
        sa.or_(ClientCondition.valid_to.is_(None), ClientCondition.valid_to >= today),
    )
    notices, targets = _notices(user, clients, today)
    registry = _registry_rows(clients, today)
    visits, recent_orders = _recent_route(client_ids, today)
    agenda = upcoming(client_ids, today - timedelta(days=RECENT_DAYS))
    notes = _latest_notes(client_ids)
    histories = compact_histories(client_ids, today)
    cases = _latest_cases(client_ids)
    entries = []
    for client in clients:
        balance, unpaid = _position(documents[client.id], client.currency)
        applied = applied_limits(client)
        total, count = pending.get(client.id, (Decimal("0.00"), 0))
        snapshot = Snapshot(
            state=client.state,
            credit_blocked=client.credit_blocked,
            deleted=client.is_deleted,
            limits=applied.limits,
            balance=balance,
            pending_orders=total,
            pending_documents=count,
            unpaid_dates=unpaid,
            # one query per member of a family with a shared limit: few clients have one
            family=family_limit(client),
        )
        entries.append(
            ClientEntry(
                client=client,
                payment_methods=allowed_payment_methods(client),
                default_payment_method=default_payment_method(client),
                notices=notices[client.id],
                snapshot=snapshot,
                applied=applied,
                own_limits=own_limits(client),
                assigned=assigned_policies(client),
                balances=_balances(documents[client.id]),
                open_items=items[client.id],
                contacts=contacts[client.id],
                pickups=pickups[client.id],
                addresses=addresses[client.id],
                conditions=conditions[client.id],
                type_discount_pct=type_discount_pct(client),
                sale_condition_id=client.sale_condition_id
                or (client.client_type and client.client_type.default_sale_condition_id),
                iibb_rates=registry.get(client.tax_id, []) if client.tax_id else [],
                notice_targets=[
                    targets[(shown.notice.target_kind, shown.notice.target_id)]
                    for shown in notices[client.id]
                    if (shown.notice.target_kind, shown.notice.target_id) in targets
                ],
                visits=visits[client.id],
                recent_orders=recent_orders[client.id],
                agenda=agenda.get(client.id, []),
                notes=notes[client.id],
                purchases=histories.get(client.id),
                cases=cases[client.id],
            )
        )
    return entries


def _children(model, client_ids: list[int], order, *where) -> dict[int, list]:
    """Client id -> its live rows of a child table, in one query."""
    rows = db.session.scalars(
        sa.select(model)
        .where(model.client_id.in_(client_ids), model.deleted_at.is_(None), *where)
        .order_by(model.client_id, order, model.id)
    )
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.client_id].append(row)
    return grouped


def _latest_notes(client_ids: list[int]) -> dict[int, list[dict]]:
    """Client id -> its latest NOTES_PER_CLIENT live notes, newest first, each with its
    author's name, in one query (numbered per client by a window function)."""
    ranked = (
        sa.select(
            ClientNote.id,
            ClientNote.client_id,
            ClientNote.text,
            ClientNote.automatic,
            ClientNote.author_id,
            ClientNote.created_at,
            sa.func.row_number()
            .over(partition_by=ClientNote.client_id, order_by=ClientNote.id.desc())
            .label("rank"),
        )
        .where(ClientNote.client_id.in_(client_ids), ClientNote.deleted_at.is_(None))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked, User.full_name.label("author"))
        .outerjoin(User, User.id == ranked.c.author_id)
        .where(ranked.c.rank <= NOTES_PER_CLIENT)
        .order_by(ranked.c.client_id, ranked.c.rank)
    )
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.client_id].append(
            {
                "id": row.id,
                "text": row.text,
                "automatic": row.automatic,
                "author_id": row.author_id,
                "author": row.author,
                "created_at": row.created_at,
            }
        )
    return grouped


def _latest_cases(client_ids: list[int]) -> dict[int, list[dict]]:
    """Client id -> its latest CASES_PER_CLIENT cases, the ones still being worked on first,
    then newest first, in one query (numbered per client by a window function)."""
    done = Case.state.in_([state.value for state in DONE_STATES])
    ranked = (
        sa.select(
            Case.id,
            Case.client_id,
            Case.kind,
            Case.subject,
            Case.state,
            Case.due_on,
            Case.created_at,
            sa.func.row_number()
            .over(
                partition_by=Case.client_id,
                order_by=(sa.case((done, 1), else_=0), Case.id.desc()),
            )
            .label("rank"),
        )
        .where(Case.client_id.in_(client_ids), Case.deleted_at.is_(None))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(ranked)
        .where(ranked.c.rank <= CASES_PER_CLIENT)
        .order_by(ranked.c.client_id, ranked.c.rank)
    )
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.client_id].append(
            {
                "id": row.id,
                "kind": row.kind,
                "subject": row.subject,
                "state": row.state,
                "due_on": row.due_on,
                "created_at": row.created_at,
            }
        )
    return grouped


def _recent_route(client_ids: list[int], today: date) -> tuple[dict[int, list], dict[int, list]]:
    """Client id -> its live visits, and its orders not cancelled, of the last RECENT_DAYS
    days and today, oldest first (each reason read with its visit)."""
    since = today - timedelta(days=RECENT_DAYS)
    visits = db.session.scalars(
        sa.select(Visit)
        .where(Visit.client_id.in_(client_ids), Visit.day >= since, Visit.deleted_at.is_(None))
        .order_by(Visit.client_id, Visit.day, Visit.id)
        .options(selectinload(Visit.reason))
    )
    orders = db.session.scalars(
        sa.select(Order)
        .where(
            Order.client_id.in_(client_ids),
            Order.date >= since,
            Order.status != OrderStatus.CANCELLED,
            Order.deleted_at.is_(None),
        )
        .order_by(Order.client_id, Order.date, Order.id)
    )
    by_visit, by_order = defaultdict(list), defaultdict(list)
    for visit in visits:
        by_visit[visit.client_id].append(visit)
    for order in orders:
        by_order[order.client_id].append(order)
    return by_visit, by_order


def _registry_rows(clients: list[Client], today: date) -> dict[str, list[IibbRate]]:
    """CUIT -> its IIBB registry rows still valid today or later.

    Inactive jurisdictions' rows go too (the phone uses the rows of the jurisdictions it is
    sent), so turning a jurisdiction on needs no client to change.
    """
    tax_ids = sorted({client.tax_id for client in clients if client.tax_id})
    jurisdictions = db.session.scalars(sa.select(IibbJurisdiction.id)).all()
    if not tax_ids or not jurisdictions:
        return {}
    rows: dict[str, list[IibbRate]] = defaultdict(list)
    for row in db.session.scalars(
        sa.select(IibbRate)
        .where(
            # Both leading columns of ix_iibb_rates_lookup, so a registry of millions is not
            # read whole for a page of clients.
            IibbRate.jurisdiction_id.in_(jurisdictions),
            IibbRate.tax_id.in_(tax_ids),
            IibbRate.valid_to >= today,
        )
        .order_by(IibbRate.valid_from, IibbRate.id)
    ):
        rows[row.tax_id].append(row)
    return rows


def _open_documents(client_ids: list[int]) -> dict[int, list]:
    """Client id -> (currency, sign, open amount, date) of its open documents."""
    rows = db.session.execute(
        sa.select(
            Document.client_id,
            Document.currency,
            Document.sign,
            Document.open_amount,
            Document.date,
        ).where(
            Document.client_id.in_(client_ids),
            Document.state.in_((DocumentState.OPEN, DocumentState.PARTLY_PAID)),
        )
    )
    grouped = defaultdict(list)
    for client_id, *row in rows:
        grouped[client_id].append(tuple(row))
    return grouped


def _position(documents: list, currency: str) -> tuple[Decimal, tuple[date, ...]]:
    """The balance in the account currency and its unpaid debit dates (accounts.open_position)."""
    rows = [row for row in documents if row[0] == currency]
    balance = sum((sign * amount for _c, sign, amount, _d in rows), Decimal("0")).quantize(CENT)
    unpaid = sorted(day for _c, sign, amount, day in rows if sign > 0 and amount > 0)
    return balance, tuple(unpaid)


def _balances(documents: list) -> dict[str, Decimal]:
    """The open balance per currency (accounts.balances), zero ones left out."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for currency, sign, amount, _day in documents:
        totals[currency] += sign * amount
    return {currency: total.quantize(CENT) for currency, total in totals.items() if total}


def _pending_orders(clients: list[Client]) -> dict[int, tuple[Decimal, int]]:
    """Client id -> credit orders accepted and not invoiced: total in its currency, count.

    As credit.services.pending_orders, for many clients in one query.
    """
    by_id = {client.id: client for client in clients}
    rows = db.session.execute(
        sa.select(
            Order.client_id, Order.currency, Order.date, sa.func.sum(Order.total), sa.func.count()
        )
        .where(
            Order.client_id.in_(list(by_id)),
            Order.status.in_(PENDING_STATUSES),
            Order.payment_method.in_(CREDIT_METHODS),
            Order.deleted_at.is_(None),
        )
        .group_by(Order.client_id, Order.currency, Order.date)
    ).all()
    totals: dict[int, tuple[Decimal, int]] = {}
    for client_id, currency, day, amount, count in rows:
        # at the rate of the order's day, as credit.services.pending_orders weighs it
        amount = rates.weigh(Decimal(amount), currency, by_id[client_id].currency, day)
        total, orders = totals.get(client_id, (Decimal("0"), 0))
        totals[client_id] = (total + Decimal(amount), orders + count)
    return {key: (total.quantize(CENT), count) for key, (total, count) in totals.items()}


def _open_items(client_ids: list[int]) -> dict[int, list[dict]]:
    """Client id -> its open installments, oldest due date first."""
    rows = db.session.execute(
        sa.select(DocumentInstallment, Document)
        .join(Document, Document.id == DocumentInstallment.document_id)
        .where(DocumentInstallment.client_id.in_(client_ids), DocumentInstallment.open_amount > 0)
        .order_by(DocumentInstallment.due_date, DocumentInstallment.id)
    )
    grouped = defaultdict(list)
    for installment, document in rows:
        grouped[installment.client_id].append(
            {
                "installment_id": installment.id,
                "document_id": document.id,
                "title": ledger.document_title(document),
                "kind": document.kind,
                "number": installment.number,
                "date": document.date,
                "due_date": installment.due_date,
                "amount": installment.amount,
                "open_amount": installment.open_amount,
                "currency": installment.currency,
            }
        )
    return grouped


def _notices(
    user: User, clients: list[Client], today: date
) -> tuple[dict[int, list[ShownNotice]], dict[tuple[str, int], object]]:
    """Client id -> its notices in force today or programmed, most pressing first; and the
    group rows they are aimed at, by (kind, id), read once.

    Programmed ones go too, with their dates: the phone shows a notice on the days it holds,
    and nothing would otherwise bring it when its first day comes.
    """
    groups = {client.id: groups_of(client) for client in clients}
    wanted: dict[str, set[int]] = defaultdict(set)
    for group in groups.values():
        for kind, ids in group.targets().items():
            wanted[kind] |= ids
    aimed = [
        sa.and_(Notice.target_kind == kind, Notice.target_id.in_(sorted(ids)))
        for kind, ids in wanted.items()
    ]
    candidates = db.session.scalars(
        sa.select(Notice).where(
            Notice.deleted_at.is_(None),
            sa.or_(Notice.valid_to.is_(None), Notice.valid_to >= today),
            sa.or_(*aimed),
            Notice.audience.in_([a.value for a in notice_rules.audiences_for(user.role)]),
        )
    ).all()
    marks = {}
    if candidates:
        seen = db.session.scalars(
            sa.select(NoticeSeen).where(
                NoticeSeen.user_id == user.id,
                NoticeSeen.client_id.in_(list(groups)),
                NoticeSeen.notice_id.in_([notice.id for notice in candidates]),
                NoticeSeen.deleted_at.is_(None),
            )
        )
        marks = {(mark.client_id, mark.notice_id): mark for mark in seen}
    shown = {}
    targets = _notice_targets(candidates)
    for client_id, group in groups.items():
        mine = [n for n in candidates if notice_rules.reaches(n.target_kind, n.target_id, group)]
        shown[client_id] = [
            ShownNotice(notice, marks.get((client_id, notice.id)))
            for notice in sorted(mine, key=notice_rules.order_key)
        ]
    return shown, targets


def _notice_targets(candidates: list[Notice]) -> dict[tuple[str, int], object]:
    """(kind, id) -> the group row each notice is aimed at, one query per kind."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for notice in candidates:
        if notice.target_kind in GROUP_MODELS:
            wanted[notice.target_kind].add(notice.target_id)
    found = {}
    for kind, ids in wanted.items():
        model = GROUP_MODELS[kind]
        query = sa.select(model).where(model.id.in_(sorted(ids)))
        if model is Category:
            query = query.options(selectinload(Category.parent))
        found |= {(kind, row.id): row for row in db.session.scalars(query)}
    return found


# --- catalogue -----------------------------------------------------------------------------


def catalogue(since: int, upto: int) -> Catalogue:
    """Catalogue rows changed in (since, upto], deleted ones included; on a first sync every
    live row (active products, promotions not yet over).

    Prices go for every list, not only the lists of the clients in scope: a client reassigned
    to the user may bring a list whose prices have not changed in years.
    """

    def rows(model, *first_sync):
        """The model's rows for this window, by id."""
        if since == 0:
            where = [model.deleted_at.is_(None), *first_sync]
        else:
            where = [_window(model.change_seq, since, upto)]
        return db.session.scalars(sa.select(model).where(*where).order_by(model.id)).all()

    return Catalogue(
        products=rows(Product, Product.active),
        price_lists=rows(PriceList),
        prices=rows(Price),
        promotions=rows(Promotion, Promotion.valid_to >= local_today()),
        volume_discounts=rows(VolumeDiscount),
        sale_conditions=rows(SaleCondition),
        visit_reasons=rows(VisitReason),
        jurisdictions=db.session.scalars(
            sa.select(IibbJurisdiction).where(IibbJurisdiction.active).order_by(IibbJurisdiction.id)
        ).all(),
    )
