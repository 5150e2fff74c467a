"""Deliveries: the dispatch list, confirming a delivery with the pickup check, failed attempts,
and the order linked to the invoice that bills it (service, pages and API)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import AuthorizedPickup, Zone
from app.clients.reference import Transport
from app.core.types import local_today
from app.extensions import db
from app.orders import deliveries
from app.orders import services as orders
from app.orders.models import DeliveryAttempt, Order, OrderStatus
from app.orders.services import OrderError
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)

HX = {"HX-Request": "true"}


def delivery_zone(name: str) -> Zone:
    """A delivery zone."""
    return factories.make_zone(name=name, kind="delivery")


@pytest.fixture
def route(app):
    """A salesperson's client in a delivery zone, with an authorised pickup person and a
    transport, and an accepted cash order of it, dispatched."""
    seller = factories.make_user("salesperson")
    office = factories.make_user("backoffice")
    north = delivery_zone("Reparto Norte")
    carrier = Transport(code="EXP1", name="Expreso Sur", phone="011 4444-5555")
    db.session.add(carrier)
    db.session.flush()
    prices = factories.make_price_list()
    shop = factories.make_client(
        salesperson_id=seller.id,
        price_list_id=prices.id,
        trade_name="Almacén Don José",
        delivery_zone_id=north.id,
        transport_id=carrier.id,
    )
    db.session.add(AuthorizedPickup(client_id=shop.id, name="Rosa Gómez", document="23.456.789"))
    item = factories.make_product(prices, "100.00", code="YER1", description="Yerba mate 1 kg")
    order = orders.place_order(
        shop,
        {"payment_method": "cash", "lines": [{"product_id": item.id, "quantity": "2"}]},
        seller,
    )
    orders.track_order(order, "dispatched", office)
    db.session.commit()
    return type(
        "Route",
        (),
        {"seller": seller, "office": office, "zone": north, "shop": shop, "item": item,
         "order": order, "prices": prices, "carrier": carrier},
    )  # fmt: skip


def another_order(route, **client_fields):
    """A second client of the salesperson with an order, dispatched."""
    client = factories.make_client(
        salesperson_id=route.seller.id, price_list_id=route.prices.id, **client_fields
    )
    order = orders.place_order(
        client,
        {"payment_method": "cash", "lines": [{"product_id": route.item.id, "quantity": "1"}]},
        route.seller,
    )
    orders.track_order(order, "dispatched", route.office)
    db.session.commit()
    return order


def audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


# --- service ---------------------------------------------------------------------------------


def test_an_authorised_receiver_delivers_the_order_and_the_check_is_recorded(route):
    attempt = deliveries.confirm_delivery(
        route.order,
        {
            "received_by_name": "Rosa Gómez",
            "received_by_document": "23456789",
            "latitude": "-34.603722",
            "longitude": "-58.381592",
            "accuracy": 12,
        },
        route.seller,
    )
    db.session.commit()
    row = db.session.get(DeliveryAttempt, attempt.id)
    assert (row.outcome, row.received_by_name, row.received_by_document) == (
        "delivered",
        "Rosa Gómez",
        "23456789",
    )
    assert row.authorized is True and row.pickup.name == "Rosa Gómez" and not row.overridden
    assert row.latitude == Decimal("-34.603722") and row.location_accuracy == 12
    assert row.user_id == route.seller.id and row.attempted_at is not None
    order = db.session.get(Order, route.order.id)
    assert order.delivered_at is not None and deliveries.delivery_state(order) == "delivered"
    (entry,) = audit("order.delivered")
    assert entry.after["received_by_name"] == "Rosa Gómez" and entry.after["authorized"] is True


def test_a_receiver_the_client_did_not_authorise_is_refused_and_nothing_changes(route):
    with pytest.raises(OrderError) as refused:
        deliveries.confirm_delivery(
            route.order,
            {"received_by_name": "Juan Pérez", "received_by_document": "30111222"},
            route.seller,
        )
    assert "no está autorizado a retirar" in refused.value.fields["received_by_document"]
    db.session.rollback()
    # a salesperson may not override the check; a supervisor may, and the attempt says so
    with pytest.raises(OrderError) as not_allowed:
        deliveries.confirm_delivery(
            route.order,
            {
                "received_by_name": "Juan Pérez",
                "received_by_document": "30111222",
                "override": True,
            },
            route.seller,
        )
    assert "override" in not_allowed.value.fields
    db.session.rollback()
    assert db.session.get(Order, route.order.id).delivered_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryAttempt)) == 0
    boss = factories.make_user("supervisor")
    attempt = deliveries.confirm_delivery(
        route.order,
        {"received_by_name": "Juan Pérez", "received_by_document": "30111222", "override": True},
        boss,
    )
    assert attempt.authorized is False and attempt.overridden is True


def test_an_expired_authorisation_does_not_count(route):
    pickup = db.session.scalar(sa.select(AuthorizedPickup))
    pickup.valid_to = local_today() - timedelta(days=1)
    db.session.flush()
    check = deliveries.pickup_check(route.shop, "23456789")
    assert check.required and check.match is None and check.authorized is False


def test_a_client_without_pickup_people_takes_anyone_and_says_so(route):
    order = another_order(route)
    attempt = deliveries.confirm_delivery(
        order, {"received_by_name": "Encargado", "received_by_document": "20.000.001"}, route.seller
    )
    assert attempt.authorized is None and attempt.pickup_id is None


def test_name_and_document_are_required(route):
    with pytest.raises(OrderError) as refused:
        deliveries.confirm_delivery(
            route.order, {"received_by_name": " ", "received_by_document": "--"}, route.seller
        )
    assert refused.value.fields == {
        "received_by_name": "Este campo es obligatorio.",
        "received_by_document": "Escribí el número de documento.",
    }


def test_a_failed_delivery_keeps_the_order_pending_and_every_attempt(route):
    deliveries.record_failure(route.order, {"reason": "closed"}, route.seller)
    deliveries.record_failure(
        route.order, {"reason": "other", "notes": "Calle cortada por obras"}, route.seller
    )
    db.session.commit()
    order = db.session.get(Order, route.order.id)
    assert order.delivered_at is None and deliveries.delivery_state(order) == "pending"
    assert deliveries.last_failure(order).notes == "Calle cortada por obras"
    assert [o.id for o in deliveries.dispatch_list(route.seller, local_today())] == [order.id]
    deliveries.confirm_delivery(
        order, {"received_by_name": "Rosa Gómez", "received_by_document": "23456789"}, route.seller
    )
    db.session.commit()
    assert [a.outcome for a in order.deliveries] == ["failed", "failed", "delivered"]
    assert deliveries.dispatch_list(route.seller, local_today()) == []
    assert len(audit("order.delivery_failed")) == 2


def test_a_failure_needs_a_known_reason_and_other_needs_what_happened(route):
    for data, field, message in [
        ({}, "reason", "Elegí un motivo."),
        ({"reason": "aliens"}, "reason", "Motivo desconocido."),
        ({"reason": "other"}, "notes", "Este campo es obligatorio."),
    ]:
        with pytest.raises(OrderError) as refused:
            deliveries.record_failure(route.order, data, route.seller)
        assert refused.value.fields == {field: message}


def test_a_delivered_or_cancelled_order_takes_no_attempt(route):
    deliveries.confirm_delivery(
        route.order,
        {"received_by_name": "Rosa Gómez", "received_by_document": "23456789"},
        route.seller,
    )
    with pytest.raises(OrderError) as again:
        deliveries.record_failure(route.order, {"reason": "closed"}, route.seller)
    assert again.value.fields == {"order": "Este pedido ya fue entregado."}
    other = another_order(route)
    orders.cancel_order(other, route.seller)
    with pytest.raises(OrderError):
        deliveries.confirm_delivery(
            other, {"received_by_name": "X", "received_by_document": "1"}, route.seller
        )


def test_the_dispatch_list_by_zone_and_day_in_the_users_scope(route):
    south = delivery_zone("Reparto Sur")
    in_south = another_order(route, delivery_zone_id=south.id, trade_name="Kiosco Sur")
    no_zone = another_order(route, trade_name="Sin Zona")
    not_dispatched = orders.place_order(
        route.shop,
        {"payment_method": "cash", "lines": [{"product_id": route.item.id, "quantity": "1"}]},
        route.seller,
    )
    db.session.commit()
    today = local_today()
    listed = deliveries.dispatch_list(route.seller, today)
    # by zone name, clients without a zone last; an order not dispatched is not listed
    assert [o.id for o in listed] == [route.order.id, in_south.id, no_zone.id]
    assert not_dispatched.id not in [o.id for o in listed]
    assert [o.id for o in deliveries.dispatch_list(route.seller, today, south.id)] == [in_south.id]
    assert [o.id for o in deliveries.dispatch_list(route.seller, today, 0)] == [no_zone.id]
    # dispatched today: not on yesterday's list
    assert deliveries.dispatch_list(route.seller, today - timedelta(days=1)) == []
    # another salesperson does not see them; the office sees all
    assert deliveries.dispatch_list(factories.make_user("salesperson"), today) == []
    assert len(deliveries.dispatch_list(route.office, today)) == 3


# --- invoice link ----------------------------------------------------------------------------


def test_an_invoice_posted_with_the_order_marks_it_invoiced_and_links_it(route):
    invoice = factories.post_document(
        route.shop, "invoice", "242.00", letter="B", order_id=route.order.id
    )
    db.session.commit()
    order = db.session.get(Order, route.order.id)
    assert invoice.order_id == order.id
    assert order.status == OrderStatus.INVOICED and order.invoiced_at is not None
    assert audit("order.invoiced")[0].after["document_id"] == invoice.id


def test_an_invoice_may_not_name_another_clients_order(route):
    from app.ledger.services import LedgerError

    other = factories.make_client()
    with pytest.raises(LedgerError) as refused:
        factories.post_document(other, "invoice", "10.00", letter="B", order_id=route.order.id)
    assert refused.value.fields["order_id"] == "El pedido es de otro cliente."
    with pytest.raises(LedgerError) as note:
        factories.post_document(
            route.shop, "debit_note", "10.00", letter="B", order_id=route.order.id
        )
    assert note.value.fields["order_id"] == "Solo una factura se vincula a un pedido."
    with pytest.raises(LedgerError) as unknown:
        factories.post_document(route.shop, "invoice", "10.00", letter="B", order_id=999999)
    assert unknown.value.fields["order_id"] == "No existe."


# --- pages -----------------------------------------------------------------------------------


@pytest.fixture
def seller_browser(app, route):
    """The route's salesperson, signed in."""
    from tests.conftest import Browser

    browser = Browser(app.test_client())
    assert browser.login(route.seller.username).status_code == 303
    return browser


def test_the_dispatch_list_page_shows_the_zone_s_orders(route, seller_browser):
    deliveries.record_failure(route.order, {"reason": "closed"}, route.seller)
    db.session.commit()
    page = seller_browser.get("/orders/deliveries").get_data(as_text=True)
    assert "Reparto Norte" in page and "Almacén Don José" in page
    assert f"/orders/{route.order.id}/delivery" in page
    assert "1 intento fallido: Local cerrado" in page and "Reintentar" in page
    fragment = seller_browser.get(f"/orders/deliveries?zone={route.zone.id}", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Almacén Don José" in fragment.get_data(as_text=True)
    empty = seller_browser.get("/orders/deliveries?zone=0").get_data(as_text=True)
    assert "No hay pedidos despachados sin entregar." in empty
    for day in ("31-12", "9999-12-31"):
        bad = seller_browser.get(f"/orders/deliveries?date={day}&zone=²")
        assert bad.status_code == 200 and "Fecha inválida" in bad.get_data(as_text=True)


def test_the_delivery_page_checks_the_receiver_before_confirming(route, seller_browser):
    url = f"/orders/{route.order.id}/delivery"
    page = seller_browser.get(url).get_data(as_text=True)
    assert "Rosa Gómez" in page and "Expreso Sur" in page and "Reparto Norte" in page
    assert "Entregar igual" not in page  # a salesperson may not override
    ok = seller_browser.get(f"{url}/check?received_by_document=23456789", headers=HX)
    text = ok.get_data(as_text=True)
    assert "<html" not in text and "Autorizado a retirar" in text and "Rosa Gómez" in text
    bad = seller_browser.get(f"{url}/check?received_by_document=999", headers=HX)
    assert "No está autorizado a retirar" in bad.get_data(as_text=True)
    refused = seller_browser.submit(
        url, received_by_name="Juan Pérez", received_by_document="999", outcome="delivered"
    )
    assert refused.status_code == 422
    assert "no está autorizado a retirar para este cliente" in refused.get_data(as_text=True)
    assert db.session.get(Order, route.order.id).delivered_at is None
    done = seller_browser.submit(
        url, received_by_name="Rosa Gómez", received_by_document="23.456.789", outcome="delivered"
    )
    assert done.status_code == 303 and "/orders/deliveries" in done.headers["Location"]
    listed = seller_browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "Entrega registrada: recibió Rosa Gómez." in listed
    db.session.expire_all()
    assert db.session.get(Order, route.order.id).delivered_at is not None
    shown = seller_browser.get(f"/orders/{route.order.id}").get_data(as_text=True)
    assert "Recibió Rosa Gómez (documento 23.456.789) · autorizado" in shown
    assert "Expreso Sur" in shown


def test_a_failed_delivery_from_the_page(route, seller_browser):
    url = f"/orders/{route.order.id}/delivery"
    missing = seller_browser.submit(url, outcome="failed", reason="")
    assert missing.status_code == 422 and "Elegí un motivo." in missing.get_data(as_text=True)
    done = seller_browser.submit(url, outcome="failed", reason="nobody")
    assert done.status_code == 303
    listed = seller_browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "Entrega no realizada (No había quien recibiera): el pedido sigue pendiente." in listed
    page = seller_browser.get(url).get_data(as_text=True)
    assert "✕ No había quien recibiera" in page and "Confirmar entrega" in page


def test_the_office_may_deliver_to_someone_not_authorised(route, login_as):
    office = login_as("backoffice")
    url = f"/orders/{route.order.id}/delivery"
    assert "Entregar igual aunque no esté autorizado" in office.get(url).get_data(as_text=True)
    done = office.submit(
        url, received_by_name="Juan Pérez", received_by_document="999", outcome="delivered",
        override="1",
    )  # fmt: skip
    assert done.status_code == 303
    shown = office.get(f"/orders/{route.order.id}").get_data(as_text=True)
    assert "no autorizado, entregado igual" in shown


def test_collectors_may_not_deliver(route, login_as):
    collector = login_as("collector")
    assert collector.get("/orders/deliveries").status_code == 403
    assert collector.get(f"/orders/{route.order.id}/delivery").status_code == 403


def test_the_order_page_links_facturado_to_the_invoice(route, seller_browser):
    invoice = factories.post_document(
        route.shop, "invoice", "242.00", letter="B", order_id=route.order.id
    )
    db.session.commit()
    page = seller_browser.get(f"/orders/{route.order.id}").get_data(as_text=True)
    assert f'href="/ledger/documents/{invoice.id}"' in page
    assert "Registrar entrega" in page  # invoiced, still to deliver


def test_the_client_card_shows_the_transport_and_delivery_zone(route, seller_browser):
    page = seller_browser.get(f"/clients/{route.shop.id}").get_data(as_text=True)
    assert "Expreso Sur · 011 4444-5555" in page and "Reparto Norte" in page


# --- API -------------------------------------------------------------------------------------


def test_the_api_confirms_a_delivery_once_per_key(route, api):  # noqa: F811
    caller = api("supervisor")
    route.shop.salesperson.supervisor_id = caller.user.id
    db.session.commit()
    url = f"/api/v1/orders/{route.order.id}/delivery"
    body = {"received_by_name": "Rosa Gómez", "received_by_document": "23456789",
            "latitude": -34.6, "longitude": -58.38, "accuracy": 20}  # fmt: skip
    first = caller.post(url, json=body, key="delivery-key-1")
    assert first.status_code == 201, first.json
    assert first.json["state"] == "delivered" and first.json["authorized_pickup"] is True
    assert first.json["attempt"]["received_by_name"] == "Rosa Gómez"
    assert first.json["attempt"]["latitude"] == "-34.600000"
    again = caller.post(url, json=body, key="delivery-key-1")
    assert again.status_code == 201 and again.json == first.json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryAttempt)) == 1
    other_body = caller.post(url, json=body | {"received_by_name": "Otra"}, key="delivery-key-1")
    assert other_body.status_code == 422
    twice = caller.post(url, json=body, key="delivery-key-2")
    assert twice.status_code == 422
    assert twice.json["error"]["fields"]["order"] == ["Este pedido ya fue entregado."]
    read = caller.get(url)
    assert read.status_code == 200 and len(read.json["attempts"]) == 1


def test_the_api_refuses_an_unauthorised_receiver_with_a_field_error(route, api):  # noqa: F811
    seller = api("salesperson")
    route.shop.salesperson_id = seller.user.id
    db.session.commit()
    url = f"/api/v1/orders/{route.order.id}/delivery"
    body = {"received_by_name": "Juan Pérez", "received_by_document": "30111222"}
    refused = seller.post(url, json=body)
    assert refused.status_code == 422
    assert "no está autorizado" in refused.json["error"]["fields"]["received_by_document"][0]
    overridden = seller.post(url, json=body | {"override": True})
    assert overridden.status_code == 422 and "override" in overridden.json["error"]["fields"]
    assert db.session.get(Order, route.order.id).delivered_at is None


def test_the_api_records_a_failed_delivery(route, api):  # noqa: F811
    seller = api("salesperson")
    route.shop.salesperson_id = seller.user.id
    db.session.commit()
    url = f"/api/v1/orders/{route.order.id}/delivery"
    failed = seller.post(url, json={"outcome": "failed", "reason": "refused"})
    assert failed.status_code == 201, failed.json
    assert failed.json["state"] == "pending" and failed.json["authorized_pickup"] is None
    assert failed.json["attempt"]["reason"] == "refused"
    unknown = seller.post(url, json={"outcome": "failed", "reason": "aliens"})
    assert unknown.status_code == 422 and "reason" in unknown.json["error"]["fields"]
    assert (
        api("collector").post(url, json={"outcome": "failed", "reason": "closed"}).status_code
        == 403
    )
    assert seller.post("/api/v1/orders/999999/delivery", json={}).status_code == 404


def test_the_erp_posts_an_invoice_naming_the_order(route, api):  # noqa: F811
    office = api("backoffice")
    answer = office.post(
        "/api/v1/documents",
        json={"client_id": route.shop.id, "kind": "invoice", "letter": "B", "amount": "242.00",
              "order_id": route.order.id},
    )  # fmt: skip
    assert answer.status_code == 201, answer.json
    assert answer.json["order_id"] == route.order.id
    order = office.get(f"/api/v1/orders/{route.order.id}").json
    assert order["status"] == "invoiced" and order["invoiced_at"]
    wrong = office.post(
        "/api/v1/documents",
        json={"client_id": factories.make_client().id, "kind": "invoice", "letter": "B",
              "amount": "1.00", "order_id": route.order.id},
    )  # fmt: skip
    assert wrong.status_code == 422 and "order_id" in wrong.json["error"]["fields"]


def test_the_api_lists_the_dispatch_by_zone_and_day(route, api):  # noqa: F811
    seller = api("salesperson")
    route.shop.salesperson_id = seller.user.id
    db.session.commit()
    deliveries.record_failure(route.order, {"reason": "closed"}, route.seller)
    db.session.commit()
    listed = seller.get("/api/v1/deliveries")
    assert listed.status_code == 200, listed.json
    (item,) = listed.json["items"]
    assert item["order_id"] == route.order.id and item["client_name"] == "Almacén Don José"
    assert item["delivery_zone_id"] == route.zone.id and item["failed_attempts"] == 1
    assert listed.json["date"] == local_today().isoformat()
    assert seller.get("/api/v1/deliveries?zone_id=0").json["items"] == []
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    assert seller.get(f"/api/v1/deliveries?date={yesterday}").json["items"] == []
    assert seller.get("/api/v1/deliveries?date=ayer").status_code == 422
    assert api("collector").get("/api/v1/deliveries").status_code == 403


def test_the_invoice_page_links_back_to_its_order(route, seller_browser):
    invoice = factories.post_document(
        route.shop, "invoice", "242.00", letter="B", order_id=route.order.id
    )
    db.session.commit()
    page = seller_browser.get(f"/ledger/documents/{invoice.id}").get_data(as_text=True)
    assert f'<a href="/orders/{route.order.id}">N° {route.order.id}</a>' in page
