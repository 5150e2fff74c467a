"""The order flow on a 360 px phone: notices, product search, steppers, the credit block,
"Pedir autorización", and a cash order that goes through; "Repetir último pedido", the usual
products, one line per product, and the location asked only at "Confirmar pedido".

The clients, their catalogue, orders and credit policies are added to the live server's
database through its app context, so the tests do not depend on what the demo data holds.
"""

import re
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.clients.models import Address
from app.core.types import local_today
from app.credit.models import CreditPolicy, OverrideRequest
from app.extensions import db
from app.notices.models import Notice
from app.orders import services as orders
from app.orders.models import Order, Price, PriceList, Product
from tests import factories
from tests.e2e.conftest import VIEWPORT

# git-ignored, like the other e2e artifacts; docs/screenshots holds the chosen ones
SCREENSHOTS = Path(__file__).resolve().parent / "artifacts"
NOTICE = "Cheque rechazado: cobrar antes de vender"
REASON = "Paga siempre a los 35 días"
ORDER_PAGE = re.compile(r"/orders/\d+$")


def blocking_client(live_app) -> int:
    """Vendedor1's client with a notice and a $ 5.000 limit; two products at its list prices."""
    with live_app.app_context():
        seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
        prices = PriceList(code="E2E-ORD", name="Lista pedidos e2e", currency="ARS")
        policy = CreditPolicy(code="E2E-ORD", name="Límite e2e", money_limit=Decimal("5000"))
        yerba = Product(code="E2E-ORD-1", description="Yerba Los Andes 1 kg", unit="un")
        cookies = Product(code="E2E-ORD-2", description="Alfajor Los Andes triple", unit="un")
        db.session.add_all([prices, policy, yerba, cookies])
        db.session.flush()
        db.session.add_all(
            [
                Price(price_list_id=prices.id, product_id=yerba.id, price=Decimal("2000")),
                Price(price_list_id=prices.id, product_id=cookies.id, price=Decimal("800")),
            ]
        )
        client = factories.make_client(
            code="E2E-ORD",
            legal_name="Almacén Los Andes S.R.L.",
            trade_name="Almacén Los Andes",
            salesperson_id=seller.id,
            price_list_id=prices.id,
            credit_policy_id=policy.id,
            payment_methods=["cash", "transfer", "current_account"],
            default_payment_method="current_account",
        )
        db.session.add_all(
            [
                Address(
                    client_id=client.id,
                    kind="shipping",
                    label="Depósito",
                    street="Av. San Martín 1234",
                    city="Mendoza",
                    delivery_hours="Lunes a viernes de 8 a 12",
                    delivery_instructions="Descargar por el portón lateral",
                ),
                Notice(
                    message=NOTICE,
                    severity="important",
                    valid_from=local_today(),
                    target_kind="client",
                    target_id=client.id,
                ),
            ]
        )
        db.session.commit()
        return client.id


def add_product(page, words: str, name: str) -> None:
    """Search a product as a thumb types it and tap its "Agregar"."""
    search = page.locator("#product-q")
    search.fill("")
    search.press_sequentially(words, delay=30)
    hit = page.locator(".product-hit", has_text=name)
    expect(hit).to_be_visible()
    hit.get_by_role("button", name=f"Agregar {name}").tap()
    expect(page.locator("#lines [data-line]", has_text=name)).to_be_visible()


def test_an_order_over_the_limit_asks_for_authorisation_and_a_cash_one_passes(
    live_app, context, page, sign_in, errors
):
    client_id = blocking_client(live_app)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": -32.889458, "longitude": -68.845839, "accuracy": 30})
    sign_in("vendedor1")

    # From the client's card, "Tomar pedido"; the notice is at the top of the form.
    page.goto(f"/clients/{client_id}")
    page.get_by_role("link", name="Tomar pedido").tap()
    page.wait_for_url(f"**/orders/new?client_id={client_id}")
    expect(page.locator(".notices")).to_contain_text(NOTICE)
    delivery = page.locator(".order-delivery")
    expect(delivery).to_contain_text("Lunes a viernes de 8 a 12")
    expect(delivery).to_contain_text("Descargar por el portón lateral")
    expect(page.locator("[data-location-status]")).to_be_hidden()  # asked at "Confirmar"

    # Two lines; the first goes to 3 with the + stepper (and back and forth once).
    add_product(page, "yerba los andes", "Yerba Los Andes 1 kg")
    yerba = page.locator("#lines [data-line]", has_text="Yerba Los Andes 1 kg")
    plus = yerba.get_by_role("button", name="Sumar uno")
    box = plus.bounding_box()
    assert box and box["height"] >= 48 and box["width"] >= 48, "the stepper is too small"
    plus.tap()
    plus.tap()
    plus.tap()
    yerba.get_by_role("button", name="Restar uno").tap()
    expect(yerba.locator("input[name=quantity]")).to_have_value("3")
    add_product(page, "alfajor los andes", "Alfajor Los Andes triple")

    # The summary prices the lines and shows the credit block before submitting.
    summary = page.locator("#order-summary")
    expect(summary).to_contain_text("3 × Yerba Los Andes 1 kg")
    expect(summary).to_contain_text("1 × Alfajor Los Andes triple")
    expect(summary).to_contain_text("$ 6.800,00")  # subtotal, before IVA
    verdict = summary.locator(".credit-verdict")
    expect(verdict).to_contain_text("Fuera del límite de crédito")
    expect(verdict).to_contain_text("Supera el límite en")
    expect(page.locator("#order-bar")).to_contain_text("Fuera del límite")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"the form scrolls sideways ({width} px)"
    page.locator(".order-lines").evaluate(
        "(lines) => window.scrollBy(0, lines.getBoundingClientRect().top - 64)"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "order.png"))

    # Submitted, it is kept blocked; "Pedir autorización" sends it to the supervisors.
    page.get_by_role("button", name="Confirmar pedido").tap()
    page.wait_for_url(ORDER_PAGE)
    expect(page.locator("#order-status")).to_have_text("Bloqueado")
    expect(page.locator(".order-credit")).to_contain_text("Supera el límite en")
    expect(page.locator(".notices")).to_contain_text(NOTICE)
    page.screenshot(path=str(SCREENSHOTS / "order-blocked.png"))
    page.locator("#override textarea[name=reason]").fill(REASON)
    page.get_by_role("button", name="Pedir autorización").tap()
    page.wait_for_load_state()
    expect(page.locator("#override")).to_contain_text("Esperando aprobación")
    expect(page.locator("#order-status")).to_have_text("Esperando aprobación")
    blocked_url = page.url

    # A second order, in cash and without sharing the location, goes through.
    context.clear_permissions()
    page.get_by_role("link", name="Otro pedido").tap()
    page.wait_for_url(f"**/orders/new?client_id={client_id}")
    add_product(page, "alfajor los andes", "Alfajor Los Andes triple")
    page.locator("label.choice", has_text="Efectivo").tap()
    expect(page.locator("#order-summary .credit-verdict")).to_contain_text("Dentro del límite")
    expect(page.locator("#order-bar")).to_contain_text("Dentro del límite")
    page.get_by_role("button", name="Confirmar pedido").tap()
    page.wait_for_url(ORDER_PAGE)
    expect(page.locator("#order-status")).to_have_text("Aceptado")

    # The first one is cancelled from its page: its request goes with it (no inbox is left
    # with this test's request).
    page.goto(blocked_url)
    page.locator(".cancel-order summary").tap()
    page.get_by_role("button", name="Sí, cancelar el pedido").tap()
    page.wait_for_load_state()
    expect(page.locator("#order-status")).to_have_text("Cancelado")
    errors.assert_none()

    with live_app.app_context():
        blocked, cash = db.session.scalars(
            sa.select(Order).where(Order.client_id == client_id).order_by(Order.id)
        ).all()
        assert blocked.status == "cancelled" and blocked.payment_method == "current_account"
        assert [line.quantity for line in blocked.lines] == [Decimal("3"), Decimal("1")]
        assert blocked.latitude == Decimal("-32.889458") and blocked.location_accuracy == 30
        assert cash.status == "accepted" and cash.payment_method == "cash"
        assert cash.latitude is None
        request = db.session.scalar(
            sa.select(OverrideRequest).where(OverrideRequest.order_id == blocked.id)
        )
        assert request.reason == REASON and request.status == "cancelled"


# --- one thumb: repeat the last order, usual products, one line per product -------------------

PHONE = {"width": 360, "height": 740}
ASKED = "location asked"
# Counts each ask for the phone's position (window.noteAsked), then answers it as `answer` does.
FAKE_GEOLOCATION = """
navigator.geolocation.getCurrentPosition = (ok, fail) => {
  window.noteAsked();
  setTimeout(() => %s, 50);
};
"""
SHARES = "ok({ coords: { latitude: -31.4135, longitude: -64.18105, accuracy: 20 } })"
REFUSES = "fail({ code: 1, PERMISSION_DENIED: 1, message: 'User denied Geolocation' })"


class Thumb:
    """Taps on the page, counted: what the salesperson's thumb does."""

    def __init__(self):
        self.taps = 0

    def tap(self, locator) -> None:
        locator.tap()
        self.taps += 1


def regular_client(live_app, tag: str) -> tuple[int, dict[str, int]]:
    """Vendedor1's client with a cash order of yerba x 6 and galletitas x 12 (its last one), an
    older one of yerba x 4, and a later one of aceite that was cancelled."""
    with live_app.app_context():
        seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
        prices = PriceList(code=f"E2E-REP-{tag}", name=f"Lista repetir {tag}", currency="ARS")
        db.session.add(prices)
        db.session.flush()
        products = {}
        for key, description, price in (
            ("yerba", f"Yerba Pampa {tag} 1 kg", "2000"),
            ("galletitas", f"Galletitas Pampa {tag}", "500"),
            ("aceite", f"Aceite Pampa {tag} 1,5 l", "3000"),
        ):
            product = Product(code=f"E2E-REP-{tag}-{key}", description=description, unit="un")
            db.session.add(product)
            db.session.flush()
            db.session.add(
                Price(price_list_id=prices.id, product_id=product.id, price=Decimal(price))
            )
            products[key] = product.id
        client = factories.make_client(
            code=f"E2E-REP-{tag}",
            legal_name=f"Despensa Pampa {tag} S.A.",
            trade_name=f"Despensa Pampa {tag}",
            salesperson_id=seller.id,
            price_list_id=prices.id,
            payment_methods=["cash", "transfer"],
            default_payment_method="cash",
        )
        db.session.add(
            Address(client_id=client.id, kind="shipping", street="Bv. Ocampo 200", city="Córdoba")
        )
        db.session.flush()

        def order(*lines):
            data = {
                "payment_method": "cash",
                "lines": [{"product_id": products[k], "quantity": q} for k, q in lines],
            }
            return orders.place_order(client, data, seller)

        order(("yerba", "4"))
        order(("yerba", "6"), ("galletitas", "12"))
        orders.cancel_order(order(("aceite", "2")), seller, "Se equivocó de cliente")
        db.session.commit()
        return client.id, products


def client_orders(live_app, client_id: int) -> list[Order]:
    """The client's orders, oldest first, with their lines read."""
    with live_app.app_context():
        found = db.session.scalars(
            sa.select(Order).where(Order.client_id == client_id).order_by(Order.id)
        ).all()
        for order in found:
            _ = [(line.product_id, line.quantity) for line in order.lines]
        db.session.expunge_all()
        return list(found)


def phone_page(page, answer: str) -> list[str]:
    """The page at 360 x 740 with a phone whose position is asked through a counter."""
    asked: list[str] = []
    page.set_viewport_size(PHONE)
    page.expose_function("noteAsked", lambda: asked.append(ASKED))
    page.add_init_script(FAKE_GEOLOCATION % answer)
    return asked


def test_repeating_the_last_order_takes_a_two_product_order_in_three_taps(
    live_app, page, sign_in, errors
):
    client_id, products = regular_client(live_app, "A")
    before = client_orders(live_app, client_id)
    asked = phone_page(page, SHARES)
    sign_in("vendedor1")
    page.goto(f"/clients/{client_id}")
    thumb = Thumb()

    thumb.tap(page.get_by_role("link", name="Tomar pedido"))
    page.wait_for_url(f"**/orders/new?client_id={client_id}")
    repeat = page.get_by_role("button", name=re.compile("Repetir último pedido"))
    expect(repeat).to_contain_text("2 productos")
    assert asked == [], "the location was asked as the order page opened"

    thumb.tap(repeat)
    lines = page.locator("#lines [data-line]")
    expect(lines).to_have_count(2)
    for line, quantity in ((lines.first, "6"), (lines.last, "12")):
        expect(line.locator("input[name=quantity]")).to_have_value(quantity)
    bar = page.locator("#order-bar")
    expect(bar).to_contain_text("Total de 2 productos")
    expect(bar).to_contain_text("$ 21.780,00")  # (6 x 2.000 + 12 x 500) + 21 % IVA
    expect(bar).to_contain_text("Dentro del límite")
    assert asked == []

    thumb.tap(page.get_by_role("button", name="Confirmar pedido"))
    page.wait_for_url(ORDER_PAGE)
    expect(page.locator("#order-status")).to_have_text("Aceptado")
    assert thumb.taps <= 5, f"{thumb.taps} taps for a two-product order"
    assert asked == [ASKED], "the location is asked once, at Confirmar"
    errors.assert_none()

    after = client_orders(live_app, client_id)
    assert len(after) == len(before) + 1, "the order was not stored exactly once"
    taken = after[-1]
    assert taken.status == "accepted" and taken.total == Decimal("21780.00")
    assert [(line.product_id, line.quantity) for line in taken.lines] == [
        (products["yerba"], Decimal("6")),
        (products["galletitas"], Decimal("12")),
    ]
    assert taken.latitude == Decimal("-31.413500") and taken.location_accuracy == 20


def line_in_sight(page, line) -> None:
    """Wait until the line is on screen, below the top bar and above the order's bar."""
    page.wait_for_function(
        """(line) => {
             const box = line.getBoundingClientRect();
             const bar = document.querySelector(".order-submit").getBoundingClientRect();
             const top = document.querySelector(".topbar").getBoundingClientRect().bottom;
             return box.top >= top && box.bottom <= bar.top;
           }""",
        arg=line.element_handle(),
    )


def test_the_same_product_twice_is_one_line_and_a_refused_location_is_not_asked_again(
    live_app, page, sign_in, errors
):
    client_id, products = regular_client(live_app, "B")
    asked = phone_page(page, REFUSES)
    sign_in("vendedor1")
    page.goto(f"/orders/new?client_id={client_id}")
    search, results = page.locator("#product-q"), page.locator("#product-results")

    # Yerba x 2 from its search result: the search is emptied and the line shown.
    search.press_sequentially("yerba pampa b", delay=30)
    hit = results.locator(".product-hit", has_text="Yerba Pampa B 1 kg")
    plus = hit.get_by_role("button", name="Sumar uno")
    box = plus.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, "the result's stepper is too small"
    plus.tap()
    expect(hit.locator(".qty")).to_have_value("2")
    hit.get_by_role("button", name="Agregar Yerba Pampa B 1 kg").tap()
    yerba = page.locator("#lines [data-line]", has_text="Yerba Pampa B 1 kg")
    expect(yerba.locator("input[name=quantity]")).to_have_value("2")
    expect(search).to_have_value("")
    expect(results).to_be_empty()
    line_in_sight(page, yerba)

    # Again, one more: the same line, 3.
    search.press_sequentially("yerba pampa b", delay=30)
    results.get_by_role("button", name="Agregar Yerba Pampa B 1 kg").tap()
    expect(yerba.locator("input[name=quantity]")).to_have_value("3")
    expect(page.locator("#lines [data-line]")).to_have_count(1)

    # A usual product in one tap, at its last quantity; the cancelled order's aceite is none.
    usual = page.locator(".usual-chips")
    expect(usual.locator("button")).to_have_count(2)
    expect(usual).not_to_contain_text("Aceite")
    usual.get_by_role("button", name=re.compile(r"^Agregar Galletitas Pampa B .*× 12$")).tap()
    cookies = page.locator("#lines [data-line]", has_text="Galletitas Pampa B")
    expect(cookies.locator("input[name=quantity]")).to_have_value("12")
    line_in_sight(page, cookies)
    expect(page.locator("#order-bar")).to_contain_text("Total de 2 productos")
    expect(page.locator("#order-summary")).to_contain_text("3 × Yerba Pampa B 1 kg")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form scrolls sideways ({width} px)"
    page.screenshot(path="/tmp/order.png")

    # Refused at Confirmar: the order goes without it, and the phone remembers.
    assert asked == []
    page.get_by_role("button", name="Confirmar pedido").tap()
    page.wait_for_url(ORDER_PAGE)
    assert asked == [ASKED]
    assert page.evaluate("localStorage.getItem('location-refused')") == "1"
    page.get_by_role("link", name="Otro pedido").tap()
    page.wait_for_url(f"**/orders/new?client_id={client_id}")
    page.get_by_role("button", name=re.compile("Repetir último pedido")).tap()
    expect(page.locator("#lines [data-line]")).to_have_count(2)
    page.get_by_role("button", name="Confirmar pedido").tap()
    page.wait_for_url(ORDER_PAGE)
    assert asked == [ASKED], "asked again after a refusal"
    errors.assert_none()

    *_, first, second = client_orders(live_app, client_id)
    assert [(line.product_id, line.quantity) for line in first.lines] == [
        (products["yerba"], Decimal("3")),
        (products["galletitas"], Decimal("12")),
    ]
    assert first.latitude is None
    assert [(line.product_id, line.quantity) for line in second.lines] == [
        (products["yerba"], Decimal("3")),
        (products["galletitas"], Decimal("12")),
    ]
