"""A client's purchases, what it stopped buying, inactive clients and clients at risk."""

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

import app.reports.purchases as purchases
import app.reports.risk as risk
import app.reports.services as services
from app.clients.models import Client
from app.credit.models import CreditPolicy
from app.extensions import db
from app.ledger import applications
from tests import factories

D = Decimal
TODAY = date(2026, 11, 15)  # last 2 months: Nov, Oct; the 6 before: Apr..Sep


def test_purchases_list_each_line_newest_first_with_credit_notes_negative(book):
    history = purchases.purchases(book.a, date(2026, 10, 31))
    assert [
        (line.date, line.description, line.quantity, line.amount) for line in history.lines
    ] == [
        (date(2026, 10, 20), "Yerba 1 kg", D("-1.000"), D("-100.00")),
        (date(2026, 10, 5), "Yerba 1 kg", D("2.000"), D("600.00")),
        (date(2026, 10, 5), "Aceite 1,5 l", D("1.000"), D("400.00")),
    ]
    assert [(p.description, p.quantity, p.amount_pesos) for p in history.products] == [
        ("Yerba 1 kg", D("1.000"), D("500.00")),
        ("Aceite 1,5 l", D("1.000"), D("400.00")),
    ]


def test_usd_purchases_carry_their_amount_in_pesos_and_voided_ones_are_left_out(book):
    history = purchases.purchases(book.b, date(2026, 10, 31))
    assert [(line.currency, line.amount, line.amount_pesos) for line in history.lines] == [
        ("USD", D("10.00"), D("10005.00"))
    ]


def test_what_a_client_stopped_buying(app):
    client = factories.make_client()
    yerba, aceite, fideos = (factories.make_product(description=n) for n in "YAF")
    for day in ("2026-05-10", "2026-07-10", "2026-09-10"):
        invoice = factories.post_document(client, "invoice", "100.00", date=day)
        factories.add_sale_lines(invoice, (yerba, "1", "60.00", None), (aceite, "1", "40.00", None))
    invoice = factories.post_document(client, "invoice", "100.00", date="2026-10-10")
    factories.add_sale_lines(invoice, (aceite, "1", "50.00", None), (fideos, "2", "50.00", None))
    db.session.commit()
    history = purchases.purchases(client, TODAY)
    assert [(p.description, p.last_date, p.months) for p in history.stopped] == [
        ("Y", date(2026, 9, 10), 3)
    ]


def test_a_client_with_no_purchases_has_an_empty_history(book):
    history = purchases.purchases(book.d, TODAY)
    assert (history.lines, history.products, history.stopped) == ([], [], [])


def test_inactive_clients_bought_before_but_not_in_the_last_days(app):
    admin = factories.make_user("admin")
    old = factories.make_client(trade_name="Hace 75 días")
    recent = factories.make_client(trade_name="Hace 45 días")
    factories.make_client(trade_name="Nunca compró")
    factories.post_document(old, "invoice", "10.00", date="2026-09-01")
    factories.post_document(recent, "invoice", "10.00", date="2026-10-01")
    db.session.commit()
    found = risk.inactive_clients(admin, TODAY, 60)
    assert [(each.name, each.last_invoice, each.days) for each in found] == [
        ("Hace 75 días", date(2026, 9, 1), 75)
    ]
    assert risk.inactive_count(admin, TODAY, 60) == 1
    assert risk.inactive_count(admin, TODAY, 40) == 2
    # the list stops at its limit; the count does not
    assert len(risk.inactive_clients(admin, TODAY, 40, limit=1)) == 1
    assert [each.name for each in risk.inactive_clients(admin, TODAY, 40)] == [
        "Hace 75 días",
        "Hace 45 días",
    ]


def test_inactive_clients_stay_within_the_scope(app):
    seller = factories.make_user("salesperson")
    other = factories.make_client(trade_name="De otro")
    factories.post_document(other, "invoice", "10.00", date="2026-01-01")
    db.session.commit()
    assert risk.inactive_clients(seller, TODAY, 30) == []


def test_clients_at_risk_with_their_reasons(app):
    admin = factories.make_user("admin")
    # these small amounts only count for falling sales below the default floor of $ 100.000
    services.save_report_settings({"risk_sales_fall_pct": D("30"), "risk_sales_floor": D("0")})
    on_the_day = factories.make_sale_condition(rule_days=0)
    growing = factories.make_client(trade_name="Deuda que crece", sale_condition_id=on_the_day.id)
    for day in ("2026-08-15", "2026-09-15", "2026-10-15"):
        factories.post_document(growing, "invoice", "100.00", date=day)
    policy = CreditPolicy(code="L1000", name="Hasta mil", money_limit=D("1000"))
    db.session.add(policy)
    db.session.flush()
    full = factories.make_client(trade_name="Al límite", credit_policy_id=policy.id)
    factories.post_document(full, "invoice", "950.00", date="2026-11-10")
    falling = factories.make_client(trade_name="Compra menos")
    factories.post_document(falling, "invoice", "1000.00", date="2026-06-10")
    factories.post_document(falling, "invoice", "600.00", date="2026-09-10")
    factories.post_receipt(falling, "1600.00", date="2026-11-01")
    steady = factories.make_client(trade_name="Sin problemas")
    factories.post_document(steady, "invoice", "100.00", date="2026-06-10")
    factories.post_document(steady, "invoice", "100.00", date="2026-09-10")
    db.session.commit()

    found = {each.name: each for each in risk.at_risk(admin, TODAY)}
    assert set(found) == {"Deuda que crece", "Al límite", "Compra menos"}
    codes = {name: [r.code for r in each.reasons] for name, each in found.items()}
    assert codes["Deuda que crece"] == ["overdue_growing"]
    assert found["Deuda que crece"].reasons[0].figures["overdue"] == [
        D("100.00"),
        D("200.00"),
        D("300.00"),
    ]
    assert codes["Al límite"] == ["credit_use"]
    assert codes["Compra menos"] == ["sales_falling"]
    with app.test_request_context():
        assert risk.reason_message(found["Al límite"].reasons[0]) == (
            "Usa el 95 % de su límite de crédito ($ 950 de $ 1.000)."
        )
        assert risk.reason_message(found["Compra menos"].reasons[0]) == (
            "Sus compras cayeron un 40 %: $ 600 en los últimos 3 meses, antes $ 1.000."
        )


def test_broken_promises_and_slower_payments_put_a_client_at_risk(app):
    from datetime import UTC, datetime

    from app.collections.models import CollectionCall

    admin = factories.make_user("admin")
    collector = factories.make_user("collector")
    client = factories.make_client(trade_name="Promete y no paga", collector_id=collector.id)
    today = factories.today()
    for weeks in (8, 4):  # two promises whose dates passed with nothing paid
        called = today - timedelta(weeks=weeks)
        db.session.add(
            CollectionCall(
                client_id=client.id,
                user_id=collector.id,
                channel="phone",
                outcome="promise",
                promise_amount=D("1000.00"),
                promise_currency="ARS",
                promise_date=called + timedelta(days=3),
                created_at=datetime.combine(called, datetime.min.time(), tzinfo=UTC)
                + timedelta(hours=15),
            )
        )
    # paid in 10 days in the 90 days before the last 90, in 30 days in the last 90
    for sold, paid in ((150, 140), (60, 30)):
        invoice = factories.post_document(
            client, "invoice", "100.00", date=today - timedelta(days=sold)
        )
        receipt = factories.post_receipt(client, "100.00", date=today - timedelta(days=paid))
        installment = invoice.installments[0].id
        applications.apply(receipt, [applications.Allocation(installment, D("100.00"))], None)
    db.session.commit()
    found = risk.at_risk(admin, today)
    assert [(each.name, [r.code for r in each.reasons]) for each in found] == [
        ("Promete y no paga", ["broken_promises", "paying_slower"])
    ]
    assert found[0].reasons[1].figures == {"before": D("10"), "recent": D("30")}


def test_the_back_offices_thresholds_decide_who_is_at_risk(app):
    admin = factories.make_user("admin")
    small = factories.make_client(trade_name="Chico que compra menos")
    factories.post_document(small, "invoice", "1000.00", date="2026-06-10")
    factories.post_document(small, "invoice", "300.00", date="2026-09-10")
    large = factories.make_client(trade_name="Grande que compra menos")
    factories.post_document(large, "invoice", "400000.00", date="2026-06-10")
    factories.post_document(large, "invoice", "150000.00", date="2026-09-10")
    db.session.commit()

    # the defaults: a fall over 50 % counts for clients who bought over $ 100.000 before
    assert [each.name for each in risk.at_risk(admin, TODAY)] == ["Grande que compra menos"]
    with app.test_request_context():
        texts = risk.rule_texts(services.report_settings().risk_thresholds)
    assert texts[-1] == (
        "Compró más de un 50 % menos en los últimos 3 meses que en los 3 anteriores"
        " (si antes compró más de $ 100.000)."
    )

    services.save_report_settings({"risk_sales_fall_pct": D("65"), "risk_sales_floor": D("500")})
    db.session.commit()
    assert [each.name for each in risk.at_risk(admin, TODAY)] == ["Chico que compra menos"]


def test_credit_use_weighs_the_limit_in_force_own_or_by_precedence(app):
    from app.clients.models import Zone
    from app.credit import services as credit

    admin = factories.make_user("admin")
    wide = CreditPolicy(code="ZONA", name="De la zona", money_limit=D("1000"))
    typed = CreditPolicy(code="TIPO", name="Del tipo", money_limit=D("100000"))
    db.session.add_all([wide, typed])
    db.session.flush()
    zone = Zone(code="ZR", name="Zona de riesgo", credit_policy_id=wide.id)
    db.session.add(zone)
    db.session.flush()
    kind = factories.make_client_type(credit_policy_id=typed.id)
    by_zone = factories.make_client(
        trade_name="Por la zona", sales_zone_id=zone.id, client_type_id=kind.id
    )
    own = factories.make_client(
        trade_name="Límite propio",
        sales_zone_id=zone.id,
        client_type_id=kind.id,
        credit_money_limit=D("50000"),
    )
    by_type = factories.make_client(trade_name="Por el tipo", client_type_id=kind.id)
    for client in (by_zone, own, by_type):
        factories.post_document(client, "invoice", "950.00", date="2026-11-10")
    db.session.commit()

    # the zone's policy outranks the type's; the own limit outranks both
    found = {each.name: [r.code for r in each.reasons] for each in risk.at_risk(admin, TODAY)}
    assert found == {"Por la zona": ["credit_use"]}
    # the same limits the order's credit decision applies, client by client
    limits = credit.money_limits(sa.select(Client.id))
    for client in (by_zone, own, by_type):
        assert limits.get(client.id) == credit.applied_limits(client).limits.money
