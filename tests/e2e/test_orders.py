"""The order flow on a 360 px phone: notices, product search, steppers, the credit block,
"Pedir autorización", and a cash order that goes through.

The client, its catalogue and its tight credit policy are added to the live server's database
through its app context, so the test does not depend on which demo client happens to block.
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
    expect(page.locator("[data-location-status]")).to_have_text("Ubicación registrada")

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
    expect(page.locator("[data-location-status]")).to_have_text("Ubicación no compartida")
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
