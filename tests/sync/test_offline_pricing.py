"""The phone prices an order as the server does, from what the sync sent it.

Clients with every kind of discount (promotion, volume break, their own discount and special
price, their type's discount, a sale condition's discount) and IIBB perception (registry
rate, default rate of their province, exempt, below the minimum, Convenio Multilateral left
out) and a partial IVA liberation are synced through the API; each order is then quoted by
app/orders/services.py and priced by static/js/pricing.js under node
(tests/sync/price_order.mjs), and the amounts must be the same to the cent, for every
payment method the client may use.
"""

import json
import random
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from app.clients.models import Client
from app.core.types import local_today
from app.extensions import db
from app.orders import services as orders
from app.orders.models import ClientCondition, Promotion, VolumeDiscount
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.credit.test_js_port import node_or_skip
from tests.sync.test_feed import arba, registry_row, sync

SCRIPT = Path(__file__).with_name("price_order.mjs")
AMOUNTS = ("subtotal", "condition_discount", "net", "tax", "perception", "total")


def node_pricing(catalogue: dict, cases: list[dict]) -> list[dict]:
    """The phone's totals for each case, from node."""
    node = node_or_skip("the phone's pricing")
    run = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps({"catalogue": catalogue, "cases": cases}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def priced_world(seller) -> dict[str, Client]:
    """A catalogue and clients that use every step of the pricing rule."""
    today = local_today()
    prices = factories.make_price_list()
    water = factories.make_product(prices, "1234.56")
    biscuits = factories.make_product(prices, "333.33", tax_rate=Decimal("10.5"))
    sweets = factories.make_product(prices, "87.125")
    db.session.add_all(
        [
            Promotion(
                name="3x2",
                product_id=sweets.id,
                discount_pct=Decimal("33.33"),
                valid_from=today - timedelta(days=3),
                valid_to=today + timedelta(days=3),
            ),
            VolumeDiscount(
                product_id=water.id, min_quantity=Decimal("10"), discount_pct=Decimal("5")
            ),
        ]
    )
    credit_terms = factories.make_sale_condition(code="30D")
    cash = factories.make_sale_condition(code="CONT", rule_days=0, discount_pct=Decimal("3"))
    factories.make_sale_condition(code="ZZ", rule_days=0, discount_pct=Decimal("7"))
    retail = factories.make_client_type(
        discount_pct=Decimal("2.5"), default_sale_condition_id=credit_terms.id
    )
    province = arba(include_multilateral=False)
    common = {
        "salesperson_id": seller.id,
        "price_list_id": prices.id,
        "payment_methods": ["cash", "current_account"],
        "default_payment_method": "current_account",
    }
    clients = {
        "type and own terms": factories.make_client(
            **common, client_type_id=retail.id, province="Buenos Aires"
        ),
        "cash terms": factories.make_client(**common, sale_condition_id=cash.id, province="CABA"),
        "registry": factories.make_client(**common, province="Córdoba"),
        "exempt": factories.make_client(**common, province="Buenos Aires"),
        "multilateral": factories.make_client(
            **common, province="Buenos Aires", iibb_multilateral=True
        ),
        "iva liberation": factories.make_client(
            **common, province="CABA", iva_exemption_pct=Decimal("37.5"), large_taxpayer=True
        ),
    }
    start = today - timedelta(days=5)
    registry_row(province, clients["registry"].tax_id, "2.75", start, today + timedelta(days=25))
    registry_row(province, clients["exempt"].tax_id, "0.00", start, today + timedelta(days=25))
    mine = clients["type and own terms"]
    db.session.add_all(
        [
            ClientCondition(
                client_id=mine.id, discount_pct=Decimal("4"), valid_from=today - timedelta(days=30)
            ),
            ClientCondition(
                client_id=mine.id,
                product_id=biscuits.id,
                special_price=Decimal("299.99"),
                valid_from=today - timedelta(days=30),
            ),
        ]
    )
    db.session.commit()
    return clients


def test_the_phone_prices_every_order_as_the_server(api):  # noqa: F811
    seller = api("salesperson")
    clients = priced_world(seller.user)
    body = sync(seller)
    cards = {card["id"]: card for card in body["clients"]}
    products = [row["id"] for row in body["catalogue"]["products"]]
    rng = random.Random(7)
    orders_to_price = [
        [{"product_id": products[0], "quantity": "1"}],  # under the perception's minimum
        [{"product_id": product, "quantity": "12"} for product in products],
        [{"product_id": products[2], "quantity": "0.5"}],
        *(
            [
                {"product_id": rng.choice(products), "quantity": str(rng.randint(1, 40))}
                for _ in range(rng.randint(1, 4))
            ]
            for _ in range(6)
        ),
    ]
    today = local_today()
    server, cases = [], []
    for name, client in clients.items():
        card = cards[client.id]
        assert card["payment_methods"] == ["cash", "current_account"], name
        for method in card["payment_methods"]:
            for lines in orders_to_price:
                quote = orders.quote(client, {"payment_method": method, "lines": lines}, today)
                server.append(
                    {"case": (name, method, lines)}
                    | {"condition": quote.sale_condition.id if quote.sale_condition else None}
                    | {field: f"{getattr(quote.totals, field):.2f}" for field in AMOUNTS}
                )
                cases.append(
                    {
                        "client": card,
                        "lines": lines,
                        "options": {
                            "on": today.isoformat(),
                            "priceListId": card["price_list_id"],
                            "currency": card["currency"],
                            "paymentMethod": method,
                        },
                    }
                )

    phone = node_pricing(body["catalogue"], cases)

    for expected, got in zip(server, phone, strict=True):
        assert got["missing"] == [], expected["case"]
        assert {key: got[key] for key in ("condition", *AMOUNTS)} == {
            key: expected[key] for key in ("condition", *AMOUNTS)
        }, expected["case"]
    # The cases reach every step: a condition's discount, perceptions, and none below the minimum.
    assert any(row["condition_discount"] != "0.00" for row in server)
    assert {row["perception"] != "0.00" for row in server} == {True, False}
    assert {row["case"][0] for row in server if row["perception"] != "0.00"} == {
        "type and own terms",
        "registry",
    }
