"""The demo's sale lines: every invoice and credit note itemised, costs, stopped buyers."""

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

import app.reports.purchases as purchases
from app.clients.models import Client
from app.core.types import local_today
from app.demo.commands import load_demo_data
from app.extensions import db
from app.ledger.models import Document, DocumentLine
from app.orders.models import Product


def test_demo_lines_add_up_to_their_documents_and_carry_costs(app):
    load_demo_data(clients=60, seed=3)
    assert db.session.scalar(sa.select(sa.func.count()).where(Product.cost.is_(None))) == 0
    products = db.session.scalars(sa.select(Product)).all()
    assert all(Decimal("0") < p.cost for p in products)
    sums = defaultdict(Decimal)
    for document_id, amount, cost in db.session.execute(
        sa.select(DocumentLine.document_id, DocumentLine.amount, DocumentLine.cost)
    ):
        sums[document_id] += amount
        assert (cost is not None and cost < amount) or amount == 0
    documents = db.session.execute(
        sa.select(Document.id, Document.amount).where(
            Document.kind.in_(["invoice", "credit_note"]),
            Document.reverses_id.is_(None),
            Document.amount > 0,
        )
    ).all()
    assert documents
    assert {ident: sums[ident] for ident, _amount in documents} == dict(documents)


def test_some_demo_clients_stopped_buying_a_product(app):
    load_demo_data(clients=60, seed=3)
    today = local_today()
    stopped = [
        client
        for client in db.session.scalars(sa.select(Client))
        if purchases.purchases(client, today).stopped
    ]
    assert stopped
