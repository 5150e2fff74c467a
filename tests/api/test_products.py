"""The products API: active products with the prices of a client's list or the default list."""

import pytest

from app.extensions import db
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)

URL = "/api/v1/products"


@pytest.fixture
def catalogue(app):
    """Two lists (the first by code is the default), three products, one inactive."""
    wholesale = factories.make_price_list(code="A-MAY", name="Mayorista")
    retail = factories.make_price_list(code="B-MIN", name="Minorista")
    yerba = factories.make_product(code="YER001", description="Yerba Taragüí 1 kg")
    coca = factories.make_product(code="GAS001", description="Coca-Cola 2,25 l", unit="pack x 6")
    old = factories.make_product(code="OLD001", description="Discontinuado", active=False)
    factories.make_price(wholesale, yerba, "4380")
    factories.make_price(wholesale, coca, "21780.5")
    factories.make_price(retail, yerba, "5343.6")
    factories.make_price(retail, yerba, "4.6525", currency="USD")
    factories.make_price(wholesale, old, "10")
    db.session.commit()
    return {"wholesale": wholesale, "retail": retail, "yerba": yerba, "coca": coca}


def by_code(body: dict) -> dict:
    return {item["code"]: item for item in body["items"]}


def test_without_a_client_the_default_list_prices_every_active_product(api, catalogue):  # noqa: F811
    response = api("salesperson").get(URL)
    assert response.status_code == 200
    body = response.json
    assert [item["code"] for item in body["items"]] == ["GAS001", "YER001"]  # by code
    coca = by_code(body)["GAS001"]
    assert coca == {
        "id": catalogue["coca"].id,
        "code": "GAS001",
        "description": "Coca-Cola 2,25 l",
        "unit": "pack x 6",
        "tax_rate": "21",
        "active": True,
        "price": "21780.50",
        "currency": "ARS",
        "price_list": "A-MAY",
    }
    assert body["price_list"]["code"] == "A-MAY" and body["next"] is None and body["total"] == 2


def test_with_a_client_the_prices_are_those_of_its_list(api, catalogue):  # noqa: F811
    seller = api("salesperson")
    client = factories.make_client(
        salesperson_id=seller.user.id, price_list_id=catalogue["retail"].id
    )
    db.session.commit()
    body = seller.get(f"{URL}?client_id={client.id}").json
    items = by_code(body)
    assert items["YER001"]["price"] == "5343.60"
    assert items["YER001"]["price_list"] == "B-MIN"
    assert items["GAS001"]["price"] is None  # not in the client's list
    dollars = by_code(seller.get(f"{URL}?client_id={client.id}&currency=USD").json)
    assert dollars["YER001"]["price"] == "4.6525"  # four decimals kept
    assert dollars["YER001"]["currency"] == "USD"


def test_a_client_outside_the_callers_scope_is_404(api, catalogue):  # noqa: F811
    seller = api("salesperson")
    someone_elses = factories.make_client(price_list_id=catalogue["retail"].id)
    db.session.commit()
    response = seller.get(f"{URL}?client_id={someone_elses.id}")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert seller.get(f"{URL}?client_id=999999").status_code == 404


def test_pages_follow_the_next_link(api, catalogue):  # noqa: F811
    for n in range(3):
        factories.make_product(code=f"ZZZ{n}", description=f"Zapallo {n}")
    db.session.commit()
    caller = api("backoffice")
    first = caller.get(f"{URL}?per_page=2").json
    assert [item["code"] for item in first["items"]] == ["GAS001", "YER001"]
    assert first["total"] == 5
    second = caller.get(first["next"]).json
    assert [item["code"] for item in second["items"]] == ["ZZZ0", "ZZZ1"]
    third = caller.get(second["next"]).json
    assert [item["code"] for item in third["items"]] == ["ZZZ2"] and third["next"] is None
    assert [item["price"] for item in third["items"]] == [None]


def test_search_by_words_of_code_or_description(api, catalogue):  # noqa: F811
    body = api("supervisor").get(f"{URL}?q=taragui").json
    assert [item["code"] for item in body["items"]] == ["YER001"]


@pytest.mark.parametrize("query", ["client_id=abc", "page=0", "per_page=500", "currency=EUR"])
def test_bad_query_arguments_are_422(api, catalogue, query):  # noqa: F811
    response = api("salesperson").get(f"{URL}?{query}")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid"


def test_collectors_and_anonymous_callers_are_refused(api, client, catalogue):  # noqa: F811
    assert api("collector").get(URL).status_code == 403
    assert client.get(URL).status_code == 401


def test_the_openapi_document_describes_the_products(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/products"]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "page", "per_page", "client_id", "currency"} <= names
    product = spec["components"]["schemas"]["Product"]["properties"]
    assert {"id", "code", "price", "currency", "price_list", "tax_rate"} <= set(product)
