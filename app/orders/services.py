"""Orders: what the client may pay with and buy at, the quote, and placing the order."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.auth.models import User
from app.auth.permissions import can
from app.clients.models import Address, Client, ClientState, PaymentMethod
from app.clients.rules import search_tokens
from app.clients.services import scoped_clients
from app.core.location import phone_location
from app.core.numbers import parse_decimal
from app.core.sqlite import take_write_lock
from app.core.types import local_today, utcnow
from app.credit import overrides
from app.credit import services as credit
from app.credit.rules import CREDIT_METHODS, Decision
from app.extensions import db
from app.ledger import accounts
from app.ledger import services as ledger
from app.ledger.models import SaleCondition
from app.ledger.parsing import client_sale_condition
from app.orders.models import (
    ClientCondition,
    Order,
    OrderLine,
    OrderStatus,
    Price,
    PriceList,
    Product,
    Promotion,
    VolumeDiscount,
)
from app.orders.pricing import (
    Break,
    LineInput,
    NoPrice,
    Own,
    Promo,
    Totals,
    order_totals,
    price_line,
)
from app.rates import services as rates
from app.taxes import services as taxes

MAX_LINES = 200
MAX_QUANTITY = Decimal("100000")
PAGE_SIZE = 25
PAYMENT_ORDER = [method.value for method in PaymentMethod]
# Delivery tracking the back office sets, in the order they happen.
TRACKING = ("dispatched", "delivered", "invoiced")


class OrderError(ValueError):
    """An order that cannot be taken, with a Spanish message per field."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


# --- what the client may do ------------------------------------------------------------------


def has_current_account(client: Client) -> bool:
    """Potential and cash-only clients (by state or by type) have no current account."""
    if client.state in (ClientState.POTENTIAL, ClientState.CASH_ONLY):
        return False
    return not (client.client_type and client.client_type.cash_only)


def allowed_payment_methods(client: Client) -> list[str]:
    """The client's payment methods (all when none are set), credit only with an account."""
    chosen = set(client.payment_methods or PAYMENT_ORDER)
    if not has_current_account(client):
        chosen -= CREDIT_METHODS
    return [method for method in PAYMENT_ORDER if method in chosen]


def default_payment_method(client: Client) -> str | None:
    """The client's usual method when it is allowed, else the first allowed."""
    allowed = allowed_payment_methods(client)
    if client.default_payment_method in allowed:
        return client.default_payment_method
    return allowed[0] if allowed else None


def allowed_currencies(client: Client) -> list[str]:
    """The account currency, and the foreign one only when the client has it enabled."""
    currencies = [client.currency]
    if client.foreign_currency_allowed:
        currencies.append("USD" if client.currency != "USD" else "ARS")
    return currencies


def shipping_addresses(client: Client) -> list[Address]:
    """Where an order may be delivered: shipping and branch addresses, else the fiscal one."""
    rows = db.session.scalars(
        sa.select(Address)
        .where(Address.client_id == client.id, Address.deleted_at.is_(None))
        .order_by(
            sa.case((Address.kind == "shipping", 0), (Address.kind == "branch", 1), else_=2),
            Address.id,
        )
    ).all()
    deliverable = [row for row in rows if row.kind in ("shipping", "branch")]
    return deliverable or list(rows)


def price_list_for(client: Client, address: Address | None = None) -> PriceList | None:
    """A branch's own list when delivering to it, else the client's."""
    if address is not None and address.branch_price_list_id:
        return db.session.get(PriceList, address.branch_price_list_id)
    return client.price_list


def sale_conditions_for(client: Client) -> list[SaleCondition]:
    """The sale conditions an order may take: immediate ones only without a current account."""
    rows = accounts.sale_conditions()
    if not has_current_account(client):
        rows = [row for row in rows if row.is_immediate]
    return rows


# --- products and prices ---------------------------------------------------------------------


def search_products(text: str, limit: int = 20, include_inactive: bool = False) -> list[Product]:
    """Products whose code or description hold every word typed, by code."""
    query = sa.select(Product).where(Product.deleted_at.is_(None))
    if not include_inactive:
        query = query.where(Product.active)
    for token in search_tokens(text)[:8]:
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Product.search_text.like(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(query.order_by(Product.code).limit(limit)))


def prices_for(product_ids: list[int], price_list: PriceList | None, currency: str) -> dict:
    """The list's price of each product in the currency: {product_id: price}."""
    if price_list is None or not product_ids:
        return {}
    rows = db.session.execute(
        sa.select(Price.product_id, Price.price).where(
            Price.price_list_id == price_list.id,
            Price.product_id.in_(product_ids),
            Price.currency == currency,
            Price.deleted_at.is_(None),
        )
    )
    return dict(rows.all())


def _line_inputs(
    client: Client,
    products: list[Product],
    quantities: list[Decimal],
    currency: str,
    price_list: PriceList | None,
    on: date,
) -> list[LineInput]:
    """Everything pricing needs for these lines, read in one query per table."""
    ids = [product.id for product in products]
    prices = prices_for(ids, price_list, currency)
    promos: dict[int, list[Promo]] = defaultdict(list)
    for row in db.session.scalars(
        sa.select(Promotion).where(
            Promotion.product_id.in_(ids),
            Promotion.deleted_at.is_(None),
            Promotion.valid_from <= on,
            Promotion.valid_to >= on,
        )
    ):
        promos[row.product_id].append(
            Promo(row.name, row.discount_pct, row.valid_from, row.valid_to)
        )
    breaks: dict[int, list[Break]] = defaultdict(list)
    for row in db.session.scalars(
        sa.select(VolumeDiscount).where(
            VolumeDiscount.product_id.in_(ids), VolumeDiscount.deleted_at.is_(None)
        )
    ):
        breaks[row.product_id].append(Break(row.min_quantity, row.discount_pct))
    own: dict[int | None, list[Own]] = defaultdict(list)
    for row in conditions_in_force(client, on):
        special = row.special_price if currency == client.currency else None
        if row.special_price is not None and special is None:
            continue  # a special price is in the account currency only
        own[row.product_id].append(
            Own(row.valid_from, row.valid_to, special, row.discount_pct, row.product_id is not None)
        )
    return [
        LineInput(
            quantity,
            prices.get(product.id),
            product.tax_rate,
            tuple(promos[product.id]),
            tuple(breaks[product.id]),
            tuple(own[product.id] + own[None]),
        )
        for product, quantity in zip(products, quantities, strict=True)
    ]


def conditions_in_force(client: Client, on: date) -> list[ClientCondition]:
    """The client's own prices and discounts that hold on that day."""
    return list(
        db.session.scalars(
            sa.select(ClientCondition).where(
                ClientCondition.client_id == client.id,
                ClientCondition.deleted_at.is_(None),
                ClientCondition.valid_from <= on,
                sa.or_(ClientCondition.valid_to.is_(None), ClientCondition.valid_to >= on),
            )
        )
    )


def perceiver(client: Client, on: date):
    """The IIBB perception for a net amount, summed over the jurisdictions that reach the client."""
    return lambda net: sum(
        (p.amount for p in taxes.client_perceptions(client, net, on)), Decimal("0")
    )


# --- the quote -------------------------------------------------------------------------------


@dataclass
class Quote:
    """An order priced and checked, before (or as) it is placed."""

    client: Client
    currency: str
    payment_method: str
    sale_condition: SaleCondition | None
    address: Address | None
    price_list: PriceList | None
    products: list[Product]
    totals: Totals
    decision: Decision | None  # None when the order is empty
    notes: str | None
    location: tuple[Decimal, Decimal, int | None] | None
    on: date


def _quantity(raw: object) -> Decimal | None:
    """A quantity as people type it ("2", "2,5", "1.234,50"), by parse_decimal; else None."""
    try:
        return parse_decimal(raw, negative=True)
    except ValueError:
        return None


def _int(raw: object) -> int | None:
    """A positive whole id, or None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw > 0 else None
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip()) or None
    return None


def quote(
    client: Client, data: dict, on: date | None = None, partial: bool = False, decide: bool = True
) -> Quote:
    """Price the order in data and take the credit decision (unless not `decide`); OrderError
    on bad input.

    data: payment_method, currency, sale_condition_id, shipping_address_id, notes, latitude,
    longitude, accuracy and lines [{product_id, quantity}]. With partial (the live preview),
    an order without lines is quoted as empty instead of refused.
    """
    on = on or local_today()
    errors: dict[str, str] = {}
    if client.is_deleted or client.state == ClientState.DISABLED:
        errors["client_id"] = _("A este cliente no se le puede vender.")
    methods = allowed_payment_methods(client)
    method = data.get("payment_method") or default_payment_method(client)
    if method not in methods:
        errors["payment_method"] = _("Forma de pago no habilitada para este cliente.")
    currency = data.get("currency") or client.currency
    if currency not in allowed_currencies(client):
        errors["currency"] = _("El cliente no tiene habilitada la moneda extranjera.")
    address = _address(client, data.get("shipping_address_id"), errors)
    condition = _condition(client, data.get("sale_condition_id"), method, errors)
    products, quantities = _lines(data.get("lines"), errors, partial)
    notes = (data.get("notes") or "").strip() or None
    if notes and len(notes) > 1000:
        errors["notes"] = _("Las observaciones no pueden superar los 1000 caracteres.")
    location = phone_location(data)
    price_list = price_list_for(client, address)
    priced = []
    if not errors:
        inputs = _line_inputs(client, products, quantities, currency, price_list, on)
        for index, (product, line) in enumerate(zip(products, inputs, strict=True)):
            try:
                priced.append(price_line(line, type_discount_pct(client), on))
            except NoPrice:
                errors[f"lines.{index}.product_id"] = _(
                    "%(code)s no tiene precio en la lista del cliente.", code=product.code
                )
    if errors:
        raise OrderError(errors)
    condition_pct = condition.discount_pct if condition else Decimal("0")
    totals = order_totals(
        priced, condition_pct, perceiver(client, on), client.iva_exemption_pct or Decimal("0")
    )
    decision = _decide(client, totals.total, currency, method, on) if decide else None
    return Quote(
        client,
        currency,
        method,
        condition,
        address,
        price_list,
        products,
        totals,
        decision,
        notes,
        location,
        on,
    )


def _decide(
    client: Client, total: Decimal, currency: str, method: str, on: date
) -> Decision | None:
    """The credit decision on the order's total in the account's currency (none when free)."""
    if total <= 0:
        return None
    return credit.decision(client, _in_account_currency(client, total, currency, on), method, on)


def type_discount_pct(client: Client) -> Decimal:
    """The client type's discount, or none."""
    return (client.client_type.discount_pct or Decimal("0")) if client.client_type else Decimal(0)


def _in_account_currency(client: Client, amount: Decimal, currency: str, on: date) -> Decimal:
    """The amount in the client's account currency, at the rate of the order's day; an order
    on a day without a rate is refused."""
    try:
        return rates.convert(amount, currency, client.currency, on, "currency")
    except rates.RateError as exc:
        raise OrderError(exc.fields) from exc


def _address(client: Client, raw: object, errors: dict) -> Address | None:
    """The chosen delivery address of this client; the first one when none is chosen."""
    choices = shipping_addresses(client)
    if raw in (None, ""):
        return choices[0] if choices else None
    ident = _int(raw)
    match = next((row for row in choices if row.id == ident), None)
    if match is None:
        errors["shipping_address_id"] = _("Elegí una dirección de entrega del cliente.")
    return match


def _condition(client: Client, raw: object, method: str, errors: dict) -> SaleCondition | None:
    """The chosen sale condition; the client's own by default; immediate unless on credit."""
    choices = sale_conditions_for(client)
    if raw in (None, ""):
        chosen = client_sale_condition(client)
        if chosen is not None and method not in CREDIT_METHODS and not chosen.is_immediate:
            chosen = next((row for row in choices if row.is_immediate), None)
        return chosen
    ident = _int(raw)
    chosen = next((row for row in choices if row.id == ident), None)
    if chosen is None:
        errors["sale_condition_id"] = _("Condición de venta no habilitada para este cliente.")
    elif method not in CREDIT_METHODS and not chosen.is_immediate:
        errors["sale_condition_id"] = _(
            "Con pago inmediato la condición de venta debe ser de contado."
        )
    return chosen


def _lines(raw: object, errors: dict, partial: bool) -> tuple[list[Product], list[Decimal]]:
    """The lines' products (active ones) and quantities, in the order given."""
    if not isinstance(raw, list) or not raw:
        if not partial:
            errors["lines"] = _("Agregá al menos un producto.")
        return [], []
    if len(raw) > MAX_LINES:
        errors["lines"] = _("Un pedido puede tener hasta %(n)s líneas.", n=MAX_LINES)
        return [], []
    ids, quantities = [], []
    for index, row in enumerate(raw):
        row = row if isinstance(row, dict) else {}
        ident = _int(row.get("product_id"))
        quantity = _quantity(row.get("quantity"))
        if ident is None:
            errors[f"lines.{index}.product_id"] = _("Elegí un producto.")
        if quantity is None or quantity <= 0 or quantity > MAX_QUANTITY:
            errors[f"lines.{index}.quantity"] = _("La cantidad debe ser mayor que cero.")
        elif quantity.as_tuple().exponent < -3:
            errors[f"lines.{index}.quantity"] = _("Hasta tres decimales en la cantidad.")
        ids.append(ident)
        quantities.append(quantity)
    found = {
        product.id: product
        for product in db.session.scalars(
            sa.select(Product).where(Product.id.in_([i for i in ids if i]))
        )
    }
    products = []
    for index, ident in enumerate(ids):
        product = found.get(ident)
        if ident and (product is None or product.is_deleted or not product.active):
            errors[f"lines.{index}.product_id"] = _("Ese producto no existe o no está activo.")
        products.append(product)
    return products, quantities


# --- placing and following orders ------------------------------------------------------------


def place_order(client: Client, data: dict, user: User) -> Order:
    """Take the order: price it, decide its credit under the client's lock, keep it.

    An order over the limit is kept as blocked, never dropped; the decision goes with it.
    It is priced first; only the credit decision and the insert wait for the account's lock
    (and on SQLite for the write lock), so concurrent orders price in parallel and still
    never overshoot a limit together.
    """
    q = quote(client, data, decide=False)
    take_write_lock()
    # the client's row is read again under the lock; what it led to (its type, its list) stays
    # held meanwhile, so the session keeps it and the decision does not read it again
    state = sa.inspect(client)
    held = [state.dict[rel.key] for rel in state.mapper.relationships if rel.key in state.dict]
    ledger.lock_and_reload_account(client)
    credit.lock_family(client)
    decision = _decide(client, q.totals.total, q.currency, q.payment_method, q.on)
    del held
    status = OrderStatus.ACCEPTED if decision.allowed else OrderStatus.BLOCKED
    lat, lon, accuracy = q.location or (None, None, None)
    order = Order(
        client_id=client.id,
        user_id=user.id,
        status=status,
        date=q.on,
        payment_method=q.payment_method,
        currency=q.currency,
        price_list_id=q.price_list.id if q.price_list else None,
        sale_condition_id=q.sale_condition.id if q.sale_condition else None,
        shipping_address_id=q.address.id if q.address else None,
        subtotal=q.totals.subtotal,
        condition_discount=q.totals.condition_discount,
        net=q.totals.net,
        tax=q.totals.tax,
        perception=q.totals.perception,
        total=q.totals.total,
        notes=q.notes,
        credit=credit.decision_json(decision, client.currency),
        latitude=lat,
        longitude=lon,
        location_accuracy=accuracy,
        lines=[
            OrderLine(
                position=index,
                product=product,  # kept with the line: the answer shows it without a query
                quantity=line.quantity,
                list_price=line.list_price,
                discounts=[
                    {"kind": d.kind, "label": d.label, "pct": str(d.pct)} for d in line.discounts
                ],
                net=line.net,
                tax_rate=line.tax_rate,
            )
            for index, (product, line) in enumerate(zip(q.products, q.totals.lines, strict=True))
        ],
    )
    db.session.add(order)
    db.session.flush()
    record("order.create", "order", order.id, after=order_view(order))
    if not decision.allowed:
        record("credit.blocked", "order", order.id, after={"failures": order.credit["failures"]})
    return order


def order_view(order: Order) -> dict:
    """The order as the audit log keeps it."""
    return {
        "client_id": order.client_id,
        "status": order.status,
        "payment_method": order.payment_method,
        "currency": order.currency,
        "total": str(order.total),
        "lines": len(order.lines),
    }


def orders_in_scope(user: User) -> sa.Select:
    """Orders of the clients the user reaches; a salesperson sees the ones they took too."""
    clients = scoped_clients(user, include_deleted=True).with_only_columns(Client.id)
    query = sa.select(Order).where(Order.deleted_at.is_(None))
    if can(user, "orders.manage"):
        return query
    return query.where(sa.or_(Order.client_id.in_(clients), Order.user_id == user.id))


def get_order(user: User, order_id: int) -> Order | None:
    """The order if the user reaches it."""
    return db.session.scalar(orders_in_scope(user).where(Order.id == order_id))


def with_lines(query: sa.Select) -> sa.Select:
    """Read each order's lines and their products along with a page of orders."""
    return query.options(selectinload(Order.lines).joinedload(OrderLine.product))


def filter_orders(query: sa.Select, client_id: int | None, status: str | None) -> sa.Select:
    """Narrow a list of orders by client and status, newest first (their clients read along)."""
    query = query.options(joinedload(Order.client))
    if client_id:
        query = query.where(Order.client_id == client_id)
    if status:
        query = query.where(Order.status == status)
    return query.order_by(Order.created_at.desc(), Order.id.desc())


def cancel_order(order: Order, user: User, reason: str | None = None) -> None:
    """Cancel an order that was not invoiced; a waiting request goes with it."""
    ledger.lock_account(order.client_id)
    db.session.refresh(order)
    if order.status in (OrderStatus.INVOICED, OrderStatus.CANCELLED):
        raise OrderError({"status": _("Este pedido ya no se puede cancelar.")})
    before = order_view(order)
    overrides.withdraw_requests(order, user)
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = utcnow()
    record("order.cancel", "order", order.id, before, {**order_view(order), "reason": reason})
    db.session.flush()


def track_order(order: Order, step: str, user: User) -> None:
    """The back office marks an order dispatched, delivered or invoiced (in that order)."""
    if step not in TRACKING:
        raise OrderError({"step": _("Paso desconocido.")})
    if order.status not in (OrderStatus.ACCEPTED, OrderStatus.APPROVED, OrderStatus.INVOICED):
        raise OrderError({"step": _("Solo se siguen los pedidos aceptados o aprobados.")})
    column = f"{step}_at"
    if getattr(order, column) is not None:
        raise OrderError({"step": _("Ese paso ya estaba marcado.")})
    before = order_view(order) | {column: None}
    setattr(order, column, utcnow())
    if step == "invoiced":
        order.status = OrderStatus.INVOICED
    record(f"order.{step}", "order", order.id, before, order_view(order) | {column: "now"})
    db.session.flush()
