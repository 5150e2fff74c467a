"""GET and POST /api/v1/exchange-rates."""

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.core.types import local_today
from app.extensions import db
from app.orders.models import Order
from app.rates import services as rates
from app.rates.models import ExchangeRate
from tests import factories
from tests.api.test_clients import api, audit_rows, office  # noqa: F401  (fixtures)

URL = "/api/v1/exchange-rates"


def test_rates_are_listed_newest_first_by_currency_and_days(api):  # noqa: F811
    for day, rate in ((1, "1000"), (2, "1010"), (3, "1020")):
        rates.save_rate(date(2026, 12, day), "USD", Decimal(rate))
    db.session.commit()
    seller = api("salesperson")
    answer = seller.get(f"{URL}?currency=USD&from=2026-12-02&to=2026-12-03")
    assert answer.status_code == 200
    assert [(r["date"], r["rate"]) for r in answer.json["items"]] == [
        ("2026-12-03", "1020.000000"),
        ("2026-12-02", "1010.000000"),
    ]
    assert seller.get(f"{URL}?from=2026-13-01").status_code == 422


def test_posting_a_rate_creates_it_then_replaces_it_once_per_key(office):  # noqa: F811
    body = {"date": "2026-12-01", "currency": "USD", "rate": "1050.5"}
    created = office.post(URL, json=body, key="rate-0001")
    assert created.status_code == 201, created.json
    assert created.json["rate"] == "1050.500000" and created.json["currency"] == "USD"
    replayed = office.post(URL, json=body, key="rate-0001")
    assert replayed.status_code == 201 and replayed.json == created.json
    other = office.post(URL, json=body | {"rate": "1"}, key="rate-0001")
    assert other.status_code == 422
    replaced = office.post(URL, json=body | {"rate": "1060"}, key="rate-0002")
    assert replaced.status_code == 200
    assert replaced.json["id"] == created.json["id"]
    assert db.session.scalar(sa.select(ExchangeRate.rate)) == Decimal("1060")
    rows = audit_rows("rate.replaced")
    assert len(rows) == 1 and rows[0].before == {"rate": "1050.500000"}


def test_bad_rates_are_refused_field_by_field(office):  # noqa: F811
    answer = office.post(URL, json={"date": "2026-02-30", "currency": "EUR", "rate": "0"})
    assert answer.status_code == 422
    fields = answer.json["error"]["fields"]
    assert fields["date"] == ["Fecha inválida."]
    assert fields["currency"][0].startswith("Tiene que ser uno de estos valores: USD")
    assert fields["rate"] == ["La cotización tiene que ser mayor que cero."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeRate)) == 0


def test_only_the_office_posts_rates(api):  # noqa: F811
    seller = api("salesperson")
    body = {"date": "2026-12-01", "currency": "USD", "rate": "1000"}
    assert seller.post(URL, json=body).status_code == 403


def test_a_dollar_order_on_a_day_without_a_rate_is_refused_by_field(api):  # noqa: F811
    seller = api("salesperson")
    prices = factories.make_price_list()
    client = factories.make_client(
        salesperson_id=seller.user.id, price_list_id=prices.id, foreign_currency_allowed=True
    )
    item = factories.make_product()
    factories.make_price(prices, item, "100", currency="USD")
    rates.save_rate(local_today() - timedelta(days=1), "USD", Decimal("1000"))  # not today's
    db.session.commit()
    body = {
        "client_id": client.id,
        "currency": "USD",
        "payment_method": "current_account",
        "lines": [{"product_id": item.id, "quantity": "1"}],
    }
    refused = seller.post("/api/v1/orders", json=body)
    assert refused.status_code == 422
    day = local_today().strftime("%d/%m/%Y")
    assert refused.json["error"]["fields"] == {
        "currency": [f"No hay cotización de USD para el {day}: cargala en Cotizaciones."]
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    rates.save_rate(local_today(), "USD", Decimal("1010"))
    db.session.commit()
    accepted = seller.post("/api/v1/orders", json=body)
    assert accepted.status_code == 201, accepted.json


def test_a_dollar_document_posted_without_a_rate_takes_the_days(office):  # noqa: F811
    client = factories.make_client()
    rates.save_rate(date(2026, 12, 1), "USD", Decimal("1045.5"))
    db.session.commit()
    body = {"client_id": client.id, "kind": "invoice", "letter": "B", "currency": "USD",
            "amount": "10.00", "date": "2026-12-01"}  # fmt: skip
    answer = office.post("/api/v1/documents", json=body)
    assert answer.status_code == 201, answer.json
    assert Decimal(answer.json["exchange_rate"]) == Decimal("1045.5")
