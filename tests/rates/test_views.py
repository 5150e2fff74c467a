"""The back office's exchange-rate page."""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core.types import local_today
from app.extensions import db
from app.rates import services as rates
from app.rates.models import ExchangeRate

HX = {"HX-Request": "true"}


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


def test_the_office_types_a_days_rate_and_sees_it_listed(office):
    page = office.get("/rates/").get_data(as_text=True)
    assert "Hoy no hay cotización de USD" in page
    response = office.submit("/rates/", date="2026-12-01", currency="USD", rate="1.050,25")
    assert response.status_code == 303
    followed = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cotización de USD del 01/12/2026 guardada." in followed
    row = db.session.scalars(sa.select(ExchangeRate)).one()
    assert (row.currency, row.rate) == ("USD", Decimal("1050.25"))
    assert "1.050,25" in followed and "01/12/2026" in followed


def test_typing_the_day_again_replaces_its_rate(office):
    rates.save_rate(local_today(), "USD", Decimal("1000"))
    db.session.commit()
    day = local_today().isoformat()
    response = office.submit("/rates/", date=day, currency="USD", rate="1010")
    followed = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "reemplazada (antes 1000" in followed
    assert "Hoy no hay cotización" not in followed
    assert db.session.scalar(sa.select(ExchangeRate.rate)) == Decimal("1010")


def test_a_wrong_rate_is_refused_on_the_form_and_nothing_is_saved(office):
    response = office.submit("/rates/", date="2026-12-01", currency="USD", rate="0")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    match = re.search(r'id="rate-error">([^<]+)<', page)
    assert match.group(1) == "La cotización tiene que ser mayor que cero y menor que 100.000.000."
    assert 'value="0"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRate)) == 0


def test_salespeople_do_not_keep_the_rates(login_as):
    seller = login_as("salesperson")
    assert seller.get("/rates/").status_code == 403
