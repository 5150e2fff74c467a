"""The compact purchase history the phone keeps for reading offline: the same figures as the
card's, for many clients at once, and in the sync answer (book of tests/reports/conftest.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import app.reports.purchases as purchases
from app.extensions import db
from tests import factories

D = Decimal
TODAY = date(2026, 10, 31)


def test_the_compact_history_agrees_with_the_cards(book):
    compact = purchases.compact_histories([book.a.id, book.b.id, book.c.id, book.d.id], TODAY)
    for client in (book.a, book.b, book.c):
        full = purchases.purchases(client, TODAY)
        assert compact[client.id].products == full.products
        assert compact[client.id].stopped == full.stopped
    assert [(p.description, p.quantity, p.amount_pesos) for p in compact[book.a.id].products] == [
        ("Yerba 1 kg", D("1.000"), D("500.00")),
        ("Aceite 1,5 l", D("1.000"), D("400.00")),
    ]
    # months from the documents' totals: A's invoice less its credit note; C beside last year
    assert compact[book.a.id].months[-1] == ((2026, 10), D("900.00"), D("0"))
    assert compact[book.c.id].months[-1] == ((2026, 10), D("300.00"), D("2000.00"))
    assert compact[book.b.id].months[-2] == ((2026, 9), D("7777.00"), D("0"))
    assert len(compact[book.a.id].months) == 12
    assert compact[book.d.id].products == [] and compact[book.d.id].stopped == []


def test_what_a_client_stopped_buying_and_only_the_top_products(book):
    client = factories.make_client(trade_name="Dejó la yerba")
    for day in ("2026-06-10", "2026-07-10", "2026-08-10"):
        invoice = factories.post_document(client, "invoice", "100.00", date=day)
        factories.add_sale_lines(invoice, (book.p1, "1", "100.00", "50.00"))
    many = [factories.make_product(description=f"Producto {n:02d}") for n in range(25)]
    invoice = factories.post_document(client, "invoice", "3250.00", date="2026-10-10")
    factories.add_sale_lines(
        invoice, *[(p, "1", f"{n + 1}00.00", "1.00") for n, p in enumerate(many)]
    )
    db.session.commit()
    found = purchases.compact_histories([client.id], TODAY)[client.id]
    assert [p.description for p in found.stopped] == ["Yerba 1 kg"]
    assert found.stopped[0].last_date == date(2026, 8, 10)
    assert len(found.products) == purchases.SYNCED_PRODUCTS
    assert found.products[0].description == "Producto 24"  # the largest amount first
    assert "Producto 04" not in [p.description for p in found.products]


def test_the_phone_gets_the_history_with_each_client(app, book, frozen_clock):
    frozen_clock(datetime(2026, 10, 31, 15, 0, tzinfo=UTC))
    http = app.test_client()
    token = http.post(
        "/api/v1/auth/token",
        json={"username": book.seller2.username, "password": factories.PASSWORD},
    ).json["token"]
    body = http.get("/api/v1/sync", headers={"Authorization": f"Bearer {token}"}).json
    [entry] = [c for c in body["clients"] if c["id"] == book.c.id]
    bought = entry["purchases"]
    assert bought["products"] == [
        {
            "product_id": book.p1.id,
            "description": "Yerba 1 kg",
            "quantity": "1.000",
            "amount": "300.00",
            "last_date": "2026-10-03",
        }
    ]
    assert bought["stopped"] == []
    assert bought["months"][-1] == {
        "month": "2026-10",
        "sales": "300.00",
        "sales_year_before": "2000.00",
    }
    assert bought["months"][0]["month"] == "2025-11"
