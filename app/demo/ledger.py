"""Demo ledger: sale conditions and card plans, every client's current account with its habits
and terms, and years of history for one big client (for benchmarks).
"""

import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.clients.models import Client, ClientState
from app.clients.reference import ClientType
from app.core.types import local_today
from app.demo.accounts import COLLECTOR_VISIT_DAYS, SALES, DemoAccount, DemoClient, Habits
from app.demo.clients import BATCH
from app.demo.ledger_rows import VOID, LedgerRows, Terms
from app.extensions import db
from app.ledger.models import (
    POSTABLE_KINDS,
    CardIssuer,
    CardPlan,
    Document,
    DocumentKind,
    SaleCondition,
)
from app.ledger.parsing import client_sale_condition
from app.ledger.rules import DueRuleKind
from app.taxes.rules import invoice_class

LEDGER_DAYS = 240  # about eight months of history per client
# Before those months, a year and a half more of sales, all paid, so the reports have two
# years to compare; made with a random stream of its own, so the rest of the demo stays the same.
HISTORY_DAYS = 730
# code, description, rule kind, days, day of month, weekday (Monday 0), week (5: last), installments
SALE_CONDITIONS = [
    ("CONT", "Contado", DueRuleKind.DAYS, 0, 0, 0, 0, 1),
    ("30D", "30 días", DueRuleKind.DAYS, 30, 0, 0, 0, 1),
    ("60D", "60 días", DueRuleKind.DAYS, 60, 0, 0, 0, 1),
    ("306090", "30/60/90", DueRuleKind.DAYS, 30, 0, 0, 0, 3),
    ("D10", "Día 10 mes siguiente", DueRuleKind.DAY_OF_MONTH, 0, 10, 0, 0, 1),
    ("P15", "Próximo día 15", DueRuleKind.NEXT_DAY_OF_MONTH, 0, 15, 0, 0, 1),
    ("UVIE", "Último viernes del mes", DueRuleKind.WEEKDAY_OF_WEEK, 0, 0, 4, 5, 1),
]
# Pronto pago: paying on delivery takes this much off the order.
CASH_DISCOUNTS = {"CONT": Decimal("2.00")}
_BANK_CARD_PLANS = [("1 pago", 1, "0"), ("3 cuotas", 3, "8.50"), ("6 cuotas", 6, "15.75")]
CARD_ISSUERS = [
    ("VISA", "Visa", _BANK_CARD_PLANS),
    ("MASTER", "Mastercard", _BANK_CARD_PLANS),
    ("NARANJA", "Naranja", [("1 pago", 1, "0"), ("Plan Z", 3, "0")]),
    ("CABAL", "Cabal", [("1 pago", 1, "0")]),
]
_EVERY_KIND = [*POSTABLE_KINDS, DocumentKind.RECEIPT]
# client type -> allowed document kinds, discount %, default sale condition
TYPE_TERMS = {
    "KIO": (["invoice", "debit_note", "credit_note", "receipt"], "0", "30D"),
    "MIN": (_EVERY_KIND, "2", "30D"),
    "MAY": (_EVERY_KIND, "8", "30D"),
    "SUP": (_EVERY_KIND, "5", "30D"),
    "CON": (["invoice", "credit_note", "receipt"], "0", "CONT"),
}
# Some clients have terms of their own (codes and weights), by type.
OWN_CONDITIONS = {
    "KIO": (["D10", "P15", "UVIE"], [4, 4, 2]),
    "MIN": (["60D", "D10", "P15", "UVIE"], [2, 3, 3, 2]),
    "MAY": (["60D", "306090", "D10", "UVIE"], [4, 4, 1, 1]),
    "SUP": (["60D", "306090", "P15"], [4, 4, 2]),
}
OWN_CONDITION_SHARE = 0.18
# share of the clients with a feature, and the fewest clients that get it
FEATURES = {
    "overdue": (0.0, 2),  # besides the delinquent clients: stopped paying months ago
    "usd": (0.03, 2),
    "on_account": (0.004, 2),
    "void": (0.003, 1),
    "spoiled": (0.003, 1),
}
D = Decimal


def _create_ledger_reference(refs: dict) -> dict:
    """Sale conditions, card issuers and plans; the client types' terms."""
    conditions = {
        code: SaleCondition(
            code=code,
            description=description,
            rule_kind=kind,
            rule_days=days,
            rule_day=day,
            rule_weekday=weekday,
            rule_week=week,
            installments=count,
            discount_pct=CASH_DISCOUNTS.get(code, Decimal("0")),
        )
        for code, description, kind, days, day, weekday, week, count in SALE_CONDITIONS
    }
    db.session.add_all(conditions.values())
    issuers = []
    for code, name, plans in CARD_ISSUERS:
        issuer = CardIssuer(code=code, name=name)
        issuer.plans = [
            CardPlan(name=plan, installments=count, surcharge_pct=D(surcharge))
            for plan, count, surcharge in plans
        ]
        issuers.append(issuer)
    db.session.add_all(issuers)
    db.session.flush()
    for client_type in db.session.scalars(sa.select(ClientType)):
        kinds, discount, default = TYPE_TERMS[client_type.code]
        client_type.allowed_document_kinds = [str(kind) for kind in kinds]
        client_type.discount_pct = D(discount)
        client_type.default_sale_condition_id = conditions[default].id
    db.session.flush()
    return {
        "terms": {code: Terms(c.id, c.rule, c.installments) for code, c in conditions.items()},
        "type_codes": {type_id: code for code, type_id in refs["types"].items()},
    }


def _habits(rng: random.Random, state: str, type_code: str, today: date) -> Habits | None:
    """A client's buying and paying habits from its state and type; None: no account at all."""
    cadence = SALES[type_code][2]
    if state == ClientState.POTENTIAL or rng.random() < 0.06:
        return None
    if type_code == "CON" or state == ClientState.CASH_ONLY:
        return Habits("cash", cadence, 0, 0)
    if state == ClientState.DELINQUENT:
        return _stopped(rng, today, cadence)
    if state == ClientState.DISABLED:
        stop = today - timedelta(days=rng.randrange(90, 200))
        return Habits("prompt", cadence, COLLECTOR_VISIT_DAYS, 3, stop_buying=stop)
    kind = "slow" if state == ClientState.SUSPENDED else None
    kind = kind or rng.choices(["prompt", "slow", "partial", "stopped"], [70, 17, 9, 4])[0]
    if kind == "stopped":
        return _stopped(rng, today, cadence)
    delay = {
        "prompt": max(-3, round(rng.gauss(3, 5))),
        "slow": max(10, round(rng.gauss(30, 12))),
        "partial": max(0, round(rng.gauss(10, 8))),
    }[kind]
    return Habits(kind, cadence, COLLECTOR_VISIT_DAYS * (1.3 if kind == "slow" else 1), delay)


def _stopped(rng: random.Random, today: date, cadence: float, long_ago: bool = False) -> Habits:
    """A client who stopped paying months ago and was sold to for a while after.

    long_ago: stopped paying over four months ago and still buys, so its debt is in every bucket.
    """
    if long_ago:
        stop_paying = today - timedelta(days=rng.randrange(130, 180))
        stop_buying = today - timedelta(days=rng.randrange(5, 25))
    else:
        stop_paying = today - timedelta(days=rng.randrange(95, 200))
        stop_buying = min(
            today - timedelta(days=10), stop_paying + timedelta(days=rng.randrange(30, 90))
        )
    return Habits(
        "stopped",
        min(cadence, 25),
        COLLECTOR_VISIT_DAYS,
        5,
        stop_buying=stop_buying,
        stop_paying=stop_paying,
    )


def pick(rng: random.Random, ids: list[int], rate: float, least: int) -> set[int]:
    """A share of the ids, and at least a few of them."""
    count = min(len(ids), max(least, round(rate * len(ids))))
    return set(rng.sample(ids, count))


def add_ledger(
    rng: random.Random, refs: dict, days: int = LEDGER_DAYS, history_seed: object = None
) -> int:
    """Each client's current account over the last months, inserted in bulk; returns the count.

    With a history seed, each account also gets the sales before those months, back to
    HISTORY_DAYS, settled before the account's months begin.
    """
    ledger = _create_ledger_reference(refs)
    terms = ledger["terms"]
    today = local_today()
    start = today - timedelta(days=days)
    context = _context(today)
    clients = db.session.execute(
        sa.select(
            Client.id,
            Client.state,
            Client.client_type_id,
            Client.iva_condition,
            Client.collector_id,
        ).order_by(Client.id)
    ).all()
    accounts = []
    for client_id, state, type_id, iva, collector_id in clients:
        type_code = ledger["type_codes"].get(type_id, "MIN")
        habits = _habits(rng, state, type_code, today)
        if habits is None:
            continue
        client = _demo_client(client_id, type_code, iva, collector_id)
        own = None
        if habits.kind == "cash":
            own = "CONT" if type_code != "CON" else None
        elif type_code in OWN_CONDITIONS and rng.random() < OWN_CONDITION_SHARE:
            codes, weights = OWN_CONDITIONS[type_code]
            own = rng.choices(codes, weights)[0]
        accounts.append([client, habits, own])
    on_credit = [a[0].id for a in accounts if a[1].kind in ("prompt", "slow", "partial")]
    chosen = {}
    for name, (rate, least) in FEATURES.items():
        chosen[name] = pick(rng, on_credit, rate, least)
        if name == "overdue":  # the other features need a client who still pays
            on_credit = [ident for ident in on_credit if ident not in chosen[name]]
    rows = LedgerRows()
    history = random.Random(f"history-{history_seed}") if history_seed is not None else None
    context["history"] = (today - timedelta(days=HISTORY_DAYS), start - timedelta(days=1))
    for client, habits, own in accounts:
        features = {name for name, ids in chosen.items() if client.id in ids}
        if "overdue" in features:
            habits = _stopped(rng, today, 20, long_ago=True)
        default = TYPE_TERMS[client.type_code][2]
        if history is not None:
            _add_history(history, rows, client, terms[own or default], habits, features, context)
        account = DemoAccount(rng, rows, client, terms[own or default], habits, features, context)
        account.run(start, today)
        if len(rows.documents) >= BATCH * 10:
            rows.flush()
    rows.finish()
    _update_clients(
        [{"cid": a[0].id, "condition": terms[a[2]].id} for a in accounts if a[2]],
        [{"cid": cid} for cid in chosen["usd"]],
    )
    return rows.written


def _add_history(
    rng: random.Random,
    rows: LedgerRows,
    client: DemoClient,
    terms: Terms,
    habits: Habits,
    features: set[str],
    context: dict,
) -> None:
    """The client's sales before its account's months, paid as a good client pays, and
    settled on the last day before those months."""
    first, last = context["history"]
    kind = "cash" if habits.kind == "cash" else "prompt"
    past = Habits(kind, habits.cadence, COLLECTOR_VISIT_DAYS if kind != "cash" else 0, 3)
    account = DemoAccount(rng, rows, client, terms, past, features & {"usd"}, context)
    account.run(first, last)
    account.settle(last)


def _context(today: date) -> dict:
    """What every simulated account shares: the office user, the card plans and today."""
    office_id = db.session.scalar(sa.select(User.id).where(User.username == "oficina"))
    plans = db.session.execute(
        sa.select(CardPlan.id, CardPlan.installments).order_by(CardPlan.id)
    ).all()
    return {"office_id": office_id, "plans": [tuple(plan) for plan in plans], "today": today}


def _demo_client(
    client_id: int, type_code: str, iva: str | None, collector_id: int | None
) -> DemoClient:
    """A client as the simulation sees it, with the invoice letter the company issues it."""
    invoice = invoice_class(current_app.config["COMPANY_IVA_CONDITION"], iva)
    return DemoClient(
        client_id,
        type_code,
        invoice.letter if invoice else "B",
        iva == "Responsable Inscripto",
        collector_id,
    )


def load_account_history(client: Client, documents: int, seed: int = 1, years: int = 5) -> int:
    """Years of history for one big client, about `documents` documents (for benchmarks).

    Several invoices a day on the client's terms (30 days if it has none), paid at weekly
    visits some weeks late; written in bulk like the demo. Returns the count written.
    """
    rng = random.Random(seed)
    today = local_today()
    days = 365 * years
    condition = client_sale_condition(client) or db.session.scalar(
        sa.select(SaleCondition).where(SaleCondition.code == "30D")
    )
    terms = Terms(condition.id, condition.rule, condition.installments)
    visits = 7
    # about 5% more credit and debit notes than invoices, and a receipt a visit
    cadence = days / max(1, (documents - days / visits) / 1.05)
    type_code = client.client_type.code if client.client_type else "SUP"
    demo = _demo_client(client.id, type_code, client.iva_condition, client.collector_id)
    rows = LedgerRows()
    account = DemoAccount(
        rng, rows, demo, terms, Habits("slow", cadence, visits, 20), set(), _context(today)
    )
    account.run(today - timedelta(days=days), today)
    rows.finish()
    _set_last_dates(client.id)
    return rows.written


def _update_clients(conditions: list[dict], foreign: list[dict]) -> None:
    """Clients' own sale conditions, foreign currency, and last sale and receipt dates."""
    table = Client.__table__
    connection = db.session.connection()
    if conditions:
        connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam("cid"))
            .values(sale_condition_id=sa.bindparam("condition")),
            conditions,
        )
    if foreign:
        connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam("cid"))
            .values(foreign_currency_allowed=True),
            foreign,
        )
    _set_last_dates()


def _set_last_dates(client_id: int | None = None) -> None:
    """Last sale and receipt dates from the documents still standing (one client or all)."""
    table = Client.__table__
    documents = Document.__table__

    def latest(kind: str):
        return (
            sa.select(sa.func.max(documents.c.date))
            .where(
                documents.c.client_id == table.c.id,
                documents.c.kind == kind,
                documents.c.state != VOID,
            )
            .scalar_subquery()
        )

    update = table.update().values(
        last_sale_date=latest(DocumentKind.INVOICE),
        last_receipt_date=latest(DocumentKind.RECEIPT),
    )
    if client_id is not None:
        update = update.where(table.c.id == client_id)
    db.session.connection().execute(update)
