"""The route day over the API: the day's stops, outcomes, scope, the client's visit plan."""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.visit_plan import WEEKDAYS, days_mask
from app.collections.models import CollectionCall
from app.core.types import local_today
from app.extensions import db
from app.orders.models import Order, OrderStatus
from app.route.models import Visit, VisitReason
from tests import factories
from tests.api.test_clients import api, count, office  # noqa: F401  (fixtures)


def today_name() -> str:
    return WEEKDAYS[local_today().weekday()]


def other_day_name() -> str:
    return WEEKDAYS[(local_today().weekday() + 3) % 7]


def planned(owner, position=None, days=None, **fields):
    """A client of the salesperson, visited today unless told otherwise."""
    return factories.make_client(
        salesperson_id=owner.id,
        visit_weekdays=days_mask(days or [today_name()]),
        route_position=position,
        **fields,
    )


def reason(code="CER", name="Cerrado", applies_to="both"):
    row = VisitReason(code=code, name=name, applies_to=applies_to)
    db.session.add(row)
    db.session.flush()
    return row


def test_the_route_lists_today_s_stops_in_route_order_with_debt_and_state(api):  # noqa: F811
    seller = api("salesperson")
    second = planned(seller.user, 2, trade_name="Kiosco Dos")
    first = planned(seller.user, 1, trade_name="Almacén Uno", visit_from=None)
    planned(seller.user, 3, days=[other_day_name()], trade_name="Otro Día")
    someone_else = factories.make_user("salesperson")
    planned(someone_else, 1, trade_name="Ajeno")
    old = local_today() - timedelta(days=40)
    factories.post_document(second, amount="1500.00", date=old, due_date=old)
    db.session.commit()
    answer = seller.get("/api/v1/route")
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["date"] == local_today().isoformat()
    assert [s["name"] for s in body["stops"]] == ["Almacén Uno", "Kiosco Dos"]
    assert [s["status"] for s in body["stops"]] == ["pending", "pending"]
    assert body["stops"][1]["owed"] == "1500.00" and body["stops"][1]["overdue"] == "1500.00"
    assert body["stops"][0]["owed"] == "0.00" and body["planned"] == 2 and body["done"] == 0
    assert first.id == body["stops"][0]["client_id"]


def test_another_day_can_be_looked_at(api):  # noqa: F811
    seller = api("salesperson")
    planned(seller.user, 1, days=[other_day_name()], trade_name="Otro Día")
    db.session.commit()
    day = local_today() + timedelta(days=3)
    names = [s["name"] for s in seller.get(f"/api/v1/route?date={day}").json["stops"]]
    assert names == ["Otro Día"]
    assert seller.get("/api/v1/route?date=mañana").status_code == 422


def test_outcomes_are_recorded_once_per_key_and_a_later_one_replaces_it(api):  # noqa: F811
    seller = api("salesperson")
    shop = planned(seller.user, 1)
    closed = reason()
    db.session.commit()
    body = {"client_id": shop.id, "outcome": "no_order", "reason_id": closed.id}
    first = seller.post("/api/v1/visits", json=body, key="visita-0001")
    again = seller.post("/api/v1/visits", json=body, key="visita-0001")
    assert first.status_code == again.status_code == 201, first.json
    assert again.get_data() == first.get_data() and count(Visit) == 1
    assert first.json["planned"] is True and first.json["reason"] == "Cerrado"
    stop = seller.get("/api/v1/route").json["stops"][0]
    assert (stop["status"], stop["outcome"], stop["reason"]) == ("visited", "no_order", "Cerrado")
    skipped = seller.post(
        "/api/v1/visits",
        json={"client_id": shop.id, "outcome": "skipped", "reason_id": closed.id},
        key="visita-0002",
    )
    assert skipped.status_code == 200 and count(Visit) == 1
    stop = seller.get("/api/v1/route").json["stops"][0]
    assert (stop["status"], stop["outcome"]) == ("skipped", "skipped")
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_id == str(shop.id))
    ).all()
    assert actions.count("visit.record") == 1 and actions.count("visit.change") == 1


def test_an_outcome_without_its_reason_or_with_a_wrong_one_is_refused(api):  # noqa: F811
    seller = api("salesperson")
    shop = planned(seller.user, 1)
    no_stock = reason("STK", "Tenía stock", "no_order")
    db.session.commit()
    missing = seller.post("/api/v1/visits", json={"client_id": shop.id, "outcome": "skipped"})
    assert missing.status_code == 422
    assert missing.json["error"]["fields"] == {"reason_id": ["Elegí el motivo."]}
    wrong = seller.post(
        "/api/v1/visits",
        json={"client_id": shop.id, "outcome": "skipped", "reason_id": no_stock.id},
    )
    assert wrong.json["error"]["fields"] == {
        "reason_id": ["Ese motivo no corresponde a este resultado."]
    }
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    future = seller.post(
        "/api/v1/visits", json={"client_id": shop.id, "outcome": "order", "date": tomorrow}
    )
    assert "todavía no llegó" in future.json["error"]["fields"]["date"][0]
    unknown = seller.post("/api/v1/visits", json={"client_id": shop.id, "outcome": "visited"})
    assert unknown.status_code == 422 and "outcome" in unknown.json["error"]["fields"]
    assert count(Visit) == 0


def test_an_order_taken_that_day_marks_the_stop_by_itself(api):  # noqa: F811
    seller = api("salesperson")
    shop = planned(seller.user, 1)
    cancelled_only = planned(seller.user, 2)
    for client, status in ((shop, OrderStatus.ACCEPTED), (cancelled_only, OrderStatus.CANCELLED)):
        db.session.add(
            Order(
                client_id=client.id,
                user_id=seller.user.id,
                status=status,
                date=local_today(),
                payment_method="cash",
                currency="ARS",
                subtotal=Decimal("100"),
                net=Decimal("100"),
                total=Decimal("121"),
            )
        )
    db.session.commit()
    stops = seller.get("/api/v1/route").json["stops"]
    assert [(s["status"], s["outcome"], s["orders"]) for s in stops] == [
        ("visited", "order", 1),
        ("pending", None, 0),
    ]


def test_an_unplanned_visit_shows_after_the_route(api):  # noqa: F811
    seller = api("salesperson")
    planned(seller.user, 1, trade_name="En Ruta")
    walk_in = planned(seller.user, 2, days=[other_day_name()], trade_name="De Pasada")
    db.session.commit()
    answer = seller.post("/api/v1/visits", json={"client_id": walk_in.id, "outcome": "order"})
    assert answer.status_code == 201 and answer.json["planned"] is False
    stops = seller.get("/api/v1/route").json["stops"]
    assert [(s["name"], s["planned"], s["status"]) for s in stops] == [
        ("En Ruta", True, "pending"),
        ("De Pasada", False, "visited"),
    ]


def test_a_salesperson_sees_only_their_route_and_a_supervisor_their_team_s(api):  # noqa: F811
    boss = api("supervisor")
    seller = api("salesperson", supervisor_id=boss.user.id)
    stranger = api("salesperson")
    planned(seller.user, 1, trade_name="Del Equipo")
    outside = planned(stranger.user, 1, trade_name="De Otro")
    db.session.commit()
    assert stranger.get(f"/api/v1/route?user_id={seller.user.id}").status_code == 404
    seen = boss.get(f"/api/v1/route?user_id={seller.user.id}").json["stops"]
    assert [s["name"] for s in seen] == ["Del Equipo"]
    assert boss.get(f"/api/v1/route?user_id={stranger.user.id}").status_code == 404
    # nor can a salesperson record a visit to another's client
    refused = seller.post("/api/v1/visits", json={"client_id": outside.id, "outcome": "order"})
    assert refused.status_code == 422 and refused.json["error"]["fields"] == {
        "client_id": ["No existe."]
    }
    assert office_cannot_visit(api)


def office_cannot_visit(api) -> bool:  # noqa: F811
    back = api("backoffice")
    shop = factories.make_client()
    db.session.commit()
    return (
        back.post("/api/v1/visits", json={"client_id": shop.id, "outcome": "order"}).status_code
        == 403
    )


def test_a_collector_s_day_holds_the_collection_plan_and_what_collections_set(api):  # noqa: F811
    collector = api("collector")
    on_plan = factories.make_client(
        collector_id=collector.user.id,
        collection_weekdays=days_mask([today_name()]),
        collection_position=1,
        trade_name="Plan Cobranza",
    )
    promised = factories.make_client(collector_id=collector.user.id, trade_name="Promesa Hoy")
    factories.make_client(
        collector_id=collector.user.id,
        visit_weekdays=days_mask([today_name()]),  # the salesperson's plan is not the collector's
        trade_name="Solo Vendedor",
    )
    db.session.add(
        CollectionCall(
            client_id=promised.id,
            user_id=collector.user.id,
            channel="phone",
            outcome="promise",
            promise_amount=Decimal("5000"),
            promise_currency="ARS",
            promise_date=local_today(),
        )
    )
    db.session.commit()
    stops = collector.get("/api/v1/route").json["stops"]
    assert [s["name"] for s in stops] == ["Plan Cobranza", "Promesa Hoy"]
    assert stops[1]["agenda"] == ["Vence una promesa de pago"]
    assert on_plan.id == stops[0]["client_id"]


def test_the_visit_plan_is_read_and_changed_in_the_client_json(office):  # noqa: F811
    shop = factories.make_client()
    db.session.commit()
    answer = office.patch(
        f"/api/v1/clients/{shop.id}",
        json={
            "visit_days": ["thu", "mon"],
            "visit_every_weeks": 2,
            "visit_week_of": "2027-01-06",
            "visit_window": "08:30-12:00",
            "route_position": 7,
            "collection_visit_days": ["fri"],
        },
    )
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["visit_days"] == ["mon", "thu"] and body["visit_every_weeks"] == 2
    assert body["visit_window"] == "08:30-12:00" and body["route_position"] == 7
    assert body["visit_week_of"] == "2027-01-06" and body["collection_visit_days"] == ["fri"]
    db.session.expire_all()
    assert db.session.get(type(shop), shop.id).visit_weekdays == 0b1001


def test_a_bad_visit_plan_is_refused_field_by_field_and_changes_nothing(office):  # noqa: F811
    shop = factories.make_client(visit_weekdays=days_mask(["mon"]))
    db.session.commit()
    answer = office.patch(
        f"/api/v1/clients/{shop.id}",
        json={
            "visit_days": ["mon", "lunes"],
            "visit_every_weeks": 3,
            "visit_window": "12:00-08:00",
            "route_position": 0,
        },
    )
    assert answer.status_code == 422
    fields = answer.json["error"]["fields"]
    assert set(fields) == {"visit_days", "visit_every_weeks", "route_position"} or set(fields) == {
        "visit_days",
        "visit_every_weeks",
        "route_position",
        "visit_window",
    }
    assert "Cada 1, 2 o 4 semanas." in fields["visit_every_weeks"]
    assert fields["route_position"] == ["La posición en la ruta va de 1 a 9999."]
    window = office.patch(f"/api/v1/clients/{shop.id}", json={"visit_window": "12:00-08:00"})
    assert window.json["error"]["fields"] == {
        "visit_window": ["La hora de fin tiene que ser posterior a la de inicio."]
    }
    db.session.expire_all()
    assert db.session.get(type(shop), shop.id).visit_weekdays == days_mask(["mon"])
