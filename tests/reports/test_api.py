"""The reports' JSON API: the figures of the hand-worked book, scope, and refusals in Spanish."""

import pytest

from app.extensions import db
from tests import factories

API = "/api/v1"
OCTOBER = "from=2026-10-01&to=2026-10-31"


def test_the_ranking_answers_money_as_strings_largest_first(book, as_user):
    body = as_user(book.admin).get(f"{API}/reports/ranking?by=sales&of=clients&{OCTOBER}").json
    assert [(i["id"], i["name"], i["total"], i["share"]) for i in body["items"]] == [
        (book.b.id, "Bodega B", "10055.00", "89.34"),
        (book.a.id, "Almacén A", "900.00", "8.00"),
        (book.c.id, "Comercio C", "300.00", "2.67"),
    ]
    assert (body["total"], body["count"], body["from"], body["to"]) == (
        "11255.00",
        3,
        "2026-10-01",
        "2026-10-31",
    )


def test_ranking_of_products_by_margin_and_filters(book, as_user):
    http = as_user(book.admin)
    body = http.get(f"{API}/reports/ranking?by=margin&of=products&{OCTOBER}").json
    assert [(i["name"], i["total"]) for i in body["items"]] == [
        ("Aceite 1,5 l", "4302.00"),
        ("Yerba 1 kg", "260.00"),
    ]
    filtered = http.get(
        f"{API}/reports/ranking?by=sales&{OCTOBER}&salesperson_id={book.seller2.id}"
    ).json
    assert [(i["name"], i["total"]) for i in filtered["items"]] == [("Comercio C", "300.00")]


def test_a_salesperson_ranks_only_their_clients(book, as_user):
    body = as_user(book.seller2).get(f"{API}/reports/ranking?{OCTOBER}").json
    assert [i["name"] for i in body["items"]] == ["Comercio C"]
    assert body["total"] == "300.00"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("by=weight", "by"),
        ("of=zones", "of"),
        ("from=2026-13-01", "from"),
        ("from=2026-10-02&to=2026-10-01", "to"),
        ("by=collections&of=products", "by"),
        ("zone_id=0", "zone_id"),
        ("limit=9999", "limit"),
    ],
)
def test_bad_parameters_are_a_422_with_the_field_in_spanish(book, as_user, query, field):
    response = as_user(book.admin).get(f"{API}/reports/ranking?{query}")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "Los datos enviados no son válidos."
    assert list(error["fields"]) == [field]


def test_purchases_of_a_client_in_scope_and_404_outside(book, as_user):
    # today is after October 2026, so the last 12 months hold the book's October
    body = as_user(book.seller1).get(f"{API}/clients/{book.a.id}/purchases").json
    assert [
        (line["date"], line["description"], line["quantity"], line["amount"])
        for line in body["lines"]
    ] == [
        ("2026-10-20", "Yerba 1 kg", "-1.000", "-100.00"),
        ("2026-10-05", "Yerba 1 kg", "2.000", "600.00"),
        ("2026-10-05", "Aceite 1,5 l", "1.000", "400.00"),
    ]
    assert as_user(book.seller2).get(f"{API}/clients/{book.a.id}/purchases").status_code == 404


def test_inactive_clients_by_days(book, as_user):
    http = as_user(book.admin)
    body = http.get(f"{API}/reports/inactive?days=1").json
    assert body["days"] == 1
    assert {item["name"] for item in body["items"]} == {"Almacén A", "Bodega B", "Comercio C"}
    assert http.get(f"{API}/reports/inactive?days=0").status_code == 422


def test_clients_at_risk_carry_reasons_with_a_message_and_evidence(app, as_user):
    admin = factories.make_user("admin")
    from app.credit.models import CreditPolicy

    policy = CreditPolicy(code="L100", name="Cien", money_limit=100)
    db.session.add(policy)
    db.session.flush()
    client = factories.make_client(trade_name="Al tope", credit_policy_id=policy.id)
    factories.post_document(client, "invoice", "99.00")
    db.session.commit()
    body = as_user(admin).get(f"{API}/reports/at-risk").json
    assert body["items"] == [
        {
            "client_id": client.id,
            "code": client.code,
            "name": "Al tope",
            "reasons": [
                {
                    "code": "credit_use",
                    "message": "Usa el 99 % de su límite de crédito ($ 99 de $ 100).",
                    "evidence": f"/clients/{client.id}/account",
                }
            ],
        }
    ]


def test_the_trend_of_one_client_needs_it_in_scope(book, as_user):
    http = as_user(book.seller2)
    body = http.get(f"{API}/reports/trend?client_id={book.c.id}&months=24").json
    months = {point["month"]: point for point in body["months"]}
    assert months["2026-10"]["sales"] == "300.00"
    assert months["2026-10"]["sales_year_before"] == "2000.00"
    assert http.get(f"{API}/reports/trend?client_id={book.a.id}").status_code == 404
