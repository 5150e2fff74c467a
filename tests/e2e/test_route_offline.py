"""The route day with the network really cut: a salesperson with three stops planned for today
syncs, goes offline, opens /route/ and records a "Sin pedido", a "Salteada" and an order; back
online, the server holds each result once.

The salesperson, the clients, their plan, a product and the visit reasons are added to the
live server's database, so the day is exactly these three stops whatever the demo data holds.
"""

import re
import uuid
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.core.types import local_now, local_today
from app.extensions import db
from app.notices.models import Notice
from app.orders.models import Order, Price, PriceList, Product
from app.route import services as route
from app.route.models import Visit, VisitReason
from tests import factories
from tests.e2e.conftest import PASSWORD, phone_context, watched_page
from tests.e2e.test_offline import ITEMS, SETTLED, go_offline, go_online, sign_in_and_sync

pytestmark = pytest.mark.e2e

SCREENSHOT = Path("/tmp/route-offline.png")


@pytest.fixture
def company_phone(browser, proxied_server, live_app, errors):
    """A phone through this test's proxy, set to the company's time zone as the phones in the
    street are (the route's "today" is the phone's)."""
    with live_app.app_context():
        zone = str(local_now().tzinfo)
    context = phone_context(browser, proxied_server.url, errors, timezone_id=zone)
    yield context
    context.close()


@pytest.fixture
def route_seller(live_app) -> dict:
    """A salesperson of their own with three clients planned for today, in route order, and
    the reasons the office keeps. Returns the username, the client ids and the reason ids."""
    tag = uuid.uuid4().hex[:6].upper()
    today = local_today()
    with live_app.app_context():
        seller = factories.make_user(
            "salesperson", password=PASSWORD, username=f"ruta{tag.lower()}"
        )
        prices = PriceList(code=f"E2E-RUTA-{tag}", name="Lista ruta e2e", currency="ARS")
        product = Product(code=f"E2ERUTA{tag}", description="Yerba del Camino 1 kg", unit="un")
        db.session.add_all([prices, product])
        db.session.flush()
        db.session.add(Price(price_list_id=prices.id, product_id=product.id, price=Decimal("2500")))
        names = ["Almacén La Ruta", "Kiosco El Desvío", "Autoservicio Parada Tres"]
        clients = [
            factories.make_client(
                code=f"E2E-RUTA-{tag}-{n}",
                legal_name=f"{name} S.R.L.",
                trade_name=name,
                salesperson_id=seller.id,
                price_list_id=prices.id,
                payment_methods=["cash"],
                default_payment_method="cash",
                visit_weekdays=1 << today.weekday(),
                visit_every_weeks=1,
                route_position=n,
            )
            for n, name in enumerate(names, start=1)
        ]
        clients[0].visit_from, clients[0].visit_to = time(8, 30), time(12)
        overdue = today - timedelta(days=20)
        factories.post_document(clients[1], amount="18500.00", date=overdue, due_date=overdue)
        db.session.add(
            Notice(
                message="Cobrar la factura vencida antes de vender",
                severity="important",
                valid_from=today,
                target_kind="client",
                target_id=clients[1].id,
            )
        )
        # the list the office keeps is this test's alone: other tests' reasons go out of use
        db.session.execute(
            sa.update(VisitReason)
            .where(VisitReason.deleted_at.is_(None))
            .values(deleted_at=local_now())
        )
        reasons = {
            code: VisitReason(code=f"{code}{tag}", name=name, applies_to=use, position=n)
            for n, (code, name, use) in enumerate(
                [
                    ("CER", "Cerrado", "both"),
                    ("STK", "Tenía stock", "no_order"),
                    ("LLU", "Lluvia", "skipped"),
                ]
            )
        }
        db.session.add_all(reasons.values())
        db.session.commit()
        found = {
            "username": seller.username,
            "user_id": seller.id,
            "clients": [client.id for client in clients],
            "names": names,
            "product": product.code,
            "reasons": {code: reason.id for code, reason in reasons.items()},
        }
        db.session.remove()
    return found


def stop(page, client_id: int):
    return page.locator(f"#stop-{client_id}")


def record(page, client_id: int, outcome: str, reason: str | None) -> None:
    """Choose the outcome and the reason in a stop's open "Resultado", and save."""
    box = stop(page, client_id).locator("details.stop-outcome")
    expect(box).to_have_attribute("open", "")
    box.locator(f"label:has(input[name=outcome][value={outcome}])").click()
    if reason is not None:
        box.locator("select[name=reason_id]").select_option(label=reason)
    box.get_by_role("button", name="Guardar resultado").click()


def test_a_route_day_worked_offline_reaches_the_server_once(
    company_phone, proxied_server, live_app, errors, route_seller, artifacts
):
    context, proxy = company_phone, proxied_server
    first, second, third = route_seller["clients"]
    page = watched_page(context, errors)
    sign_in_and_sync(page, route_seller["username"])
    # a salesperson lands on Hoy, the server's page, with the three stops
    assert re.search(r"/route/$", page.url), page.url
    expect(page.locator("ol.stops > li.stop")).to_have_count(3)
    expect(page.locator(".route-counter")).to_have_text("0 de 3")

    go_offline(context, proxy)
    page.goto("/route/")
    view = page.locator("#offline-view")
    expect(view).to_have_attribute("data-route", "route")
    expect(view).to_have_attribute("data-ready", "true")
    expect(page.locator("#shell-banner [data-slot=net]")).to_have_text("Sin conexión")
    expect(view.locator("h1")).to_have_text("Hoy")
    count = view.locator("[data-slot=count]")
    expect(count).to_have_text("0 de 3")
    expect(page.locator("#route-stops > li.stop")).to_have_count(3)
    expect(view.locator("[data-slot=next]")).to_be_hidden()  # the first stop is on top
    ids = page.locator("#route-stops > li.stop").evaluate_all("(items) => items.map((i) => i.id)")
    assert ids == [f"stop-{first}", f"stop-{second}", f"stop-{third}"]
    expect(stop(page, first).locator("[data-slot=state]")).to_have_text("Pendiente")
    # What the second one owes, overdue, and its notice, from the copy.
    expect(stop(page, second).locator("[data-slot=owes]")).to_have_text("Debe $\u00a018.500,00")
    expect(stop(page, second).locator("[data-slot=overdue]")).to_have_text(
        "Vencido $\u00a018.500,00"
    )
    expect(stop(page, first).locator("[data-slot=no-debt]")).to_have_text("Sin deuda")
    expect(stop(page, first).locator("[data-slot=window-box]")).to_have_text("Horario 08:30–12:00")
    expect(stop(page, second).locator("[data-slot=notices]")).to_be_visible()
    expect(stop(page, first).locator("[data-slot=notices]")).to_be_hidden()
    page.screenshot(path=str(artifacts / "route-offline-start.png"))

    # A "Sin pedido" without its reason is refused on the phone, and nothing is kept.
    box = stop(page, first).locator("details.stop-outcome")
    box.locator("summary").click()
    box.locator("label:has(input[name=outcome][value=no_order])").click()
    # the reasons offered fit the outcome (the demo data's are there too)
    options = box.locator("select[name=reason_id] option").all_inner_texts()
    assert {"Cerrado", "Tenía stock"} <= set(options) and "Lluvia" not in options
    box.get_by_role("button", name="Guardar resultado").click()
    expect(box.locator("[data-error=reason_id]")).to_have_text("Elegí el motivo.")
    page.screenshot(path=str(artifacts / "route-offline-form.png"))
    assert page.evaluate(ITEMS) == []
    box.locator("select[name=reason_id]").select_option(label="Tenía stock")
    box.get_by_role("button", name="Guardar resultado").click()
    expect(stop(page, first).locator("[data-slot=state]")).to_have_text("Sin pedido · Tenía stock")
    expect(count).to_have_text("1 de 3")
    expect(view.locator("[data-slot=next-name]")).to_have_text("Kiosco El Desvío")

    stop(page, second).locator("details.stop-outcome summary").click()
    record(page, second, "skipped", "Cerrado")
    expect(stop(page, second).locator("[data-slot=state]")).to_have_text("Salteada · Cerrado")
    expect(count).to_have_text("2 de 3")

    # The third: an order, taken with the offline order form from the stop's button.
    stop(page, third).get_by_role("link", name="Tomar pedido").click()
    expect(view).to_have_attribute("data-route", "order")
    page.locator("#product-q").fill(route_seller["product"])
    page.locator("#product-results [data-add-product]").first.click()
    page.locator("label:has(input[name=payment_method][value=cash])").click()
    page.locator("[data-submit]").click()
    expect(page).to_have_url(re.compile(rf"/clients/{third}(\?saved=order)?$"))
    page.goto("/route/")
    expect(count).to_have_text("3 de 3")
    expect(stop(page, third).locator("[data-slot=state]")).to_have_text("Visitado · Con pedido")
    expect(view.locator("[data-slot=all-done]")).to_be_visible()
    expect(view.locator("[data-slot=next]")).to_be_hidden()
    expect(stop(page, first).locator("[data-slot=unsent]")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT))
    page.screenshot(path=str(artifacts / "route-offline-full.png"), full_page=True)

    items = page.evaluate(ITEMS)
    assert [(i["kind"], i["client_id"], i["state"]) for i in items] == [
        ("visit", first, "pending"),
        ("visit", second, "pending"),
        ("order", third, "pending"),
    ]
    # The pending list names each result (the newest first).
    page.goto("/sync/")
    labels = page.locator("#outbox-list li[data-outbox-item] [data-slot=label]")
    expect(labels).to_have_text(
        [
            re.compile(r"^Pedido · Autoservicio Parada Tres · "),
            "Resultado: Kiosco El Desvío · Salteada",
            "Resultado: Almacén La Ruta · Sin pedido",
        ]
    )

    # Back online: the outbox goes by itself, once.
    go_online(context, proxy)
    assert page.evaluate(SETTLED) == 3
    assert {i["state"] for i in page.evaluate(ITEMS)} == {"done"}
    reasons = route_seller["reasons"]
    with live_app.app_context():
        visits = db.session.execute(
            sa.select(Visit.client_id, Visit.outcome, Visit.reason_id, Visit.day, Visit.planned)
            .where(Visit.client_id.in_(route_seller["clients"]))
            .order_by(Visit.client_id)
        ).all()
        orders = db.session.scalars(
            sa.select(Order.client_id).where(Order.client_id.in_(route_seller["clients"]))
        ).all()
        owner = db.session.get(User, route_seller["user_id"])
        day = route.route_day(owner, local_today())
        states = [(s.client.id, s.state, s.outcome, s.reason) for s in day.stops]
        db.session.remove()
    today = local_today()
    assert [tuple(v) for v in visits] == [
        (first, "no_order", reasons["STK"], today, True),
        (second, "skipped", reasons["CER"], today, True),
    ]
    assert orders == [third]  # the order is the third stop's result: no visit row of its own
    assert states == [
        (first, "visited", "no_order", "Tenía stock"),
        (second, "skipped", "skipped", "Cerrado"),
        (third, "visited", "order", None),
    ]
    errors.assert_none(ignore=(r"net::ERR_", r"status of 50\d"))
