"""The route day in the sync: each client's visit plans, its visits and orders of the last days,
and the visit reasons as reference data."""

from datetime import date, time, timedelta
from decimal import Decimal

from app.clients.visit_plan import days_mask
from app.core.types import local_today, utcnow
from app.extensions import db
from app.orders.models import Order, OrderStatus
from app.route import visits
from app.route.models import Visit, VisitReason
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.sync.test_feed import ids, sync


def reason(code: str, name: str, applies_to: str = "both", position: int = 0) -> VisitReason:
    row = VisitReason(code=code, name=name, applies_to=applies_to, position=position)
    db.session.add(row)
    db.session.flush()
    return row


def visit(client, user, day: date, outcome: str = "no_order", reason_row=None, **fields) -> Visit:
    row = Visit(
        client_id=client.id,
        user_id=user.id,
        day=day,
        outcome=outcome,
        reason_id=reason_row.id if reason_row else None,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def order(client, user, day: date, status: str = OrderStatus.ACCEPTED) -> Order:
    row = Order(
        client_id=client.id,
        user_id=user.id,
        status=status,
        date=day,
        payment_method="cash",
        currency="ARS",
        subtotal=Decimal("100"),
        net=Decimal("100"),
        total=Decimal("121"),
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_a_client_carries_both_visit_plans_as_the_client_json_names_them(api):  # noqa: F811
    seller = api("salesperson")
    shop = factories.make_client(
        salesperson_id=seller.user.id,
        visit_weekdays=days_mask(["mon", "thu"]),
        visit_every_weeks=2,
        visit_week_of=date(2026, 12, 30),
        visit_from=time(8, 30),
        visit_to=time(12),
        route_position=3,
        collection_weekdays=days_mask(["fri"]),
        collection_every_weeks=4,
        collection_position=7,
    )
    db.session.commit()

    (entry,) = sync(seller)["clients"]
    plan = {key: entry[key] for key in entry if "visit" in key or "position" in key}
    assert plan == {
        "visit_days": ["mon", "thu"], "visit_every_weeks": 2, "visit_week_of": "2026-12-30",
        "visit_window": "08:30-12:00", "route_position": 3,
        "collection_visit_days": ["fri"], "collection_visit_every_weeks": 4,
        "collection_visit_week_of": None, "collection_visit_window": None,
        "collection_route_position": 7,
        "visits": [],
    }  # fmt: skip
    card = seller.get(f"/api/v1/clients/{shop.id}").json
    assert {key: card[key] for key in plan if key != "visits"} == {
        key: value for key, value in plan.items() if key != "visits"
    }


def test_a_client_carries_the_visits_and_orders_of_the_last_week_by_anyone(api):  # noqa: F811
    seller = api("salesperson")
    collector = factories.make_user("collector")
    shop = factories.make_client(salesperson_id=seller.user.id, collector_id=collector.id)
    closed = reason("CER", "Cerrado")
    today = local_today()
    mine = visit(shop, seller.user, today, "no_order", closed, note="Vuelvo el jueves")
    theirs = visit(shop, collector, today - timedelta(days=7), "collected")
    visit(shop, seller.user, today - timedelta(days=8), "skipped", closed)  # too old
    visit(shop, collector, today - timedelta(days=1), deleted_at=utcnow())  # in the trash
    taken = order(shop, seller.user, today)
    order(shop, seller.user, today, OrderStatus.CANCELLED)
    order(shop, seller.user, today - timedelta(days=8))
    db.session.commit()

    (entry,) = sync(seller)["clients"]
    assert [
        (v["id"], v["user_id"], v["day"], v["outcome"], v["reason_id"], v["reason"], v["note"])
        for v in entry["visits"]
    ] == [
        (theirs.id, collector.id, (today - timedelta(days=7)).isoformat(), "collected", None,
         None, None),
        (mine.id, seller.user.id, today.isoformat(), "no_order", closed.id, "Cerrado",
         "Vuelvo el jueves"),
    ]  # fmt: skip
    assert entry["visits"][1]["planned"] is True and entry["visits"][1]["recorded_at"]
    assert entry["recent_orders"] == [
        {"id": taken.id, "user_id": seller.user.id, "date": today.isoformat(), "status": "accepted"}
    ]


def test_recording_a_visit_brings_its_client_again_in_the_next_delta(api):  # noqa: F811
    seller = api("salesperson")
    shop, other = (factories.make_client(salesperson_id=seller.user.id) for _ in range(2))
    closed = reason("CER", "Cerrado", "skipped")
    db.session.commit()
    cursor = sync(seller)["cursor"]

    recorded, _new = visits.record_visit(
        seller.user, shop, {"outcome": "skipped", "reason_id": closed.id}
    )
    db.session.commit()
    assert recorded.change_seq > int(cursor.split(".")[0])
    delta = sync(seller, cursor)
    assert ids(delta) == [shop.id] and other.id not in ids(delta)
    assert [(v["outcome"], v["reason"]) for v in delta["clients"][0]["visits"]] == [
        ("skipped", "Cerrado")
    ]

    recorded.note = "Persiana baja"
    db.session.commit()
    again = sync(seller, delta["cursor"])
    assert ids(again) == [shop.id] and again["clients"][0]["visits"][0]["note"] == "Persiana baja"


def test_visit_reasons_go_whole_first_then_by_change(api):  # noqa: F811
    seller = api("salesperson")
    factories.make_client(salesperson_id=seller.user.id)
    stock = reason("STK", "Tenía stock", "no_order", position=2)
    closed = reason("CER", "Cerrado", "both", position=1)
    reason("OLD", "Ya no se usa").deleted_at = utcnow()
    db.session.commit()

    first = sync(seller)
    assert [
        (r["code"], r["name"], r["applies_to"], r["position"], r["deleted"])
        for r in first["catalogue"]["visit_reasons"]
    ] == [("STK", "Tenía stock", "no_order", 2, False), ("CER", "Cerrado", "both", 1, False)]

    stock.name = "Tiene mercadería"
    closed.deleted_at = utcnow()
    db.session.commit()
    delta = sync(seller, first["cursor"])
    assert [(r["code"], r["name"], r["deleted"]) for r in delta["catalogue"]["visit_reasons"]] == [
        ("STK", "Tiene mercadería", False),
        ("CER", "Cerrado", True),
    ]
    assert delta["clients"] == []  # a reason names no client


def test_a_collector_s_copy_holds_what_collections_set_for_the_coming_days(api):  # noqa: F811
    from app.collections.models import CollectionCall

    collector = api("collector")
    shop = factories.make_client(collector_id=collector.user.id)
    today = local_today()
    db.session.add_all(
        [
            CollectionCall(
                client_id=shop.id, user_id=collector.user.id, channel="phone", outcome="promise",
                promise_amount=Decimal("5000"), promise_currency="ARS",
                promise_date=today + timedelta(days=20), next_contact_at=today,
            ),
            CollectionCall(
                client_id=shop.id, user_id=collector.user.id, channel="visit", outcome="refused",
                visit_date=today + timedelta(days=2), visit_from=time(10), visit_to=time(12),
            ),
            CollectionCall(  # long past: not in the copy
                client_id=shop.id, user_id=collector.user.id, channel="phone",
                outcome="no_answer", next_contact_at=today - timedelta(days=30),
            ),
        ]
    )  # fmt: skip
    db.session.commit()
    (entry,) = sync(collector)["clients"]
    visit_day = (today + timedelta(days=2)).isoformat()
    assert entry["agenda"] == [
        {"day": today.isoformat(), "kind": "contact"},
        {"day": visit_day, "kind": "visit", "from": "10:00", "to": "12:00"},
        {"day": (today + timedelta(days=20)).isoformat(), "kind": "promise"},
    ]
