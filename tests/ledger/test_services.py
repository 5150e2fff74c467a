"""Posting, applying, unapplying and voiding keep every balance exact."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.extensions import db
from app.ledger import accounts, aging, applications, posting, statements
from app.ledger import services as ledger
from app.ledger.models import Application, Document, DocumentInstallment
from app.ledger.parsing import parse_amount
from tests.factories import (
    make_client,
    make_client_type,
    make_sale_condition,
    post_document,
    post_receipt,
)

D = Decimal


def check_invariants(client) -> None:
    """Every open amount agrees with the applications, and both balance sums agree."""
    db.session.flush()
    assert accounts.balances(client.id) == accounts.balances_from_history(client.id)
    documents = db.session.scalars(sa.select(Document).where(Document.client_id == client.id))
    for document in documents:
        applied = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Application.amount), 0)).where(
                Application.unapplied_at.is_(None),
                (Application.credit_document_id == document.id)
                | (Application.debit_document_id == document.id),
            )
        )
        if document.state == "void":
            assert document.open_amount == 0
            continue
        assert document.open_amount == document.amount - applied, document.number
        if document.is_debit:
            parts = document.installments
            assert sum(p.amount for p in parts) == document.amount
            assert sum(p.open_amount for p in parts) == document.open_amount
        expected = (
            "open"
            if document.open_amount == document.amount
            else "paid"
            if document.open_amount == 0
            else "partly_paid"
        )
        assert document.state == expected


def test_an_invoice_splits_into_installments_by_the_clients_sale_condition(app):
    condition = make_sale_condition(rule_days=30, installments=3)
    client = make_client(sale_condition_id=condition.id)
    invoice = post_document(client, amount="100.00", date=date(2026, 1, 31), letter="A")
    assert [(p.due_date, p.amount) for p in invoice.installments] == [
        (date(2026, 3, 2), D("33.33")),
        (date(2026, 4, 1), D("33.33")),
        (date(2026, 5, 1), D("33.34")),
    ]
    assert invoice.number == "0001-00000001"
    assert client.last_sale_date == date(2026, 1, 31)
    assert accounts.balances(client.id) == {"ARS": D("100.00")}
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity_type == "document")
    ).one()
    assert entry.action == "ledger.document.create" and entry.after["amount"] == "100"


def test_the_client_types_default_condition_applies_when_the_client_has_none(app):
    condition = make_sale_condition(rule_kind="day_of_month", rule_day=10, rule_days=0)
    client = make_client(client_type_id=make_client_type(default_sale_condition_id=condition.id).id)
    invoice = post_document(client, date=date(2026, 12, 20))
    assert [p.due_date for p in invoice.installments] == [date(2027, 1, 10)]


def test_without_terms_a_debit_is_due_on_its_date(app):
    client = make_client()
    adjustment = post_document(client, kind="debit_adjustment", amount="50", date=date(2026, 5, 5))
    assert [(p.due_date, p.amount) for p in adjustment.installments] == [
        (date(2026, 5, 5), D("50.00"))
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "receipt"}, "kind", "Elegí un tipo de comprobante."),
        ({"amount": "0"}, "amount", "El importe debe ser mayor que cero."),
        ({"amount": "10,005"}, "amount", "Usá como mucho dos decimales."),
        ({"amount": "abc"}, "amount", "Importe inválido."),
        ({"currency": "EUR"}, "currency", "Moneda inválida: usá ARS o USD."),
        (
            {"currency": "USD", "exchange_rate": "0"},
            "exchange_rate",
            "Ingresá la cotización del día para documentos en USD.",
        ),
        ({"date": "2026-02-30"}, "date", "Fecha inválida."),
        ({"letter": "Z"}, "letter", "Letra inválida."),
        (
            {"sale_condition_id": "999999"},
            "sale_condition_id",
            "Elegí una condición de venta de la lista.",
        ),
    ],
)
def test_bad_documents_are_refused_with_a_spanish_message_and_nothing_written(
    app, data, field, message
):
    client = make_client()
    with pytest.raises(ledger.LedgerError) as refused:
        post_document(client, **({"kind": "invoice", "amount": "10"} | data))
    assert refused.value.fields[field] == message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_a_number_is_used_once_per_kind_and_letter(app):
    client = make_client()
    post_document(client, letter="A", number="1-15")
    post_document(client, letter="B", number="1-15")
    post_document(client, kind="debit_note", letter="A", number="0001-00000015")
    with pytest.raises(ledger.LedgerError) as refused:
        post_document(client, letter="A", number="0001-00000015")
    assert "number" in refused.value.fields
    assert post_document(client, letter="A").number == "0001-00000016"


def test_a_cash_only_type_refuses_credit_terms_and_kinds_it_does_not_allow(app):
    cash = make_sale_condition(code="CONT", rule_days=0)
    credit = make_sale_condition(rule_days=30)
    contado = make_client_type(
        name="Contado",
        cash_only=True,
        default_sale_condition_id=cash.id,
        allowed_document_kinds=["invoice", "credit_note", "receipt"],
    )
    client = make_client(client_type_id=contado.id)
    assert post_document(client).installments[0].due_date == post_document(client).date
    with pytest.raises(ledger.LedgerError) as refused:
        post_document(client, sale_condition_id=credit.id)
    assert (
        refused.value.fields["sale_condition_id"]
        == "El tipo de cliente Contado vende solo de contado."
    )
    with pytest.raises(ledger.LedgerError) as refused:
        post_document(client, kind="debit_note")
    assert refused.value.fields["kind"] == "El tipo de cliente Contado no admite nota de débito."


def test_usd_documents_keep_their_rate_and_a_balance_of_their_own(app):
    client = make_client()
    post_document(client, amount="1000")
    usd = post_document(client, amount="250.50", currency="USD", exchange_rate="1050,25")
    assert usd.exchange_rate == D("1050.25")
    assert accounts.balances(client.id) == {"ARS": D("1000.00"), "USD": D("250.50")}
    receipt = post_receipt(client, amount="100")
    with pytest.raises(ledger.LedgerError) as refused:
        applications.apply(
            receipt, [applications.Allocation(usd.installments[0].id, D("100"))], None
        )
    assert refused.value.fields["applications-0-amount"] == (
        "Solo se aplica entre comprobantes de la misma moneda."
    )


def test_a_receipt_with_many_payment_lines_pays_several_invoices(app):
    client = make_client()
    first = post_document(client, amount="300", date=date(2026, 1, 5))
    second = post_document(client, amount="500", date=date(2026, 2, 5))
    receipt = posting.post_receipt(
        client,
        {
            "date": "2026-03-01",
            "lines": [
                {"kind": "cash", "amount": "200"},
                {
                    "kind": "third_party_check",
                    "amount": "400",
                    "bank": "Banco Nación",
                    "number": "12345678",
                    "due_date": "2026-03-30",
                    "drawer": "Juan Pérez",
                    "drawer_tax_id": "20-12345678-6",
                },
                {"kind": "withholding", "amount": "150", "tax": "iibb", "certificate": "RET-991"},
            ],
            "applications": [
                {"installment_id": first.installments[0].id, "amount": "300"},
                {"installment_id": second.installments[0].id, "amount": "400"},
            ],
        },
        None,
    )
    assert receipt.amount == D("750.00") and receipt.open_amount == D("50.00")
    assert receipt.state == "partly_paid"
    assert (first.state, second.state) == ("paid", "partly_paid")
    assert second.open_amount == D("100.00")
    assert [line.kind for line in receipt.lines] == ["cash", "third_party_check", "withholding"]
    assert receipt.lines[1].drawer_tax_id == "20123456786"
    assert client.last_receipt_date == date(2026, 3, 1)
    assert accounts.balances(client.id) == {"ARS": D("50.00")}
    check_invariants(client)


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (
            {"kind": "own_check", "amount": "10"},
            "lines-0-bank",
            "Este dato es obligatorio para cheque propio.",
        ),
        (
            {"kind": "withholding", "amount": "10", "tax": "iva"},
            "lines-0-certificate",
            "Este dato es obligatorio para retención.",
        ),
        (
            {"kind": "withholding", "amount": "10", "tax": "vat", "certificate": "1"},
            "lines-0-tax",
            "Elegí el impuesto retenido.",
        ),
        (
            {
                "kind": "third_party_check",
                "amount": "10",
                "bank": "B",
                "number": "1",
                "due_date": "2026-01-01",
                "drawer": "X",
                "drawer_tax_id": "20-12345678-0",
            },
            "lines-0-drawer_tax_id",
            None,
        ),
        (
            {"kind": "card", "amount": "10", "card_plan_id": "77", "number": "1"},
            "lines-0-card_plan_id",
            "Elegí un plan de tarjeta de la lista.",
        ),
        ({"kind": "gold", "amount": "10"}, "lines-0-kind", "Elegí una forma de pago."),
        ({"kind": "cash", "amount": "-5"}, "lines-0-amount", "El importe debe ser mayor que cero."),
    ],
)
def test_a_receipt_line_missing_what_its_kind_needs_is_refused(app, line, field, message):
    client = make_client()
    with pytest.raises(ledger.LedgerError) as refused:
        posting.post_receipt(client, {"lines": [line]}, None)
    assert field in refused.value.fields
    if message:
        assert refused.value.fields[field] == message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_applying_more_than_is_open_is_refused(app):
    client = make_client()
    invoice = post_document(client, amount="100")
    receipt = post_receipt(client, amount="500")
    with pytest.raises(ledger.LedgerError) as refused:
        applications.apply(
            receipt, [applications.Allocation(invoice.installments[0].id, D("150"))], None
        )
    assert refused.value.fields["applications-0-amount"] == "Supera el saldo pendiente (100)."
    other = post_document(make_client(), amount="100")
    with pytest.raises(ledger.LedgerError) as refused:
        applications.apply(
            receipt, [applications.Allocation(other.installments[0].id, D("50"))], None
        )
    assert "applications-0-installment_id" in refused.value.fields
    check_invariants(client)


def test_apply_oldest_pays_by_due_date_and_leaves_the_rest_unapplied(app):
    client = make_client()
    late = post_document(client, amount="100", date=date(2026, 3, 1))
    early = post_document(client, amount="100", date=date(2026, 1, 1))
    receipt = post_receipt(client, amount="150", apply_oldest=True)
    assert (early.state, late.state) == ("paid", "partly_paid")
    assert late.open_amount == D("50.00") and receipt.open_amount == 0
    check_invariants(client)


def test_unapply_puts_amounts_back_and_keeps_the_history(app):
    client = make_client()
    invoice = post_document(client, amount="100")
    receipt = post_receipt(client, amount="100", apply_oldest=True)
    (application,) = applications.active_applications(receipt)
    applications.unapply(application, None)
    assert (invoice.state, receipt.state) == ("open", "open")
    assert application.unapplied_at is not None
    assert applications.applications_of(receipt) == [application]
    with pytest.raises(ledger.LedgerError):
        applications.unapply(application, None)
    check_invariants(client)


def test_voiding_writes_a_reversal_and_frees_what_was_applied(app):
    client = make_client()
    invoice = post_document(client, amount="100", date=date(2026, 1, 10))
    receipt = post_receipt(client, amount="100", date="2026-01-20", apply_oldest=True)
    reversal = applications.void_document(receipt, "Cheque rechazado", None, on=date(2026, 2, 1))
    assert receipt.state == "void" and receipt.void_reason == "Cheque rechazado"
    assert (
        reversal.sign == 1 and reversal.amount == D("100.00") and reversal.reverses_id == receipt.id
    )
    assert invoice.state == "open"
    assert accounts.balances(client.id) == {"ARS": D("100.00")}
    assert client.last_receipt_date is None
    with pytest.raises(ledger.LedgerError):
        applications.void_document(receipt, "otra vez", None)
    with pytest.raises(ledger.LedgerError):
        applications.void_document(invoice, "  ", None)
    check_invariants(client)
    # A statement of January still shows the receipt, and February its reversal.
    january = statements.statement(client, date(2026, 1, 1), date(2026, 1, 31))
    assert [line.balance for line in january.lines] == [D("100.00"), D("0.00")]
    february = statements.statement(client, date(2026, 2, 1), date(2026, 2, 28))
    assert february.opening == D("0.00") and february.closing == D("100.00")


def test_a_spoiled_receipt_form_is_entered_as_void_with_its_number(app):
    client = make_client()
    receipt = posting.post_voided_receipt(
        client, {"number": "2-41", "reason": "Mal confeccionado"}, None
    )
    assert (receipt.number, receipt.state, receipt.amount) == ("0002-00000041", "void", D("0"))
    with pytest.raises(ledger.LedgerError) as refused:
        post_receipt(client, number="0002-00000041")
    assert "number" in refused.value.fields


def test_summary_buckets_open_items_by_days_overdue(app):
    client = make_client()
    as_of = date(2026, 6, 30)
    for days, amount in [
        (-5, "10"),
        (0, "1"),
        (1, "20"),
        (30, "30"),
        (31, "40"),
        (61, "50"),
        (91, "60"),
    ]:
        post_document(client, amount=amount, date=as_of - timedelta(days=days))
    post_receipt(client, amount="7")
    summary = accounts.account_summary(client, as_of)
    ars = summary.of("ARS")
    assert ars.buckets == {
        "not_due": D("11.00"), "1_30": D("50.00"), "31_60": D("40.00"), "61_90": D("50.00"),
        "over_90": D("60.00"),
    }  # fmt: skip
    assert ars.unapplied == D("7.00") and ars.balance == D("204.00")
    assert ars.due_soon == D("11.00") and ars.open_items == 7
    assert summary.oldest_due == as_of - timedelta(days=91)
    report, totals, count = aging.aging_report(sa.select(Client), as_of)
    assert count == 1 and report[0].buckets == ars.buckets and report[0].total == D("204.00")
    assert totals["over_90"] == D("60.00") and totals["unapplied"] == D("7.00")


def test_days_to_pay_weighs_each_payment_by_its_amount(app):
    client = make_client()
    post_document(client, amount="100", date=date(2026, 1, 1))
    post_document(client, amount="300", date=date(2026, 1, 11))
    post_receipt(client, amount="400", date="2026-01-21", apply_oldest=True)
    # (20 days x 100 + 10 days x 300) / 400 = 12.5
    assert accounts.days_to_pay(client.id, date(2026, 2, 1)) == D("12.5")


def test_the_aging_report_orders_by_overdue_and_filters(app):
    as_of = date(2026, 6, 30)
    small, big, current = make_client(), make_client(), make_client()
    post_document(small, amount="10", date=as_of - timedelta(days=40))
    post_document(big, amount="500", date=as_of - timedelta(days=40))
    post_document(current, amount="900", date=as_of)
    report, totals, count = aging.aging_report(sa.select(Client), as_of)
    assert [row.client_id for row in report] == [big.id, small.id, current.id]
    assert count == 3 and totals["31_60"] == D("510.00") and totals["not_due"] == D("900.00")
    only, _, count = aging.aging_report(sa.select(Client), as_of, overdue_only=True)
    assert count == 2 and current.id not in [row.client_id for row in only]
    scoped, _, count = aging.aging_report(sa.select(Client).where(Client.id == small.id), as_of)
    assert count == 1 and scoped[0].client_id == small.id


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), st.integers(1, 100_000), st.integers(1, 4)),
        st.tuples(st.just("receipt"), st.integers(1, 100_000), st.booleans()),
        st.tuples(st.just("credit_note"), st.integers(1, 50_000), st.booleans()),
        st.tuples(st.just("apply"), st.integers(0, 50), st.integers(1, 100_000)),
        st.tuples(st.just("unapply"), st.integers(0, 50), st.just(0)),
        st.tuples(st.just("void"), st.integers(0, 50), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_random_sequences_of_operations_keep_every_balance_exact(app, operations):
    client = make_client()
    conditions = {k: make_sale_condition(rule_days=15, installments=k) for k in (1, 2, 3, 4)}
    try:
        for op, first, second in operations:
            cents = D(first) / 100
            if op == "invoice":
                post_document(client, amount=str(cents), sale_condition_id=conditions[second].id)
            elif op == "receipt":
                post_receipt(client, amount=str(cents), apply_oldest=second)
            elif op == "credit_note":
                credit = post_document(client, kind="credit_note", amount=str(cents))
                if second:
                    applications.apply_oldest(credit, None)
            elif op == "apply":
                credits = accounts.open_credits(client.id)
                items = accounts.open_items(client.id)
                if credits and items:
                    credit = credits[first % len(credits)]
                    item = items[first % len(items)]
                    amount = min(D(second) / 100, credit.open_amount, item.installment.open_amount)
                    applications.apply(
                        credit, [applications.Allocation(item.installment.id, amount)], None
                    )
            elif op == "unapply":
                active = db.session.scalars(
                    sa.select(Application).where(Application.unapplied_at.is_(None))
                ).all()
                if active:
                    applications.unapply(active[first % len(active)], None)
            elif op == "void":
                standing = db.session.scalars(
                    sa.select(Document).where(Document.state != "void").order_by(Document.id)
                ).all()
                if standing:
                    applications.void_document(standing[first % len(standing)], "prueba", None)
            check_invariants(client)
        installments_open = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(DocumentInstallment.open_amount), 0))
        )
        summary = accounts.account_summary(client)
        ars = summary.of("ARS")
        if ars:
            assert sum(ars.buckets.values()) == installments_open
            assert ars.balance == accounts.balances(client.id).get("ARS", D("0"))
    finally:
        db.session.rollback()


def test_ids_no_row_can_have_are_refused_like_unknown_ones(app):
    client = make_client()
    receipt = post_receipt(client, amount="10")
    huge = 2**40
    with pytest.raises(ledger.LedgerError) as refused:
        applications.apply(receipt, [applications.Allocation(huge, D("1"))], None)
    assert "applications-0-installment_id" in refused.value.fields
    with pytest.raises(ledger.LedgerError) as refused:
        post_document(client, sale_condition_id=str(huge))
    assert "sale_condition_id" in refused.value.fields
    line = {"kind": "card", "amount": "1", "card_plan_id": huge, "number": "1"}
    with pytest.raises(ledger.LedgerError) as refused:
        posting.post_receipt(client, {"lines": [line]}, None)
    assert "lines-0-card_plan_id" in refused.value.fields
    with pytest.raises(ledger.LedgerError) as refused:
        posting.post_receipt(
            client,
            {
                "lines": [{"kind": "cash", "amount": "1"}],
                "applications": [{"installment_id": str(huge), "amount": "1"}],
            },
            None,
        )
    assert "applications-0-installment_id" in refused.value.fields


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("50.000", "50000.00"),
        ("1.234,50", "1234.50"),
        ("1234.50", "1234.50"),
        ("12.5", "12.50"),
        ("$ 1.000.000", "1000000.00"),
        ("0.50", "0.50"),
        ("1.500", "1500.00"),
        ("1,234.50", "1234.50"),
        ("1.234.567,89", "1234567.89"),
    ],
)
def test_amounts_are_read_as_people_write_them_here(app, typed, read):
    errors = {}
    assert parse_amount(typed, "amount", errors) == Decimal(read) and not errors


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.2.3", "Importe inválido."),
        ("12,34,5", "Importe inválido."),
        (12.5, "Importe inválido."),
        ("-5", "El importe debe ser mayor que cero."),
        ("1,005", "Usá como mucho dos decimales."),
    ],
)
def test_amounts_that_are_not_are_refused_in_spanish(app, typed, message):
    errors = {}
    assert parse_amount(typed, "amount", errors) is None
    assert errors == {"amount": message}
