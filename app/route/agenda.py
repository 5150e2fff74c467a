"""The collections agenda: agreed visits, promises falling due and next contacts set on
calls, for one collector's day or, up to today and not done yet, for everyone in reach."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.clients.models import Client
from app.clients.services import scoped_clients
from app.collections.models import CollectionCall
from app.collections.services import promise_states
from app.core.types import local_today
from app.extensions import db


def due_on(owner: User, day: date) -> dict[int, list[str]]:
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


def upcoming(client_ids: list[int], since: date) -> dict[int, list[dict]]:
    """Client id -> what the collections side set for it from `since` on, for the phone's copy:
    [{"day", "kind": "visit"|"promise"|"contact", "from", "to"}], by day."""
    calls = db.session.scalars(
        sa.select(CollectionCall)
        .where(
            CollectionCall.client_id.in_(client_ids),
            CollectionCall.deleted_at.is_(None),
            sa.or_(
                CollectionCall.visit_date >= since,
                CollectionCall.promise_date >= since,
                CollectionCall.next_contact_at >= since,
            ),
        )
        .order_by(CollectionCall.client_id, CollectionCall.id)
    )
    found: dict[int, list[dict]] = defaultdict(list)
    for call in calls:
        hours = {
            "from": call.visit_from.strftime("%H:%M") if call.visit_from else None,
            "to": call.visit_to.strftime("%H:%M") if call.visit_to else None,
        }
        for kind, day in (
            ("visit", call.visit_date),
            ("promise", call.promise_date if call.promise_amount else None),
            ("contact", call.next_contact_at),
        ):
            if day and day >= since:
                item = {"day": day.isoformat(), "kind": kind}
                found[call.client_id].append(item | hours if kind == "visit" else item)
    for items in found.values():
        items.sort(key=lambda item: item["day"])
    return found
