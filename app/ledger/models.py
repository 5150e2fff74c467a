"""The current account (cuenta corriente): documents, installments, receipts, applications."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.changes import Synced
from app.core.reference_cache import cache_reads_of
from app.core.types import Money, UTCDateTime, utcnow
from app.extensions import db
from app.ledger.rules import DueRule, DueRuleKind


class DocumentKind(StrEnum):
    """Kinds of ledger documents (comprobantes)."""

    INVOICE = "invoice"
    DEBIT_NOTE = "debit_note"
    CREDIT_NOTE = "credit_note"
    RECEIPT = "receipt"
    DEBIT_ADJUSTMENT = "debit_adjustment"
    CREDIT_ADJUSTMENT = "credit_adjustment"
    OPENING_BALANCE = "opening_balance"
    # the reversing record a void writes; never entered by hand
    REVERSAL = "reversal"


# What the client owes grows with these kinds (sign +1); the rest settle debt (sign -1).
DEBIT_KINDS = frozenset(
    {
        DocumentKind.INVOICE,
        DocumentKind.DEBIT_NOTE,
        DocumentKind.DEBIT_ADJUSTMENT,
        DocumentKind.OPENING_BALANCE,
    }
)
CREDIT_KINDS = frozenset(
    {DocumentKind.CREDIT_NOTE, DocumentKind.RECEIPT, DocumentKind.CREDIT_ADJUSTMENT}
)
# Kinds the back office and the ERP post directly (receipts have their own form).
POSTABLE_KINDS = (
    DocumentKind.INVOICE,
    DocumentKind.DEBIT_NOTE,
    DocumentKind.CREDIT_NOTE,
    DocumentKind.DEBIT_ADJUSTMENT,
    DocumentKind.CREDIT_ADJUSTMENT,
    DocumentKind.OPENING_BALANCE,
)


class DocumentState(StrEnum):
    """Where a document stands: for debits, how much is paid; for credits, how much is applied."""

    OPEN = "open"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    VOID = "void"


CURRENCIES = ("ARS", "USD")


class SaleCondition(Synced, db.Model):
    """Payment terms (condición de venta): a discount, a due-date rule and installments."""

    __tablename__ = "sale_conditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    description: Mapped[str] = mapped_column(sa.String(120))
    discount_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0"))
    rule_kind: Mapped[str] = mapped_column(sa.String(20), default=DueRuleKind.DAYS)
    rule_days: Mapped[int] = mapped_column(default=0)
    rule_day: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    rule_weekday: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    rule_week: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    installments: Mapped[int] = mapped_column(sa.SmallInteger, default=1)

    @property
    def rule(self) -> DueRule:
        """The due-date rule as the pure functions take it."""
        return DueRule(
            kind=DueRuleKind(self.rule_kind),
            days=self.rule_days or 0,
            day=self.rule_day or 0,
            weekday=self.rule_weekday or 0,
            week=self.rule_week or 0,
        )

    @property
    def is_immediate(self) -> bool:
        """Cash terms: one installment due on the document's date."""
        return self.rule_kind == DueRuleKind.DAYS and self.rule_days == 0 and self.installments == 1


class CardIssuer(Synced, db.Model):
    """A credit-card issuer (Visa, Naranja...) whose plans receipts may use."""

    __tablename__ = "card_issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    # the company behind the card, as its settlements and invoices name it
    legal_name: Mapped[str | None] = mapped_column(sa.String(160))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    iva_condition: Mapped[str | None] = mapped_column(sa.String(40))
    tax_id: Mapped[str | None] = mapped_column(sa.String(20))  # its CUIT, compact
    iibb_number: Mapped[str | None] = mapped_column(sa.String(20))
    # the issuer's account as a supplier, and the bank its settlements are paid into
    supplier_account: Mapped[str | None] = mapped_column(sa.String(30))
    bank: Mapped[str | None] = mapped_column(sa.String(80))
    contact: Mapped[str | None] = mapped_column(sa.String(160))

    plans: Mapped[list["CardPlan"]] = relationship(
        back_populates="issuer", order_by="CardPlan.installments"
    )


class CardPlan(Synced, db.Model):
    """An issuer's plan: how many installments and the surcharge it carries."""

    __tablename__ = "card_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("card_issuers.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    installments: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    surcharge_pct: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0"))

    issuer: Mapped[CardIssuer] = relationship(back_populates="plans")


class Document(Synced, db.Model):
    """One ledger document of a client's current account."""

    __tablename__ = "ledger_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    sign: Mapped[int] = mapped_column(sa.SmallInteger)  # +1 debit, -1 credit
    letter: Mapped[str] = mapped_column(sa.String(1), default="")
    number: Mapped[str] = mapped_column(sa.String(20))
    date: Mapped[date]
    currency: Mapped[str] = mapped_column(sa.String(3), default="ARS")
    exchange_rate: Mapped[Decimal] = mapped_column(sa.Numeric(14, 6), default=Decimal("1"))
    amount: Mapped[Decimal] = mapped_column(Money)
    # debits: what is still unpaid; credits: what is still unapplied; void: 0
    open_amount: Mapped[Decimal] = mapped_column(Money)
    state: Mapped[str] = mapped_column(sa.String(12), default=DocumentState.OPEN)
    sale_condition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sale_conditions.id"))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(12), default="backoffice")
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_documents.id"))
    # the order an invoice bills, when the ERP names it
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sale_condition: Mapped[SaleCondition | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    reverses: Mapped["Document | None"] = relationship(remote_side=[id])
    installments: Mapped[list["DocumentInstallment"]] = relationship(
        back_populates="document", order_by="DocumentInstallment.number"
    )
    lines: Mapped[list["ReceiptLine"]] = relationship(
        back_populates="receipt", order_by="ReceiptLine.id"
    )
    # what an invoice, debit note or credit note sold or took back, product by product
    sale_lines: Mapped[list["DocumentLine"]] = relationship(
        back_populates="document", order_by="DocumentLine.id"
    )

    __table_args__ = (
        sa.Index("ix_ledger_documents_client_date", "client_id", "date", "id"),
        sa.Index("ix_ledger_documents_client_open", "client_id", "currency", "state"),
        sa.Index(
            "ix_ledger_documents_open_credits",
            "client_id",
            "currency",
            "open_amount",
            sqlite_where=sa.text("sign < 0 AND open_amount > 0"),
            postgresql_where=sa.text("sign < 0 AND open_amount > 0"),
        ),
        # A number identifies one document of its kind and letter; reversals repeat it.
        sa.Index(
            "uq_ledger_documents_number",
            "kind",
            "letter",
            "number",
            unique=True,
            sqlite_where=sa.text("reverses_id IS NULL"),
            postgresql_where=sa.text("reverses_id IS NULL"),
        ),
        sa.CheckConstraint("amount >= 0", name="ck_ledger_documents_amount"),
        sa.CheckConstraint(
            "open_amount >= 0 AND open_amount <= amount", name="ck_ledger_documents_open"
        ),
        sa.CheckConstraint("sign IN (1, -1)", name="ck_ledger_documents_sign"),
    )

    @property
    def is_debit(self) -> bool:
        """True when the document adds to what the client owes."""
        return self.sign > 0

    @property
    def signed_amount(self) -> Decimal:
        """The amount with its effect on the balance."""
        return self.amount * self.sign


class DocumentInstallment(Synced, db.Model):
    """One installment of a debit document: an open item with its own due date."""

    __tablename__ = "ledger_installments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_documents.id"), index=True)
    # copied from the document so aging is one scan of this table
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"))
    currency: Mapped[str] = mapped_column(sa.String(3))
    number: Mapped[int] = mapped_column(sa.SmallInteger)
    due_date: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)
    open_amount: Mapped[Decimal] = mapped_column(Money)

    document: Mapped[Document] = relationship(back_populates="installments")

    __table_args__ = (
        sa.Index("ix_ledger_installments_client_due", "client_id", "due_date"),
        # aging and balances read only the open items
        sa.Index(
            "ix_ledger_installments_open",
            "client_id",
            "currency",
            "due_date",
            "open_amount",
            sqlite_where=sa.text("open_amount > 0"),
            postgresql_where=sa.text("open_amount > 0"),
        ),
        sa.CheckConstraint(
            "open_amount >= 0 AND open_amount <= amount", name="ck_ledger_installments_open"
        ),
    )


# Kinds whose lines say what was sold (or, for credit notes, taken back).
SALE_KINDS = frozenset({DocumentKind.INVOICE, DocumentKind.DEBIT_NOTE, DocumentKind.CREDIT_NOTE})


class DocumentLine(db.Model):
    """One product of an invoice, debit note or credit note.

    Amounts are in the document's currency: `amount` is the line's share of the document's
    amount (taxes included, so a document's lines add up to it) and `cost` what the goods cost
    the company; margin in pesos is (amount - cost) at the document's exchange rate.
    """

    __tablename__ = "ledger_document_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_documents.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 3))
    unit_price: Mapped[Decimal] = mapped_column(sa.Numeric(14, 4))
    amount: Mapped[Decimal] = mapped_column(Money)
    cost: Mapped[Decimal | None] = mapped_column(Money)

    document: Mapped[Document] = relationship(back_populates="sale_lines")
    product: Mapped["Product"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="ck_ledger_document_lines_quantity"),
        sa.CheckConstraint("amount >= 0", name="ck_ledger_document_lines_amount"),
        sa.CheckConstraint("cost IS NULL OR cost >= 0", name="ck_ledger_document_lines_cost"),
    )


class PaymentKind(StrEnum):
    """Kinds of payment lines a receipt may hold."""

    CASH = "cash"
    OWN_CHECK = "own_check"
    THIRD_PARTY_CHECK = "third_party_check"
    OWN_PROMISSORY = "own_promissory"
    THIRD_PARTY_PROMISSORY = "third_party_promissory"
    TRANSFER = "transfer"
    CARD = "card"
    WITHHOLDING = "withholding"


class WithholdingTax(StrEnum):
    """Taxes a client may withhold when paying."""

    IVA = "iva"
    IIBB = "iibb"
    GANANCIAS = "ganancias"
    SUSS = "suss"


class ReceiptLine(db.Model):
    """One way the client paid within a receipt."""

    __tablename__ = "receipt_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_documents.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    amount: Mapped[Decimal] = mapped_column(Money)
    # checks and promissory documents
    bank: Mapped[str | None] = mapped_column(sa.String(80))
    number: Mapped[str | None] = mapped_column(sa.String(30))
    due_date: Mapped[date | None]
    drawer: Mapped[str | None] = mapped_column(sa.String(120))
    drawer_tax_id: Mapped[str | None] = mapped_column(sa.String(20))
    # transfers and interbanking
    reference: Mapped[str | None] = mapped_column(sa.String(60))
    # cards
    card_plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("card_plans.id"))
    # withholdings
    tax: Mapped[str | None] = mapped_column(sa.String(12))
    certificate: Mapped[str | None] = mapped_column(sa.String(40))

    receipt: Mapped[Document] = relationship(back_populates="lines")
    card_plan: Mapped[CardPlan | None] = relationship()

    __table_args__ = (sa.CheckConstraint("amount > 0", name="ck_receipt_lines_amount"),)


class Application(Synced, db.Model):
    """A credit settling part of a debit installment; undone by unapplying, never deleted."""

    __tablename__ = "ledger_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id"), index=True)
    credit_document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ledger_documents.id"), index=True
    )
    installment_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_installments.id"), index=True)
    debit_document_id: Mapped[int] = mapped_column(sa.ForeignKey("ledger_documents.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    applied_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    unapplied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unapplied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    credit_document: Mapped[Document] = relationship(foreign_keys=[credit_document_id])
    debit_document: Mapped[Document] = relationship(foreign_keys=[debit_document_id])
    installment: Mapped[DocumentInstallment] = relationship()

    __table_args__ = (sa.CheckConstraint("amount > 0", name="ck_ledger_applications_amount"),)

    @property
    def active(self) -> bool:
        """True until the application is undone."""
        return self.unapplied_at is None


# read by every order and credit decision, changed a few times a month
cache_reads_of(SaleCondition)
