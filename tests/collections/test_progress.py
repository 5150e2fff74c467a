"""A collector's day of work: the calls and field receipts that stamp the sheet's rows."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from app.collections import services as collections
from app.collections.models import CollectionCall
from app.collections.progress import day_bounds, work_of_day
from app.core.types import local_now, local_today
from app.extensions import db
from tests import factories


def at_local(day, hour: int, minute: int) -> datetime:
    """A moment of a day on the company's clock."""
    return datetime.combine(day, time(hour, minute), tzinfo=local_now().tzinfo)


def call_at(client, user, moment: datetime, **fields) -> CollectionCall:
    """A call logged at a given moment."""
    fields.setdefault("channel", "phone")
    fields.setdefault("outcome", "no_answer")
    call = CollectionCall(client_id=client.id, user_id=user.id, created_at=moment, **fields)
    db.session.add(call)
    db.session.flush()
    return call


def test_the_day_runs_on_the_companys_clock(app):
    today = local_today()
    start, end = day_bounds(today)
    assert start == at_local(today, 0, 0) and end - start == timedelta(days=1)
    assert start.utcoffset() == local_now().utcoffset()


def test_the_collectors_calls_of_the_day_count_others_and_yesterdays_do_not(app):
    me = factories.make_user("collector")
    other = factories.make_user("collector")
    today = local_today()
    worked, by_other, yesterday, quiet = (
        factories.make_client(collector_id=me.id) for _ in range(4)
    )
    call_at(worked, me, at_local(today, 0, 10))
    last = call_at(
        worked, me, at_local(today, 19, 25), outcome="promise",
        promise_amount=Decimal("15000"), promise_currency="ARS", promise_date=today,
    )  # fmt: skip
    call_at(by_other, other, at_local(today, 11, 0))
    # 23:50 yesterday here is already today in UTC: it is still yesterday's work
    call_at(yesterday, me, at_local(today - timedelta(days=1), 23, 50))
    ids = [worked.id, by_other.id, yesterday.id, quiet.id]

    work = work_of_day(me, ids, today)

    assert set(work) == {worked.id}
    assert work[worked.id].call.id == last.id
    assert work[worked.id].last_at.strftime("%H:%M") == "19:25"
    assert work_of_day(other, ids, today).keys() == {by_other.id}
    assert work_of_day(me, [], today) == {}


def test_field_receipts_count_by_currency_and_rejected_ones_do_not(app):
    me = factories.make_user("collector")
    office = factories.make_user("backoffice")
    client = factories.make_client(collector_id=me.id)
    refused = factories.make_client(collector_id=me.id)
    for debtor in (client, refused):
        factories.post_document(debtor, amount="5000", date=local_today() - timedelta(days=40))
    for amount in ("1000", "500,50"):
        collections.record_field_receipt(
            client, {"lines": [{"kind": "cash", "amount": amount}], "apply_oldest": True}, me
        )
    row = collections.record_field_receipt(
        refused, {"lines": [{"kind": "cash", "amount": "300"}], "apply_oldest": True}, me
    )
    collections.reject_receipt(row, "Transferencia rebotada", office)

    work = work_of_day(me, [client.id, refused.id], local_today())

    assert set(work) == {client.id}
    assert work[client.id].call is None
    assert work[client.id].collected == {"ARS": Decimal("1500.50")}
