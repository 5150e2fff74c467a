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
from app.credit.models import CreditPolicy, OverrideRequest
from app.extensions import db
from app.orders import services as orders
from app.orders.models import Price, PriceList, Product
from tests import factories
from tests.e2e.conftest import (
    VIEWPORT,
    axe_violations,
    fill_login_form,
    phone_context,
    violations_text,
    watched_page,
)

REASON = "Cliente de años, paga siempre"
PHONE_360 = {"width": 360, "height": 740}
COMMENT = "paga siempre a los 35 días"


def blocked_order(
    live_app, code: str = "E2E-APR", units: int = 115, name: str = "Almacén Don José"
) -> tuple[int, str]:
    """Vendedor1's order of `units` x $ 1.000 for a new client with a $ 100.000 limit; the
    default, $ 115.000, is $ 15.000 over.

    The demo supervisor's band covers up to $ 200.000 and 20 % over the limit (115 units);
    beyond that (400 units: $ 300.000 over) only the admins' does. Returns the order's id
    and the client's name.
    """
    with live_app.app_context():
        seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
        prices = PriceList(code=code, name=f"Lista {code}", currency="ARS")
        policy = CreditPolicy(code=code, name=f"Límite {code}", money_limit=Decimal("100000"))
        item = Product(
            code=f"{code}-1", description="Caja galletitas surtidas", tax_rate=Decimal("0")
        )
        db.session.add_all([prices, policy, item])
        db.session.flush()
        db.session.add(Price(price_list_id=prices.id, product_id=item.id, price=Decimal("1000")))
        client = factories.make_client(
            code=code,
            legal_name=f"{name} S.R.L.",
            trade_name=name,
            salesperson_id=seller.id,
            price_list_id=prices.id,
            credit_policy_id=policy.id,
            payment_methods=["cash", "current_account"],
        )
        data = {
            "payment_method": "current_account",
            "lines": [{"product_id": item.id, "quantity": str(units)}],
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


def asked(live_app, order_id: int, reason: str) -> int:
    """Vendedor1 asks for the order's authorisation (as the order page does); the request's id."""
    with live_app.test_request_context():
        seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
        request = overrides.request_override(db.session.get(orders.Order, order_id), reason, seller)
        db.session.commit()
        return request.id


def decidable_by(live_app, username: str) -> int:
    """How many requests the user can decide now, as the server counts them."""
    with live_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        return overrides.decidable_count(user)


def test_the_supervisor_is_asked_only_what_her_band_decides(
    live_app, browser, live_server, errors, artifacts
):
    far_id, far_name = blocked_order(live_app, "E2E-FAR", 400, "Autoservicio Lejano")
    near_id, near_name = blocked_order(live_app, "E2E-NEAR", 115, "Kiosco Cercano")
    far = asked(live_app, far_id, "Pedido de fin de mes")  # $ 300.000 over: the admins'
    near = asked(live_app, near_id, REASON)  # $ 15.000 over: hers, though asked later
    expected = decidable_by(live_app, "supervisor")
    assert expected >= 1

    context = phone_context(
        browser,
        live_server,
        errors,
        viewport=PHONE_360,
        screen=PHONE_360,
        bypass_csp=True,  # lets axe-core's script in
    )
    boss = watched_page(context, errors)
    try:
        fill_login_form(boss, "supervisor", "demo1234")
        boss.wait_for_url(lambda url: "/login" not in url)

        # The badge counts what she can decide, wherever she is, and the page says the same.
        badge = boss.locator("#approvals-badge")
        expect(badge).to_have_attribute("data-count", str(expected))
        boss.locator("nav.bottomnav a", has_text="Aprobaciones").tap()
        boss.wait_for_url("**/credit/approvals")
        expect(boss.locator("#approvals-head h1")).to_have_text(f"Aprobaciones {expected}")

        # Hers is a card whose buttons come first; the other waits folded, naming the admin.
        card = boss.locator(f"#request-{near}")
        expect(card).to_contain_text(near_name)
        expect(card).to_contain_text("Supera el límite en $ 15.000 (límite $ 100.000)")
        expect(card).to_contain_text(REASON)
        approve = card.get_by_role("button", name="Aprobar")
        failure = card.locator(".approval-failures")
        assert approve.bounding_box()["y"] < failure.bounding_box()["y"]
        folded = boss.locator("details.approvals-others")
        expect(folded.locator(f"#request-{far}")).to_be_hidden()
        folded.locator("summary").tap()
        row = folded.locator(f"#request-{far}")
        expect(row).to_be_visible()
        expect(row).to_contain_text(far_name)
        expect(row).to_contain_text("Lo decide Administración General.")
        expect(row.get_by_role("button")).to_have_count(0)
        assert row.evaluate("(el) => getComputedStyle(el).opacity") == "1"

        # Readable: nothing serious or critical for axe-core, nothing sticking out sideways.
        found = axe_violations(boss)
        assert not found, "axe-core on the approvals page:\n" + violations_text(found)
        width = boss.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_360["width"], f"the inbox scrolls sideways ({width} px)"
        boss.evaluate("window.scrollTo(0, 0)")  # the sticky bar at the top of the picture
        boss.screenshot(path=str(artifacts / "approvals-decidable.png"), full_page=True)

        # One tap on the top button approves it; the badge and the heading count one less.
        box = approve.bounding_box()
        assert box and box["height"] >= 48, "the button is too small for a thumb"
        approve.tap()
        expect(boss.locator(f"#request-{near}")).to_contain_text("Aprobado ✓")
        expect(badge).to_have_attribute("data-count", str(expected - 1))
        expect(boss.locator("#approvals-head h1")).to_have_text(f"Aprobaciones {expected - 1}")

        # Reloaded, it is among the answered ones, which read as well as the rest.
        boss.reload()
        expect(boss.locator(".approvals-answered")).to_contain_text(near_name)
        found = axe_violations(boss)
        assert not found, "axe-core on the approvals page:\n" + violations_text(found)
        errors.assert_none(ignore=(r"/push/", r"Notification"))
    finally:
        context.close()

    with live_app.app_context():
        assert db.session.get(orders.Order, near_id).status == "approved"
        assert db.session.get(orders.Order, far_id).status == "awaiting_approval"


PUSHED_NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  for (let tries = 0; tries < 50; tries++) {
    const shown = await registration.getNotifications();
    if (shown.length) {
      return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data,
                                 actions: n.actions.map((a) => [a.action, a.title]) }));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [];
}"""
TAP = """async ([action, data]) => {
  const { tapPlan, sendDecision } = await import(
    document.documentElement.dataset.static + "js/notifications.js");
  return sendDecision(tapPlan(action, data));
}"""


def test_aprobar_on_the_push_answers_the_request(live_app, browser, live_server, errors):
    order_id, name = blocked_order(live_app, "E2E-PUSH", 110, "Despensa del Push")
    request_id = asked(live_app, order_id, REASON)
    with live_app.test_request_context():
        boss = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
        request = db.session.get(OverrideRequest, request_id)
        payload = overrides.request_message(request, request.failures, boss).payload()

    context = phone_context(browser, live_server, errors, permissions=["notifications"])
    page = watched_page(context, errors)
    try:
        fill_login_form(page, "supervisor", "demo1234")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto("/credit/approvals")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")

        # The push service's delivery, as Chromium's DevTools protocol hands it to the worker.
        cdp = context.new_cdp_session(page)
        registrations = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        page.wait_for_timeout(200)
        (registration,) = [r for r in registrations if not r.get("isDeleted")]
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": live_server,
                "registrationId": registration["registrationId"],
                "data": payload,
            },
        )
        (shown,) = page.evaluate(PUSHED_NOTIFICATIONS)
        assert shown["title"] == "Pedido para aprobar"
        assert shown["body"].startswith(f"{name}: pedido de $ 110.000")
        assert shown["actions"] == [["approve", "Aprobar"], ["reject", "Rechazar"]]

        # Its "Aprobar": what the worker's notificationclick runs, in this signed-in browser.
        answer = page.evaluate(TAP, ["approve", shown["data"]])
        assert answer["notify"]["title"] == "Pedido aprobado", answer
        again = page.evaluate(TAP, ["approve", shown["data"]])
        assert again == answer  # the same key: the server replays its first answer
        errors.assert_none(ignore=(r"/push/", r"Notification"))
    finally:
        context.close()

    with live_app.app_context():
        assert db.session.get(orders.Order, order_id).status == "approved"
        assert db.session.get(OverrideRequest, request_id).decided_by.username == "supervisor"
