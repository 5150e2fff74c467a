"""The client master (ficha de cliente) and what hangs from it."""

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clients.reference import (
    Category,
    Channel,
    ClientType,
    Family,
    Segment,
    Transport,
    Zone,
)
from app.clients.rules import search_key
from app.core.changes import Synced
from app.core.types import Money, UTCDateTime, utcnow
from app.extensions import db
from app.orders.models import PriceList
from app.taxes.rules import TaxIdType, format_tax_id

__all__ = ["Category", "Channel", "ClientType", "Family", "Segment", "Transport", "Zone"]


class ClientState(StrEnum):
    """Commercial state of a client (DESIGN.md section 3 says what each allows)."""

    ACTIVE = "active"
    POTENTIAL = "potential"
    SUSPENDED = "suspended"
    CASH_ONLY = "cash_only"
    DELINQUENT = "delinquent"
    DISABLED = "disabled"


class ClientKind(StrEnum):
    """A company or a person."""

    COMPANY = "company"
    PERSON = "person"


class PaymentMethod(StrEnum):
    """How a client may pay; current_account means on credit."""

    CASH = "cash"
    TRANSFER = "transfer"
    CHECK = "check"
    CARD = "card"
    CURRENT_ACCOUNT = "current_account"
    MIXED = "mixed"


class Client(Synced, db.Model):
    """The client master record."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    # identity
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default=ClientKind.COMPANY)
    legal_name: Mapped[str] = mapped_column(sa.String(160))
    first_name: Mapped[str | None] = mapped_column(sa.String(80))
    last_name: Mapped[str | None] = mapped_column(sa.String(80))
    trade_name: Mapped[str | None] = mapped_column(sa.String(160))
    tax_id_type: Mapped[str] = mapped_column(sa.String(12), default=TaxIdType.CUIT)
    tax_id: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    country: Mapped[str] = mapped_column(sa.String(2), default="AR")
    foreign: Mapped[bool] = mapped_column(default=False)
    activity: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    other_emails: Mapped[str | None] = mapped_column(sa.String(500))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    mobile: Mapped[str | None] = mapped_column(sa.String(40))
    website: Mapped[str | None] = mapped_column(sa.String(200))
    social: Mapped[dict | None] = mapped_column(sa.JSON)
    loyalty_enabled: Mapped[bool] = mapped_column(default=False)
    loyalty_points: Mapped[int] = mapped_column(default=0)
    # tax data
    iva_condition: Mapped[str | None] = mapped_column(sa.String(40))
    iibb_number: Mapped[str | None] = mapped_column(sa.String(20))
    iibb_jurisdiction: Mapped[str | None] = mapped_column(sa.String(60))
    iibb_multilateral: Mapped[bool] = mapped_column(default=False)
    large_taxpayer: Mapped[bool] = mapped_column(default=False)
    iva_exemption_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0"))
    accounting_account: Mapped[str | None] = mapped_column(sa.String(30))
    cbu: Mapped[str | None] = mapped_column(sa.String(22))
    # commercial data
    state: Mapped[str] = mapped_column(sa.String(20), default=ClientState.ACTIVE, index=True)
    abc_rating: Mapped[str | None] = mapped_column(sa.String(1))
    # a rating set by hand that the ABC run (flask abc-rating) leaves alone
    abc_pinned: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    client_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("client_types.id"))
    price_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("price_lists.id"))
    sale_condition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sale_conditions.id"))
    currency: Mapped[str] = mapped_column(sa.String(3), default="ARS")
    foreign_currency_allowed: Mapped[bool] = mapped_column(default=False)
    payment_methods: Mapped[list | None] = mapped_column(sa.JSON)
    default_payment_method: Mapped[str | None] = mapped_column(sa.String(20))
    credit_blocked: Mapped[bool] = mapped_column(default=False)
    # set by the delinquency rule (flask collections delinquency), which also lifts it
    delinquent_by_rule: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # the client's own credit policy; without one, its type's applies
    credit_policy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_policies.id"))
    # the client's own limits, each set one over the policy's (None: the policy's applies)
    credit_money_limit: Mapped[Decimal | None] = mapped_column(Money)
    credit_max_documents: Mapped[int | None]
    credit_max_age_days: Mapped[int | None]
    salesperson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    collector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    sales_zone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zones.id"), index=True)
    delivery_zone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zones.id"))
    transport_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transports.id"))
    channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channels.id"))
    segment1_id: Mapped[int | None] = mapped_column(sa.ForeignKey("segments.id"))
    segment2_id: Mapped[int | None] = mapped_column(sa.ForeignKey("segments.id"))
    segment3_id: Mapped[int | None] = mapped_column(sa.ForeignKey("segments.id"))
    segment4_id: Mapped[int | None] = mapped_column(sa.ForeignKey("segments.id"))
    category1_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    subcategory1_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    category2_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    subcategory2_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    family_id: Mapped[int | None] = mapped_column(sa.ForeignKey("families.id"), index=True)
    # a branch (sucursal) of another client: it may share that client's tax id
    branch_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    # the visit plans (app/clients/visit_plan.py): the salesperson's and the collector's
    visit_weekdays: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    visit_every_weeks: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")
    visit_week_of: Mapped[date | None]
    visit_from: Mapped[time | None]
    visit_to: Mapped[time | None]
    route_position: Mapped[int | None]
    collection_weekdays: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    collection_every_weeks: Mapped[int] = mapped_column(
        sa.SmallInteger, default=1, server_default="1"
    )
    collection_week_of: Mapped[date | None]
    collection_from: Mapped[time | None]
    collection_to: Mapped[time | None]
    collection_position: Mapped[int | None]
    delivery_note_copies: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    invoice_copies: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    last_sale_date: Mapped[date | None]
    last_receipt_date: Mapped[date | None]
    # the main address, copied from the fiscal address for lists and search
    street: Mapped[str | None] = mapped_column(sa.String(160))
    city: Mapped[str | None] = mapped_column(sa.String(80))
    province: Mapped[str | None] = mapped_column(sa.String(60))
    postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    # folded code, names, tax id and e-mails, for accent- and case-blind search
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client_type: Mapped[ClientType | None] = relationship()
    price_list: Mapped[PriceList | None] = relationship()
    sale_condition: Mapped["SaleCondition | None"] = relationship()  # noqa: F821
    credit_policy: Mapped["CreditPolicy | None"] = relationship()  # noqa: F821
    sales_zone: Mapped[Zone | None] = relationship(foreign_keys=[sales_zone_id])
    delivery_zone: Mapped[Zone | None] = relationship(foreign_keys=[delivery_zone_id])
    transport: Mapped[Transport | None] = relationship()
    channel: Mapped[Channel | None] = relationship()
    family: Mapped[Family | None] = relationship()
    branch_of: Mapped["Client | None"] = relationship(remote_side=[id])
    salesperson: Mapped[User | None] = relationship(foreign_keys=[salesperson_id])
    collector: Mapped[User | None] = relationship(foreign_keys=[collector_id])
    segment1: Mapped[Segment | None] = relationship(foreign_keys=[segment1_id])
    segment2: Mapped[Segment | None] = relationship(foreign_keys=[segment2_id])
    segment3: Mapped[Segment | None] = relationship(foreign_keys=[segment3_id])
    segment4: Mapped[Segment | None] = relationship(foreign_keys=[segment4_id])
    category1: Mapped[Category | None] = relationship(foreign_keys=[category1_id])
    subcategory1: Mapped[Category | None] = relationship(foreign_keys=[subcategory1_id])
    category2: Mapped[Category | None] = relationship(foreign_keys=[category2_id])
    subcategory2: Mapped[Category | None] = relationship(foreign_keys=[subcategory2_id])

    @property
    def display_name(self) -> str:
        """Shop name first, as salespeople know the client by it."""
        return self.trade_name or self.legal_name

    @property
    def tax_id_formatted(self) -> str | None:
        """The tax id as people write it ("20-12345678-6")."""
        return format_tax_id(self.tax_id_type, self.tax_id) or None

    def refresh_search_text(self) -> None:
        """Recompute the folded search key from the searchable fields."""
        self.search_text = search_key(
            self.code,
            self.legal_name,
            self.trade_name,
            self.first_name,
            self.last_name,
            self.tax_id,
            self.email,
            self.other_emails,
        )


@event.listens_for(Client, "before_insert")
@event.listens_for(Client, "before_update")
def _keep_search_text(_mapper, _connection, client: Client) -> None:
    """The search key follows the fields it is made of; payment methods keep one order."""
    client.refresh_search_text()
    if client.payment_methods:
        order = [method.value for method in PaymentMethod]
        ordered = sorted(client.payment_methods, key=lambda m: order.index(m) if m in order else 99)
        if ordered != client.payment_methods:
            client.payment_methods = ordered


class Contact(Synced, db.Model):
    """A person to talk to at the client."""

    __tablename__ = "client_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[str | None] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    mobile: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    notes: Mapped[str | None] = mapped_column(sa.Text)


class AuthorizedPickup(Synced, db.Model):
    """A person the client allows to collect goods."""

    __tablename__ = "client_pickups"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    document: Mapped[str] = mapped_column(sa.String(30))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(sa.Text)


class Address(Synced, db.Model):
    """A fiscal, shipping or branch address of a client."""

    __tablename__ = "client_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # fiscal | shipping | branch
    label: Mapped[str | None] = mapped_column(sa.String(80))
    street: Mapped[str] = mapped_column(sa.String(160))
    city: Mapped[str | None] = mapped_column(sa.String(80))
    department: Mapped[str | None] = mapped_column(sa.String(80))
    district: Mapped[str | None] = mapped_column(sa.String(80))
    province: Mapped[str | None] = mapped_column(sa.String(60))
    postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    country: Mapped[str] = mapped_column(sa.String(2), default="AR")
    delivery_hours: Mapped[str | None] = mapped_column(sa.String(120))
    delivery_instructions: Mapped[str | None] = mapped_column(sa.Text)
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    # a branch may be served on its own terms
    branch_phone: Mapped[str | None] = mapped_column(sa.String(40))
    branch_salesperson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    branch_sales_zone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zones.id"))
    branch_price_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("price_lists.id"))


class ClientNote(Synced, db.Model):
    """A note on the client: written by a person, or by the system on a state change."""

    __tablename__ = "client_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    automatic: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class CustomAttribute(db.Model):
    """A field an admin adds to every client card."""

    __tablename__ = "custom_attributes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(12))  # text, long_text, number, date, ...
    help_text: Mapped[str | None] = mapped_column(sa.String(200))
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list | None] = mapped_column(sa.JSON)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class CustomValue(db.Model):
    """The value of a custom attribute on one client."""

    __tablename__ = "custom_values"

    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), primary_key=True)
    attribute_id: Mapped[int] = mapped_column(
        sa.ForeignKey("custom_attributes.id"), primary_key=True
    )
    value: Mapped[str] = mapped_column(sa.Text)
