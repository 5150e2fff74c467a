"""Order pages: the list, the client picker, the order form with its live summary, and taking it.

The order page and its actions (override request, cancel, tracking) live in follow.py.
"""

from itertools import zip_longest

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.permissions import requires
from app.clients import services as clients
from app.clients.forms import PAYMENT_LABELS
from app.clients.models import Client
from app.core.idempotency import write_endpoint
from app.core.numbers import plain_decimal
from app.core.rendering import render
from app.core.routing import MAX_ID
from app.core.sqlite import reads_first
from app.extensions import db
from app.ledger import posting
from app.ledger.parsing import client_sale_condition
from app.orders import history, services
from app.orders.blueprint import bp
from app.orders.labels import DISCOUNT_LABELS, STATUS_LABELS
from app.orders.models import OrderStatus, Product
from app.orders.services import OrderError

MAX_PAGE = 100_000
PICKER_SIZE = 20
FIELD_LABELS = {
    "client_id": _l("Cliente"),
    "payment_method": _l("Forma de pago"),
    "currency": _l("Moneda"),
    "sale_condition_id": _l("Condición de venta"),
    "shipping_address_id": _l("Dirección de entrega"),
    "notes": _l("Observaciones"),
    "lines": _l("Productos"),
    "reason": _l("Motivo"),
}
# What the order form sends besides its lines (repeated product_id and quantity fields).
ORDER_FIELDS = (
    "payment_method",
    "currency",
    "sale_condition_id",
    "shipping_address_id",
    "notes",
    "latitude",
    "longitude",
    "accuracy",
)


@bp.app_template_global()
def order_status_label(status: str) -> str:
    """An order's status in words."""
    return str(STATUS_LABELS.get(status, status))


@bp.app_template_global()
def payment_label(method: str) -> str:
    """A payment method in words."""
    return str(PAYMENT_LABELS.get(method, method))


@bp.app_template_global()
def discount_label(kind: str) -> str:
    """The short name of a line discount's kind, for its chip."""
    return str(DISCOUNT_LABELS.get(kind, kind))


def _id_arg(raw: str | None) -> int | None:
    """An id sent as text, or None when it is not one that can exist."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 0 < number <= MAX_ID else None


def _page_arg() -> int:
    """The page number asked for, within bounds."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def _client(raw: str | None) -> Client:
    """The client an order is for, if the user reaches it; else 404."""
    client_id = _id_arg(raw)
    if client_id is None:
        abort(404)
    return clients.visible_client(current_user, client_id, trash=False)


def order_data(form) -> dict:
    """The order a form describes, as services.quote takes it."""
    data = {name: (form.get(name) or "").strip() for name in ORDER_FIELDS}
    products, quantities = form.getlist("product_id"), form.getlist("quantity")
    data["lines"] = [
        # an id past the database's integer range is no product ("0"), not a database error
        {"product_id": raw if _id_arg(raw) else "0", "quantity": quantity}
        for raw, quantity in zip_longest(products, quantities, fillvalue="")
    ]
    return data


def error_list(errors: dict[str, str]) -> list[tuple[str, str]]:
    """The refusals of an order as (what, message), with the lines numbered from 1."""
    shown = []
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
            shown.append((_("Línea %(n)d", n=int(parts[1]) + 1), message))
        else:
            shown.append((str(FIELD_LABELS.get(name, "")), message))
    return shown


# --- the list --------------------------------------------------------------------------------


@bp.get("/")
@requires("orders.view")
def index():
    """Orders in my scope, newest first, by status (chips) and client; "more" adds a page."""
    status = request.args.get("status", "")
    status = status if status in STATUS_LABELS else ""
    client_id = _id_arg(request.args.get("client_id"))
    query = services.filter_orders(services.orders_in_scope(current_user), client_id, status)
    page = db.paginate(query, page=_page_arg(), per_page=services.PAGE_SIZE, error_out=False)
    client = None
    if client_id is not None:
        client = db.session.scalar(
            clients.scoped_clients(current_user, include_deleted=True).where(Client.id == client_id)
        )
    return render(
        "orders/index.html",
        block="rows" if page.page > 1 else "results",
        page=page,
        chosen=status,
        client=client,
        client_id=client_id,
        statuses=STATUS_LABELS,
    )


# --- taking an order -------------------------------------------------------------------------


@bp.get("/new")
@requires("orders.take")
def take():
    """Pick a client (search as you type), then the order form for it."""
    if "client_id" not in request.args:
        q = request.args.get("q", "")
        query = clients.sort_clients(
            clients.search_clients(clients.scoped_clients(current_user), q), "name"
        )
        page = db.paginate(query, page=1, per_page=PICKER_SIZE, error_out=False)
        return render("orders/pick_client.html", block="client_rows", page=page, q=q)
    client = _client(request.args.get("client_id"))
    return _form_page(client, {"lines": []})


@bp.post("/")
@requires("orders.take")
@write_endpoint
@reads_first
def create():
    """Take the order: kept accepted, or blocked with its credit decision; 303 to its page."""
    client = _client(request.form.get("client_id"))
    data = order_data(request.form)
    try:
        order = services.place_order(client, data, current_user)
    except OrderError as exc:
        return _form_page(client, data, exc.fields, status=422)
    if order.status == OrderStatus.BLOCKED:
        flash(_("Pedido guardado, pero bloqueado por crédito: podés pedir autorización."), "error")
    else:
        flash(_("Pedido tomado."), "success")
    return redirect(url_for("orders.show", order_id=order.id), 303)


@bp.post("/preview")
@requires("orders.take")
def preview():
    """The live summary of the form: priced lines, totals, due dates and the credit decision."""
    client = _client(request.form.get("client_id"))
    response = make_response(
        render_template(
            "orders/_summary.html", oob=True, **summary(client, order_data(request.form))
        )
    )
    response.vary.add("HX-Request")
    return response


@bp.get("/products")
@requires("orders.take")
def products():
    """Products matching what was typed: the client's price, a quantity and "Agregar"."""
    client = _client(request.args.get("client_id"))
    q = request.args.get("q", "").strip()
    found = services.search_products(q) if q else []
    price_list, currency = _pricing(client)
    prices = services.prices_for([p.id for p in found], price_list, currency)
    response = make_response(
        render_template(
            "orders/_products.html",
            client=client,
            q=q,
            products=found,
            prices=prices,
            currency=currency,
        )
    )
    response.vary.add("HX-Request")
    return response


def _pricing(client: Client) -> tuple:
    """The price list and currency the form's choices (sent along) price in."""
    currency = request.values.get("currency") or client.currency
    if currency not in services.allowed_currencies(client):
        currency = client.currency
    chosen = _id_arg(request.values.get("shipping_address_id"))
    addresses = services.shipping_addresses(client)
    address = next((a for a in addresses if a.id == chosen), addresses[0] if addresses else None)
    return services.price_list_for(client, address), currency


def summary(client: Client, data: dict) -> dict:
    """What the summary shows for the order in data: the quote, or the reasons it has none."""
    try:
        quote = services.quote(client, data, partial=True)
    except OrderError as exc:
        return {"client": client, "quote": None, "summary_errors": error_list(exc.fields)}
    total = quote.totals.total
    return {
        "client": client,
        "quote": quote,
        "summary_errors": [],
        "priced": list(zip(quote.products, quote.totals.lines, strict=True)),
        "installments": (
            posting.preview_installments(quote.sale_condition, quote.on, total) if total else []
        ),
    }


def _form_page(client: Client, data: dict, errors: dict | None = None, status: int = 200):
    """The order form: notices, delivery, lines, payment, sale condition and the summary."""
    errors = errors or {}
    values = dict(data)
    if not errors:
        try:  # the client's usual choices, as the quote takes them when nothing is chosen
            empty = services.quote(client, {**data, "lines": []}, partial=True)
            values.setdefault("payment_method", empty.payment_method)
            values.setdefault("currency", empty.currency)
            values.setdefault("shipping_address_id", empty.address.id if empty.address else "")
        except OrderError as exc:
            errors = exc.fields
    addresses = services.shipping_addresses(client)
    chosen = _id_arg(str(values.get("shipping_address_id") or ""))
    address = next((a for a in addresses if a.id == chosen), addresses[0] if addresses else None)
    currency = values.get("currency") or client.currency
    if currency not in services.allowed_currencies(client):
        currency = client.currency
    shown = summary(client, data)
    if errors:  # the page lists them once, above the form
        shown["summary_errors"] = []
    return render(
        "orders/form.html",
        status=status,
        values=values,
        errors=errors,
        error_messages=error_list(errors),
        rows=_rows(client, data.get("lines") or [], address, currency),
        **_quick_picks(client, address, currency),
        addresses=addresses,
        chosen_address=address,
        methods=services.allowed_payment_methods(client),
        currencies=services.allowed_currencies(client),
        conditions=services.sale_conditions_for(client),
        usual_condition=client_sale_condition(client),
        **shown,
    )


def _rows(client: Client, lines: list[dict], address, currency: str) -> list[dict]:
    """The form's line rows for lines sent back: product, quantity typed and list price."""
    ids = [_id_arg(str(row.get("product_id") or "")) for row in lines]
    found = {p.id: p for p in (db.session.get(Product, i) for i in set(ids) if i) if p}
    prices = services.prices_for(list(found), services.price_list_for(client, address), currency)
    return [
        {
            "index": index,
            "product": found[ident],
            "quantity": row.get("quantity", ""),
            "price": prices.get(ident),
        }
        for index, (ident, row) in enumerate(zip(ids, lines, strict=True))
        if ident in found
    ]


def quantity_text(value) -> str:
    """A quantity as the form's box shows it: no trailing zeros, a decimal comma ("2,5")."""
    return plain_decimal(value).replace(".", ",")


def _quick_picks(client: Client, address, currency: str) -> dict:
    """What the form offers in one tap: the last order again, and the usual products.

    Only products with a price in the client's list: the rest could not be ordered.
    """
    last, usual = history.last_order_lines(client), history.usual_products(client)
    products = {pick.product.id: pick.product for pick in [*last, *usual]}
    prices = services.prices_for(list(products), services.price_list_for(client, address), currency)

    def row(pick: history.Pick) -> dict:
        return {"product": pick.product, "quantity": quantity_text(pick.quantity)}

    repeat = [row(pick) for pick in last if pick.product.id in prices]
    return {
        "repeat": repeat,
        "repeat_lines": [[r["product"].id, r["quantity"]] for r in repeat],
        "usual": [row(pick) for pick in usual if pick.product.id in prices],
        # one line row per product, as "Agregar" adds it, for the page to copy
        "pick_rows": [
            {"product": product, "quantity": "1", "price": prices[ident]}
            for ident, product in products.items()
            if ident in prices
        ],
    }
