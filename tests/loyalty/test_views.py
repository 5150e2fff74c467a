"""The loyalty rule's page, the points on the card, an adjustment by hand and the nightly run."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.clients.models import Client
from app.core.types import local_today
from app.extensions import db
from app.loyalty import services as loyalty
from app.loyalty.models import LoyaltyEntry, LoyaltySettings
from tests import factories


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


def error_after(page: str, field: str) -> str:
    match = re.search(rf'id="{field}-error">([^<]+)<', page)
    assert match, f"no error under {field}"
    return match.group(1)


def test_the_office_sets_the_rule(office):
    page = office.get("/loyalty/settings").get_data(as_text=True)
    assert 'value="1000.00"' in page and "flask --app wsgi loyalty expire" in page
    response = office.submit(
        "/loyalty/settings", amount_per_point="2.000", expiry_months="18", active="1"
    )
    assert response.status_code == 303
    rule = db.session.scalars(sa.select(LoyaltySettings)).one()
    assert (str(rule.amount_per_point), rule.expiry_months, rule.active) == ("2000.00", 18, True)
    wrong = office.submit("/loyalty/settings", amount_per_point="0", expiry_months="500")
    assert wrong.status_code == 422
    page = wrong.get_data(as_text=True)
    assert error_after(page, "expiry_months") == "Indicá entre 1 y 120 meses."
    assert error_after(page, "amount_per_point").startswith("Ingresá un importe mayor que cero")
    db.session.expire_all()
    assert db.session.scalars(sa.select(LoyaltySettings)).one().expiry_months == 18


def test_salespeople_see_the_points_but_not_the_rule(login_as):
    seller = login_as("salesperson")
    member = factories.make_client(loyalty_enabled=True, salesperson_id=seller.user.id)
    factories.post_document(member, amount="12500.00", date=local_today().isoformat())
    db.session.commit()
    card = seller.get(f"/clients/{member.id}").get_data(as_text=True)
    assert "Puntos de fidelidad" in card and "12 puntos" in card
    expiry = (local_today().replace(year=local_today().year + 1)).strftime("%d/%m/%Y")
    assert f"12 puntos el {expiry}" in card
    assert "Ajustar puntos" not in card
    assert seller.get("/loyalty/settings").status_code == 403


def test_the_office_adjusts_a_clients_points_from_the_card(office):
    member = factories.make_client(loyalty_enabled=True)
    db.session.commit()
    card = f"/clients/{member.id}"
    assert "Ajustar puntos" in office.get(card).get_data(as_text=True)
    url = f"/loyalty/clients/{member.id}/adjust"
    refused = office.submit(card, url, points="-5", note="")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert error_after(page, "points") == "El cliente no tiene tantos puntos."
    assert error_after(page, "note") == "Contá por qué se ajustan."
    done = office.submit(card, url, points="30", note="Bienvenida al programa")
    assert done.status_code == 303
    page = office.get(card).get_data(as_text=True)
    assert "30 puntos" in page and "Bienvenida al programa" in page
    db.session.expire_all()
    assert db.session.get(Client, member.id).loyalty_points == 30


def test_the_nightly_command_expires_points(app, runner):
    member = factories.make_client(loyalty_enabled=True)
    old = (local_today() - timedelta(days=400)).isoformat()
    factories.post_document(member, amount="4000.00", date=old)
    db.session.commit()
    done = runner.invoke(args=["loyalty", "expire"])
    assert done.exit_code == 0 and "Puntos vencidos: 4." in done.output
    db.session.expire_all()
    assert db.session.get(Client, member.id).loyalty_points == 0
    assert db.session.scalars(sa.select(LoyaltyEntry.kind).order_by(LoyaltyEntry.id)).all() == [
        "earned",
        "expired",
    ]
    assert loyalty.loyalty_settings().last_expiry_run_on == local_today()
    bad = runner.invoke(args=["loyalty", "expire", "--date", "mañana"])
    assert bad.exit_code != 0
