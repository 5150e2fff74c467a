"""A collector's day of work on the sheet: for each client, the calls logged and the money taken
that day, so the sheet can stamp the rows done and count them."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.collections.models import CollectionCall, FieldReceipt, FieldReceiptState
from app.core.types import local_now
from app.extensions import db


@dataclass
class DayWork:
    """What a collector did with one client on a day: the last call and the money taken."""

    last_at: datetime  # the latest call or receipt, in the company's time zone
    call: CollectionCall | None = None  # the day's last call
    collected: dict[str, Decimal] = field(default_factory=dict)  # currency -> field receipts


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end of a day where the company works, as aware timestamps."""
    zone = local_now().tzinfo
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def work_of_day(collector: User, client_ids: Iterable[int], day: date) -> dict[int, DayWork]:
    """The day's calls and field receipts of the collector, by client (only clients worked).

    Calls by other users, and receipts the office rejected, do not count.
    """
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    start, end = day_bounds(day)
    zone = start.tzinfo
    calls = db.session.scalars(
        sa.select(CollectionCall)
        .where(
            CollectionCall.user_id == collector.id,
            CollectionCall.client_id.in_(ids),
            CollectionCall.created_at >= start,
            CollectionCall.created_at < end,
            CollectionCall.deleted_at.is_(None),
        )
        .order_by(CollectionCall.created_at, CollectionCall.id)
    )
    work: dict[int, DayWork] = {}
    for call in calls:
        at = call.created_at.astimezone(zone)
        work[call.client_id] = DayWork(last_at=at, call=call)
    receipts = db.session.execute(
        sa.select(
            FieldReceipt.client_id,
            FieldReceipt.currency,
            FieldReceipt.total,
            FieldReceipt.created_at,
        )
        .where(
            FieldReceipt.user_id == collector.id,
            FieldReceipt.client_id.in_(ids),
            FieldReceipt.created_at >= start,
            FieldReceipt.created_at < end,
            FieldReceipt.state != FieldReceiptState.REJECTED,
            FieldReceipt.deleted_at.is_(None),
        )
        .order_by(FieldReceipt.created_at, FieldReceipt.id)
    )
    for client_id, currency, total, created_at in receipts:
        at = created_at.astimezone(zone)
        done = work.setdefault(client_id, DayWork(last_at=at))
        done.last_at = max(done.last_at, at)
        done.collected[currency] = done.collected.get(currency, Decimal("0")) + total
    return work
