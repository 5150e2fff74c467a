"""JSON shapes of the credit decision."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from app.core.fields import (
    MAX_AMOUNT,
    AnswerSchema,
    DecimalText,
    QuerySchema,
    TranslatedSchema,
    amount_field,
    spanish_field,
)
from app.credit.admin_services import MAX_DAYS, MAX_DOCUMENTS
from app.credit.rules import PAYMENT_METHODS
from app.notices.schemas import NoticeSchema


class CreditArgsSchema(QuerySchema):
    """The order a decision is asked for: its amount and how it is paid."""

    amount = amount_field(required=True)
    payment_method = fields.String(
        load_default="current_account",
        validate=validate.OneOf(sorted(PAYMENT_METHODS), error=_l("Forma de pago desconocida.")),
        metadata={"description": "current_account (default) and mixed are credit sales"},
    )


class FigureField(fields.Field):
    """A failure's figure: money as a two-decimal string, counts and days as integers."""

    def _serialize(self, value, attr, obj, **kwargs):
        """Decimals as strings, integers as they are, nothing as null."""
        if value is None or isinstance(value, int | str):  # a str: a decision kept as JSON
            return value
        return f"{value:.2f}"


class FailureSchema(AnswerSchema):
    """One failing limit with its figures."""

    kind = fields.String(metadata={"enum": ["money", "documents", "age", "state"]})
    limit = FigureField()
    current = FigureField()
    after = FigureField()
    excess = FigureField()
    message = fields.String()


class ApproverSchema(AnswerSchema):
    """A supervisor whose band covers a blocked order."""

    id = fields.Integer()
    full_name = fields.String()


class LimitSourceSchema(AnswerSchema):
    """One limit in force and why it applies."""

    limit = FigureField(metadata={"description": "Money as a string, documents and days as ints"})
    source = fields.String(
        metadata={"enum": ["own", "client", "family", "category", "segment", "zone", "type"]}
    )
    holder = fields.String(
        allow_none=True, metadata={"description": "The group the policy is assigned to"}
    )
    label = fields.String(metadata={"description": "Why it applies, in words"})


class AppliedSchema(AnswerSchema):
    """Which limits apply to the client and why (own, its policy's, its family's)."""

    policy = fields.String(allow_none=True, metadata={"description": "The policy in force"})
    policy_source = fields.String(
        allow_none=True,
        metadata={"enum": ["client", "family", "category", "segment", "zone", "type", None]},
    )
    policy_holder = fields.String(allow_none=True)
    money = fields.Nested(LimitSourceSchema, allow_none=True)
    documents = fields.Nested(LimitSourceSchema, allow_none=True)
    age_days = fields.Nested(LimitSourceSchema, allow_none=True)
    family = fields.Nested(
        LimitSourceSchema,
        allow_none=True,
        metadata={"description": "A money limit shared with the family's members"},
    )
    family_exposure = FigureField(
        allow_none=True, metadata={"description": "Every member's exposure, this client's too"}
    )


class DecisionSchema(AnswerSchema):
    """The credit decision for an order."""

    allowed = fields.Boolean()
    credit = fields.Boolean(metadata={"description": "The order leaves debt on the account"})
    failures = fields.List(fields.Nested(FailureSchema))
    notices = fields.List(
        fields.Nested(NoticeSchema), metadata={"description": "The client's notices in force"}
    )
    policy = fields.String(allow_none=True, metadata={"description": "The policy applied"})
    applied = fields.Nested(AppliedSchema, metadata={"description": "Which limits apply and why"})
    approvers = fields.List(
        fields.Nested(ApproverSchema),
        metadata={"description": "Who could authorise this order when it is blocked"},
    )
    currency = fields.String()


class OwnLimitsSchema(TranslatedSchema):
    """A client's own limits, all three at once; null (or absent) leaves its policy's."""

    money = DecimalText(
        minimum=Decimal("0"),
        maximum=MAX_AMOUNT,
        allow_none=True,
        load_default=None,
        metadata={"example": "150000.00", "description": "Money as a string; null: the policy's"},
    )
    documents = spanish_field(
        fields.Integer,
        allow_none=True,
        load_default=None,
        strict=True,
        validate=validate.Range(min=0, max=MAX_DOCUMENTS, error=_l("Entre {min} y {max}.")),
        metadata={"description": "Unpaid debit documents allowed; null: the policy's"},
    )
    age_days = spanish_field(
        fields.Integer,
        allow_none=True,
        load_default=None,
        strict=True,
        validate=validate.Range(min=0, max=MAX_DAYS, error=_l("Entre {min} y {max}.")),
        metadata={"description": "Days of the oldest unpaid document; null: the policy's"},
    )
