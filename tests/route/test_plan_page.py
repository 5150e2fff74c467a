"""The visit plan on the card: shown to everyone, changed by supervisors and the office."""

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.clients.visit_plan import days_mask
from app.extensions import db
from tests import factories
from tests.conftest import csrf_from


def test_the_card_shows_both_plans_in_words(login_as):
    seller = login_as("salesperson")
    shop = factories.make_client(
        salesperson_id=seller.user.id,
        visit_weekdays=days_mask(["mon", "thu"]),
        visit_every_weeks=2,
        route_position=7,
    )
    db.session.commit()
    page = seller.get(f"/clients/{shop.id}").get_data(as_text=True)
    assert "Lunes y jueves · cada 2 semanas · n.º 7 en la ruta" in page
    assert "Sin visitas planificadas" in page  # no collector's plan
    assert seller.get(f"/route/plan/{shop.id}").status_code == 403


def test_a_supervisor_sets_a_plan_and_bad_values_change_nothing(login_as):
    boss = login_as("supervisor")
    seller = factories.make_user("salesperson", supervisor_id=boss.user.id)
    shop = factories.make_client(salesperson_id=seller.id, visit_weekdays=days_mask(["fri"]))
    db.session.commit()
    form = boss.get(f"/route/plan/{shop.id}").get_data(as_text=True)
    bad = boss.client.post(
        f"/route/plan/{shop.id}",
        data={
            "csrf_token": csrf_from(form),
            "visit_days": ["mon", "funday"],
            "visit_every_weeks": "3",
            "visit_window": "12:00-09:00",
            "visit_position": "0",
            "collection_every_weeks": "1",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for message in (
        "Elegí días de la semana de la lista.",
        "Cada 1, 2 o 4 semanas.",
        "La hora de fin tiene que ser posterior a la de inicio.",
        "La posición en la ruta va de 1 a 9999.",
    ):
        assert message in html
    db.session.expire_all()
    assert db.session.get(Client, shop.id).visit_weekdays == days_mask(["fri"])
    good = boss.client.post(
        f"/route/plan/{shop.id}",
        data={
            "csrf_token": csrf_from(form),
            "visit_days": ["tue", "fri"],
            "visit_every_weeks": "2",
            "visit_week_of": "2027-01-05",
            "visit_window": "08:30-12:00",
            "visit_position": "3",
            "collection_days": ["wed"],
            "collection_every_weeks": "4",
        },
    )
    assert good.status_code == 302 and good.headers["Location"].endswith("#plan")
    db.session.expire_all()
    saved = db.session.get(Client, shop.id)
    assert (saved.visit_weekdays, saved.visit_every_weeks, saved.route_position) == (
        days_mask(["tue", "fri"]),
        2,
        3,
    )
    assert str(saved.visit_from)[:5] == "08:30" and saved.collection_every_weeks == 4
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "client.update", AuditEntry.entity_id == str(shop.id)
        )
    )
    assert entry.after["visit_weekdays"] == days_mask(["tue", "fri"])
    assert entry.before["visit_weekdays"] == days_mask(["fri"])


def test_a_supervisor_cannot_plan_a_client_outside_the_team(login_as):
    boss = login_as("supervisor")
    outside = factories.make_client(salesperson_id=factories.make_user("salesperson").id)
    db.session.commit()
    assert boss.get(f"/route/plan/{outside.id}").status_code == 404


def test_the_office_sets_visit_days_for_a_filtered_list_leaving_some_out(login_as):
    office = login_as("backoffice")
    zone = factories.make_zone()
    other_zone = factories.make_zone()
    kept, left_out = (
        factories.make_client(sales_zone_id=zone.id, route_position=4, trade_name="Uno"),
        factories.make_client(sales_zone_id=zone.id, trade_name="Dos"),
    )
    outside = factories.make_client(sales_zone_id=other_zone.id)
    db.session.commit()
    page = office.get(f"/route/plan/bulk?sales_zone_id={zone.id}").get_data(as_text=True)
    assert f'value="{kept.id}" checked' in page and f'value="{outside.id}"' not in page
    answer = office.client.post(
        f"/route/plan/bulk?sales_zone_id={zone.id}&kind=visit",
        data={
            "csrf_token": csrf_from(page),
            "client_id": [str(kept.id), str(outside.id)],  # one outside the list is ignored
            "visit_days": ["mon", "wed"],
            "visit_every_weeks": "2",
        },
    )
    assert answer.status_code == 302
    db.session.expire_all()
    rows = {c.id: c for c in db.session.scalars(sa.select(Client))}
    assert rows[kept.id].visit_weekdays == days_mask(["mon", "wed"])
    assert rows[kept.id].visit_every_weeks == 2 and rows[kept.id].route_position == 4
    assert rows[left_out.id].visit_weekdays == 0 and rows[outside.id].visit_weekdays == 0
    none = office.client.post(
        f"/route/plan/bulk?sales_zone_id={zone.id}",
        data={"csrf_token": csrf_from(page), "visit_days": ["fri"]},
    )
    assert none.status_code == 422 and "Elegí al menos un cliente." in none.get_data(as_text=True)
