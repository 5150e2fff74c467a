"""Products, price lists and their prices, discounts, and the orders taken at the visit."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clients.rules import search_key
from app.core.changes import Synced
from app.core.reference_cache import cache_reads_of
from app.core.types import Money, UTCDateTime, utcnow
from app.extensions import db

Quantity = sa.Numeric(12, 3)
Percent = sa.Numeric(5, 2)
UnitPrice = sa.Numeric(14, 4)


def _one_of(column: str, values: type) -> str:
    """A CHECK that the column holds one of an enum's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class OrderStatus(StrEnum):
    """Where an order stands (DESIGN.md section 6)."""

    ACCEPTED = "accepted"
    BLOCKED = "blocked"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"


# Orders that will become invoices: they count in the client's exposure until invoiced.
PENDING_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.APPROVED)


class PriceList(Synced, db.Model):
    """A list of prices a client buys at, in one currency."""

    __tablename__ = "price_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    currency: Mapped[str] = mapped_column(sa.String(3), default="ARS")


class Product(Synced, db.Model):
    """An article of the catalogue."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    description: Mapped[str] = mapped_column(sa.String(160))
    unit: Mapped[str] = mapped_column(sa.String(12), default="un")
    tax_rate: Mapped[Decimal] = mapped_column(Percent, default=Decimal("21"))  # IVA %
    active: Mapped[bool] = mapped_column(default=True)
    # what a unit costs the company, in pesos (for margins); unknown costs are None
    cost: Mapped[Decimal | None] = mapped_column(Money)
    # folded code and description, for accent- and case-blind search
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (
        sa.CheckConstraint("tax_rate >= 0 AND tax_rate <= 100", name="ck_products_tax_rate"),
        sa.CheckConstraint("cost IS NULL OR cost >= 0", name="ck_products_cost"),
    )


@event.listens_for(Product, "before_insert")
@event.listens_for(Product, "before_update")
def _keep_search_text(_mapper, _connection, product: Product) -> None:
    """The search key follows the code and description."""
    product.search_text = search_key(product.code, product.description)


class Price(Synced, db.Model):
    """A product's price in a price list, in one currency (before IVA)."""

    __tablename__ = "prices"

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(sa.ForeignKey("price_lists.id"))
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3), default="ARS")
    price: Mapped[Decimal] = mapped_column(UnitPrice)

    product: Mapped[Product] = relationship()
    price_list: Mapped[PriceList] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("price_list_id", "product_id", "currency", name="uq_prices"),
        sa.CheckConstraint("price >= 0", name="ck_prices_price"),
    )


class VolumeDiscount(Synced, db.Model):
    """A quantity break: buying at least min_quantity of a product takes discount_pct off."""

    __tablename__ = "volume_discounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    min_quantity: Mapped[Decimal] = mapped_column(Quantity)
    discount_pct: Mapped[Decimal] = mapped_column(Percent)

    product: Mapped[Product] = relationship()

    __table_args__ = (
        sa.CheckConstraint("min_quantity > 0", name="ck_volume_min_quantity"),
        sa.CheckConstraint("discount_pct > 0 AND discount_pct <= 100", name="ck_volume_pct"),
    )


class Promotion(Synced, db.Model):
    """A time-limited discount on a product (both dates included)."""

    __tablename__ = "promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    discount_pct: Mapped[Decimal] = mapped_column(Percent)
    valid_from: Mapped[date]
    valid_to: Mapped[date]

    product: Mapped[Product] = relationship()

    __table_args__ = (
        sa.CheckConstraint("valid_to >= valid_from", name="ck_promotions_dates"),
        sa.CheckConstraint("discount_pct > 0 AND discount_pct <= 100", name="ck_promotions_pct"),
    )


class ClientCondition(Synced, db.Model):
    """A client's own price or discount, on one product or on every product.

    Never edited in place: a change ends the condition in force (valid_to) and starts a new
    one, so the history of what the client was offered stays.
    """

    __tablename__ = "client_conditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id"))
    special_price: Mapped[Decimal | None] = mapped_column(UnitPrice)  # in the order currency
    discount_pct: Mapped[Decimal | None] = mapped_column(Percent)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product | None] = relationship()
    created_by: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(
            "(special_price IS NULL) <> (discount_pct IS NULL)", name="ck_condition_price_or_pct"
        ),
        sa.CheckConstraint(
            "special_price IS NULL OR product_id IS NOT NULL", name="ck_condition_price_product"
        ),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_condition_dates"),
    )


class Order(Synced, db.Model):
    """An order taken for a client, with the credit decision it got."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    date: Mapped[date]
    payment_method: Mapped[str] = mapped_column(sa.String(20))
    currency: Mapped[str] = mapped_column(sa.String(3))
    price_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("price_lists.id"))
    sale_condition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sale_conditions.id"))
    shipping_address_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client_addresses.id"))
    # amounts: lines after their discounts, the sale condition's discount, taxes, total
    subtotal: Mapped[Decimal] = mapped_column(Money)
    condition_discount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    net: Mapped[Decimal] = mapped_column(Money)
    tax: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    perception: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    total: Mapped[Decimal] = mapped_column(Money)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # the decision the server took when the order arrived (DecisionSchema's shape)
    credit: Mapped[dict | None] = mapped_column(sa.JSON)
    # where the visit happened, when the phone's owner allowed it
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    location_accuracy: Mapped[int | None]  # metres
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # delivery tracking, set by the back office
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invoiced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped["Client"] = relationship()  # noqa: F821
    user: Mapped["User"] = relationship()  # noqa: F821
    sale_condition: Mapped["SaleCondition | None"] = relationship()  # noqa: F821
    shipping_address: Mapped["Address | None"] = relationship()  # noqa: F821
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.position", cascade="all, delete-orphan"
    )
    deliveries: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="order", order_by="DeliveryAttempt.id"
    )

    __table_args__ = (
        sa.CheckConstraint(_one_of("status", OrderStatus), name="ck_orders_status"),
        sa.CheckConstraint("total > 0", name="ck_orders_total"),
        sa.Index("ix_orders_client_status", "client_id", "status"),
    )


class OrderLine(db.Model):
    """One product of an order, with the price and each discount it got."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    list_price: Mapped[Decimal] = mapped_column(UnitPrice)  # before any discount
    # the discounts applied, in order: [{"kind", "label", "pct"}]
    discounts: Mapped[list] = mapped_column(sa.JSON, default=list)
    net: Mapped[Decimal] = mapped_column(Money)  # quantity x price after the line discounts
    tax_rate: Mapped[Decimal] = mapped_column(Percent)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="ck_order_lines_quantity"),)


class DeliveryOutcome(StrEnum):
    """How a delivery attempt ended."""

    DELIVERED = "delivered"
    FAILED = "failed"


class DeliveryAttempt(db.Model):
    """One try at handing an order over: who received it, or why it could not be delivered.

    A failed attempt leaves the order pending for a new one; every attempt is kept.
    """

    __tablename__ = "order_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(10))
    # a failed attempt: one of the reasons' codes (orders/deliveries.py) and what happened
    reason: Mapped[str | None] = mapped_column(sa.String(20))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    received_by_name: Mapped[str | None] = mapped_column(sa.String(120))
    received_by_document: Mapped[str | None] = mapped_column(sa.String(30))
    # the pickup check: None when the client names nobody (anyone at the shop receives)
    authorized: Mapped[bool | None]
    pickup_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client_pickups.id"))
    # handed to someone not authorised, by a user allowed to (deliveries.override)
    overridden: Mapped[bool] = mapped_column(default=False)
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    location_accuracy: Mapped[int | None]  # metres
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="deliveries")
    user: Mapped["User"] = relationship()  # noqa: F821
    pickup: Mapped["AuthorizedPickup | None"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint(_one_of("outcome", DeliveryOutcome), name="ck_order_deliveries_outcome"),
        sa.CheckConstraint(
            "(outcome = 'delivered' AND received_by_name IS NOT NULL"
            " AND received_by_document IS NOT NULL)"
            " OR (outcome = 'failed' AND reason IS NOT NULL)",
            name="ck_order_deliveries_shape",
        ),
    )


# read by every order and credit decision, changed a few times a month
cache_reads_of(PriceList)
