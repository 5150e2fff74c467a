"""Demo current accounts, one client at a time, simulated in date order: sales, the
collector's visits, payments and their lines.
"""

import bisect
import heapq
import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.demo import names
from app.demo.clients import valid_cuit
from app.demo.ledger_rows import VOID, ZERO, LedgerRows, Terms, stamp
from app.ledger.models import DocumentKind

# invoice amounts in pesos (low, high, log-uniform) and mean days between invoices, by type
SALES = {
    "KIO": (3_000, 90_000, 42),
    "MIN": (8_000, 250_000, 38),
    "MAY": (40_000, 750_000, 30),
    "SUP": (30_000, 600_000, 26),
    "CON": (3_000, 120_000, 48),
}
USD_SALES = (150, 6_000)
COLLECTOR_VISIT_DAYS = 30
D = Decimal
CENT = D("0.01")
THOUSAND = D("1000")


@dataclass(frozen=True)
class DemoClient:
    """What the simulation needs to know of a client."""

    id: int
    type_code: str
    letter: str
    registered: bool
    collector_id: int | None


@dataclass
class Habits:
    """How a demo client buys and pays."""

    kind: str  # prompt, slow, partial, stopped, cash
    cadence: float  # mean days between invoices
    visits: float  # mean days between the collector's visits
    delay: int  # days after the due date the client pays
    stop_buying: date | None = None
    stop_paying: date | None = None


def usd_rate(day: date) -> Decimal:
    """A plausible ARS per USD rate of a day: from 1000 up to 1100 and back over two years."""
    within = day.toordinal() % 730
    trend = D(min(within, 730 - within)) * 100 / 365
    return (D(1000) + trend + D((day.toordinal() * 37) % 900) / 100).quantize(CENT)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A log-uniform amount between low and high, in cents."""
    cents = int(low * 100 * (high / low) ** rng.random())
    return D(cents).scaleb(-2)


def _round_down(amount: Decimal, step: Decimal = THOUSAND) -> Decimal:
    """The amount rounded down to a multiple of step (itself if smaller than step)."""
    rounded = (amount // step) * step
    return rounded if rounded > 0 else amount


def _due_key(installment: dict) -> tuple[date, int]:
    """Installments are paid in due-date order, as services.apply_oldest does."""
    return installment["due_date"], installment["id"]


class DemoAccount:
    """One client's current account, simulated in date order: sales, visits, payments."""

    def __init__(
        self,
        rng: random.Random,
        rows: LedgerRows,
        client: DemoClient,
        terms: Terms,
        habits: Habits,
        features: set[str],
        context: dict,
    ) -> None:
        self.rng = rng
        self.rows = rows
        self.client = client
        self.terms = terms
        self.habits = habits
        self.features = set(features)
        self.context = context
        self.open: dict[str, list[dict]] = {"ARS": [], "USD": []}
        self.events: list[tuple] = []
        self.order = itertools.count()

    def run(self, start: date, today: date) -> None:
        """Every event from start to today, in date order."""
        habits = self.habits
        last_sale = min(today, habits.stop_buying or today)
        self._schedule(start, last_sale, habits.cadence, "invoice")
        if habits.visits:
            self._schedule(start, today, habits.visits, "visit")
        if "on_account" in self.features:
            self._push(today - timedelta(days=self.rng.randrange(2, 40)), "on_account")
        while self.events:
            day, _, _, kind, payload = heapq.heappop(self.events)
            if day > today:
                continue
            getattr(self, kind)(day, *payload)

    def _schedule(self, start: date, end: date, every: float, kind: str) -> None:
        """Events of a kind from start to end, every so many days give or take 40%."""
        offset = self.rng.uniform(0, every)
        while (day := start + timedelta(days=int(offset))) <= end:
            self._push(day, kind)
            offset += every * self.rng.uniform(0.6, 1.4)

    def _push(self, day: date, kind: str, *payload) -> None:
        """Queue an event; on a day, sales come before visits."""
        order = 0 if kind == "invoice" else 1
        heapq.heappush(self.events, (day, order, next(self.order), kind, payload))

    def _debit(self, kind: str, day: date, amount: Decimal, currency: str, **fields) -> dict:
        """An invoice or debit note with its installments, now open."""
        document = self.rows.document(
            self.client.id,
            kind,
            day,
            amount,
            letter=self.client.letter,
            currency=currency,
            exchange_rate=usd_rate(day) if currency == "USD" else D(1),
            sale_condition_id=self.terms.id,
            **fields,
        )
        for installment in self.rows.split(document, self.terms):
            bisect.insort(self.open[currency], installment, key=_due_key)
        return document

    def invoice(self, day: date) -> None:
        """A sale on account; cash clients pay it on the spot."""
        rng = self.rng
        currency = "USD" if "usd" in self.features and rng.random() < 0.3 else "ARS"
        low, high = USD_SALES if currency == "USD" else SALES[self.client.type_code][:2]
        invoice = self._debit(DocumentKind.INVOICE, day, _money(rng, low, high), currency)
        if self.habits.kind == "cash":
            receipt = self._receipt(day, currency, invoice["amount"])
            self.rows.apply(receipt, self._items_of(invoice), day, receipt["created_by_id"])
            self._prune(currency)
        elif rng.random() < 0.05:
            self._push(day + timedelta(days=rng.randrange(1, 15)), "credit_note", invoice)

    def credit_note(self, day: date, invoice: dict) -> None:
        """Goods returned or a discount on an invoice: applied to it while it is open."""
        share = D(self.rng.randrange(3, 16)) / 100
        amount = max(CENT, (invoice["amount"] * share).quantize(CENT))
        note = self.rows.document(
            self.client.id,
            DocumentKind.CREDIT_NOTE,
            day,
            amount,
            letter=invoice["letter"],
            currency=invoice["currency"],
            exchange_rate=invoice["exchange_rate"],
            notes=self.rng.choice(names.CREDIT_NOTE_NOTES),
            source="backoffice",
            created_by_id=self.context["office_id"],
        )
        self.rows.apply(note, self._items_of(invoice), day, self.context["office_id"])
        self._prune(invoice["currency"])

    def visit(self, day: date) -> None:
        """The collector's visit: the client pays what is due, or part of it, or nothing."""
        habits = self.habits
        if habits.stop_paying and day >= habits.stop_paying:
            return
        rng = self.rng
        for currency, items in self.open.items():
            cutoff = day - timedelta(days=habits.delay)
            owed = sum((i["open_amount"] for i in items if i["due_date"] <= cutoff), ZERO)
            if owed <= 0:
                continue
            amount = owed
            if habits.kind == "partial" and currency == "ARS":
                amount = _round_down((owed * D(rng.randrange(30, 81)) / 100).quantize(CENT))
            if "spoiled" in self.features:
                self.features.discard("spoiled")
                self._spoiled_receipt(day)
            paid_on = day
            if "void" in self.features:
                self.features.discard("void")
                paid_on = self._voided_receipt(day, currency, amount)
            receipt = self._receipt(paid_on, currency, amount)
            self.rows.apply(receipt, items, paid_on, receipt["created_by_id"])
            self._prune(currency)
            if habits.kind in ("slow", "partial", "stopped") and rng.random() < 0.08:
                self._interest(day, currency)

    def settle(self, day: date) -> None:
        """Pay everything still open on a day, so a closed stretch of history owes nothing."""
        for currency, items in self.open.items():
            owed = sum((i["open_amount"] for i in items), ZERO)
            if owed > 0:
                receipt = self._receipt(day, currency, owed)
                self.rows.apply(receipt, items, day, receipt["created_by_id"])
                self._prune(currency)

    def on_account(self, day: date) -> None:
        """A payment on account the client did not say what for: left unapplied."""
        amount = D(self.rng.randrange(10, 200)) * THOUSAND
        self._receipt(day, "ARS", amount, notes=names.ON_ACCOUNT_NOTE)

    def _interest(self, day: date, currency: str) -> None:
        """A debit note for interest on what is more than 30 days overdue."""
        if self.client.type_code == "CON":
            return
        late = day - timedelta(days=30)
        overdue = sum((i["open_amount"] for i in self.open[currency] if i["due_date"] < late), ZERO)
        amount = (overdue * D("0.03")).quantize(CENT)
        if amount >= 100:
            self._debit(
                DocumentKind.DEBIT_NOTE,
                day,
                amount,
                currency,
                notes=names.INTEREST_NOTE,
                source="backoffice",
                created_by_id=self.context["office_id"],
            )

    def _receipt(self, day: date, currency: str, amount: Decimal, **fields) -> dict:
        """A receipt taken by the collector (or a transfer the office enters) with its lines."""
        rng = self.rng
        by_collector = bool(self.client.collector_id) and rng.random() < 0.8
        receipt = self.rows.document(
            self.client.id,
            DocumentKind.RECEIPT,
            day,
            amount,
            currency=currency,
            exchange_rate=usd_rate(day) if currency == "USD" else D(1),
            source="field" if by_collector else "backoffice",
            created_by_id=self.client.collector_id if by_collector else self.context["office_id"],
            **fields,
        )
        self._payment_lines(receipt)
        return receipt

    def _payment_lines(self, receipt: dict) -> None:
        """Split a receipt into payment lines: withholdings, a check, cash, a transfer, a card."""
        rng, rows, amount, day = self.rng, self.rows, receipt["amount"], receipt["date"]
        left = amount
        if receipt["currency"] == "USD":
            rows.line(receipt, rng.choice(["transfer", "cash"]), amount, reference=_reference(rng))
            return
        if self.client.registered and amount >= 50_000 and rng.random() < 0.4:
            for tax, low, high, chance in WITHHOLDINGS:
                if rng.random() < chance:
                    part = (amount * D(rng.randrange(low, high + 1)) / 1000).quantize(CENT)
                    rows.line(receipt, "withholding", part, tax=tax, certificate=_certificate(rng))
                    left -= part
        kinds, weights = PAYMENT_MIX["registered" if self.client.registered else "other"]
        if left >= 20_000 and rng.random() < 0.35:
            part = _round_down(left * D(rng.randrange(30, 71)) / 100)
            rows.line(receipt, "third_party_check", part, **self._check(day, third_party=True))
            left -= part
        kind = rng.choices(kinds, weights)[0]
        rows.line(receipt, kind, left, **self._line_fields(kind, day))

    def _line_fields(self, kind: str, day: date) -> dict:
        """The details a payment line of a kind carries."""
        rng = self.rng
        if kind == "transfer":
            return {"reference": _reference(rng)}
        if kind in ("own_check", "third_party_check"):
            return self._check(day, third_party=kind == "third_party_check")
        if kind == "card":
            plans = self.context["plans"]
            one_payment = [plan for plan, count in plans if count == 1]
            plan_id = rng.choice(one_payment if rng.random() < 0.6 else [p for p, _ in plans])
            return {"card_plan_id": plan_id, "number": f"{rng.randrange(1, 999_999):06d}"}
        return {}

    def _check(self, day: date, third_party: bool) -> dict:
        """A check: bank, number, payment date and, when a customer's, its drawer and CUIT."""
        rng = self.rng
        fields = {
            "bank": rng.choice(names.BANKS),
            "number": f"{rng.randrange(10_000_000, 99_999_999)}",
            "due_date": day + timedelta(days=rng.choice([0, 0, 0, 7, 15, 30, 45, 60])),
        }
        if third_party:
            if rng.random() < 0.5:
                drawer = f"{rng.choice(names.SURNAMES)} {rng.choice(names.COMPANY_SUFFIXES)}"
                prefix = rng.choice(["30", "33"])
            else:
                female = rng.random() < 0.5
                first = rng.choice(names.FIRST_NAMES_F if female else names.FIRST_NAMES_M)
                drawer = f"{rng.choice(names.SURNAMES)}, {first}"
                prefix = "27" if female else "20"
            fields |= {"drawer": drawer, "drawer_tax_id": valid_cuit(rng, prefix)}
        return fields

    def _spoiled_receipt(self, day: date) -> None:
        """A receipt form spoiled on paper and entered as void so its number is accounted for."""
        reason = self.rng.choice(names.SPOILED_REASONS)
        self.rows.document(
            self.client.id,
            DocumentKind.RECEIPT,
            day,
            ZERO,
            state=VOID,
            voided_at=stamp(day, self.client.id),
            void_reason=reason,
            source="field",
            created_by_id=self.client.collector_id,
        )

    def _voided_receipt(self, day: date, currency: str, amount: Decimal) -> date:
        """A receipt entered wrong and applied, voided a few days later; returns that day."""
        wrong = self._receipt(day, currency, amount)
        self.rows.apply(wrong, self.open[currency], day, wrong["created_by_id"])
        voided_on = min(day + timedelta(days=self.rng.randrange(1, 5)), self.context["today"])
        reason = self.rng.choice(names.VOID_REASONS)
        self.rows.void(wrong, voided_on, reason, self.context["office_id"])
        return voided_on

    def _items_of(self, document: dict) -> list[dict]:
        """A debit document's installments that are still open, oldest due first."""
        return [i for i in self.open[document["currency"]] if i["document_id"] == document["id"]]

    def _prune(self, currency: str) -> None:
        """Forget installments fully paid."""
        self.open[currency] = [i for i in self.open[currency] if i["open_amount"] > 0]


# tax, lowest and highest share in thousandths of the receipt, chance of appearing
WITHHOLDINGS = [
    ("iibb", 10, 30, 0.8),
    ("ganancias", 10, 20, 0.4),
    ("iva", 5, 10, 0.15),
    ("suss", 5, 10, 0.05),
]
PAYMENT_MIX = {
    "registered": (["transfer", "third_party_check", "own_check", "cash"], [45, 20, 20, 15]),
    "other": (["cash", "transfer", "third_party_check", "card"], [50, 25, 10, 15]),
}


def _reference(rng: random.Random) -> str:
    """A bank transfer's reference."""
    if rng.random() < 0.3:
        return f"Interbanking {rng.randrange(10_000_000, 99_999_999)}"
    return f"Transferencia {rng.randrange(100_000_000, 999_999_999)}"


def _certificate(rng: random.Random) -> str:
    """A withholding certificate number."""
    return f"{rng.randrange(1, 20):04d}-{rng.randrange(1, 99_999_999):08d}"
