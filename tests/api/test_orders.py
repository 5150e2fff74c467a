"""POST /api/v1/orders and friends: the order, its credit decision, and exactly-once writes."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.credit.models import CreditBand, CreditPolicy
from app.extensions import db
from app.orders.models import Order
from tests import factories
from tests.api.test_clients import api, audit_rows, count  # noqa: F401  (fixture)
from tests.orders.helpers import price_list, product


@pytest.fixture
def setup(api):  # noqa: F811
    """A salesperson under a supervisor; a client with a $ 1.000 limit; a $ 100 + IVA product."""
    boss = factories.make_user("supervisor")
    seller = api("salesperson", supervisor_id=boss.id)
    prices = price_list()
    limit = CreditPolicy(code="P1", name="Minoristas", money_limit=Decimal("1000"))
    db.session.add(limit)
    db.session.flush()
    client = factories.make_client(
        salesperson_id=seller.user.id, price_list_id=prices.id, credit_policy_id=limit.id
    )
    item = product("GAL", "100", prices, tax_rate=Decimal("21"))
    db.session.add(
        CreditBand(name="Hasta 50 %", user_id=boss.id, money=True, max_excess_pct=Decimal("50"))
    )
    db.session.commit()
    return seller, client, item, boss


def body(client, item, quantity="2", **extra):
    return {
        "client_id": client.id,
        "payment_method": "current_account",
        "lines": [{"product_id": item.id, "quantity": quantity}],
        **extra,
    }


def test_an_order_within_the_limit_is_accepted(setup):
    seller, client, item, _boss = setup
    answer = seller.post("/api/v1/orders", json=body(client, item))
    assert answer.status_code == 201, answer.json
    order = answer.json
    assert order["status"] == "accepted" and order["total"] == "242.00"
    assert order["credit"]["allowed"] is True and order["credit"]["failures"] == []
    assert order["lines"][0]["code"] == "GAL" and order["lines"][0]["net"] == "200.00"
    assert answer.headers["Location"].endswith(f"/api/v1/orders/{order['id']}")
    assert seller.get(f"/api/v1/orders/{order['id']}").json == order


def test_an_order_over_the_limit_is_kept_blocked_with_the_decision(setup):
    seller, client, item, _boss = setup
    answer = seller.post("/api/v1/orders", json=body(client, item, quantity="10"))
    assert answer.status_code == 201
    assert answer.json["status"] == "blocked"
    [money] = answer.json["credit"]["failures"]
    assert money["kind"] == "money" and money["excess"] == "210.00"
    assert money["message"] == "Supera el límite en $ 210 (límite $ 1.000)"
    assert count(Order, Order.status == "blocked") == 1
    assert len(audit_rows("credit.blocked")) == 1


def test_the_same_key_twice_makes_one_order_and_the_same_answer(setup):
    seller, client, item, _boss = setup
    first = seller.post("/api/v1/orders", json=body(client, item), key="pedido-0001-abc")
    again = seller.post("/api/v1/orders", json=body(client, item), key="pedido-0001-abc")
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert count(Order) == 1
    other = seller.post("/api/v1/orders", json=body(client, item, "3"), key="pedido-0001-abc")
    assert other.status_code == 422
    assert count(Order) == 1


def test_bad_input_is_refused_by_field_and_writes_nothing(setup):
    seller, client, item, _boss = setup
    answer = seller.post(
        "/api/v1/orders",
        json={
            "client_id": client.id,
            "payment_method": "trueque",
            "lines": [{"product_id": item.id, "quantity": "-1"}],
        },
    )
    assert answer.status_code == 422
    fields = answer.json["error"]["fields"]
    assert "payment_method" in fields and "lines.0.quantity" in fields
    stranger = factories.make_client()
    db.session.commit()
    outside = seller.post("/api/v1/orders", json=body(stranger, item))
    assert outside.status_code == 422 and outside.json["error"]["fields"] == {
        "client_id": ["No existe."]
    }
    no_lines = seller.post("/api/v1/orders", json=body(client, item) | {"lines": []})
    assert no_lines.status_code == 422 and "lines" in no_lines.json["error"]["fields"]
    assert count(Order) == 0


def test_a_blocked_order_goes_to_the_supervisor_and_comes_back_approved(setup, api):  # noqa: F811
    seller, client, item, boss = setup
    order = seller.post("/api/v1/orders", json=body(client, item, quantity="10")).json
    asked = seller.post(
        f"/api/v1/orders/{order['id']}/override-request",
        json={"reason": "Cliente de años, paga siempre"},
    )
    assert asked.status_code == 201, asked.json
    assert asked.json["status"] == "awaiting_approval"
    request = asked.json["override_request"]
    assert request["status"] == "pending" and request["amount"] == "1210.00"
    assert request["reason"] == "Cliente de años, paga siempre"
    again = seller.post(
        f"/api/v1/orders/{order['id']}/override-request", json={"reason": "otra vez"}
    )
    assert again.status_code == 422
    from app.credit import overrides
    from app.credit.models import OverrideRequest

    row = db.session.get(OverrideRequest, request["id"])
    overrides.decide_override(row, True, "Paga a los 35 días", db.session.get(type(boss), boss.id))
    db.session.commit()
    seen = seller.get(f"/api/v1/orders/{order['id']}").json
    assert seen["status"] == "approved"
    assert seen["override_request"]["status"] == "approved"
    assert seen["override_request"]["comment"] == "Paga a los 35 días"


def test_an_order_taken_offline_asks_for_approval_in_the_same_write(setup):
    seller, client, item, _boss = setup
    answer = seller.post(
        "/api/v1/orders", json=body(client, item, "10", override_reason="Paga siempre")
    )
    assert answer.status_code == 201
    assert answer.json["status"] == "awaiting_approval"
    assert answer.json["override_request"]["reason"] == "Paga siempre"
    # beyond every band: the order is kept blocked and says why no request was made
    far = seller.post("/api/v1/orders", json=body(client, item, "100", override_reason="Urgente"))
    assert far.status_code == 201 and far.json["status"] == "blocked"
    assert far.json["override_request"] is None
    assert "order" in far.json["override_error"]


def test_a_quote_prices_and_decides_without_writing(setup):
    seller, client, item, _boss = setup
    answer = seller.post("/api/v1/orders/quote", json=body(client, item, "10"))
    assert answer.status_code == 200, answer.json
    assert answer.json["total"] == "1210.00" and answer.json["credit"]["allowed"] is False
    assert count(Order) == 0


def test_lists_orders_in_scope_by_status(setup, api):  # noqa: F811
    seller, client, item, _boss = setup
    seller.post("/api/v1/orders", json=body(client, item))
    blocked = seller.post("/api/v1/orders", json=body(client, item, "10")).json
    listed = seller.get(f"/api/v1/orders?client_id={client.id}&status=blocked").json
    assert [o["id"] for o in listed["items"]] == [blocked["id"]] and listed["next"] is None
    assert seller.get("/api/v1/orders?per_page=1").json["next"].endswith("page=2")
    other = api("salesperson")
    assert other.get("/api/v1/orders").json["items"] == []
    assert other.get(f"/api/v1/orders/{blocked['id']}").status_code == 404


def test_cancel_and_tracking(setup, api):  # noqa: F811
    seller, client, item, _boss = setup
    order = seller.post("/api/v1/orders", json=body(client, item)).json
    office = api("backoffice")
    assert (
        seller.post(
            f"/api/v1/orders/{order['id']}/tracking", json={"step": "dispatched"}
        ).status_code
        == 403
    )
    done = office.post(f"/api/v1/orders/{order['id']}/tracking", json={"step": "dispatched"})
    assert done.status_code == 200 and done.json["dispatched_at"]
    twice = office.post(f"/api/v1/orders/{order['id']}/tracking", json={"step": "dispatched"})
    assert twice.status_code == 422
    cancelled = seller.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "error"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert db.session.scalar(sa.select(Order.status).where(Order.id == order["id"])) == "cancelled"
    assert len(audit_rows("order.cancel")) == 1


def statements_of(call) -> int:
    """How many SQL statements a call runs."""
    seen = []

    def count(*_args):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_page_of_orders_reads_each_table_once_not_once_per_order(setup, login_as):
    seller, client, item, _boss = setup
    seller.post("/api/v1/orders", json=body(client, item, "10", override_reason="Paga"))
    seller.post("/api/v1/orders", json=body(client, item))
    few = statements_of(lambda: seller.get("/api/v1/orders"))
    for _ in range(8):
        seller.post("/api/v1/orders", json=body(client, item, "10", override_reason="Paga"))
    assert len(seller.get("/api/v1/orders").json["items"]) == 10
    assert statements_of(lambda: seller.get("/api/v1/orders")) == few
    office = login_as("backoffice")
    page_few = statements_of(lambda: office.get("/orders/"))
    assert "Esperando aprobación" in office.get("/orders/").get_data(as_text=True)
    for _ in range(5):  # each for a client of its own
        other = factories.make_client(
            salesperson_id=seller.user.id, price_list_id=client.price_list_id
        )
        db.session.commit()
        seller.post("/api/v1/orders", json=body(other, item))
    assert statements_of(lambda: office.get("/orders/")) == page_few
