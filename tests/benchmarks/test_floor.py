"""The floor app of benchmarks/report.py answers a read and an insert over the app's own tables."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.orders.models import Order, OrderLine
from benchmarks.floor import create_app
from tests import factories


@pytest.fixture
def floor(app, database_url):
    """The floor over the test database (built by the migrations), and its test client."""
    floor_app = create_app(database_url)
    yield floor_app.test_client()
    floor_app.extensions["floor_database"].close()


def test_floor_reads_one_client(floor):
    """GET /clients/<id>: the row as JSON; an unknown id is a 404."""
    client = factories.make_client(legal_name="Almacén Don José")
    db.session.commit()

    answer = floor.get(f"/clients/{client.id}")

    assert answer.status_code == 200
    assert answer.json["id"] == client.id
    assert answer.json["legal_name"] == "Almacén Don José"
    assert floor.get(f"/clients/{client.id + 1000}").status_code == 404


def test_floor_inserts_an_order_with_its_lines(floor):
    """POST /orders: one order priced from the client's list, its lines, a change number."""
    factories.make_user(role="backoffice")
    price_list = factories.make_price_list()
    cheap = factories.make_product(price_list, "100.00", tax_rate=Decimal("21"))
    dear = factories.make_product(price_list, "250.50", tax_rate=Decimal("10.5"))
    client = factories.make_client(price_list_id=price_list.id)
    body = {
        "client_id": client.id,
        "payment_method": "cash",
        "lines": [{"product_id": cheap.id, "quantity": 3}, {"product_id": dear.id, "quantity": 2}],
    }
    db.session.commit()  # reading an id after it would begin a snapshot older than the order

    answer = floor.post("/orders", json=body)

    assert answer.status_code == 201
    db.session.expire_all()
    order = db.session.get(Order, answer.json["id"])
    assert (order.client_id, order.status, order.payment_method) == (
        body["client_id"],
        "accepted",
        "cash",
    )
    assert order.net == Decimal("801.00")
    assert order.tax == Decimal("63.00") + Decimal("52.61")
    assert order.total == order.net + order.tax
    assert order.change_seq > 0
    lines = db.session.scalars(
        sa.select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position)
    ).all()
    assert [(line.product_id, line.quantity, line.net) for line in lines] == [
        (body["lines"][0]["product_id"], Decimal("3"), Decimal("300.00")),
        (body["lines"][1]["product_id"], Decimal("2"), Decimal("501.00")),
    ]
