"""A small book of sales whose figures are worked out by hand in the tests."""

from dataclasses import dataclass
from datetime import date

import pytest

from app.extensions import db
from app.ledger import applications
from app.ledger.models import Document
from tests import factories


@dataclass
class Book:
    """The users, clients and products of the sales book."""

    admin: object
    supervisor: object
    seller1: object
    seller2: object
    a: object
    b: object
    c: object
    d: object
    p1: object
    p2: object


@pytest.fixture
def book(app) -> Book:
    """October 2026, in pesos unless said:

    seller1 (led by supervisor) has A, B and D; seller2 has C.
    A: invoice 1000.00 (P1 2 x 300 cost 400, P2 1 x 400 cost 100) on 10-05, credit note 100.00
       (P1 1 x 100 cost 60) on 10-20, receipt 500.00 on 10-25.
    B: invoice US$ 10.00 at 1000.50 (P2 5 x 2 cost 6) on 10-10; invoice 9999.00 on 10-12, voided;
       debit note 50.00 (no lines) on 10-15; invoice 7777.00 on 09-30, before the period.
    C: invoice 300.00 (P1 1 x 300 cost 200) on 10-03; invoice 2000.00 on 2025-10-15.
    D: no sales at all.
    """
    admin = factories.make_user("admin")
    supervisor = factories.make_user("supervisor")
    seller1 = factories.make_user("salesperson", supervisor_id=supervisor.id)
    seller2 = factories.make_user("salesperson")
    a = factories.make_client(trade_name="Almacén A", salesperson_id=seller1.id)
    b = factories.make_client(trade_name="Bodega B", salesperson_id=seller1.id)
    c = factories.make_client(trade_name="Comercio C", salesperson_id=seller2.id)
    d = factories.make_client(trade_name="Despensa D", salesperson_id=seller1.id)
    p1 = factories.make_product(description="Yerba 1 kg")
    p2 = factories.make_product(description="Aceite 1,5 l")
    post = factories.post_document

    invoice = post(a, "invoice", "1000.00", date="2026-10-05")
    factories.add_sale_lines(invoice, (p1, "2", "600.00", "400.00"), (p2, "1", "400.00", "100.00"))
    note = post(a, "credit_note", "100.00", date="2026-10-20")
    factories.add_sale_lines(note, (p1, "1", "100.00", "60.00"))
    factories.post_receipt(a, "500.00", date="2026-10-25")

    usd = post(b, "invoice", "10.00", date="2026-10-10", currency="USD", exchange_rate="1000.50")
    factories.add_sale_lines(usd, (p2, "5", "10.00", "6.00"))
    voided = post(b, "invoice", "9999.00", date="2026-10-12")
    factories.add_sale_lines(voided, (p1, "10", "9999.00", "5000.00"))
    applications.void_document(voided, "Cargada dos veces", None, on=date(2026, 10, 13))
    post(b, "debit_note", "50.00", date="2026-10-15")
    post(b, "invoice", "7777.00", date="2026-09-30")

    factories.add_sale_lines(
        post(c, "invoice", "300.00", date="2026-10-03"), (p1, "1", "300.00", "200.00")
    )
    post(c, "invoice", "2000.00", date="2025-10-15")
    db.session.commit()
    assert db.session.get(Document, voided.id).state == "void"
    return Book(admin, supervisor, seller1, seller2, a, b, c, d, p1, p2)


OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def as_user(app):
    """Factory: a test client that sends a bearer token of an existing user."""

    def make(user):
        http = app.test_client()
        token = http.post(
            "/api/v1/auth/token", json={"username": user.username, "password": factories.PASSWORD}
        ).json["token"]
        http.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return http

    return make
