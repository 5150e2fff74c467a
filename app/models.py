"""Imports every domain's models so the metadata (and Alembic) sees all tables."""

from app.audit.models import AuditEntry
from app.auth.models import ApiToken, User
from app.cases.models import Case, CaseEvent, CasePhoto, CaseTarget
from app.clients.models import (
    Address,
    AuthorizedPickup,
    Client,
    ClientNote,
    Contact,
    CustomAttribute,
    CustomValue,
)
from app.clients.reference import Category, Channel, ClientType, Family, Segment, Transport, Zone
from app.collections.models import (
    CollectionCall,
    DelinquencyRule,
    EmailAccount,
    EmailSent,
    EmailTemplate,
    FieldReceipt,
)
from app.core.changes import ChangeCounter
from app.core.idempotency import IdempotencyRecord
from app.credit.models import CreditBand, CreditPolicy, OverrideRequest, PolicyCategory
from app.jobs.models import Job, JobFile
from app.ledger.models import (
    Application,
    CardIssuer,
    CardPlan,
    Document,
    DocumentInstallment,
    DocumentLine,
    ReceiptLine,
    SaleCondition,
)
from app.loyalty.models import LoyaltyEntry, LoyaltySettings
from app.notices.models import Notice, NoticeSeen
from app.orders.models import (
    ClientCondition,
    DeliveryAttempt,
    Order,
    OrderLine,
    Price,
    PriceList,
    Product,
    Promotion,
    VolumeDiscount,
)
from app.push.models import PushSubscription
from app.rates.models import ExchangeRate
from app.reports.models import ReportSettings
from app.route.models import Visit, VisitReason
from app.taxes.models import IibbJurisdiction, IibbRate

__all__ = [
    "Address",
    "ApiToken",
    "Application",
    "AuditEntry",
    "AuthorizedPickup",
    "CardIssuer",
    "CardPlan",
    "Case",
    "CaseEvent",
    "CasePhoto",
    "CaseTarget",
    "Category",
    "ChangeCounter",
    "Channel",
    "Client",
    "ClientCondition",
    "ClientNote",
    "ClientType",
    "CollectionCall",
    "Contact",
    "CreditBand",
    "CreditPolicy",
    "CustomAttribute",
    "CustomValue",
    "DelinquencyRule",
    "DeliveryAttempt",
    "Document",
    "DocumentInstallment",
    "DocumentLine",
    "EmailAccount",
    "EmailSent",
    "EmailTemplate",
    "ExchangeRate",
    "Family",
    "FieldReceipt",
    "IdempotencyRecord",
    "IibbJurisdiction",
    "IibbRate",
    "Job",
    "JobFile",
    "LoyaltyEntry",
    "LoyaltySettings",
    "Notice",
    "NoticeSeen",
    "Order",
    "OrderLine",
    "OverrideRequest",
    "PolicyCategory",
    "Price",
    "PriceList",
    "Product",
    "Promotion",
    "PushSubscription",
    "ReceiptLine",
    "ReportSettings",
    "SaleCondition",
    "Segment",
    "Transport",
    "User",
    "Visit",
    "VisitReason",
    "VolumeDiscount",
    "Zone",
]
