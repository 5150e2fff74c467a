"""Pure rules of the reports: months, shares, the ABC rating, what a client stopped buying and
why a client is at risk.

Plain values in, plain values out: no Flask, no database.
"""

import itertools
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")

Month = tuple[int, int]  # (year, month)

# "Stopped buying": bought in at least STOPPED_MIN_MONTHS of the STOPPED_LOOKBACK months before
# the last STOPPED_RECENT months (the current one included), and in none of these.
STOPPED_RECENT = 2
STOPPED_LOOKBACK = 6
STOPPED_MIN_MONTHS = 3

# The at-risk rules look back RISK_DAYS days for broken promises and days to pay.
RISK_DAYS = 90


@dataclass(frozen=True)
class RiskThresholds:
    """Where each at-risk rule starts; the back office sets them (ReportSettings). The
    defaults keep the list short enough to act on: a small client's sales swing by half from
    one quarter to the next, and a few days' delay in paying is ordinary."""

    broken_promises: int = 2  # broken promises in the last RISK_DAYS days
    paying_slower_days: int = 15  # average days to pay up by more than this
    credit_use_pct: Decimal = Decimal("90")  # balance above this share of the credit limit
    sales_fall_pct: Decimal = Decimal("50")  # last 3 months' sales this much below the 3 before
    # a fall counts only for clients who bought more than this in the 3 months before
    sales_floor: Decimal = Decimal("100000")


# --- months ----------------------------------------------------------------------------------


def month_of(day: date) -> Month:
    """The (year, month) a day falls in."""
    return day.year, day.month


def add_months(month: Month, count: int) -> Month:
    """The month `count` months after (or before, if negative) this one."""
    index = month[0] * 12 + month[1] - 1 + count
    return index // 12, index % 12 + 1


def first_day(month: Month) -> date:
    """The first day of a month."""
    return date(month[0], month[1], 1)


@dataclass(frozen=True)
class PeriodSplit:
    """A period as the reports add it up: its whole months (from the first's first day to the
    last's, None when it holds none) from the monthly sums, and the days before and after
    them, at most two runs of dates, from the documents themselves."""

    months: tuple[date, date] | None
    edges: tuple[tuple[date, date], ...]


def split_period(start: date, end: date) -> PeriodSplit:
    """Split the days from `start` to `end` (both included) into whole months and edges."""
    first = start if start.day == 1 else first_day(add_months(month_of(start), 1))
    after = end + timedelta(days=1)
    stop = first_day(month_of(after))  # the first day after the last whole month
    if first >= stop:
        return PeriodSplit(None, ((start, end),) if start <= end else ())
    edges = []
    if start < first:
        edges.append((start, first - timedelta(days=1)))
    if stop <= end:
        edges.append((stop, end))
    return PeriodSplit((first, first_day(add_months(month_of(stop), -1))), tuple(edges))


def last_months(today: date, count: int) -> list[Month]:
    """The last `count` months, oldest first, the current one last."""
    current = month_of(today)
    return [add_months(current, offset) for offset in range(1 - count, 1)]


# --- shares and rankings ---------------------------------------------------------------------


def share_pct(part: Decimal, total: Decimal) -> Decimal:
    """A part as a percentage of the total, two places; nothing of a total of zero or less."""
    if total <= 0 or part <= 0:
        return ZERO.quantize(CENT)
    return (part * HUNDRED / total).quantize(CENT)


def ranked(totals: Mapping[Hashable, Decimal]) -> list[tuple[Hashable, Decimal]]:
    """Totals from the largest down; ties by key, so the order is the same every time."""
    return sorted(totals.items(), key=lambda item: (-item[1], str(item[0])))


# --- ABC -------------------------------------------------------------------------------------


def abc_ratings(
    totals: Mapping[Hashable, Decimal], a_pct: Decimal, b_pct: Decimal
) -> dict[Hashable, str]:
    """Each client's letter from its sales: A for the clients that make the first a_pct % of the
    total, B for the next b_pct %, C for the rest (and for no sales, or less than none).

    Clients go from the largest down; a client is A when the sales before it are under a_pct %
    of the total (so the client that crosses the line is A, and one that starts right on it is
    B), and B when they are under a_pct + b_pct %.
    """
    positive = {key: amount for key, amount in totals.items() if amount > 0}
    total = sum(positive.values(), ZERO)
    ratings = dict.fromkeys(totals, "C")
    before = ZERO
    for key, amount in ranked(positive):
        share_before = before * HUNDRED / total
        if share_before < a_pct:
            ratings[key] = "A"
        elif share_before < a_pct + b_pct:
            ratings[key] = "B"
        before += amount
    return ratings


# --- purchase history ------------------------------------------------------------------------


def stopped_buying(bought: Mapping[Hashable, Iterable[Month]], today: date) -> list[Hashable]:
    """The products bought in at least 3 of the 6 months before the last 2 (this one and the
    one before) and in neither of those."""
    recent = set(last_months(today, STOPPED_RECENT))
    first_recent = min(recent)
    before = {add_months(first_recent, -offset) for offset in range(1, STOPPED_LOOKBACK + 1)}
    stopped = []
    for key, months in bought.items():
        months = set(months)
        if months & recent:
            continue
        if len(months & before) >= STOPPED_MIN_MONTHS:
            stopped.append(key)
    return stopped


# --- clients at risk -------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskFacts:
    """What the at-risk rules look at for one client (amounts in pesos)."""

    # overdue at the end of each of the last months, oldest first
    overdue_by_month: tuple[Decimal, ...] = ()
    broken_promises: int = 0
    # average days from a debit document's date to its payment: the RISK_DAYS before, and the
    # last RISK_DAYS (None: nothing paid then)
    days_to_pay_before: Decimal | None = None
    days_to_pay_recent: Decimal | None = None
    balance: Decimal = ZERO
    credit_limit: Decimal | None = None
    sales_before: Decimal = ZERO  # the 3 months before the last 3
    sales_recent: Decimal = ZERO  # the last 3 full months


@dataclass(frozen=True)
class RiskReason:
    """One reason a client is at risk, with the figures that show it."""

    code: str
    figures: dict = field(default_factory=dict)


def risk_reasons(facts: RiskFacts, limits: RiskThresholds | None = None) -> list[RiskReason]:
    """Every rule the client's facts break, in the order the page lists the rules."""
    limits = limits or RiskThresholds()
    reasons = []
    overdue = facts.overdue_by_month
    if len(overdue) >= 3 and overdue[-1] > 0 and all(a < b for a, b in itertools.pairwise(overdue)):
        reasons.append(RiskReason("overdue_growing", {"overdue": list(overdue)}))
    if facts.broken_promises >= limits.broken_promises:
        reasons.append(RiskReason("broken_promises", {"count": facts.broken_promises}))
    before, recent = facts.days_to_pay_before, facts.days_to_pay_recent
    if before is not None and recent is not None and recent > before + limits.paying_slower_days:
        reasons.append(RiskReason("paying_slower", {"before": before, "recent": recent}))
    limit = facts.credit_limit
    if limit and limit > 0 and facts.balance * HUNDRED > limit * limits.credit_use_pct:
        use = (facts.balance * HUNDRED / limit).quantize(Decimal("1"))
        reasons.append(
            RiskReason("credit_use", {"balance": facts.balance, "limit": limit, "pct": use})
        )
    floor = max(limits.sales_floor, ZERO)
    if facts.sales_before > floor and facts.sales_recent * HUNDRED < facts.sales_before * (
        HUNDRED - limits.sales_fall_pct
    ):
        fall = HUNDRED - facts.sales_recent * HUNDRED / facts.sales_before
        reasons.append(
            RiskReason(
                "sales_falling",
                {
                    "before": facts.sales_before,
                    "recent": facts.sales_recent,
                    "pct": fall.quantize(Decimal("1")),
                },
            )
        )
    return reasons
