"""The demo current accounts: rows written in bulk that keep every rule the ledger services keep."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from stdnum.ar import cuit

from app.clients.models import Client, ClientType
from app.core.types import local_today
from app.demo.accounts import usd_rate
from app.demo.commands import load_demo_data
from app.demo.ledger import HISTORY_DAYS, LEDGER_DAYS
from app.extensions import db
from app.ledger import accounts, aging, applications, posting
from app.ledger.models import (
    DEBIT_KINDS,
    Application,
    CardIssuer,
    Document,
    DocumentInstallment,
    ReceiptLine,
    SaleCondition,
)
from app.ledger.rules import AGING_BUCKETS, aging_bucket

D = Decimal


@pytest.fixture
def demo(app):
    """A small demo database: 60 clients with their accounts."""
    documents = load_demo_data(clients=60, seed=3)
    assert documents == db.session.scalar(sa.select(sa.func.count()).select_from(Document))
    return documents


def _sums(column) -> dict[int, Decimal]:
    """Amounts of the applications still in force, grouped by one of their columns."""
    rows = db.session.execute(
        sa.select(column, sa.func.sum(Application.amount))
        .where(Application.unapplied_at.is_(None))
        .group_by(column)
    )
    return {ident: D(total).quantize(D("0.01")) for ident, total in rows}


def test_every_demo_account_keeps_the_ledger_invariants(demo):
    documents = db.session.scalars(sa.select(Document)).all()
    # about ten documents a client in the account's months, and the paid history before them
    recent = [d for d in documents if d.date >= local_today() - timedelta(days=LEDGER_DAYS)]
    assert 6 <= len(recent) / 60 <= 14
    assert len(documents) > 2 * len(recent)
    applied = defaultdict(Decimal)
    for sums in (
        _sums(Application.credit_document_id),
        _sums(Application.debit_document_id),
    ):
        for ident, total in sums.items():
            applied[ident] += total
    parts = defaultdict(list)
    for installment in db.session.scalars(
        sa.select(DocumentInstallment).order_by(DocumentInstallment.number)
    ):
        parts[installment.document_id].append(installment)
    by_installment = _sums(Application.installment_id)
    for document in documents:
        assert document.sign == (1 if document.kind in DEBIT_KINDS else -1) or (
            document.kind == "reversal"
        )
        if document.state == "void":
            assert document.open_amount == 0 and document.void_reason
            assert document.voided_at or document.kind == "reversal"
            assert not document.is_debit or all(p.open_amount == 0 for p in parts[document.id])
            continue
        assert document.open_amount == document.amount - applied[document.id], document.number
        expected = (
            "open"
            if document.open_amount == document.amount
            else "paid"
            if document.open_amount == 0
            else "partly_paid"
        )
        assert document.state == expected, document.number
        if document.is_debit:
            own = parts[document.id]
            assert [p.number for p in own] == list(range(1, len(own) + 1))
            assert sum(p.amount for p in own) == document.amount
            assert sum(p.open_amount for p in own) == document.open_amount
            for part in own:
                assert part.open_amount == part.amount - by_installment.get(part.id, 0)
                assert (part.client_id, part.currency) == (document.client_id, document.currency)
        else:
            assert not parts[document.id]
    for client_id in db.session.scalars(sa.select(Client.id)):
        assert accounts.balances(client_id) == accounts.balances_from_history(client_id)


def test_applications_join_a_credit_to_a_debit_of_the_same_client_and_currency(demo):
    credit, debit = sa.orm.aliased(Document), sa.orm.aliased(Document)
    rows = db.session.execute(
        sa.select(Application, credit, debit, DocumentInstallment)
        .join(credit, credit.id == Application.credit_document_id)
        .join(debit, debit.id == Application.debit_document_id)
        .join(DocumentInstallment, DocumentInstallment.id == Application.installment_id)
    ).all()
    assert rows
    for application, credit_doc, debit_doc, installment in rows:
        assert credit_doc.sign < 0 < debit_doc.sign
        assert installment.document_id == debit_doc.id
        assert application.client_id == credit_doc.client_id == debit_doc.client_id
        assert credit_doc.currency == debit_doc.currency
        assert application.applied_on >= credit_doc.date


def test_the_aging_report_has_money_in_every_bucket(demo):
    rows, totals, count = aging.aging_report(sa.select(Client), per_page=500)
    assert all(totals[name] > 0 for name in AGING_BUCKETS), totals
    assert totals["unapplied"] > 0
    assert count == len(rows) > 10
    for name in AGING_BUCKETS:
        assert totals[name] == sum(row.buckets[name] for row in rows)
    overdue = [row.overdue for row in rows]
    assert overdue == sorted(overdue, reverse=True)


def test_the_account_summary_of_bulk_data_matches_its_open_items(demo):
    as_of = local_today()
    clients = db.session.scalars(sa.select(Client)).all()
    seen = set()
    for client in clients:
        summary = accounts.account_summary(client, as_of)
        expected = defaultdict(lambda: dict.fromkeys(AGING_BUCKETS, D(0)))
        for item in accounts.open_items(client.id, as_of):
            currency = item.installment.currency
            expected[currency][aging_bucket(item.installment.due_date, as_of)] += (
                item.installment.open_amount
            )
        credits = defaultdict(Decimal)
        for credit in accounts.open_credits(client.id):
            credits[credit.currency] += credit.open_amount
        assert {s.currency for s in summary.currencies} == set(expected) | set(credits)
        for currency_summary in summary.currencies:
            currency = currency_summary.currency
            assert currency_summary.buckets == expected[currency]
            assert currency_summary.unapplied == credits[currency]
            assert currency_summary.balance == accounts.balances(client.id).get(currency, 0)
            seen |= {name for name, value in currency_summary.buckets.items() if value}
        assert summary.last_sale_date == client.last_sale_date
    assert seen == set(AGING_BUCKETS)


def test_last_sale_and_receipt_dates_follow_the_documents(demo):
    today = local_today()
    for client in db.session.scalars(sa.select(Client)):
        dates = defaultdict(list)
        for kind, day in db.session.execute(
            sa.select(Document.kind, Document.date).where(
                Document.client_id == client.id, Document.state != "void"
            )
        ):
            dates[kind].append(day)
        assert client.last_sale_date == max(dates["invoice"], default=None)
        assert client.last_receipt_date == max(dates["receipt"], default=None)
        assert all(
            today - timedelta(days=HISTORY_DAYS) <= d <= today
            for days in dates.values()
            for d in days
        )
    states = dict(
        db.session.execute(
            sa.select(Client.state, sa.func.count(Document.id))
            .outerjoin(Document, Document.client_id == Client.id)
            .group_by(Client.state)
        ).all()
    )
    assert states.get("potential", 0) == 0


def test_receipts_pay_with_mixed_lines_that_add_up(demo):
    receipts = db.session.scalars(sa.select(Document).where(Document.kind == "receipt")).all()
    lines = defaultdict(list)
    for line in db.session.scalars(sa.select(ReceiptLine)):
        lines[line.receipt_id].append(line)
    for receipt in receipts:
        if receipt.amount:
            assert sum(line.amount for line in lines[receipt.id]) == receipt.amount
    every = [line for own in lines.values() for line in own]
    assert {line.kind for line in every} >= {
        "cash",
        "transfer",
        "third_party_check",
        "withholding",
        "card",
    }
    for line in every:
        if line.kind == "third_party_check":
            assert line.bank and line.number and line.due_date and line.drawer
            assert cuit.is_valid(line.drawer_tax_id)
        if line.kind == "withholding":
            assert line.tax in {"iva", "iibb", "ganancias", "suss"} and line.certificate
        if line.kind == "card":
            assert line.card_plan_id and line.number
        if line.kind == "transfer":
            assert line.reference


def test_voided_receipts_carry_their_reversal_and_spoiled_ones_stand_alone(demo):
    voided = db.session.scalars(
        sa.select(Document).where(Document.kind == "receipt", Document.state == "void")
    ).all()
    reversals = {
        doc.reverses_id: doc
        for doc in db.session.scalars(sa.select(Document).where(Document.kind == "reversal"))
    }
    spoiled = [doc for doc in voided if doc.amount == 0]
    undone = [doc for doc in voided if doc.amount > 0]
    assert spoiled and undone
    for doc in spoiled:
        assert doc.void_reason and doc.voided_at and doc.id not in reversals
    for doc in undone:
        reversal = reversals[doc.id]
        assert doc.open_amount == 0 and doc.void_reason and doc.voided_at
        assert (reversal.sign, reversal.letter, reversal.number) == (1, doc.letter, doc.number)
        assert (reversal.amount, reversal.open_amount, reversal.state) == (doc.amount, 0, "void")
        assert reversal.date >= doc.date
        history = applications.applications_of(doc)
        assert history and all(not a.active for a in history)
    assert set(reversals) == {doc.id for doc in undone}
    unapplied = db.session.scalars(
        sa.select(Document).where(Document.kind == "receipt", Document.state == "open")
    ).all()
    assert len(unapplied) >= 2


def test_sale_conditions_card_plans_and_client_types(demo):
    conditions = {c.description: c for c in db.session.scalars(sa.select(SaleCondition))}
    day = date(2026, 1, 20)
    due = {
        name: posting.preview_installments(conditions[name], day, D("300.00"))
        for name in conditions
    }
    assert [d for _, d, _ in due["Contado"]] == [day]
    assert [d for _, d, _ in due["30/60/90"]] == [
        date(2026, 2, 19),
        date(2026, 3, 21),
        date(2026, 4, 20),
    ]
    assert [d for _, d, _ in due["Día 10 mes siguiente"]] == [date(2026, 2, 10)]
    assert [d for _, d, _ in due["Próximo día 15"]] == [date(2026, 2, 15)]
    assert [d for _, d, _ in due["Último viernes del mes"]] == [date(2026, 1, 30)]
    assert {"30 días", "60 días"} <= set(conditions)
    plans = {
        issuer.name: [(p.name, p.installments, p.surcharge_pct) for p in issuer.plans]
        for issuer in db.session.scalars(sa.select(CardIssuer))
    }
    assert (
        plans["Visa"]
        == plans["Mastercard"]
        == [
            ("1 pago", 1, D("0")),
            ("3 cuotas", 3, D("8.50")),
            ("6 cuotas", 6, D("15.75")),
        ]
    )
    assert [p[:2] for p in plans["Naranja"]] == [("1 pago", 1), ("Plan Z", 3)]
    assert [p[:2] for p in plans["Cabal"]] == [("1 pago", 1)]
    types = {t.code: t for t in db.session.scalars(sa.select(ClientType))}
    cash = types["CON"]
    assert cash.cash_only and cash.default_sale_condition.description == "Contado"
    assert sorted(cash.allowed_document_kinds) == ["credit_note", "invoice", "receipt"]
    for code in ("KIO", "MIN", "MAY", "SUP"):
        assert types[code].default_sale_condition.description == "30 días"
    assert db.session.scalar(
        sa.select(sa.func.count()).where(Client.sale_condition_id.is_not(None))
    )


def test_cash_clients_pay_on_the_spot_and_usd_documents_carry_the_days_rate(demo):
    cash_type = db.session.scalar(sa.select(ClientType.id).where(ClientType.code == "CON"))
    cash_invoices = db.session.scalars(
        sa.select(Document)
        .join(Client, Client.id == Document.client_id)
        .where(Client.client_type_id == cash_type, Document.kind == "invoice")
    ).all()
    assert cash_invoices and all(doc.state == "paid" for doc in cash_invoices)
    usd = db.session.scalars(sa.select(Document).where(Document.currency == "USD")).all()
    assert usd
    for doc in usd:
        client = db.session.get(Client, doc.client_id)
        assert client.foreign_currency_allowed
        assert D("1000") <= doc.exchange_rate <= D("1110")
        if doc.kind != "credit_note":  # a credit note keeps the rate of the invoice it credits
            assert doc.exchange_rate == usd_rate(doc.date)
    letters = dict(
        db.session.execute(
            sa.select(Client.iva_condition, sa.func.min(Document.letter))
            .join(Document, Document.client_id == Client.id)
            .where(Document.kind == "invoice")
            .group_by(Client.iva_condition)
        ).all()
    )
    assert letters["Responsable Inscripto"] == "A"
    assert letters.get("Consumidor Final", "B") == "B"


def test_the_services_carry_on_after_the_bulk_load(demo):
    client = db.session.scalar(
        sa.select(Client)
        .join(ClientType, ClientType.id == Client.client_type_id)
        .where(ClientType.code == "MIN", Client.last_sale_date.is_not(None))
        .order_by(Client.id)
        .limit(1)
    )
    last_invoice = db.session.scalar(
        sa.select(sa.func.max(Document.number)).where(
            Document.kind == "invoice", Document.letter == "A"
        )
    )
    invoice = posting.post_document(
        client, {"kind": "invoice", "letter": "A", "amount": "1500.00"}, None
    )
    assert invoice.number > last_invoice
    receipt = posting.post_receipt(
        client, {"lines": [{"kind": "cash", "amount": "2000.00"}], "apply_oldest": True}, None
    )
    applications.void_document(receipt, "Prueba", None)
    db.session.commit()
    assert accounts.balances(client.id) == accounts.balances_from_history(client.id)
    ids = db.session.scalars(sa.select(Document.id).order_by(Document.id)).all()
    assert len(ids) == len(set(ids)) and ids[-1] > demo


def test_the_history_before_the_accounts_months_is_all_paid(demo):
    start = local_today() - timedelta(days=LEDGER_DAYS)
    old = db.session.scalars(sa.select(Document).where(Document.date < start)).all()
    assert {d.kind for d in old} >= {"invoice", "receipt"}
    assert min(d.date for d in old) < local_today() - timedelta(days=600)
    assert all(d.open_amount == 0 for d in old if d.state != "void")
