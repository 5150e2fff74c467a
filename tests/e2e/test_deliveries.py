"""Deliveries at 360 px: the salesperson opens the day's dispatch list, opens an order, types the
receiver's document, sees the authorised-pickup check's answer, and confirms the delivery."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.clients.models import AuthorizedPickup, Client
from app.extensions import db
from app.orders.models import Order

pytestmark = pytest.mark.e2e


def pending_with_pickup(live_app) -> dict:
    """A dispatched, undelivered order of vendedor1 with no attempt yet, whose client names
    someone to receive its goods (the demo leaves one for each salesperson)."""
    from app.auth.models import User

    with live_app.app_context():
        seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
        orders = db.session.scalars(
            sa.select(Order)
            .where(
                Order.user_id == seller.id,
                Order.dispatched_at.is_not(None),
                Order.delivered_at.is_(None),
                ~Order.deliveries.any(),
            )
            .order_by(Order.id)
        ).all()
        for order in orders:
            pickup = db.session.scalar(
                sa.select(AuthorizedPickup).where(
                    AuthorizedPickup.client_id == order.client_id,
                    AuthorizedPickup.deleted_at.is_(None),
                    AuthorizedPickup.valid_to.is_(None),
                )
            )
            if pickup is not None:
                client = db.session.get(Client, order.client_id)
                return {
                    "order_id": order.id,
                    "client": client.display_name,
                    "name": pickup.name,
                    "document": pickup.document,
                }
    pytest.fail("the demo has no dispatched order of vendedor1 with an authorised pickup")


def test_a_delivery_confirmed_on_the_phone_after_the_pickup_check(
    live_app, page, sign_in, errors, artifacts
):
    wanted = pending_with_pickup(live_app)
    sign_in("vendedor1")
    page.goto("/orders/deliveries")
    link = page.locator(f"a[href='/orders/{wanted['order_id']}/delivery']")
    expect(link).to_contain_text(wanted["client"])
    page.screenshot(path=str(artifacts / "deliveries.png"))
    link.click()
    page.wait_for_url(f"**/orders/{wanted['order_id']}/delivery")
    expect(page.locator(".authorized-list")).to_contain_text(wanted["name"])

    page.locator("#received_by_name").fill("Alguien Más")
    page.locator("#received_by_document").fill("11.111.111")
    verdict = page.locator("#pickup-check .pickup-verdict")
    expect(verdict).to_contain_text("No está autorizado a retirar")
    # refused by the server too: the page says why and nothing is delivered
    page.get_by_role("button", name="Confirmar entrega").click()
    expect(page.locator(".field-error")).to_contain_text("no está autorizado a retirar")

    page.locator("#received_by_name").fill(wanted["name"])
    page.locator("#received_by_document").fill(wanted["document"])
    expect(verdict).to_contain_text("Autorizado a retirar")
    expect(verdict).to_contain_text(wanted["name"])
    expect(page.locator(".field-error")).to_have_count(0)  # the refusal gave way to the check
    page.evaluate("document.querySelector('#confirm').scrollIntoView()")
    page.screenshot(path=str(artifacts / "delivery-check.png"))
    page.get_by_role("button", name="Confirmar entrega").click()

    page.wait_for_url("**/orders/deliveries**")
    expect(page.locator(".flash")).to_contain_text(f"Entrega registrada: recibió {wanted['name']}.")
    expect(page.locator(f"a[href='/orders/{wanted['order_id']}/delivery']")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    with live_app.app_context():
        order = db.session.get(Order, wanted["order_id"])
        (attempt,) = order.deliveries
        assert order.delivered_at is not None
        assert (attempt.received_by_name, attempt.authorized) == (wanted["name"], True)
    page.goto(f"/orders/{wanted['order_id']}")
    expect(page.locator("#order-receiver")).to_contain_text(f"Recibió {wanted['name']}")
    errors.assert_none(ignore=(r"status of 422 .*/delivery\)",))  # the refusal above
