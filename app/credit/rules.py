"""The credit decision at order time (DESIGN.md section 3), over plain values.

Which limits apply (resolve_limits), in this order of precedence:

1. the client's own limits set on its card (money, documents, age: each one set wins on its own);
2. then, as a whole, the first credit policy assigned to, in this order: the client itself,
   its family, its category (subcategory 1, category 1, subcategory 2, category 2), its
   segment (1 to 4), its sales zone, its client type. A category says what the business is,
   which tells most about how it pays; a segment is a commercial grouping of the
   distributor's own; a zone is where it is, the broadest of the three.

A family may also have a money limit of its own, shared by its members: besides the
client's limits, the exposure of the whole family after the order (the other members'
plus this client's) must not pass it (Snapshot.family).

The offline JavaScript port (static/js/credit.js, the offline issue) must give the same
answers: both run the shared vectors in tests/credit/vectors.json, messages included.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# Payment methods that leave debt on the current account; the rest are immediate payment.
CREDIT_METHODS = frozenset({"current_account", "mixed"})
PAYMENT_METHODS = frozenset({"cash", "transfer", "check", "card", "current_account", "mixed"})

# States that cannot be sold to at all, and states that may buy only with immediate payment.
NO_SALE = {
    "disabled": "Cliente inhabilitado: no se le puede vender.",
}
NO_CREDIT = {
    "delinquent": "Cliente moroso: solo puede comprar con pago inmediato.",
    "suspended": "Cliente suspendido: solo puede comprar con pago inmediato.",
    "potential": "Cliente potencial: no tiene cuenta corriente, solo pago inmediato.",
    "cash_only": "Cliente de contado: no tiene cuenta corriente, solo pago inmediato.",
}
DELETED = "Cliente en la papelera: no se le puede vender."
CREDIT_BLOCKED = "Crédito bloqueado: solo puede comprar con pago inmediato."
STATES = frozenset({"active", *NO_SALE, *NO_CREDIT})


@dataclass(frozen=True)
class Limits:
    """A credit policy's limits; None means that limit is not enforced."""

    money: Decimal | None = None  # in the account currency
    documents: int | None = None  # unpaid debit documents allowed before a new credit sale
    age_days: int | None = None  # days since the date of the oldest unpaid debit document


# Where a limit comes from, most specific first (resolve_limits).
SOURCES = ("own", "client", "family", "category", "segment", "zone", "type")


@dataclass(frozen=True)
class Assigned:
    """A credit policy assigned to the client or to a group it belongs to."""

    source: str  # client | family | category | segment | zone | type
    name: str  # the policy's name
    limits: Limits
    holder: str = ""  # the group's name (the family, the zone, ...); empty for the client


@dataclass(frozen=True)
class Applied:
    """The limits in force and, for each one enforced, the Assigned (or own) it comes from."""

    limits: Limits
    policy: Assigned | None  # the policy that applies, if any
    sources: dict[str, str]  # money | documents | age_days -> "own" or the policy's source


def resolve_limits(own: Limits, assigned: tuple[Assigned, ...] | list[Assigned]) -> Applied:
    """The limits that apply: the client's own ones, then the first policy by precedence."""
    for item in assigned:
        if item.source not in SOURCES[1:]:
            raise ValueError(f"unknown policy source {item.source!r}")
    ranked = sorted(assigned, key=lambda item: SOURCES.index(item.source))
    policy = ranked[0] if ranked else None
    base = policy.limits if policy else Limits()
    values, sources = {}, {}
    for name in ("money", "documents", "age_days"):
        mine, theirs = getattr(own, name), getattr(base, name)
        values[name] = mine if mine is not None else theirs
        if mine is not None:
            sources[name] = "own"
        elif theirs is not None:
            sources[name] = policy.source
    return Applied(Limits(**values), policy, sources)


@dataclass(frozen=True)
class FamilyLimit:
    """A money limit shared by the members of a family (in the client's account currency)."""

    name: str
    money: Decimal
    others: Decimal = Decimal("0")  # the exposure of the family's other members


@dataclass(frozen=True)
class Snapshot:
    """What the decision needs to know about a client at order time."""

    state: str = "active"
    credit_blocked: bool = False
    deleted: bool = False
    limits: Limits = field(default_factory=Limits)
    balance: Decimal = Decimal("0")  # open balance of the current account
    pending_orders: Decimal = Decimal("0")  # accepted, not yet invoiced (and queued offline)
    unpaid_dates: tuple[date, ...] = ()  # dates of the unpaid debit documents
    # credit orders accepted, not yet invoiced (and queued offline): each becomes one more
    # unpaid document, so "contra-documento" stops a second order before the first is invoiced
    pending_documents: int = 0
    family: FamilyLimit | None = None


@dataclass(frozen=True)
class Failure:
    """One limit (or the state) that stops the order, with its figures."""

    kind: str  # money | documents | age | state
    message: str
    limit: Decimal | int | None = None
    current: Decimal | int | None = None
    after: Decimal | int | None = None
    excess: Decimal | int | None = None


@dataclass(frozen=True)
class Decision:
    """Allowed, or blocked with every failing limit."""

    allowed: bool
    credit: bool  # the order leaves debt on the account
    failures: tuple[Failure, ...] = ()


def money_text(amount: Decimal) -> str:
    """An amount as the messages show it: "$ 12.300" or "$ 12.300,50" (cents only if any)."""
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    grouped = f"{int(units):,}".replace(",", ".")
    return f"{sign}$ {grouped}" + ("" if cents == "00" else f",{cents}")


def decide(snapshot: Snapshot, amount: Decimal, payment_method: str, on: date) -> Decision:
    """Whether an order of this amount and payment method may go ahead for this client today."""
    if amount <= 0:
        raise ValueError("the order amount must be positive")
    if payment_method not in PAYMENT_METHODS:
        raise ValueError(f"unknown payment method {payment_method!r}")
    if snapshot.state not in STATES:
        raise ValueError(f"unknown client state {snapshot.state!r}")
    credit = payment_method in CREDIT_METHODS
    if snapshot.deleted:
        return _blocked(credit, DELETED)
    if snapshot.state in NO_SALE:
        return _blocked(credit, NO_SALE[snapshot.state])
    if not credit:
        return Decision(allowed=True, credit=False)
    if snapshot.state in NO_CREDIT:
        return _blocked(credit, NO_CREDIT[snapshot.state])
    if snapshot.credit_blocked:
        return _blocked(credit, CREDIT_BLOCKED)
    failures = [
        failure
        for failure in (
            _money(snapshot, amount),
            _family(snapshot, amount),
            _documents(snapshot),
            _age(snapshot, on),
        )
        if failure is not None
    ]
    return Decision(allowed=not failures, credit=True, failures=tuple(failures))


def _blocked(credit: bool, message: str) -> Decision:
    """A decision stopped by the client's state."""
    return Decision(allowed=False, credit=credit, failures=(Failure("state", message),))


def _money(snapshot: Snapshot, amount: Decimal) -> Failure | None:
    """Exposure after the order (balance + pending orders + this one) must not pass the limit."""
    limit = snapshot.limits.money
    if limit is None:
        return None
    current = snapshot.balance + snapshot.pending_orders
    after = current + amount
    if after <= limit:
        return None
    excess = after - limit
    return Failure(
        "money",
        f"Supera el límite en {money_text(excess)} (límite {money_text(limit)})",
        limit,
        current,
        after,
        excess,
    )


def _family(snapshot: Snapshot, amount: Decimal) -> Failure | None:
    """The family's exposure after the order (its other members' and this client's) must
    not pass the family's shared limit."""
    family = snapshot.family
    if family is None:
        return None
    current = family.others + snapshot.balance + snapshot.pending_orders
    after = current + amount
    if after <= family.money:
        return None
    excess = after - family.money
    return Failure(
        "money",
        f"Supera el límite de la familia {family.name} en {money_text(excess)} "
        f"(límite {money_text(family.money)})",
        family.money,
        current,
        after,
        excess,
    )


def _documents(snapshot: Snapshot) -> Failure | None:
    """The unpaid debit documents must be fewer than the limit before a new credit sale."""
    limit = snapshot.limits.documents
    if limit is None:
        return None
    unpaid, pending = len(snapshot.unpaid_dates), snapshot.pending_documents
    current = unpaid + pending
    if current < limit:
        return None
    parts = []
    if unpaid or not pending:
        parts.append(f"{unpaid} {'factura impaga' if unpaid == 1 else 'facturas impagas'}")
    if pending:
        parts.append(
            f"{pending} {'pedido sin facturar' if pending == 1 else 'pedidos sin facturar'}"
        )
    message = (
        f"Tiene {' y '.join(parts)}: con este pedido serían {current + 1} (máximo {limit})"
        if limit > 0
        else "No tiene crédito en cuenta corriente (máximo 0 facturas)"
    )
    return Failure("documents", message, limit, current, current + 1, current + 1 - limit)


def _age(snapshot: Snapshot, on: date) -> Failure | None:
    """No unpaid debit document may be older (days since its date) than the limit."""
    limit = snapshot.limits.age_days
    if limit is None or not snapshot.unpaid_dates:
        return None
    current = (on - min(snapshot.unpaid_dates)).days
    if current <= limit:
        return None
    return Failure(
        "age",
        f"Factura más antigua: {current} {'día' if current == 1 else 'días'} (máximo {limit})",
        limit,
        current,
        current,
        current - limit,
    )


@dataclass(frozen=True)
class Band:
    """How far over a limit an approver may authorise; None means no ceiling of that kind."""

    kinds: frozenset[str] = frozenset()  # which limits they may override: money, documents, age
    max_excess: Decimal | None = None  # money over the limit, in the account currency
    max_excess_pct: Decimal | None = None  # money over the limit, as a percentage of it
    max_extra_documents: int | None = None
    max_extra_days: int | None = None


def band_covers(band: Band, decision: Decision) -> bool:
    """True when an approver with this band may authorise every failure of the decision.

    A failure of the client's state is never authorised: a disabled client is not sold to.
    """
    if decision.allowed:
        return False
    return all(_band_covers_failure(band, failure) for failure in decision.failures)


def _band_covers_failure(band: Band, failure: Failure) -> bool:
    """True when the band reaches this one failure."""
    if failure.kind not in band.kinds:
        return False
    if failure.kind == "money":
        if band.max_excess is not None and failure.excess > band.max_excess:
            return False
        pct = band.max_excess_pct
        return pct is None or (failure.limit > 0 and failure.excess * 100 <= pct * failure.limit)
    ceiling = band.max_extra_documents if failure.kind == "documents" else band.max_extra_days
    return ceiling is None or failure.excess <= ceiling
