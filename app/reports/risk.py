"""Inactive clients and clients at risk, with the reasons that put them there."""

import itertools
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

import app.reports.rules as rules
from app.auth.models import User
from app.clients.models import Client, ClientState
from app.collections import services as collections
from app.collections.models import CollectionCall, Outcome
from app.credit import services as credit
from app.credit.rules import money_text
from app.extensions import db
from app.ledger.models import (
    Application,
    Document,
    DocumentInstallment,
    DocumentKind,
    DocumentState,
)
from app.reports.models import ClientRisk, RiskRun
from app.reports.services import (
    ZERO,
    money,
    pesos,
    reach,
    report_settings,
    standing,
    totals,
)


def _number(value: Decimal) -> str:
    """A threshold as people read it: "90", "12,5"."""
    return format_decimal(Decimal(value).normalize(), format="#,##0.##")


def rule_texts(limits: rules.RiskThresholds) -> list[str]:
    """The rules as the at-risk page writes them out, with the thresholds in force."""
    return [
        _("La deuda vencida creció en cada uno de los últimos 3 cierres de mes."),
        _(
            "Incumplió %(count)s o más promesas de pago en los últimos %(days)s días.",
            count=limits.broken_promises,
            days=rules.RISK_DAYS,
        ),
        _(
            "Tarda más de %(days)s días más en pagar que en los %(window)s días anteriores.",
            days=limits.paying_slower_days,
            window=rules.RISK_DAYS,
        ),
        _(
            "Su saldo supera el %(pct)s %% de su límite de crédito.",
            pct=_number(limits.credit_use_pct),
        ),
        _(
            "Compró más de un %(pct)s %% menos en los últimos 3 meses que en los 3 anteriores"
            " (si antes compró más de %(floor)s).",
            pct=_number(limits.sales_fall_pct),
            floor=money_text(limits.sales_floor),
        ),
    ]


TENTH = Decimal("0.1")
# clients that are not (or not yet) customers stay out of the inactive list
NOT_CUSTOMERS = (ClientState.POTENTIAL, ClientState.DISABLED)


# --- inactive clients ------------------------------------------------------------------------


@dataclass(frozen=True)
class InactiveClient:
    """A client with no invoice in the last days."""

    client_id: int
    code: str
    name: str
    last_invoice: date
    days: int


def _inactive(user: User, today: date, days: int) -> sa.Select:
    """Clients in scope who bought before but have had no invoice in `days` days, with the
    day of their last invoice.

    The last invoice is a subquery per client that walks that client's documents backwards
    by date (ix_ledger_documents_client_date): 100,000 clients and 1,000,000 documents take
    about 0.3 s on SQLite, where grouping every invoice took 2.3 s. (An index on client,
    kind and date made it 0.17 s; not worth one more index on every document written.)
    """
    last = (
        sa.select(sa.func.max(Document.date))
        .where(Document.client_id == Client.id, Document.kind == DocumentKind.INVOICE, standing())
        .correlate(Client)
        .scalar_subquery()
    )
    return sa.select(
        Client.id, Client.code, Client.trade_name, Client.legal_name, last.label("last")
    ).where(
        Client.id.in_(reach(user)),
        Client.state.not_in(NOT_CUSTOMERS),
        last < today - timedelta(days=days - 1),
    )


def inactive_count(user: User, today: date, days: int) -> int:
    """How many clients in scope have had no invoice in `days` days (the list shows 500)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(_inactive(user, today, days).subquery())
    )


def inactive_clients(
    user: User, today: date, days: int, limit: int | None = 500
) -> list[InactiveClient]:
    """Clients in scope who bought before but have had no invoice in `days` days, longest
    first; the first `limit` of them (None: all, for a download)."""
    query = _inactive(user, today, days)
    last = query.selected_columns.last
    rows = db.session.execute(query.order_by(last, Client.id).limit(limit))
    return [
        InactiveClient(ident, code, trade or legal, _day(day), (today - _day(day)).days)
        for ident, code, trade, legal, day in rows
    ]


def _day(value) -> date:
    """A date from an aggregate (SQLite hands back text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- clients at risk -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientAtRisk:
    """A client in scope that breaks at least one at-risk rule."""

    client_id: int
    code: str
    name: str
    reasons: list[rules.RiskReason]


def at_risk(user: User, today: date) -> list[ClientAtRisk]:
    """Clients in scope that break an at-risk rule, with every reason, most reasons first,
    reckoned now from their accounts (seconds at 100,000 clients: the pages read the last
    run instead, see `refresh`)."""
    return _reckon(reach(user), today)


def _reckon(scope: sa.Select, today: date) -> list[ClientAtRisk]:
    """The clients of a scope that break an at-risk rule, most reasons first, then by name."""
    facts = _risk_facts(scope, today)
    limits = report_settings().risk_thresholds
    found = []
    for client_id, fact in facts.items():
        reasons = rules.risk_reasons(fact, limits)
        if reasons:
            found.append((client_id, reasons))
    names = {
        ident: (code, trade or legal)
        for ident, code, trade, legal in db.session.execute(
            sa.select(Client.id, Client.code, Client.trade_name, Client.legal_name).where(
                Client.id.in_([ident for ident, _reasons in found])
            )
        )
    }
    found.sort(key=lambda item: (-len(item[1]), names[item[0]][1], item[0]))
    return [ClientAtRisk(ident, *names[ident], reasons) for ident, reasons in found]


# --- the last run, which the pages read ------------------------------------------------------


def refresh(today: date) -> RiskRun:
    """Reckon every client against the rules and keep the result as the last run (the job's
    work: nightly, after the thresholds change, or on demand)."""
    everyone = sa.select(Client.id).where(Client.deleted_at.is_(None))
    found = _reckon(everyone, today)
    if db.engine.dialect.name == "postgresql":  # two runs at once replace the rows in turn
        db.session.execute(sa.text("LOCK TABLE client_risks IN EXCLUSIVE MODE"))
    run = RiskRun(
        day=today,
        thresholds=_thresholds_kept(report_settings().risk_thresholds),
        clients_at_risk=len(found),
    )
    db.session.add(run)
    db.session.flush()
    db.session.execute(sa.delete(ClientRisk))
    rows = [
        {
            "client_id": each.client_id,
            "run_id": run.id,
            "reason_count": len(each.reasons),
            "reasons": [_reason_kept(reason) for reason in each.reasons],
        }
        for each in found
    ]
    for start in range(0, len(rows), 5_000):
        db.session.execute(sa.insert(ClientRisk), rows[start : start + 5_000])
    return run


def last_run() -> RiskRun | None:
    """The last reckoning of the clients at risk, or None before the first."""
    return db.session.scalar(sa.select(RiskRun).order_by(RiskRun.id.desc()).limit(1))


def is_stale(run: RiskRun | None, today: date) -> bool:
    """True when the last run is missing, from an earlier day, or from other thresholds."""
    if run is None or run.day < today:
        return True
    return run.thresholds != _thresholds_kept(report_settings().risk_thresholds)


def listed(user: User, limit: int | None = None) -> list[ClientAtRisk]:
    """The clients in scope the last run found at risk, most reasons first, then by name; the
    first `limit` of them (None: all)."""
    name = sa.func.coalesce(sa.func.nullif(Client.trade_name, ""), Client.legal_name)
    rows = db.session.execute(
        sa.select(ClientRisk.client_id, Client.code, name, ClientRisk.reasons)
        .join(Client, Client.id == ClientRisk.client_id)
        .where(ClientRisk.client_id.in_(reach(user)))
        .order_by(ClientRisk.reason_count.desc(), name, ClientRisk.client_id)
        .limit(limit)
    )
    return [
        ClientAtRisk(ident, code, shown, [_reason_read(each) for each in reasons])
        for ident, code, shown, reasons in rows
    ]


def listed_count(user: User) -> int:
    """How many clients in scope the last run found at risk."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(ClientRisk.client_id.in_(reach(user)))
    )


def reason_counts(client_ids: list[int]) -> dict[int, int]:
    """client id -> how many reasons the last run found, for those of the clients at risk."""
    rows = db.session.execute(
        sa.select(ClientRisk.client_id, ClientRisk.reason_count).where(
            ClientRisk.client_id.in_(client_ids)
        )
    )
    return dict(rows.all())


def _thresholds_kept(limits: rules.RiskThresholds) -> dict:
    """The thresholds as a run keeps them (text, so that 90 and 90.00 compare equal)."""
    return {
        name: format(value.normalize(), "f") if isinstance(value, Decimal) else value
        for name, value in asdict(limits).items()
    }


def _reason_kept(reason: rules.RiskReason) -> dict:
    """A reason as a run keeps it: its code, and its figures with decimals as text."""
    return {"code": reason.code, "figures": {n: _kept(v) for n, v in reason.figures.items()}}


def _kept(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_kept(each) for each in value]
    return value


def _reason_read(kept: dict) -> rules.RiskReason:
    """A reason back from a run: the figures' text as decimals again."""
    return rules.RiskReason(kept["code"], {n: _read(v) for n, v in kept["figures"].items()})


def _read(value):
    if isinstance(value, str):
        return Decimal(value)
    if isinstance(value, list):
        return [_read(each) for each in value]
    return value


def _risk_facts(scope: sa.Select, today: date) -> dict[int, rules.RiskFacts]:
    """The facts of the at-risk rules for every client in scope with an account."""
    month_ends = [
        rules.first_day(rules.add_months(rules.month_of(today), -offset)) - timedelta(days=1)
        for offset in (2, 1, 0)
    ]
    overdue = _overdue_at(scope, month_ends)
    broken = _broken_promises(scope, today)
    before, recent = _days_to_pay(scope, today)
    balances, limits = _credit_use(scope)
    sales_before, sales_recent = _sales_halves(scope, today)
    ids = set().union(*overdue, broken, before, recent, balances, sales_before, sales_recent)
    return {
        ident: rules.RiskFacts(
            overdue_by_month=tuple(each.get(ident, ZERO) for each in overdue),
            broken_promises=broken.get(ident, 0),
            days_to_pay_before=before.get(ident),
            days_to_pay_recent=recent.get(ident),
            balance=balances.get(ident, ZERO),
            credit_limit=limits.get(ident),
            sales_before=sales_before.get(ident, ZERO),
            sales_recent=sales_recent.get(ident, ZERO),
        )
        for ident in ids
    }


def _overdue_at(scope: sa.Select, days: list[date]) -> list[dict[int, Decimal]]:
    """What each client had overdue at the end of each day, in pesos: installments due before
    it less what was applied to them by then (and not undone by then). One pass for all days."""
    last = max(days)
    worth = DocumentInstallment.amount * Document.exchange_rate
    due = db.session.execute(
        sa.select(
            DocumentInstallment.client_id,
            *(
                sa.func.sum(
                    sa.case(
                        (sa.and_(DocumentInstallment.due_date < day, Document.date <= day), worth),
                        else_=0,
                    )
                )
                for day in days
            ),
        )
        .join(Document, Document.id == DocumentInstallment.document_id)
        .where(
            DocumentInstallment.client_id.in_(scope),
            DocumentInstallment.due_date < last,
            standing(),
        )
        .group_by(DocumentInstallment.client_id)
    ).all()
    applied = Application.amount * Document.exchange_rate
    undone_on = sa.func.date(Application.unapplied_at)
    paid = db.session.execute(
        sa.select(
            Application.client_id,
            *(
                sa.func.sum(
                    sa.case(
                        (
                            sa.and_(
                                DocumentInstallment.due_date < day,
                                Application.applied_on <= day,
                                sa.or_(Application.unapplied_at.is_(None), undone_on > day),
                            ),
                            applied,
                        ),
                        else_=0,
                    )
                )
                for day in days
            ),
        )
        .join(DocumentInstallment, DocumentInstallment.id == Application.installment_id)
        .join(Document, Document.id == Application.debit_document_id)
        .where(
            Application.client_id.in_(scope),
            DocumentInstallment.due_date < last,
            Application.applied_on <= last,
            standing(),
        )
        .group_by(Application.client_id)
    ).all()
    found = []
    for index in range(len(days)):
        owed = {row[0]: money(row[index + 1]) for row in due}
        for row in paid:
            owed[row[0]] = owed.get(row[0], ZERO) - money(row[index + 1])
        found.append({ident: amount for ident, amount in owed.items() if amount > 0})
    return found


def _broken_promises(scope: sa.Select, today: date) -> dict[int, int]:
    """How many promises each client broke in the last days."""
    calls = list(
        db.session.scalars(
            sa.select(CollectionCall).where(
                CollectionCall.client_id.in_(scope),
                CollectionCall.outcome == Outcome.PROMISE,
                CollectionCall.deleted_at.is_(None),
                CollectionCall.promise_date >= today - timedelta(days=rules.RISK_DAYS),
                CollectionCall.promise_date < today,
            )
        )
    )
    states = collections.promise_states(calls, today)
    counts: dict[int, int] = defaultdict(int)
    for call in calls:
        if states.get(call.id) == "broken":
            counts[call.client_id] += 1
    return dict(counts)


def _days_to_pay(scope: sa.Select, today: date) -> tuple[dict, dict]:
    """Average days to pay per client: the RISK_DAYS before the last RISK_DAYS, and those.

    Weighted by the amount paid, as ledger.rules.weighted_days_to_pay weighs it, summed by
    the database in whole cents (exact on both engines) rather than row by row in Python.
    """
    window = timedelta(days=rules.RISK_DAYS)
    debit = sa.orm.aliased(Document)
    credit = sa.orm.aliased(Document)
    if db.engine.dialect.name == "sqlite":
        days = sa.cast(sa.func.julianday(credit.date) - sa.func.julianday(debit.date), sa.Integer)
    else:
        days = credit.date - debit.date  # PostgreSQL: whole days
    cents = sa.cast(sa.func.round(Application.amount * 100), sa.BigInteger)
    recent = sa.case((credit.date > today - window, 1), else_=0)
    rows = db.session.execute(
        sa.select(Application.client_id, recent, sa.func.sum(cents), sa.func.sum(cents * days))
        .join(debit, debit.id == Application.debit_document_id)
        .join(credit, credit.id == Application.credit_document_id)
        .where(
            Application.client_id.in_(scope),
            Application.unapplied_at.is_(None),
            credit.kind == DocumentKind.RECEIPT,
            credit.date > today - 2 * window,
            credit.date <= today,
        )
        .group_by(Application.client_id, recent)
    )
    halves: tuple[dict, dict] = ({}, {})
    for ident, half, paid, weighted in rows:
        if paid:
            mean = Decimal(int(weighted)) / Decimal(int(paid))
            halves[half][ident] = mean.quantize(TENTH, rounding=ROUND_HALF_UP)
    return halves


def _credit_use(scope: sa.Select) -> tuple[dict, dict]:
    """Each client's open balance in pesos, and its money limit in force (its own, else its
    policy's by the credit's precedence: family, category, segment, zone, type)."""
    rows = db.session.execute(
        sa.select(Document.client_id, sa.func.sum(pesos(Document.sign * Document.open_amount)))
        .where(
            Document.client_id.in_(scope),
            Document.state.in_((DocumentState.OPEN, DocumentState.PARTLY_PAID)),
        )
        .group_by(Document.client_id)
    )
    balances = {ident: money(total) for ident, total in rows if total}
    return balances, credit.money_limits(scope)


def _sales_halves(scope: sa.Select, today: date) -> tuple[dict, dict]:
    """Sales per client in the 3 full months before the last 3 full months, and in those."""
    this_month = rules.month_of(today)
    edges = [rules.first_day(rules.add_months(this_month, offset)) for offset in (-6, -3, 0)]
    halves = [
        {
            ident: money(total)
            for ident, total in totals(
                "sales", "clients", start, end - timedelta(days=1), scope
            ).items()
        }
        for start, end in itertools.pairwise(edges)
    ]
    return halves[0], halves[1]


def reason_message(reason: rules.RiskReason) -> str:
    """A reason as the user reads it, with its figures."""
    figures = reason.figures
    if reason.code == "overdue_growing":
        amounts = " → ".join(money_text(amount) for amount in figures["overdue"])
        return _("La deuda vencida crece mes a mes: %(amounts)s.", amounts=amounts)
    if reason.code == "broken_promises":
        return _(
            "Incumplió %(count)s promesas de pago en los últimos %(days)s días.",
            count=figures["count"],
            days=rules.RISK_DAYS,
        )
    if reason.code == "paying_slower":
        return _(
            "Paga más tarde: %(recent)s días en promedio, antes %(before)s.",
            recent=figures["recent"].quantize(Decimal("1")),
            before=figures["before"].quantize(Decimal("1")),
        )
    if reason.code == "credit_use":
        return _(
            "Usa el %(pct)s %% de su límite de crédito (%(balance)s de %(limit)s).",
            pct=figures["pct"],
            balance=money_text(figures["balance"]),
            limit=money_text(figures["limit"]),
        )
    return _(
        "Sus compras cayeron un %(pct)s %%: %(recent)s en los últimos 3 meses, antes %(before)s.",
        pct=figures["pct"],
        recent=money_text(figures["recent"]),
        before=money_text(figures["before"]),
    )


def evidence_url(client_id: int, reason: rules.RiskReason) -> str:
    """The page that shows a reason's evidence: the account, its documents, the promises, or
    the client's purchases."""
    if reason.code in ("overdue_growing", "credit_use"):
        return url_for("ledger.account", client_id=client_id)
    if reason.code == "paying_slower":
        return url_for("ledger.documents", client_id=client_id)
    if reason.code == "broken_promises":
        return url_for("collections.promises", state="broken")
    return url_for("clients.card", client_id=client_id, _anchor="compras")
