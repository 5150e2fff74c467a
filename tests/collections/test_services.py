"""Calls and promises, the collector's sheet, receipts in the field and the delinquency rule."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import ClientNote, Zone
from app.collections import services as collections
from app.collections.models import CollectionCall, DelinquencyRule, FieldReceipt
from app.core.types import local_today
from app.extensions import db
from app.ledger import accounts
from tests import factories


@pytest.fixture
def collector(app):
    return factories.make_user("collector")


def actions(name):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == name)).all()


def test_a_promise_is_logged_with_its_amount_and_date(app, collector):
    client = factories.make_client(collector_id=collector.id)
    friday = local_today() + timedelta(days=4)
    call = collections.log_call(
        client,
        {
            "channel": "phone",
            "outcome": "promise",
            "promise_amount": "50000",
            "promise_date": friday,
            "next_contact_at": friday.isoformat(),
        },
        collector,
    )
    assert (call.promise_amount, call.promise_currency, call.promise_date) == (
        Decimal("50000"),
        "ARS",
        friday,
    )
    assert actions("collection.call")[0].after["promise_amount"] == "50000"
    assert collections.promise_states([call]) == {call.id: "open"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"channel": "fax", "outcome": "paid"}, "channel"),
        ({"channel": "phone", "outcome": "maybe"}, "outcome"),
        (
            {"channel": "phone", "outcome": "promise", "promise_date": "2030-01-01"},
            "promise_amount",
        ),
        ({"channel": "phone", "outcome": "promise", "promise_amount": "10"}, "promise_date"),
        (
            {
                "channel": "phone",
                "outcome": "promise",
                "promise_amount": "10",
                "promise_date": "2001-01-01",
            },
            "promise_date",
        ),
        ({"channel": "visit", "outcome": "no_answer", "visit_from": "10:00"}, "visit_date"),
        (
            {
                "channel": "visit",
                "outcome": "no_answer",
                "visit_date": "2030-01-01",
                "visit_from": "12:00",
                "visit_to": "11:00",
            },
            "visit_to",
        ),
        ({"channel": "visit", "outcome": "no_answer", "visit_date": "mañana"}, "visit_date"),
    ],
)
def test_bad_calls_are_refused_by_field_and_write_nothing(app, collector, data, field):
    client = factories.make_client()
    with pytest.raises(collections.CollectionError) as refused:
        collections.log_call(client, data, collector)
    assert field in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CollectionCall)) == 0


def test_a_promise_not_paid_by_its_date_is_broken_and_a_paid_one_kept(app, collector):
    kept_client = factories.make_client()
    broken_client = factories.make_client()
    today = local_today()
    kept = collections.log_call(
        kept_client,
        {"channel": "phone", "outcome": "promise", "promise_amount": "300", "promise_date": today},
        collector,
    )
    broken = collections.log_call(
        broken_client,
        {"channel": "phone", "outcome": "promise", "promise_amount": "300", "promise_date": today},
        collector,
    )
    factories.post_receipt(kept_client, amount="300")
    factories.post_receipt(broken_client, amount="299.99")
    tomorrow = today + timedelta(days=1)
    assert collections.promise_states([kept, broken], tomorrow) == {
        kept.id: "kept",
        broken.id: "broken",
    }


def test_the_sheet_lists_visits_promises_and_overdue_accounts_by_zone(app, collector):
    north = Zone(code="N", name="Norte")
    south = Zone(code="S", name="Sur")
    db.session.add_all([north, south])
    db.session.flush()
    today = local_today()
    old = factories.make_client(collector_id=collector.id, sales_zone_id=north.id)
    factories.post_document(old, amount="10000", date=today - timedelta(days=120))
    recent = factories.make_client(collector_id=collector.id, sales_zone_id=north.id)
    factories.post_document(recent, amount="20000", date=today - timedelta(days=40))
    visit = factories.make_client(collector_id=collector.id, sales_zone_id=north.id)
    collections.log_call(
        visit,
        {
            "channel": "phone",
            "outcome": "no_answer",
            "visit_date": today,
            "visit_from": "10:00",
            "visit_to": "12:00",
        },
        collector,
    )
    south_client = factories.make_client(collector_id=collector.id, sales_zone_id=south.id)
    factories.post_document(south_client, amount="5", date=today - timedelta(days=60))
    factories.post_document(
        factories.make_client(), amount="99999", date=today - timedelta(days=300)
    )  # not this collector's
    up_to_date = factories.make_client(collector_id=collector.id, sales_zone_id=north.id)
    factories.post_document(up_to_date, amount="700")
    zones = collections.sheet(collector, today)
    assert [zone for zone, _ in zones] == ["Norte", "Sur"]
    assert [row.client.id for row in zones[0][1]] == [visit.id, old.id, recent.id]
    first = zones[0][1][1]
    assert first.candidate.overdue == Decimal("10000.00")
    # without a sale condition an invoice is due on its date: 120 days overdue
    assert first.candidate.oldest_due == today - timedelta(days=120)
    assert first.candidate.amount_days == Decimal("1200000") and first.candidate.priority == 40000


def test_a_field_receipt_waits_and_changes_the_balance_only_when_confirmed(app, collector):
    office = factories.make_user("backoffice")
    client = factories.make_client(collector_id=collector.id)
    invoice = factories.post_document(client, amount="1000")
    row = collections.record_field_receipt(
        client,
        {
            "lines": [{"kind": "cash", "amount": "400"}],
            "apply_oldest": True,
            "latitude": "-31.4",
            "longitude": "-64.18",
        },
        collector,
    )
    assert row.state == "pending" and row.total == Decimal("400.00")
    assert row.data["date"] == local_today().isoformat()  # the day it was collected
    assert accounts.balances(client.id) == {"ARS": Decimal("1000.00")}
    assert collections.pending_receipts(office) == [row]
    document = collections.confirm_receipt(row, office)
    assert accounts.balances(client.id) == {"ARS": Decimal("600.00")}
    assert invoice.open_amount == Decimal("600.00") and document.amount == Decimal("400.00")
    assert row.state == "confirmed" and row.document_id == document.id
    with pytest.raises(collections.CollectionError):
        collections.confirm_receipt(row, office)
    assert len(actions("collection.receipt_confirm")) == 1


def test_a_bad_field_receipt_is_refused_and_a_rejected_one_posts_nothing(app, collector):
    client = factories.make_client()
    with pytest.raises(collections.CollectionError) as refused:
        collections.record_field_receipt(client, {"lines": []}, collector)
    assert "lines" in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FieldReceipt)) == 0
    row = collections.record_field_receipt(
        client, {"lines": [{"kind": "cash", "amount": "50"}]}, collector
    )
    collections.reject_receipt(
        row, "El cliente no pagó: error de carga", factories.make_user("backoffice")
    )
    assert row.state == "rejected" and accounts.balances(client.id) == {}


def test_the_delinquency_rule_marks_and_lifts_only_what_it_marked(app):
    db.session.add(DelinquencyRule(days_overdue=60, min_amount=Decimal("1000"), currency="ARS"))
    today = local_today()
    debtor = factories.make_client()
    factories.post_document(debtor, amount="1500", date=today - timedelta(days=120))
    small = factories.make_client()
    factories.post_document(small, amount="999.99", date=today - timedelta(days=120))
    by_hand = factories.make_client(state="delinquent")
    run = collections.run_delinquency(today)
    assert run.marked == [debtor.id] and run.lifted == []
    assert debtor.state == "delinquent" and debtor.delinquent_by_rule
    notes = db.session.scalars(
        sa.select(ClientNote.text).where(ClientNote.client_id == debtor.id, ClientNote.automatic)
    ).all()
    assert any("Regla de morosidad" in text for text in notes)
    assert collections.run_delinquency(today).marked == []  # a second run changes nothing
    factories.post_receipt(debtor, amount="1500", apply_oldest=True)
    run = collections.run_delinquency(today)
    assert run.lifted == [debtor.id] and debtor.state == "active"
    assert by_hand.state == "delinquent"


def test_the_delinquency_command_runs_the_rule_for_cron(app, runner):
    debtor = factories.make_client()
    factories.post_document(debtor, amount="5000", date=local_today() - timedelta(days=200))
    db.session.commit()
    dry = runner.invoke(args=["delinquency", "--days", "90", "--amount", "1000", "--dry-run"])
    assert "Pasan a morosos: 1." in dry.output and "no se guardó" in dry.output
    db.session.expire_all()
    assert db.session.get(type(debtor), debtor.id).state == "active"
    done = runner.invoke(args=["delinquency", "--days", "90", "--amount", "1000"])
    assert done.exit_code == 0 and "Pasan a morosos: 1." in done.output
    db.session.expire_all()
    assert db.session.get(type(debtor), debtor.id).state == "delinquent"
    rule = db.session.scalar(sa.select(DelinquencyRule))
    assert (rule.days_overdue, rule.min_amount, rule.last_run_at is not None) == (90, 1000, True)
    bad = runner.invoke(args=["delinquency", "--amount", "mucho"])
    assert bad.exit_code != 0 and "importe" in bad.output


def test_the_sheet_keeps_the_accounts_of_highest_priority_and_every_agreed_visit(app, collector):
    today = local_today()
    small = factories.make_client(collector_id=collector.id)
    factories.post_document(small, amount="100", date=today - timedelta(days=10))
    big = factories.make_client(collector_id=collector.id)
    factories.post_document(big, amount="9000", date=today - timedelta(days=90))
    visit = factories.make_client(collector_id=collector.id)
    factories.post_document(visit, amount="50", date=today - timedelta(days=5))
    collections.log_call(
        visit,
        {"channel": "phone", "outcome": "no_answer", "visit_date": today, "visit_from": "09:00"},
        collector,
    )
    [(_zone, rows)] = collections.sheet(collector, today, max_overdue=1)
    assert [row.client.id for row in rows] == [visit.id, big.id]
    assert rows[0].candidate.overdue == Decimal("50.00")  # its debt is read all the same
