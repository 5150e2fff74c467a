"""The JSON API for orders: take one (with its credit decision), list, follow, cancel.

An order over the limit is kept as `blocked` and answered 201 like any other: the phone
shows the decision and may send it to the supervisors (`override-request`).
"""

from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from app.api.blueprint import bp
from app.api.common import load_json, query_args, refusals
from app.api.docs import (
    NOT_FOR_COLLECTORS,
    OUT_OF_SCOPE,
    REFUSED_WRITE,
    TOO_LARGE,
    UNKNOWN,
    api_doc,
    error_answers,
    name_schemas,
    read_errors,
    write_errors,
)
from app.auth.permissions import can, requires
from app.clients import services as clients
from app.core.errors import json_error
from app.core.idempotency import write_endpoint
from app.core.sqlite import reads_first
from app.core.types import local_today
from app.credit import overrides
from app.credit import services as credit
from app.extensions import db
from app.orders import deliveries
from app.orders import services as orders
from app.orders.models import DeliveryAttempt, Order
from app.orders.schemas import (
    CancelSchema,
    DeliveryAttemptSchema,
    DeliveryBodySchema,
    DeliverySchema,
    DispatchArgsSchema,
    DispatchItemSchema,
    DispatchListSchema,
    NewOrderSchema,
    OrderListArgsSchema,
    OrderPageSchema,
    OrderSchema,
    QuoteSchema,
    ReasonSchema,
    TrackingSchema,
)

ONE_ORDER = "/orders/<int:order_id>"


order_refusals = refusals(orders.OrderError, overrides.OverrideError)

name_schemas(
    NewOrder=NewOrderSchema,
    Order=OrderSchema,
    OrderPage=OrderPageSchema,
    OrderQuote=QuoteSchema,
    OverrideReason=ReasonSchema,
    OrderCancel=CancelSchema,
    OrderTracking=TrackingSchema,
    NewDelivery=DeliveryBodySchema,
    Delivery=DeliverySchema,
    DeliveryAttempt=DeliveryAttemptSchema,
    DispatchItem=DispatchItemSchema,
    DispatchList=DispatchListSchema,
)


def _client_in_body(client_id: int):
    """The client an order is for; one out of reach is a field error, not a 404."""
    try:
        return clients.visible_client(current_user, client_id, trash=False)
    except NotFound:
        raise orders.OrderError({"client_id": _("No existe.")}) from None


def _order(order_id: int) -> Order:
    """An order the caller reaches, else 404."""
    order = orders.get_order(current_user, order_id)
    if order is None:
        abort(404)
    return order


def order_json(order: Order, override_error: dict | None = None, requests=None) -> dict:
    """The order as the API answers it (requests: the pages' last requests, read before)."""
    request_row = overrides.latest_request(order) if requests is None else requests.get(order.id)
    body = OrderSchema().dump(
        {
            **{
                column: getattr(order, column)
                for column in OrderSchema().fields
                if hasattr(order, column)
            },
            "override_request": request_row,
            "override_error": override_error,
        }
    )
    if request_row is not None:
        body["override_request"]["status"] = overrides.shown_status(request_row)
    return body


def _answer(order: Order, status: int = 200, override_error: dict | None = None, requests=None):
    """The order, and where to find it."""
    response = jsonify(order_json(order, override_error, requests))
    response.headers["Location"] = url_for(".get_order", order_id=order.id)
    return response, status


@bp.post("/orders")
@api_doc(
    "Take an order: priced with the client's list and discounts and decided on credit. An "
    "order over the limit is kept as blocked (201 all the same); with override_reason it goes "
    "to the supervisors at once",
    body=("The data", "NewOrder"),
    answers={"201": ("The order with its credit decision", "Order")},
    errors=write_errors(REFUSED_WRITE, NOT_FOR_COLLECTORS),
)
@requires("orders.take")
@write_endpoint
@order_refusals
@reads_first
def create_order():
    """Take an order: priced with the client's list and discounts, and decided on credit."""
    data = load_json(NewOrderSchema())
    client = _client_in_body(data.pop("client_id"))
    reason = data.pop("override_reason", None)
    order = orders.place_order(client, data, current_user)
    refused = None
    if reason and order.status == "blocked":
        try:
            overrides.request_override(order, reason, current_user)
        except overrides.OverrideError as exc:
            refused = exc.fields
        return _answer(order, 201, refused)
    return _answer(order, 201, requests={})  # a new order nobody asked to authorise yet


@bp.post("/orders/quote")
@api_doc(
    "Price an order and decide its credit without taking it",
    body=("The order", "NewOrder"),
    answers={"200": ("The priced order and its decision", "OrderQuote")},
    errors=error_answers(
        ("401", "Not signed in"),
        NOT_FOR_COLLECTORS,
        TOO_LARGE,
        ("422", "Invalid fields (messages per field, in Spanish)"),
    ),
)
@requires("orders.take")
@order_refusals
def quote_order():
    """Price an order and decide its credit without taking it."""
    data = load_json(NewOrderSchema())
    data.pop("override_reason", None)
    client = _client_in_body(data.pop("client_id"))
    quote = orders.quote(client, data)
    totals = quote.totals
    body = {
        "currency": quote.currency,
        "payment_method": quote.payment_method,
        "sale_condition_id": quote.sale_condition.id if quote.sale_condition else None,
        "lines": [
            {
                **line.__dict__,
                "product_id": product.id,
                "product": product,
                "list_price": line.list_price,
                "discounts": [d.__dict__ for d in line.discounts],
            }
            for product, line in zip(quote.products, totals.lines, strict=True)
        ],
        "subtotal": totals.subtotal,
        "condition_discount": totals.condition_discount,
        "net": totals.net,
        "tax": totals.tax,
        "perception": totals.perception,
        "total": totals.total,
        "credit": credit.decision_json(quote.decision, client.currency),
    }
    return jsonify(QuoteSchema().dump(body))


@bp.get("/orders")
@api_doc(
    "Orders in the caller's scope, newest first",
    query=OrderListArgsSchema,
    answers={"200": ("A page of orders", "OrderPage")},
    errors=read_errors(),
)
@requires("orders.view")
@order_refusals
def list_orders():
    """Orders in the caller's scope, newest first, by client and status."""
    args = query_args(OrderListArgsSchema())
    query = orders.with_lines(
        orders.filter_orders(
            orders.orders_in_scope(current_user), args.get("client_id"), args.get("status")
        )
    )
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    next_url = None
    if page.has_next:
        sent = {k: v for k, v in request.args.items() if k in ("client_id", "status", "per_page")}
        next_url = url_for(".list_orders", **(sent | {"page": page.next_num}))
    requests = overrides.latest_requests(page.items)
    items = [order_json(order, requests=requests) for order in page.items]
    body = {"items": items, "next": next_url, "total": page.total}
    return jsonify(body)


@bp.get(ONE_ORDER)
@api_doc("One order", answers={"200": ("The order", "Order")}, errors=read_errors(OUT_OF_SCOPE))
@requires("orders.view")
def get_order(order_id: int):
    """One order with its lines, decision and override request."""
    return _answer(_order(order_id))


@bp.post(f"{ONE_ORDER}/override-request")
@api_doc(
    "Send a blocked order to the supervisors whose band covers it (200 and accepted when it "
    "fits the limits now)",
    body=("The data", "OverrideReason"),
    answers={"201": ("The order", "Order")},
    errors=write_errors(REFUSED_WRITE, UNKNOWN),
)
@requires("orders.take")
@write_endpoint
@order_refusals
def request_override(order_id: int):
    """Send a blocked order to the supervisors whose band covers it, with a reason."""
    order = _order(order_id)
    data = load_json(ReasonSchema())
    made = overrides.request_override(order, data["reason"], current_user)
    return _answer(order, 201 if made else 200)


@bp.post(f"{ONE_ORDER}/cancel")
@api_doc(
    "Cancel an order not yet invoiced (its taker or the back office)",
    body=("The data", "OrderCancel"),
    answers={"200": ("The order", "Order")},
    errors=write_errors(REFUSED_WRITE, UNKNOWN),
)
@requires("orders.take")
@write_endpoint
@order_refusals
def cancel_order(order_id: int):
    """Cancel an order not yet invoiced (its taker or the back office)."""
    order = _order(order_id)
    if order.user_id != current_user.id and not can(current_user, "orders.manage"):
        return json_error(403, "forbidden", _("Solo quien tomó el pedido puede cancelarlo."))
    data = load_json(CancelSchema())
    orders.cancel_order(order, current_user, data.get("reason"))
    return _answer(order)


@bp.post(f"{ONE_ORDER}/tracking")
@api_doc(
    "Mark an order dispatched, delivered or invoiced (back office)",
    body=("The data", "OrderTracking"),
    answers={"200": ("The order", "Order")},
    errors=write_errors(REFUSED_WRITE, UNKNOWN),
)
@requires("orders.manage")
@write_endpoint
@order_refusals
def track_order(order_id: int):
    """Mark an order dispatched, delivered or invoiced (the back office)."""
    order = _order(order_id)
    data = load_json(TrackingSchema())
    orders.track_order(order, data["step"], current_user)
    return _answer(order)


def _delivery(order: Order, attempt: DeliveryAttempt | None = None, status: int = 200):
    """The order's delivery state and attempts (the one just made, if any)."""
    delivered = deliveries.receiver(order)
    shown = attempt or delivered
    body = {
        "order_id": order.id,
        "state": deliveries.delivery_state(order),
        "dispatched_at": order.dispatched_at,
        "delivered_at": order.delivered_at,
        "authorized_pickup": shown.authorized if shown is not None else None,
        "attempt": attempt,
        "attempts": order.deliveries,
    }
    return jsonify(DeliverySchema().dump(body)), status


@bp.get(f"{ONE_ORDER}/delivery")
@api_doc(
    "An order's delivery: pending or delivered, who received it and every attempt",
    answers={"200": ("The delivery", "Delivery")},
    errors=read_errors(OUT_OF_SCOPE, ("403", "Not allowed (collectors)")),
)
@requires("deliveries.work")
def get_delivery(order_id: int):
    """An order's delivery state, who received it, and every attempt."""
    return _delivery(_order(order_id))


@bp.post(f"{ONE_ORDER}/delivery")
@api_doc(
    "Confirm a delivery with who received it, after the client's authorised-pickup check (a "
    "receiver the client did not authorise is refused unless override is sent by a user "
    "allowed to: back office, supervisors); or, with outcome failed and a reason, record a "
    "failed attempt: the order stays pending for a new one",
    body=("The data", "NewDelivery"),
    answers={"201": ("The attempt was recorded", "Delivery")},
    errors=write_errors(
        REFUSED_WRITE,
        UNKNOWN,
        ("403", "Not allowed (collectors)"),
        (
            "422",
            "Invalid fields, a receiver not authorised (received_by_document), an override "
            "not allowed (override), an order not deliverable or already delivered (order), "
            "or key reused",
        ),
    ),
)
@requires("deliveries.work")
@write_endpoint
@order_refusals
def deliver_order(order_id: int):
    """Confirm an order's delivery (receiver and pickup check), or record a failed attempt."""
    order = _order(order_id)
    data = load_json(DeliveryBodySchema())
    if data.get("outcome") == "failed":
        attempt = deliveries.record_failure(order, data, current_user)
    else:
        attempt = deliveries.confirm_delivery(order, data, current_user)
    return _delivery(order, attempt, 201)


@bp.get("/deliveries")
@api_doc(
    "The dispatch list: orders in the caller's scope dispatched up to a day and not delivered "
    "(a failed attempt keeps an order on it), by delivery zone",
    query=DispatchArgsSchema,
    answers={"200": ("The orders to deliver", "DispatchList")},
    errors=read_errors(("403", "Not allowed (collectors)")),
)
@requires("deliveries.work")
@order_refusals
def list_deliveries():
    """Orders dispatched up to a day and not delivered, by delivery zone."""
    args = query_args(DispatchArgsSchema())
    day = args.get("date") or local_today()
    rows = deliveries.dispatch_list(current_user, day, args.get("zone_id"))
    return jsonify(DispatchListSchema().dump({"date": day, "items": rows}))
