"""The order flow on the phone: picker, form, live summary, taking, following and permissions."""

import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.clients.models import Address
from app.core.types import utcnow
from app.credit import overrides
from app.credit.models import CreditBand, CreditPolicy, OverrideRequest
from app.extensions import db
from app.orders.models import Order, OrderStatus, Price
from tests import factories
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}
_policies = itertools.count(1)


def make_policy(**limits) -> CreditPolicy:
    """A credit policy with the given limits."""
    policy = CreditPolicy(code=f"POL{next(_policies)}", name="Prueba", **limits)
    db.session.add(policy)
    db.session.flush()
    return policy


@pytest.fixture
def shop(login_as):
    """A salesperson signed in, with a client buying at a list of two priced products."""
    seller = login_as("salesperson")
    price_list = factories.make_price_list()
    seller.customer = factories.make_client(
        salesperson_id=seller.user.id, price_list_id=price_list.id, trade_name="Almacén Don José"
    )
    seller.yerba = factories.make_product(
        price_list, "100.00", code="YER1", description="Yerba mate 1 kg"
    )
    seller.azucar = factories.make_product(
        price_list, "250.00", code="AZU1", description="Azúcar 1 kg"
    )
    seller.price_list = price_list
    db.session.commit()
    return seller


def form_page(browser, client_id: int) -> str:
    """The order form's HTML for a client."""
    response = browser.get(f"/orders/new?client_id={client_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_order(browser, client_id: int, lines, key: str | None = None, **fields):
    """Submit the order form with lines [(product_id, quantity)]."""
    html = form_page(browser, client_id)
    data = {
        "csrf_token": csrf_from(html),
        "idempotency_key": key or re.search(r'name="idempotency_key" value="([^"]+)"', html)[1],
        "client_id": str(client_id),
        "product_id": [str(p) for p, _ in lines],
        "quantity": [str(q) for _, q in lines],
        **fields,
    }
    return browser.client.post("/orders/", data=data)


def preview(browser, client_id: int, lines, **fields):
    """Post the form to the live summary, as htmx does."""
    html = form_page(browser, client_id)
    data = {
        "csrf_token": csrf_from(html),
        "client_id": str(client_id),
        "product_id": [str(p) for p, _ in lines],
        "quantity": [str(q) for _, q in lines],
        **fields,
    }
    return browser.client.post("/orders/preview", data=data, headers=HX)


def orders() -> list[Order]:
    """Every order in the database."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Order).order_by(Order.id)))


# --- picking the client ----------------------------------------------------------------------


def test_the_client_picker_searches_my_clients_as_i_type(shop):
    factories.make_client(salesperson_id=shop.user.id, trade_name="Kiosco La Esquina")
    factories.make_client(trade_name="Kiosco Ajeno")  # another salesperson's
    db.session.commit()
    page = shop.get("/orders/new").get_data(as_text=True)
    assert "Almacén Don José" in page and "Kiosco La Esquina" in page
    assert "Kiosco Ajeno" not in page
    rows = shop.get("/orders/new?q=kiosco", headers=HX)
    html = rows.get_data(as_text=True)
    assert rows.status_code == 200 and "<html" not in html
    assert "Kiosco La Esquina" in html
    assert "Almacén Don José" not in html and "Kiosco Ajeno" not in html
    assert f'href="/orders/new?client_id={shop.customer.id}"' not in html


def test_a_client_out_of_my_scope_has_no_order_form(shop):
    other = factories.make_client()
    db.session.commit()
    assert shop.get(f"/orders/new?client_id={other.id}").status_code == 404
    assert shop.get("/orders/new?client_id=abc").status_code == 404


# --- the form --------------------------------------------------------------------------------


def test_the_form_offers_only_the_payment_methods_the_client_has(shop):
    html = form_page(shop, shop.customer.id)
    assert 'value="current_account"' in html and "Cuenta corriente" in html
    potential = factories.make_client(
        salesperson_id=shop.user.id, state="potential", price_list_id=shop.price_list.id
    )
    picky = factories.make_client(salesperson_id=shop.user.id, payment_methods=["cash", "transfer"])
    db.session.commit()
    html = form_page(shop, potential.id)
    assert 'value="current_account"' not in html and "Cuenta corriente" not in html
    assert 'value="cash"' in html and "Efectivo" in html
    html = form_page(shop, picky.id)
    methods = re.findall(r'name="payment_method" value="([a-z_]+)"', html)
    assert methods == ["cash", "transfer"]


def test_the_currency_select_shows_only_when_foreign_currency_is_enabled(shop):
    assert 'name="currency"' not in form_page(shop, shop.customer.id)
    dollars = factories.make_client(salesperson_id=shop.user.id, foreign_currency_allowed=True)
    db.session.commit()
    html = form_page(shop, dollars.id)
    assert '<select id="currency" name="currency">' in html
    assert '<option value="USD"' in html


def test_the_form_shows_the_notices_and_the_delivery_addresses_with_hours(shop):
    from tests.notices.conftest import make_notice

    make_notice(shop.customer, message="Cheque rechazado: cobrar antes de vender")
    db.session.add_all(
        [
            Address(client_id=shop.customer.id, kind="fiscal", street="Fiscal 1"),
            Address(
                client_id=shop.customer.id,
                kind="shipping",
                street="Depósito 123",
                label="Depósito",
                delivery_hours="Lunes a viernes de 8 a 12",
                delivery_instructions="Entrar por el portón de atrás",
            ),
        ]
    )
    db.session.commit()
    html = form_page(shop, shop.customer.id)
    assert "Cheque rechazado: cobrar antes de vender" in html
    assert "Depósito 123" in html and "Fiscal 1" not in html
    assert "Lunes a viernes de 8 a 12" in html and "Entrar por el portón de atrás" in html
    assert re.search(r'name="shipping_address_id" value="\d+" checked', html)
    assert 'name="idempotency_key"' in html and 'name="latitude"' in html


def test_the_product_search_shows_the_clients_prices_a_quantity_and_an_add_button(shop):
    factories.make_product(code="YER2", description="Yerba mate 500 g")  # no price in the list
    db.session.commit()
    response = shop.get(f"/orders/products?client_id={shop.customer.id}&q=yerba", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Yerba mate 1 kg" in html and "$\u00a0100,00" in html
    assert f'data-add-product="{shop.yerba.id}"' in html
    assert "Yerba mate 500 g" in html and "sin precio en la lista del cliente" in html
    assert html.count("Agregar</button>") == 1 and html.count('class="hit-add"') == 1
    assert "Azúcar" not in html
    # the result's quantity has no name: only the line it adds goes with the order
    assert 'class="qty" value="1"' in html and 'name="quantity"' not in html.split("<template")[0]


def test_a_search_result_carries_the_line_it_adds(shop):
    html = shop.get(f"/orders/products?client_id={shop.customer.id}&q=azucar", headers=HX).get_data(
        as_text=True
    )
    line = html[html.index(f'<template data-line-for="{shop.azucar.id}">') :]
    line = line[: line.index("</template>")]
    assert f'data-line data-product-id="{shop.azucar.id}"' in line
    assert f'name="product_id" value="{shop.azucar.id}"' in line
    assert 'name="quantity" class="qty" value="1"' in line and "$\u00a0250,00" in line
    assert 'data-step="1"' in line and 'data-step="-1"' in line and "data-remove-line" in line


def test_the_form_offers_the_last_order_again_and_the_usual_products(shop):
    aceite = factories.make_product(shop.price_list, "900.00", description="Aceite 1,5 l")
    gone = factories.make_product(shop.price_list, "10.00", description="Producto discontinuado")
    fideos = factories.make_product(shop.price_list, "50.00", description="Fideos 500 g")
    db.session.commit()
    for lines in (
        [(shop.yerba.id, "6"), (aceite.id, "1")],
        [(shop.yerba.id, "4"), (gone.id, "1"), (shop.azucar.id, "2,5"), (fideos.id, "1")],
        [(aceite.id, "3")],  # cancelled below: not the last order, nor a usual one
    ):
        assert post_order(shop, shop.customer.id, lines, payment_method="cash").status_code == 303
    orders()[-1].status = OrderStatus.CANCELLED
    gone.active = False
    fideos_price = db.session.scalar(sa.select(Price).where(Price.product_id == fideos.id))
    fideos_price.deleted_at = utcnow()  # no price in the client's list any more
    db.session.commit()

    html = form_page(shop, shop.customer.id)
    assert "Repetir último pedido" in html and "2 productos" in html
    assert f'data-lines=\'[[{shop.yerba.id}, "4"], [{shop.azucar.id}, "2,5"]]\'' in html
    chips = re.findall(r'data-add-product="(\d+)" data-quantity="([^"]+)"', html)
    # yerba is in two orders; azúcar and aceite in one each, azúcar's the later
    assert chips == [(str(shop.yerba.id), "4"), (str(shop.azucar.id), "2,5"), (str(aceite.id), "1")]
    chip = r'Agregar </span><span class="usual-name">Yerba mate 1 kg</span> <strong>× 4</strong>'
    assert re.search(chip, html)  # the button's name holds its visible text
    for product in (shop.yerba, shop.azucar, aceite):
        assert f'<template data-line-for="{product.id}">' in html
    line = html[html.index(f'<template data-line-for="{aceite.id}">') :]
    assert "$\u00a0900,00 / un" in line[: line.index("</template>")]
    for product in (gone, fideos):
        assert f'data-line-for="{product.id}"' not in html
        assert product.description not in html


def test_a_client_that_never_ordered_gets_no_quick_picks(shop):
    html = form_page(shop, shop.customer.id)
    assert "Repetir último pedido" not in html and "Habituales" not in html
    assert "<template data-line-for" not in html


def test_the_form_asks_for_the_location_when_it_is_sent_and_says_why(shop):
    html = form_page(shop, shop.customer.id)
    assert "data-locate-submit" in html and "js/location.js" in html
    assert "Guardamos dónde se tomó el pedido para el recorrido del vendedor." in html


# --- the live summary ------------------------------------------------------------------------


def test_the_preview_prices_each_line_and_shows_the_totals(shop):
    response = preview(
        shop,
        shop.customer.id,
        [(shop.yerba.id, "2"), (shop.azucar.id, "1")],
        payment_method="cash",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "2 × Yerba mate 1 kg" in html and "$\u00a0200,00" in html
    assert "1 × Azúcar 1 kg" in html and "$\u00a0250,00" in html
    assert "Subtotal" in html and "$\u00a0450,00" in html
    assert "IVA" in html and "$\u00a094,50" in html  # 21 % of 450
    assert "Percepción IIBB" in html
    assert "Total" in html and "$\u00a0544,50" in html
    assert "Dentro del límite" in html


def test_the_preview_shows_a_red_credit_panel_for_a_client_over_its_policy(shop):
    shop.customer.credit_policy_id = make_policy(money_limit=Decimal("1000")).id
    factories.post_document(shop.customer, amount="900")
    db.session.commit()
    html = preview(
        shop, shop.customer.id, [(shop.yerba.id, "3")], payment_method="current_account"
    ).get_data(as_text=True)
    assert "verdict bad" in html and "Fuera del límite de crédito" in html
    # 3 x 100 + IVA = 363: exposure 900 -> 1263, 263 over the 1000 limit
    assert "Supera el límite en $ 263 (límite $ 1.000)" in html
    for figure in ("$\u00a01.000,00", "$\u00a0900,00", "$\u00a01.263,00", "$\u00a0263,00"):
        assert figure in html
    assert "Dentro del límite" not in html
    # the bar above "Confirmar pedido" follows, out of band
    bar = html[html.index('id="order-bar"') :]
    assert 'hx-swap-oob="true"' in bar and "$\u00a01.263,00" not in bar
    assert "$\u00a0363,00" in bar and "Fuera del límite" in bar
    cash = preview(shop, shop.customer.id, [(shop.yerba.id, "3")], payment_method="cash")
    assert "Dentro del límite" in cash.get_data(as_text=True)


def test_the_preview_shows_the_due_dates_of_the_sale_condition(shop):
    condition = factories.make_sale_condition(description="30 y 60 días", installments=2)
    db.session.commit()
    html = preview(
        shop,
        shop.customer.id,
        [(shop.azucar.id, "2")],
        payment_method="current_account",
        sale_condition_id=str(condition.id),
    ).get_data(as_text=True)
    assert "Vencimientos" in html and "30 y 60 días" in html
    assert "Cuota 1" in html and "Cuota 2" in html
    assert "$\u00a0302,50" in html  # 605 in two


def test_the_preview_shows_bad_input_inline_never_a_500(shop):
    response = preview(
        shop, shop.customer.id, [(shop.yerba.id, "0"), ("99999999999999", "1")], payment_method="x"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Línea 1:" in html and "La cantidad debe ser mayor que cero." in html
    assert "Línea 2:" in html
    assert "Forma de pago:" in html and "Forma de pago no habilitada" in html
    empty = preview(shop, shop.customer.id, []).get_data(as_text=True)
    assert "Agregá productos para ver el total" in empty


# --- taking the order ------------------------------------------------------------------------


def test_taking_an_order_keeps_it_and_shows_its_page(shop):
    response = post_order(
        shop,
        shop.customer.id,
        [(shop.yerba.id, "2,5")],
        payment_method="cash",
        notes="Dejar en el mostrador",
        latitude="-34.603722",
        longitude="-58.381592",
        accuracy="25",
    )
    assert response.status_code == 303
    (order,) = orders()
    assert response.headers["Location"].endswith(f"/orders/{order.id}")
    assert order.status == OrderStatus.ACCEPTED and order.payment_method == "cash"
    assert order.user_id == shop.user.id and order.client_id == shop.customer.id
    assert [(line.product_id, line.quantity) for line in order.lines] == [
        (shop.yerba.id, Decimal("2.5"))
    ]
    assert order.total == Decimal("302.50") and order.notes == "Dejar en el mostrador"
    assert order.latitude == Decimal("-34.603722") and order.location_accuracy == 25
    page = shop.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Pedido tomado." in page and "Aceptado" in page
    assert "https://www.openstreetmap.org/?mlat=-34.603722&amp;mlon=-58.381592" in page
    assert "Pedir autorización" not in page


def test_an_order_without_location_is_taken_all_the_same(shop):
    response = post_order(
        shop, shop.customer.id, [(shop.yerba.id, "1")], payment_method="cash", latitude=""
    )
    assert response.status_code == 303
    (order,) = orders()
    assert order.latitude is None and order.longitude is None
    assert "No registrada" in shop.get(f"/orders/{order.id}").get_data(as_text=True)


def test_bad_input_is_refused_with_messages_and_nothing_is_written(shop):
    response = post_order(
        shop, shop.customer.id, [(shop.yerba.id, "-1")], payment_method="current_account"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Revisá el pedido:" in html and "La cantidad debe ser mayor que cero." in html
    assert f'name="product_id" value="{shop.yerba.id}"' in html  # the line is kept
    assert orders() == []
    empty = post_order(shop, shop.customer.id, [], payment_method="cash")
    assert empty.status_code == 422 and "Agregá al menos un producto." in empty.get_data(
        as_text=True
    )
    assert orders() == []


def test_the_same_idempotency_key_twice_takes_one_order(shop):
    first = post_order(
        shop, shop.customer.id, [(shop.yerba.id, "1")], "orden-clave-1", payment_method="cash"
    )
    again = post_order(
        shop, shop.customer.id, [(shop.yerba.id, "1")], "orden-clave-1", payment_method="cash"
    )
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert len(orders()) == 1


# --- following the order ---------------------------------------------------------------------


@pytest.fixture
def blocked(shop):
    """A credit order over the client's money limit, kept blocked; an admin band covers it."""
    factories.make_user(role="admin")
    db.session.add(CreditBand(name="Admins", role="admin", money=True, documents=True, age=True))
    shop.customer.credit_policy_id = make_policy(money_limit=Decimal("100")).id
    db.session.commit()
    response = post_order(
        shop, shop.customer.id, [(shop.azucar.id, "2")], payment_method="current_account"
    )
    assert response.status_code == 303
    (order,) = orders()
    assert order.status == OrderStatus.BLOCKED
    shop.order = order
    return shop


def test_a_blocked_order_page_shows_its_failures_and_the_request_form(blocked):
    html = blocked.get(f"/orders/{blocked.order.id}").get_data(as_text=True)
    assert "Bloqueado" in html and "Fuera del límite de crédito" in html
    assert "Supera el límite en $ 505 (límite $ 100)" in html
    assert f'action="/orders/{blocked.order.id}/override-request"' in html
    assert 'name="reason"' in html


def test_asking_for_authorisation_leaves_the_order_awaiting_approval(blocked):
    url = f"/orders/{blocked.order.id}"
    short = blocked.submit(url, f"{url}/override-request", reason="x")
    assert short.status_code == 422
    assert "Contá en pocas palabras" in short.get_data(as_text=True)
    assert orders()[0].status == OrderStatus.BLOCKED
    response = blocked.submit(url, f"{url}/override-request", reason="Paga siempre a los 35 días")
    assert response.status_code == 303
    (order,) = orders()
    assert order.status == OrderStatus.AWAITING_APPROVAL
    request = db.session.scalar(sa.select(OverrideRequest))
    assert request.reason == "Paga siempre a los 35 días" and request.status == "pending"
    html = blocked.get(url).get_data(as_text=True)
    assert "Esperando aprobación" in html and "Paga siempre a los 35 días" in html
    assert "/override-request" not in html


def test_the_taker_cancels_an_order(blocked):
    url = f"/orders/{blocked.order.id}"
    response = blocked.submit(url, f"{url}/cancel", reason="El cliente se arrepintió")
    assert response.status_code == 303
    (order,) = orders()
    assert order.status == OrderStatus.CANCELLED and order.cancelled_at is not None
    html = blocked.get(url).get_data(as_text=True)
    assert "Cancelado" in html and "Cancelar pedido" not in html
    again = blocked.client.post(
        f"{url}/cancel",
        data={"csrf_token": csrf_from(form_page(blocked, blocked.customer.id))},
    )
    assert again.status_code == 422 and "ya no se puede cancelar" in again.get_data(as_text=True)


def test_the_office_tracks_delivery_and_the_salesperson_may_not(shop, login_as):
    post_order(shop, shop.customer.id, [(shop.yerba.id, "1")], payment_method="cash")
    (order,) = orders()
    url = f"/orders/{order.id}"
    token = csrf_from(shop.get(url).get_data(as_text=True))
    assert (
        shop.client.post(f"{url}/track/dispatched", data={"csrf_token": token}).status_code == 403
    )
    office = login_as("backoffice")
    page = office.get(url).get_data(as_text=True)
    assert f'action="{url}/track/dispatched"' in page and "Despachado" in page
    assert office.submit(url, f"{url}/track/dispatched").status_code == 303
    assert office.submit(url, f"{url}/track/delivered").status_code == 303
    order = orders()[0]
    assert order.dispatched_at is not None and order.delivered_at is not None
    twice = office.submit(url, f"{url}/track/dispatched")
    assert twice.status_code == 422 and "Ese paso ya estaba marcado." in twice.get_data(
        as_text=True
    )
    listed = shop.get("/orders/").get_data(as_text=True)
    assert "✓ Despachado" in listed and "✓ Entregado" in listed
    assert office.submit(url, f"{url}/track/invoiced").status_code == 303
    assert orders()[0].status == OrderStatus.INVOICED


def test_the_list_filters_by_status_and_client_with_spanish_badges(blocked):
    post_order(blocked, blocked.customer.id, [(blocked.yerba.id, "1")], payment_method="cash")
    other = factories.make_client(
        salesperson_id=blocked.user.id, price_list_id=blocked.price_list.id, trade_name="Otro"
    )
    db.session.commit()
    post_order(blocked, other.id, [(blocked.yerba.id, "1")], payment_method="cash")
    html = blocked.get("/orders/").get_data(as_text=True)
    assert html.count('class="badge status-') == 3
    assert "Bloqueado" in html and "Aceptado" in html and "3 pedidos" in html
    chip = blocked.get("/orders/?status=blocked", headers=HX).get_data(as_text=True)
    assert "<html" not in chip and chip.count('class="badge status-') == 1
    by_client = blocked.get(f"/orders/?client_id={other.id}").get_data(as_text=True)
    assert by_client.count('class="badge status-') == 1 and "Otro" in by_client


def test_the_list_pages_with_a_more_button(shop):
    for _ in range(26):
        post_order(shop, shop.customer.id, [(shop.yerba.id, "1")], payment_method="cash")
    first = shop.get("/orders/").get_data(as_text=True)
    assert first.count('class="badge status-') == 25 and "Ver más" in first
    more = shop.get("/orders/?page=2", headers=HX).get_data(as_text=True)
    assert "<html" not in more and more.count('class="badge status-') == 1
    assert "Ver más" not in more


def test_orders_are_seen_only_in_scope(shop, login_as):
    post_order(shop, shop.customer.id, [(shop.yerba.id, "1")], payment_method="cash")
    (order,) = orders()
    stranger = login_as("salesperson")
    assert stranger.get(f"/orders/{order.id}").status_code == 404
    assert "Almacén Don José" not in stranger.get("/orders/").get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/orders/", "/orders/new", "/orders/1", "/orders/products?client_id=1&q=a"]
)
def test_a_collector_may_not_see_or_take_orders(login_as, path):
    collector = login_as("collector")
    assert collector.get(path).status_code == 403


def test_the_preview_needs_the_csrf_token(shop):
    response = shop.client.post(
        "/orders/preview",
        data={"client_id": str(shop.customer.id), "product_id": str(shop.yerba.id)},
        headers=HX,
    )
    assert response.status_code == 400
    assert "Resumen" not in response.get_data(as_text=True)


def test_a_blocked_order_that_fits_now_is_accepted_when_asking(blocked):
    policy = db.session.get(CreditPolicy, blocked.customer.credit_policy_id)
    policy.money_limit = Decimal("100000")
    db.session.commit()
    url = f"/orders/{blocked.order.id}"
    response = blocked.submit(url, f"{url}/override-request", reason="Pagó lo que debía")
    assert response.status_code == 303
    assert orders()[0].status == OrderStatus.ACCEPTED
    assert db.session.scalar(sa.select(OverrideRequest)) is None
    html = blocked.get(url).get_data(as_text=True)
    assert "quedó aceptado" in html and "Aceptado" in html


def test_an_expired_request_offers_the_form_again(blocked):
    url = f"/orders/{blocked.order.id}"
    blocked.submit(url, f"{url}/override-request", reason="Paga siempre a los 35 días")
    request = db.session.scalar(sa.select(OverrideRequest))
    request.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = blocked.get(url).get_data(as_text=True)
    assert "La solicitud anterior venció" in html
    assert f'action="{url}/override-request"' in html


def test_the_answer_shows_who_answered_when_and_why(blocked):
    url = f"/orders/{blocked.order.id}"
    blocked.submit(url, f"{url}/override-request", reason="Paga siempre a los 35 días")
    admin = db.session.scalar(sa.select(User).where(User.role == "admin"))
    request = db.session.scalar(sa.select(OverrideRequest))
    with blocked.client.application.test_request_context():
        overrides.decide_override(request, True, "Cliente de años", admin)
    db.session.commit()
    html = blocked.get(url).get_data(as_text=True)
    assert "Autorización aprobada" in html and "Cliente de años" in html
    assert admin.full_name in html and "Aprobado" in html


def test_the_card_offers_to_take_an_order_to_who_may(shop, login_as):
    card = shop.get(f"/clients/{shop.customer.id}").get_data(as_text=True)
    assert f'href="/orders/new?client_id={shop.customer.id}"' in card and "Tomar pedido" in card
    collector = login_as("collector")
    shop.customer.collector_id = collector.user.id
    db.session.commit()
    card = collector.get(f"/clients/{shop.customer.id}").get_data(as_text=True)
    assert "Tomar pedido" not in card
