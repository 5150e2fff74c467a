"""Marshmallow schemas of the ledger's JSON API: what it takes and what it answers.

Request schemas check types, presence, lengths and ranges (messages in Spanish); the ledger
services then check the business rules. Money goes out as strings with two decimals.
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validates_schema,
)

from app.core.fields import (
    AnswerSchema,
    BodySchema,
    DecimalText,
    QuerySchema,
    amount_field,
    choice_field,
    day_field,
    flag_field,
    id_field,
    money_field,
    page_field,
    per_page_field,
    rows_field,
    spanish_field,
    text_field,
)
from app.core.types import MAX_AMOUNT
from app.ledger import applications
from app.ledger import services as ledger
from app.ledger.models import (
    CURRENCIES,
    POSTABLE_KINDS,
    DocumentKind,
    DocumentState,
    PaymentKind,
    WithholdingTax,
)
from app.ledger.rules import AGING_BUCKETS

MAX_LINES = 50
MAX_APPLICATIONS = 200
MAX_RATE = Decimal("99999999")


def _rate() -> fields.Field:
    """The exchange rate of the day (pesos per dollar), up to six decimals."""
    return DecimalText(
        places=6,
        minimum=Decimal("0.000001"),
        maximum=MAX_RATE,
        allow_none=True,
        error_messages={
            "places": _l("Como máximo seis decimales."),
            "too_small": _l("Tiene que ser mayor que cero."),
            "too_large": _l("El número es demasiado grande."),
        },
        metadata={
            "example": "1050.50",
            "description": "Pesos per dollar on the document's date; for USD, left out or "
            "null takes the day's rate of /exchange-rates (refused when the day has none)",
        },
    )


def _check_range(data: dict) -> None:
    """`from` may not come after `to`."""
    start, end = data.get("date_from"), data.get("date_to")
    if start and end and start > end:
        raise ValidationError(str(_l("La fecha inicial es posterior a la final.")), "from")


# --- requests ------------------------------------------------------------------------------


class SaleItemSchema(BodySchema):
    """One product of an invoice, debit note or credit note."""

    product_id = id_field(required=True)
    quantity = DecimalText(
        places=3,
        minimum=Decimal("0.001"),
        maximum=Decimal("999999999.999"),
        required=True,
        metadata={"example": "12"},
    )
    amount = amount_field(required=True)  # the line's share of the document's, taxes included
    cost = DecimalText(
        minimum=Decimal("0"),
        maximum=MAX_AMOUNT,
        allow_none=True,
        metadata={"description": "Default: the product's cost at the document's rate"},
    )


class NewDocumentSchema(BodySchema):
    """An invoice, note, adjustment or opening balance to post (the ERP's invoicing)."""

    client_id = id_field(required=True)
    kind = choice_field(POSTABLE_KINDS, required=True)
    letter = choice_field(
        ledger.LETTERS,
        required=True,
        metadata={"description": 'A, B, C, E, M, X, or "" for documents without a letter'},
    )
    number = text_field(
        20,
        metadata={
            "description": '"1-1234" is stored as "0001-00001234"; without it, the next free '
            "number of point of sale 0001"
        },
    )
    date = day_field(metadata={"description": "Default: today"})
    currency = choice_field(
        CURRENCIES, nullable=True, metadata={"description": "Default: the client's currency"}
    )
    exchange_rate = _rate()
    amount = amount_field(required=True)
    sale_condition_id = id_field(
        allow_none=True,
        metadata={
            "description": "Invoices and debit notes default to the client's (or its type's) "
            "sale condition; it sets the installments and their due dates"
        },
    )
    notes = text_field(2000)
    order_id = id_field(
        allow_none=True,
        metadata={
            "description": "Invoices only: the order this invoice bills (of the same client); "
            "the order becomes invoiced and its page links to the invoice"
        },
    )
    items = rows_field(
        SaleItemSchema,
        500,
        metadata={
            "description": "Invoices, debit and credit notes: the products sold or taken "
            "back; their amounts (taxes included) add up to the document's"
        },
    )


class PaymentLineSchema(BodySchema):
    """One way the client paid; the fields its kind needs are required by the service."""

    kind = choice_field(
        PaymentKind,
        required=True,
        metadata={
            "description": "cash: amount only; own_check: bank, number, due_date; "
            "third_party_check: also drawer and drawer_tax_id (CUIT); own_promissory: number, "
            "due_date; third_party_promissory: also drawer and drawer_tax_id; transfer: "
            "reference; card: card_plan_id, number; withholding: tax, certificate"
        },
    )
    amount = amount_field(required=True)
    bank = text_field(80)
    number = text_field(30)
    due_date = day_field(allow_none=True)
    drawer = text_field(120)
    drawer_tax_id = text_field(20)
    reference = text_field(60)
    card_plan_id = id_field(allow_none=True)
    tax = choice_field(WithholdingTax, nullable=True)
    certificate = text_field(40)


class AllocationSchema(BodySchema):
    """An amount of a credit to apply to one open installment."""

    installment_id = id_field(required=True)
    amount = amount_field(required=True)


class _Applying(BodySchema):
    """Either named installments or "the oldest first", not both."""

    applications = rows_field(AllocationSchema, MAX_APPLICATIONS)
    apply_oldest = flag_field()

    @validates_schema
    def _one_way(self, data, **_kwargs):
        """Applying to named installments and to the oldest ones at once is ambiguous."""
        if data.get("applications") and data.get("apply_oldest"):
            raise ValidationError(
                str(_l("Indicá los comprobantes o aplicá a los más antiguos, no las dos cosas.")),
                "apply_oldest",
            )


class NewReceiptSchema(_Applying):
    """A receipt with its payment lines, applied as asked or left unapplied."""

    client_id = id_field(required=True)
    number = text_field(20, metadata={"description": "Default: the next free number"})
    letter = choice_field(ledger.LETTERS, nullable=True, metadata={"description": 'Default: "X"'})
    date = day_field(metadata={"description": "Default: today"})
    currency = choice_field(
        CURRENCIES, nullable=True, metadata={"description": "Default: the client's currency"}
    )
    exchange_rate = _rate()
    notes = text_field(2000)
    lines = rows_field(
        PaymentLineSchema,
        MAX_LINES,
        required=True,
        metadata={"description": "At least one; the receipt's amount is their sum"},
    )


class ApplySchema(_Applying):
    """Apply a credit (receipt, credit note, credit adjustment) to open installments."""

    @validates_schema
    def _something(self, data, **_kwargs):
        """Say what to apply."""
        if not data.get("applications") and not data.get("apply_oldest"):
            raise ValidationError(
                str(_l("Indicá qué comprobantes cancela y por cuánto.")), "applications"
            )


class VoidedReceiptSchema(BodySchema):
    """A receipt form spoiled on paper, entered so its number is accounted for."""

    client_id = id_field(required=True)
    number = text_field(20, required=True, nullable=False)
    letter = choice_field(ledger.LETTERS, nullable=True, metadata={"description": 'Default: "X"'})
    date = day_field(metadata={"description": "Default: today"})
    reason = text_field(200, required=True, nullable=False)


class VoidSchema(BodySchema):
    """Why a document is voided."""

    reason = text_field(200, required=True, nullable=False)


class DocumentListArgsSchema(QuerySchema):
    """A client's documents: dates, kind, state and page."""

    date_from = day_field(data_key="from")
    date_to = day_field(data_key="to")
    kind = choice_field(DocumentKind)
    state = choice_field(DocumentState)
    page = page_field()
    per_page = per_page_field()

    @validates_schema
    def _range(self, data, **_kwargs):
        """The dates make a range."""
        _check_range(data)


class StatementArgsSchema(QuerySchema):
    """A statement's range and currency."""

    date_from = day_field(data_key="from", metadata={"description": "Default: 90 days before `to`"})
    date_to = day_field(data_key="to", metadata={"description": "Default: today"})
    currency = choice_field(CURRENCIES, metadata={"description": "Default: the client's currency"})

    @validates_schema
    def _range(self, data, **_kwargs):
        """The dates make a range."""
        _check_range(data)


class AccountArgsSchema(QuerySchema):
    """The day an account is seen on."""

    as_of = day_field(metadata={"description": "Default: today"})


class AgingArgsSchema(QuerySchema):
    """The aging report's day, currency and page."""

    as_of = day_field(metadata={"description": "Default: today"})
    currency = choice_field(CURRENCIES, load_default="ARS")
    overdue_only = spanish_field(fields.Boolean, load_default=False)
    page = page_field()
    per_page = per_page_field()


# --- answers -------------------------------------------------------------------------------


BucketsSchema = Schema.from_dict(
    {name: money_field() for name in AGING_BUCKETS}, name="BucketsSchema"
)


class InstallmentSchema(AnswerSchema):
    """One installment of a debit document: an open item with its due date."""

    id = fields.Integer()
    number = fields.Integer()
    due_date = fields.Date()
    amount = money_field()
    open_amount = money_field()


class PaymentLineOutSchema(AnswerSchema):
    """A payment line of a receipt, with the fields its kind uses (the others are null)."""

    id = fields.Integer()
    kind = fields.String(metadata={"enum": [str(kind) for kind in PaymentKind]})
    amount = money_field()
    bank = fields.String(allow_none=True)
    number = fields.String(allow_none=True)
    due_date = fields.Date(allow_none=True)
    drawer = fields.String(allow_none=True)
    drawer_tax_id = fields.String(allow_none=True)
    reference = fields.String(allow_none=True)
    card_plan_id = fields.Integer(allow_none=True)
    tax = fields.String(allow_none=True)
    certificate = fields.String(allow_none=True)


class ApplicationSchema(AnswerSchema):
    """A credit settling part of a debit installment; undone ones keep `unapplied_at`."""

    id = fields.Integer()
    credit_document_id = fields.Integer()
    debit_document_id = fields.Integer()
    installment_id = fields.Integer()
    amount = money_field()
    applied_on = fields.Date()
    unapplied_at = fields.DateTime(allow_none=True)
    active = fields.Boolean()


class DocumentSummarySchema(AnswerSchema):
    """A ledger document without its parts."""

    id = fields.Integer()
    client_id = fields.Integer()
    kind = fields.String(metadata={"enum": [str(kind) for kind in DocumentKind]})
    sign = fields.Integer(metadata={"description": "1 adds to the debt, -1 settles it"})
    title = fields.Function(
        ledger.document_title,
        metadata={"type": "string", "example": "FC A 0001-00001234"},
    )
    letter = fields.String()
    number = fields.String()
    date = fields.Date()
    currency = fields.String(metadata={"enum": list(CURRENCIES)})
    exchange_rate = fields.Decimal(
        places=6, as_string=True, metadata={"type": "string", "format": "decimal"}
    )
    amount = money_field()
    open_amount = money_field(
        metadata={"description": "Debits: still unpaid; credits: still unapplied; void: 0"}
    )
    state = fields.String(metadata={"enum": [str(state) for state in DocumentState]})
    state_label = fields.Function(ledger.state_label, metadata={"type": "string"})
    sale_condition_id = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    source = fields.String()
    reverses_id = fields.Integer(
        allow_none=True, metadata={"description": "On a reversal: the document it voids"}
    )
    order_id = fields.Integer(
        allow_none=True, metadata={"description": "On an invoice: the order it bills"}
    )
    voided_at = fields.DateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class SaleItemOutSchema(AnswerSchema):
    """One product of a sale document."""

    product_id = fields.Integer()
    quantity = fields.Decimal(places=3, as_string=True, metadata={"type": "string"})
    unit_price = fields.Decimal(places=4, as_string=True, metadata={"type": "string"})
    amount = money_field()
    cost = money_field(allow_none=True)


class DocumentSchema(DocumentSummarySchema):
    """A ledger document with its installments, products, payment lines and applications."""

    installments = fields.List(fields.Nested(InstallmentSchema))
    items = fields.List(
        fields.Nested(SaleItemOutSchema),
        attribute="sale_lines",
        metadata={"description": "Invoices and notes: the products"},
    )
    lines = fields.List(
        fields.Nested(PaymentLineOutSchema), metadata={"description": "Receipts only"}
    )
    applications = fields.Method(
        "_applications",
        metadata={
            "type": "array",
            "items": {"$ref": "#/components/schemas/Application"},
            "description": "Every application, undone ones too",
        },
    )

    def _applications(self, document) -> list[dict]:
        """Every application of the document, oldest first."""
        return ApplicationSchema(many=True).dump(applications.applications_of(document))


class VoidResultSchema(AnswerSchema):
    """A voided document and the reversing document the void wrote."""

    document = fields.Nested(DocumentSchema)
    reversal = fields.Nested(DocumentSchema)


class DocumentPageSchema(AnswerSchema):
    """A page of documents, newest first."""

    items = fields.List(fields.Nested(DocumentSummarySchema))
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})
    total = fields.Integer()


class CurrencySummarySchema(AnswerSchema):
    """A client's account in one currency."""

    currency = fields.String()
    balance = money_field(metadata={"description": "Positive: the client owes"})
    unapplied = money_field(metadata={"description": "Credits not yet applied"})
    overdue = money_field()
    due_soon = money_field(metadata={"description": "Due within the next 7 days"})
    open_items = fields.Integer()
    buckets = fields.Nested(BucketsSchema)


class OpenItemSchema(AnswerSchema):
    """One open installment, oldest due date first."""

    installment_id = fields.Integer()
    document_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    date = fields.Date()
    due_date = fields.Date()
    number = fields.Integer(metadata={"description": "Installment number, from 1"})
    installments = fields.Integer(metadata={"description": "The document's installments"})
    amount = money_field()
    open_amount = money_field()
    currency = fields.String()
    days_overdue = fields.Integer()
    bucket = fields.String(metadata={"enum": list(AGING_BUCKETS)})


class AccountSchema(AnswerSchema):
    """A client's current account at a glance."""

    client_id = fields.Integer()
    as_of = fields.Date()
    balances = fields.Dict(
        keys=fields.String(),
        values=money_field(),
        metadata={"description": "Open balance per currency", "example": {"ARS": "1234.50"}},
    )
    currencies = fields.List(fields.Nested(CurrencySummarySchema))
    oldest_due = fields.Date(allow_none=True)
    days_to_pay = fields.Decimal(
        places=1,
        as_string=True,
        allow_none=True,
        metadata={
            "type": "string",
            "format": "decimal",
            "description": "Average days from a document to its payment over the last year",
        },
    )
    last_sale_date = fields.Date(allow_none=True)
    last_receipt_date = fields.Date(allow_none=True)
    open_items = fields.List(
        fields.Nested(OpenItemSchema),
        metadata={"description": "The oldest open installments, at most 500"},
    )
    open_credits = fields.List(fields.Nested(DocumentSummarySchema))


class StatementLineSchema(AnswerSchema):
    """One document of a statement and the running balance after it."""

    document = fields.Nested(DocumentSummarySchema)
    debit = money_field()
    credit = money_field()
    balance = money_field()
    applications = fields.List(fields.Nested(ApplicationSchema))


class StatementSchema(AnswerSchema):
    """An account statement (estado de cuenta) for a date range in one currency."""

    client_id = fields.Function(lambda statement: statement.client.id, metadata={"type": "integer"})
    currency = fields.String()
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    opening = money_field()
    closing = money_field()
    total_debit = money_field()
    total_credit = money_field()
    lines = fields.List(fields.Nested(StatementLineSchema))


class AgingRowSchema(AnswerSchema):
    """One client's line of the aging report."""

    client_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    currency = fields.String()
    buckets = fields.Nested(BucketsSchema)
    unapplied = money_field()
    total = money_field(metadata={"description": "Owed net of unapplied credits"})
    overdue = money_field()


AgingTotalsSchema = Schema.from_dict(
    {name: money_field() for name in (*AGING_BUCKETS, "unapplied", "total", "overdue")},
    name="AgingTotalsSchema",
)


class AgingReportSchema(AnswerSchema):
    """A page of the aging report, largest overdue first, with totals over every row."""

    as_of = fields.Date()
    currency = fields.String()
    items = fields.List(fields.Nested(AgingRowSchema))
    totals = fields.Nested(AgingTotalsSchema)
    count = fields.Integer()
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})


class SaleConditionSchema(AnswerSchema):
    """Payment terms: discount, due-date rule and installments."""

    id = fields.Integer()
    code = fields.String()
    description = fields.String()
    discount_pct = fields.Decimal(
        places=2, as_string=True, metadata={"type": "string", "format": "decimal"}
    )
    rule_kind = fields.String(
        metadata={"enum": ["days", "day_of_month", "next_day_of_month", "weekday_of_week"]}
    )
    rule_days = fields.Integer()
    rule_day = fields.Integer()
    rule_weekday = fields.Integer(metadata={"description": "Monday is 0"})
    rule_week = fields.Integer(metadata={"description": "1 to 4; 5 is the last"})
    installments = fields.Integer()


class CardPlanSchema(AnswerSchema):
    """A card issuer's plan."""

    id = fields.Integer()
    name = fields.String()
    installments = fields.Integer()
    surcharge_pct = fields.Decimal(
        places=2, as_string=True, metadata={"type": "string", "format": "decimal"}
    )


class CardIssuerSchema(AnswerSchema):
    """A credit-card issuer, its company data and its plans."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    legal_name = fields.String(allow_none=True, metadata={"description": "Company name"})
    address = fields.String(allow_none=True)
    iva_condition = fields.String(allow_none=True)
    tax_id = fields.String(allow_none=True, metadata={"description": "CUIT, 11 digits"})
    iibb_number = fields.String(allow_none=True)
    supplier_account = fields.String(allow_none=True, metadata={"description": "In the books"})
    bank = fields.String(allow_none=True, metadata={"description": "The collecting bank"})
    contact = fields.String(allow_none=True)
    plans = fields.Method(
        "_plans",
        metadata={"type": "array", "items": {"$ref": "#/components/schemas/CardPlan"}},
    )

    def _plans(self, issuer) -> list[dict]:
        """The plans still in use."""
        return CardPlanSchema(many=True).dump(p for p in issuer.plans if not p.is_deleted)
