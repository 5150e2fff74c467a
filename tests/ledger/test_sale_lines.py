"""Invoices and notes posted with their products: the lines the sales reports are made of."""

from datetime import date
from decimal import Decimal

import pytest

import app.reports.services as reports
from app.extensions import db
from app.ledger.models import DocumentLine
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)

D = Decimal


@pytest.fixture
def office(api):  # noqa: F811
    return api("backoffice")


def test_an_invoice_posted_with_its_products_counts_in_the_product_ranking(office):
    client = factories.make_client()
    yerba = factories.make_product(description="Yerba", cost=D("500.00"))
    aceite = factories.make_product(description="Aceite")
    db.session.commit()
    response = office.post(
        "/api/v1/documents",
        json={
            "client_id": client.id,
            "kind": "invoice",
            "letter": "A",
            "date": "2026-10-05",
            "currency": "USD",
            "exchange_rate": "1000",
            "amount": "12.00",
            "items": [
                {"product_id": yerba.id, "quantity": "2", "amount": "10.00"},
                {"product_id": aceite.id, "quantity": "1", "amount": "2.00", "cost": "1.50"},
            ],
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["items"] == [
        # the cost left out is the product's, in pesos, at the document's rate: 2 x 500 / 1000
        {"product_id": yerba.id, "quantity": "2.000", "unit_price": "5.0000", "amount": "10.00",
         "cost": "1.00"},
        {"product_id": aceite.id, "quantity": "1.000", "unit_price": "2.0000", "amount": "2.00",
         "cost": "1.50"},
    ]  # fmt: skip
    ranking = reports.ranking(
        office.user, "margin", "products", date(2026, 10, 1), date(2026, 10, 31)
    )
    # (10 - 1) x 1000 and (2 - 1.50) x 1000
    assert [(item.name, item.total) for item in ranking.items] == [
        ("Yerba", D("9000.00")),
        ("Aceite", D("500.00")),
    ]


@pytest.mark.parametrize(
    ("items", "kind", "field"),
    [
        ([{"product_id": 1, "quantity": "1", "amount": "99.00"}], "invoice", "items"),
        ([{"product_id": 999999, "quantity": "1", "amount": "100.00"}], "invoice",
         "items.0.product_id"),
        ([{"product_id": 1, "quantity": "0", "amount": "100.00"}], "invoice", "items.0.quantity"),
        ([{"product_id": 1, "quantity": "1", "amount": "100.00"}], "debit_adjustment", "items"),
    ],
)  # fmt: skip
def test_items_that_do_not_fit_are_refused_field_by_field(office, items, kind, field):
    client = factories.make_client()
    product = factories.make_product()
    db.session.commit()
    for item in items:
        if item["product_id"] == 1:
            item["product_id"] = product.id
    response = office.post(
        "/api/v1/documents",
        json={"client_id": client.id, "kind": kind, "letter": "A", "amount": "100.00",
              "items": items},
    )  # fmt: skip
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert db.session.query(DocumentLine).count() == 0
