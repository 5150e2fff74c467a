"""JSON shapes of the credit decision."""

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from app.core.fields import AnswerSchema, QuerySchema, amount_field
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


class DecisionSchema(AnswerSchema):
    """The credit decision for an order."""

    allowed = fields.Boolean()
    credit = fields.Boolean(metadata={"description": "The order leaves debt on the account"})
    failures = fields.List(fields.Nested(FailureSchema))
    notices = fields.List(
        fields.Nested(NoticeSchema), metadata={"description": "The client's notices in force"}
    )
    policy = fields.String(allow_none=True, metadata={"description": "The policy applied"})
    approvers = fields.List(
        fields.Nested(ApproverSchema),
        metadata={"description": "Who could authorise this order when it is blocked"},
    )
    currency = fields.String()
