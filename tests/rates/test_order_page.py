"""The order form refuses a dollar order on a day without a rate, under the currency."""

from decimal import Decimal

import sqlalchemy as sa

from app.core.types import local_today
from app.extensions import db
from app.orders.models import Order
from app.rates import services as rates
from tests import factories
from tests.orders.test_views import post_order


def test_the_form_says_the_day_has_no_rate_and_keeps_nothing(login_as):
    seller = login_as("salesperson")
    prices = factories.make_price_list()
    client = factories.make_client(
        salesperson_id=seller.user.id, price_list_id=prices.id, foreign_currency_allowed=True
    )
    item = factories.make_product()
    factories.make_price(prices, item, "100", currency="USD")
    db.session.commit()
    refused = post_order(
        seller, client.id, [(item.id, 1)], currency="USD", payment_method="current_account"
    )
    assert refused.status_code == 422
    day = local_today().strftime("%d/%m/%Y")
    page = refused.get_data(as_text=True)
    assert f"No hay cotización de USD para el {day}: cargala en Cotizaciones." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    rates.save_rate(local_today(), "USD", Decimal("1000"))
    db.session.commit()
    taken = post_order(
        seller, client.id, [(item.id, 1)], currency="USD", payment_method="current_account"
    )
    assert taken.status_code == 303
    assert db.session.scalar(sa.select(Order.currency)) == "USD"
