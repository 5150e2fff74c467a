"""The demo catalogue: products priced in every demo list, breaks, promotions around today and
some clients' own conditions with their history."""

import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.clients.models import Client, ClientState
from app.core.types import local_today
from app.demo import catalogue as demo
from app.demo.commands import load_demo_data
from app.extensions import db
from app.orders import services as orders
from app.orders.conditions import client_conditions
from app.orders.models import (
    ClientCondition,
    Price,
    PriceList,
    Product,
    Promotion,
    VolumeDiscount,
)
from app.orders.products import IVA_RATES
from app.orders.promotions import promotion_period


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_demo_data_has_a_priced_catalogue(app):
    load_demo_data(clients=80, seed=3)
    products = db.session.scalars(sa.select(Product)).all()
    assert 100 <= len(products) <= 150
    assert {p.tax_rate for p in products} == {IVA_RATES[1], IVA_RATES[2]}
    assert {"un", "caja x 12", "pack x 6"} <= {p.unit for p in products}
    assert all(p.change_seq > 0 and p.search_text.strip() for p in products)
    assert [p.code for p in orders.search_products("yerba playadito")] == ["YER002"]
    lists = {row.code: row for row in db.session.scalars(sa.select(PriceList))}
    ids = [p.id for p in products]
    for code in ("MAY", "MIN"):
        assert len(orders.prices_for(ids, lists[code], "ARS")) == len(products)
        assert 5 <= len(orders.prices_for(ids, lists[code], "USD")) < len(products)
    assert len(orders.prices_for(ids, lists["USD"], "USD")) == len(products)
    yerba = next(p for p in products if p.code == "YER002")
    wholesale = orders.prices_for([yerba.id], lists["MAY"], "ARS")[yerba.id]
    retail = orders.prices_for([yerba.id], lists["MIN"], "ARS")[yerba.id]
    assert retail > wholesale > 1000
    assert count(Price, Price.change_seq == 0) == 0


def test_demo_breaks_promotions_and_conditions(app):
    load_demo_data(clients=200, seed=5)
    today = local_today()
    assert 15 <= len(set(db.session.scalars(sa.select(VolumeDiscount.product_id)))) <= 25
    promotions = db.session.scalars(sa.select(Promotion)).all()
    periods = [promotion_period(p, today) for p in promotions]
    assert periods.count("current") >= 3 and periods.count("past") >= 1
    assert "Promo galletitas 3x2" in {p.name for p in promotions}
    conditions = db.session.scalars(sa.select(ClientCondition)).all()
    clients = {c.client_id for c in conditions}
    active = count(Client, Client.state == ClientState.ACTIVE)
    assert round(active * 0.05) == len(clients)
    assert all(c.created_by_id and c.reason and c.change_seq > 0 for c in conditions)
    ended = [c for c in conditions if c.valid_to is not None]
    assert ended  # some clients have history
    for old in ended:
        successor = next(
            c for c in conditions if c.client_id == old.client_id and c.valid_to is None
        )
        assert old.valid_to < successor.valid_from <= today
        assert successor.valid_from == old.valid_to + timedelta(days=1)
        assert successor.product_id == old.product_id
    client = db.session.get(Client, ended[0].client_id)
    current, history = client_conditions(client)
    assert [c.valid_to for c in current] == [None] and history == [ended[0]]
    assert orders.conditions_in_force(client, today) == current


def test_the_demo_catalogue_is_reproducible(app):
    load_demo_data(clients=120, seed=9)
    products = dict(db.session.execute(sa.select(Product.code, Product.id)).all())
    base = {code: Decimal(price) for code, *_rest, price in demo.PRODUCTS}

    def conditions(seed: str) -> list[dict]:
        rows = demo._conditions(random.Random(seed), products, base, local_today())
        return [{k: v for k, v in row.items() if k != "created_at"} for row in rows]

    assert conditions("catalogue-9") == conditions("catalogue-9")
    assert conditions("catalogue-9") != conditions("catalogue-10")
    stored = db.session.execute(
        sa.select(ClientCondition.client_id, ClientCondition.discount_pct).order_by(
            ClientCondition.id
        )
    ).all()
    assert [(r["client_id"], r["discount_pct"]) for r in conditions("catalogue-9")] == [
        tuple(row) for row in stored
    ]
