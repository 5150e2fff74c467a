"""Hoy, the route day's page: the stops, recording an outcome, reordering, the team's day."""

import re

import sqlalchemy as sa

from app.clients.models import Client
from app.extensions import db
from app.route.models import Visit, VisitReason
from tests import factories
from tests.conftest import csrf_from
from tests.route.test_route_api import other_day_name, planned


def names_in_order(html: str) -> list[str]:
    return re.findall(r'class="stop-name"[^>]*>([^<]+)<', html)


def test_a_salesperson_lands_on_hoy_with_the_stops_in_order(login_as):
    seller = login_as("salesperson")
    planned(seller.user, 2, trade_name="Kiosco Dos")
    first = planned(seller.user, 1, trade_name="Almacén Uno")
    planned(seller.user, 3, days=[other_day_name()], trade_name="Otro Día")
    db.session.commit()
    home = seller.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/route/")
    page = seller.get("/route/").get_data(as_text=True)
    assert names_in_order(page) == ["Almacén Uno", "Kiosco Dos"]
    assert "0 de 2" in page and "Próxima parada" not in page  # the first row is the next stop
    db.session.add(
        Visit(
            client_id=first.id, user_id=seller.user.id, day=factories.today(), outcome="collected"
        )
    )
    db.session.commit()
    page = seller.get("/route/").get_data(as_text=True)
    assert "1 de 2" in page
    assert re.search(r"Próxima parada</h2>\s*<p><a href=\"#stop-\d+\">Kiosco Dos</a>", page)


def test_the_office_starts_on_the_client_list_and_sees_the_team_s_day(login_as):
    office = login_as("backoffice")
    assert office.get("/").headers["Location"].endswith("/clients/")
    assert office.get("/route/").headers["Location"].endswith("/route/team")


def test_recording_an_outcome_from_the_stop_form(login_as):
    seller = login_as("salesperson")
    shop = planned(seller.user, 1, trade_name="Almacén Uno")
    db.session.add(VisitReason(code="CER", name="Cerrado", applies_to="both"))
    db.session.commit()
    reason_id = db.session.scalar(sa.select(VisitReason.id))
    page = seller.get("/route/").get_data(as_text=True)
    token = csrf_from(page)
    missing = seller.client.post(
        "/route/visits",
        data={"csrf_token": token, "client_id": shop.id, "outcome": "skipped"},
        headers={"HX-Request": "true"},
    )
    assert missing.status_code == 422
    assert "Elegí el motivo." in missing.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 0
    saved = seller.client.post(
        "/route/visits",
        data={
            "csrf_token": token,
            "client_id": shop.id,
            "outcome": "no_order",
            "reason_id": reason_id,
            "note": "Vuelvo el jueves",
        },
        headers={"HX-Request": "true"},
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and 'data-state="visited"' in html
    assert "Sin pedido" in html and "Cerrado" in html
    visit = db.session.scalar(sa.select(Visit))
    assert (visit.outcome, visit.note, visit.planned) == ("no_order", "Vuelvo el jueves", True)
    assert "1 de 1" in seller.get("/route/").get_data(as_text=True)


def test_moving_a_stop_down_reorders_the_route(login_as):
    seller = login_as("salesperson")
    first = planned(seller.user, 1, trade_name="Almacén Uno")
    planned(seller.user, 2, trade_name="Kiosco Dos")
    planned(seller.user, 5, days=[other_day_name()], trade_name="Otro Día")
    db.session.commit()
    token = csrf_from(seller.get("/route/").get_data(as_text=True))
    moved = seller.client.post(
        "/route/move", data={"csrf_token": token, "client_id": first.id, "step": "down"}
    )
    assert moved.status_code == 302
    assert names_in_order(seller.get("/route/").get_data(as_text=True)) == [
        "Kiosco Dos",
        "Almacén Uno",
    ]
    positions = dict(db.session.execute(sa.select(Client.trade_name, Client.route_position)).all())
    assert positions == {"Almacén Uno": 2, "Kiosco Dos": 1, "Otro Día": 5}


def test_accepting_the_suggested_order(login_as):
    seller = login_as("salesperson")
    # three shops on a line, planned in a zig-zag order: 1 (north), 3 (south), 2 (middle)
    shops = []
    for position, (name, lat) in enumerate(
        (("Norte", "-34.600000"), ("Sur", "-34.620000"), ("Medio", "-34.610000")), start=1
    ):
        shop = planned(seller.user, position, trade_name=name)
        factories.make_address(shop, latitude=lat, longitude="-58.400000")
        shops.append(shop)
    db.session.commit()
    page = seller.get("/route/suggest").get_data(as_text=True)
    proposed = re.findall(r'name="order" value="(\d+)"', page)
    assert proposed == [str(shops[0].id), str(shops[2].id), str(shops[1].id)]
    accepted = seller.client.post(
        "/route/suggest", data={"csrf_token": csrf_from(page), "order": proposed}
    )
    assert accepted.status_code == 302
    assert names_in_order(seller.get("/route/").get_data(as_text=True)) == ["Norte", "Medio", "Sur"]


def test_the_supervisor_sees_each_salesperson_s_day(login_as):
    boss = login_as("supervisor")
    seller = factories.make_user("salesperson", supervisor_id=boss.user.id, full_name="Ana Ruta")
    shop = planned(seller, 1)
    planned(seller, 2)
    db.session.add(
        Visit(client_id=shop.id, user_id=seller.id, day=factories.today(), outcome="collected")
    )
    db.session.commit()
    page = boss.get("/route/team").get_data(as_text=True)
    assert "Ana Ruta" in page
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))
    assert figures["Planificadas"] == "2" and figures["Visitadas"] == "1"
    assert figures["Pendientes"] == "1"
    other = login_as("salesperson")
    assert other.get(f"/route/?user={seller.id}").status_code == 404
    assert boss.get(f"/route/?user={seller.id}").status_code == 200


def test_the_office_sees_everyone_s_collection_agenda_overdue_first(login_as):
    from datetime import timedelta
    from decimal import Decimal

    from app.collections.models import CollectionCall

    office = login_as("backoffice")
    collector = factories.make_user("collector", full_name="Ramón Cobra")
    late = factories.make_client(collector_id=collector.id, trade_name="Atrasado")
    due = factories.make_client(collector_id=collector.id, trade_name="Para Hoy")
    done = factories.make_client(collector_id=collector.id, trade_name="Ya Gestionado")
    today = factories.today()
    calls = [
        CollectionCall(client_id=late.id, user_id=collector.id, channel="phone",
                       outcome="no_answer", next_contact_at=today - timedelta(days=3)),
        CollectionCall(client_id=due.id, user_id=collector.id, channel="phone",
                       outcome="promise", promise_amount=Decimal("900"), promise_currency="ARS",
                       promise_date=today),
        CollectionCall(client_id=done.id, user_id=collector.id, channel="phone",
                       outcome="no_answer", next_contact_at=today - timedelta(days=1)),
    ]  # fmt: skip
    db.session.add_all(calls)
    db.session.commit()
    # a later call to the last client does what its next contact asked
    db.session.add(
        CollectionCall(client_id=done.id, user_id=collector.id, channel="phone", outcome="refused")
    )
    db.session.commit()
    page = office.get("/route/agenda").get_data(as_text=True)
    names = re.findall(r'class="stop-name"[^>]*>([^<]+)<', page)
    assert names == ["Atrasado", "Para Hoy"]
    assert "hace 3 días" in page and "Ramón Cobra" in page
