"""A client's credit at a glance: its policy and how much of each limit is left, for the card."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.clients.models import Client
from app.core.types import local_today
from app.credit import rules
from app.credit.rules import Applied, Limits, decide
from app.credit.services import applied_limits, shares_family_limit, snapshot

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
# Why a limit applies, by where it comes from (rules.SOURCES); holder: the group's name.
SOURCE_LABELS: dict[str, LazyString] = {
    "own": _l("límite propio"),
    "client": _l("política propia del cliente"),
    "family": _l("política de la familia %(holder)s"),
    "category": _l("política de la categoría %(holder)s"),
    "segment": _l("política del segmento %(holder)s"),
    "zone": _l("política de la zona %(holder)s"),
    "type": _l("política del tipo %(holder)s"),
}


def source_label(source: str, holder: str = "") -> str:
    """Why a limit applies, in words: "límite propio", "política de la zona Norte"."""
    return str(SOURCE_LABELS[source]) % {"holder": holder}


def why(applied: Applied) -> dict[str, str]:
    """Limit name (money, documents, age_days) -> why it applies, for each one enforced."""
    holder = applied.policy.holder if applied.policy else ""
    return {name: source_label(source, holder) for name, source in applied.sources.items()}


@dataclass(frozen=True)
class FamilyStatus:
    """A family's shared money limit and how much of it its members use."""

    name: str
    limit: Decimal
    exposure: Decimal  # every member's: the others' plus this client's

    @property
    def available(self) -> Decimal:
        """What is left of the family's limit (never below 0)."""
        return max(self.limit - self.exposure, Decimal("0"))

    @property
    def label(self) -> str:
        """Why it applies: "límite de la familia Grupo Sur"."""
        return family_label(self.name)


def family_label(name: str) -> str:
    """Why a family's shared limit applies, in words."""
    return str(_l("límite de la familia %(name)s", name=name))


# The smallest credit order: the state rules it out or not, whatever the amount.
PROBE = Decimal("0.01")


@dataclass(frozen=True)
class CreditStatus:
    """The client's policy and its figures against each limit, in the account currency."""

    policy: str | None  # the name of the policy in force; None: no policy
    from_type: bool  # the policy is the client type's, not the client's own
    policy_source: str | None  # why the policy applies ("política de la zona Norte")
    why: dict[str, str]  # money | documents | age_days -> why that limit applies
    family: FamilyStatus | None  # the family's shared limit, if any
    currency: str
    limits: Limits
    exposure: Decimal  # open balance plus accepted orders not yet invoiced
    unpaid: int  # unpaid debit documents
    oldest_days: int | None  # days since the oldest unpaid debit document, if any
    note: str | None  # why the client cannot buy on credit at all, if so

    @property
    def has_limits(self) -> bool:
        """Some limit of the client's own or of a policy is enforced."""
        return any(value is not None for value in vars(self.limits).values())

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
    applied = applied_limits(client)
    policy = applied.policy
    family = snap.family
    state = next(
        (f for f in decide(snap, PROBE, "current_account", on).failures if f.kind == "state"), None
    )
    return CreditStatus(
        policy=policy.name if policy else None,
        from_type=policy is not None and policy.source == "type",
        policy_source=source_label(policy.source, policy.holder) if policy else None,
        why=why(applied),
        family=family
        and FamilyStatus(
            family.name, family.money, family.others + snap.balance + snap.pending_orders
        ),
        currency=client.currency,
        limits=snap.limits,
        exposure=snap.balance + snap.pending_orders,
        unpaid=len(snap.unpaid_dates),
        oldest_days=(on - min(snap.unpaid_dates)).days if snap.unpaid_dates else None,
        note=str(NOTES.get(state.message, state.message)) if state else None,
    )


def applied_json(client: Client, applied: Applied | None = None) -> dict:
    """Which limits apply to the client and why, as the credit API shows them (given them
    when the caller has them already)."""
    applied = applied or applied_limits(client)
    policy = applied.policy
    body: dict = {
        "policy": policy.name if policy else None,
        "policy_source": policy.source if policy else None,
        "policy_holder": (policy.holder or None) if policy else None,
        "family": None,
        "family_exposure": None,
    }
    labels = why(applied)
    for name in ("money", "documents", "age_days"):
        source = applied.sources.get(name)
        body[name] = source and {
            "limit": getattr(applied.limits, name),
            "source": source,
            "holder": None if source == "own" else (policy.holder or None),
            "label": labels[name],
        }
    # the account is read only for a family's exposure: most clients have no shared limit
    snap = snapshot(client, applied) if shares_family_limit(client) else None
    if snap is not None and snap.family is not None:
        body["family"] = {
            "limit": snap.family.money,
            "source": "family",
            "holder": snap.family.name,
            "label": family_label(snap.family.name),
        }
        body["family_exposure"] = snap.family.others + snap.balance + snap.pending_orders
    return body
