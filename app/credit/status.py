"""A client's credit at a glance: its policy and how much of each limit is left, for the card."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.clients.models import Client
from app.core.types import local_today
from app.credit import rules
from app.credit.rules import Limits, decide
from app.credit.services import effective_policy, snapshot

# What the card says when the state (or the credit-blocked flag) rules credit out, keyed by the
# rule's own message so the rule alone decides which one applies.
NOTES: dict[str, LazyString] = {
    rules.DELETED: _l("No se le puede vender: cliente en la papelera."),
    rules.NO_SALE["disabled"]: _l("No se le puede vender: cliente inhabilitado."),
    rules.NO_CREDIT["delinquent"]: _l("Solo pago inmediato: cliente moroso."),
    rules.NO_CREDIT["suspended"]: _l("Solo pago inmediato: cliente suspendido."),
    rules.NO_CREDIT["potential"]: _l("Solo pago inmediato: cliente potencial, sin cuenta."),
    rules.NO_CREDIT["cash_only"]: _l("Solo pago inmediato: cliente de contado, sin cuenta."),
    rules.CREDIT_BLOCKED: _l("Solo pago inmediato: crédito bloqueado."),
}
# The smallest credit order: the state rules it out or not, whatever the amount.
PROBE = Decimal("0.01")


@dataclass(frozen=True)
class CreditStatus:
    """The client's policy and its figures against each limit, in the account currency."""

    policy: str | None  # the name of the policy in force; None: no limits
    from_type: bool  # the policy is the client type's, not the client's own
    currency: str
    limits: Limits
    exposure: Decimal  # open balance plus accepted orders not yet invoiced
    unpaid: int  # unpaid debit documents
    oldest_days: int | None  # days since the oldest unpaid debit document, if any
    note: str | None  # why the client cannot buy on credit at all, if so

    @property
    def available(self) -> Decimal | None:
        """What is left of the money limit (never below 0); None without one."""
        if self.limits.money is None:
            return None
        return max(self.limits.money - self.exposure, Decimal("0"))

    @property
    def documents_reached(self) -> bool:
        """A new credit sale would pass the unpaid documents limit."""
        return self.limits.documents is not None and self.unpaid >= self.limits.documents

    @property
    def too_old(self) -> bool:
        """The oldest unpaid document is past the age limit."""
        limit, days = self.limits.age_days, self.oldest_days
        return limit is not None and days is not None and days > limit


def credit_status(client: Client, on: date | None = None) -> CreditStatus:
    """The client's credit figures today, from the same snapshot the order decision reads."""
    on = on or local_today()
    snap = snapshot(client)
    policy = effective_policy(client)
    state = next(
        (f for f in decide(snap, PROBE, "current_account", on).failures if f.kind == "state"), None
    )
    return CreditStatus(
        policy=policy.name if policy else None,
        from_type=policy is not None and policy != client.credit_policy,
        currency=client.currency,
        limits=snap.limits,
        exposure=snap.balance + snap.pending_orders,
        unpaid=len(snap.unpaid_dates),
        oldest_days=(on - min(snap.unpaid_dates)).days if snap.unpaid_dates else None,
        note=str(NOTES.get(state.message, state.message)) if state else None,
    )
