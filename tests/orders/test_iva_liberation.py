"""A client's IVA liberation lowers the order's IVA, its total and so the credit exposure;
a Gran Contribuyente's order keeps the full IVA and says it will be withheld."""

from decimal import Decimal

from app.credit import services as credit
from app.extensions import db
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.api.test_orders import body, setup  # noqa: F401  (fixture)
from tests.orders.test_views import make_policy, preview, shop  # noqa: F401  (fixture)


def test_an_order_for_a_liberated_client_charges_part_of_the_iva(setup):  # noqa: F811
    seller, client, item, _boss = setup  # limit $ 1.000, product $ 100 + 21 % IVA
    client.iva_exemption_pct = Decimal("50")
    db.session.commit()
    # 9 x 100 = 900 + half of 189 IVA = 994.50: within the limit (with full IVA, 1089 is not)
    answer = seller.post("/api/v1/orders", json=body(client, item, quantity="9"))
    assert answer.status_code == 201, answer.json
    assert (answer.json["status"], answer.json["total"]) == ("accepted", "994.50")
    db.session.expire_all()
    assert credit.snapshot(client).pending_orders == Decimal("994.50")
    # what is left of the limit: 5.50, so one more unit (100 + 10.50) is over by 105.00
    over = seller.post("/api/v1/orders", json=body(client, item, quantity="1"))
    assert over.json["status"] == "blocked"
    assert over.json["credit"]["failures"][0]["excess"] == "105.00"


def test_the_order_summary_shows_the_liberation_and_the_large_taxpayers_note(shop):  # noqa: F811
    shop.customer.iva_exemption_pct = Decimal("40")
    shop.customer.large_taxpayer = True
    shop.customer.credit_policy_id = make_policy(money_limit=Decimal("10000")).id
    db.session.commit()
    html = preview(
        shop, shop.customer.id, [(shop.yerba.id, "2")], payment_method="current_account"
    ).get_data(as_text=True)
    assert "IVA (liberado 40 %)" in html
    assert "$\u00a025,20" in html  # 21 % of 200 is 42, 60 % of it
    assert "$\u00a0225,20" in html
    assert "Gran contribuyente: al pagar retiene parte del IVA" in html


def test_a_large_taxpayer_without_liberation_pays_the_full_iva(shop):  # noqa: F811
    shop.customer.large_taxpayer = True
    db.session.commit()
    html = preview(shop, shop.customer.id, [(shop.yerba.id, "2")], payment_method="cash").get_data(
        as_text=True
    )
    assert "IVA (liberado" not in html and "$\u00a042,00" in html and "$\u00a0242,00" in html
    assert "Gran contribuyente" in html
