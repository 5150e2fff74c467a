"""Two phones at 360 px: a salesperson's blocked order goes to the supervisor, who approves it.

The blocked order is placed in the live server's database through its app context, so this
test does not depend on the order form; the rest is what the two people tap.
"""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.credit import overrides
from app.credit.models import CreditPolicy
from app.extensions import db
from app.orders import services as orders
from app.orders.models import Price, PriceList, Product
from tests import factories
from tests.e2e.conftest import VIEWPORT, fill_login_form, phone_context, watched_page

REASON = "Cliente de años, paga siempre"
COMMENT = "paga siempre a los 35 días"


def blocked_order(live_app) -> tuple[int, str]:
    """Vendedor1's order of $ 115.000 for a client with a $ 100.000 limit: $ 15.000 over.

    The demo supervisor's band covers it (up to $ 200.000 and 20 % over). Returns the
    order's id and the client's name.
    """
    with live_app.app_context():
        seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
        prices = PriceList(code="E2E-APR", name="Lista aprobaciones", currency="ARS")
        policy = CreditPolicy(code="E2E-APR", name="Límite e2e", money_limit=Decimal("100000"))
        item = Product(
            code="E2E-APR-1", description="Caja galletitas surtidas", tax_rate=Decimal("0")
        )
        db.session.add_all([prices, policy, item])
        db.session.flush()
        db.session.add(Price(price_list_id=prices.id, product_id=item.id, price=Decimal("1000")))
        client = factories.make_client(
            code="E2E-APR",
            legal_name="Almacén Don José S.R.L.",
            trade_name="Almacén Don José",
            salesperson_id=seller.id,
            price_list_id=prices.id,
            credit_policy_id=policy.id,
            payment_methods=["cash", "current_account"],
        )
        data = {
            "payment_method": "current_account",
            "lines": [{"product_id": item.id, "quantity": "115"}],
        }
        order = orders.place_order(client, data, seller)
        assert order.status == "blocked", order.credit
        db.session.commit()
        return order.id, client.trade_name


def waiting_request_id(live_app, order_id: int) -> int:
    """The id of the request made for the order."""
    with live_app.app_context():
        order = db.session.get(orders.Order, order_id)
        request = overrides.latest_request(order)
        assert request is not None, "the order was not sent for approval"
        return request.id


@pytest.fixture
def phone(browser, live_server, errors):
    """Factory: a fresh phone-sized browser profile signed in as a demo user; its tab."""
    contexts = []

    def sign_in(username: str):
        context = phone_context(browser, live_server, errors)
        contexts.append(context)
        page = watched_page(context, errors)
        fill_login_form(page, username, "demo1234")
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_a_blocked_order_is_approved_from_the_supervisors_phone(live_app, phone, errors, artifacts):
    order_id, client_name = blocked_order(live_app)
    seller = phone("vendedor1")
    boss = phone("supervisor")

    # The salesperson opens the blocked order and asks for an authorisation.
    seller.goto(f"/orders/{order_id}")
    ask = seller.get_by_role("button", name="Pedir autorización")
    expect(ask).to_be_visible()
    seller.locator("#override textarea[name=reason]").fill(REASON)
    ask.tap()
    seller.wait_for_load_state()
    expect(seller.locator("#override")).to_contain_text("Esperando aprobación")
    request_id = waiting_request_id(live_app, order_id)

    # The supervisor sees it in "Aprobaciones", with the figures, and approves in one tap.
    boss.goto("/credit/approvals")
    badge = boss.locator("#approvals-badge")
    expect(badge).to_be_visible()
    waiting = int(badge.get_attribute("data-count"))
    card = boss.locator(f"#request-{request_id}")
    expect(card).to_contain_text(client_name)
    expect(card).to_contain_text("$ 115.000,00")
    expect(card).to_contain_text(REASON)
    expect(card).to_contain_text("Supera el límite en $ 15.000 (límite $ 100.000)")
    expect(card).to_contain_text("Comportamiento de pago")
    width = boss.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"the inbox scrolls sideways ({width} px)"
    boss.screenshot(path=str(artifacts / "approvals-inbox.png"), full_page=True)
    card.locator("input[name=comment]").fill(COMMENT)
    approve = card.get_by_role("button", name="Aprobar")
    box = approve.bounding_box()
    assert box and box["height"] >= 48, "the button is too small for a thumb"
    approve.tap()
    expect(boss.locator(f"#request-{request_id}")).to_contain_text("Aprobado ✓")
    expect(badge).to_have_attribute("data-count", str(waiting - 1))

    # Back on the salesperson's phone, the order says it was approved, and why.
    seller.reload()
    expect(seller.locator("#order-status")).to_contain_text("Aprobado")
    answer = seller.locator("#override")
    expect(answer).to_contain_text("Autorización aprobada")
    expect(answer).to_contain_text(COMMENT)
    expect(seller.get_by_role("button", name="Pedir autorización")).to_have_count(0)
    errors.assert_none(ignore=(r"/push/", r"Notification"))

    with live_app.app_context():
        order = db.session.get(orders.Order, order_id)
        assert order.status == "approved"
