"""The OpenAPI document is built from the routes: each route is in it, and nothing else is."""

import re

import pytest
from marshmallow import Schema, fields

from app.api.docs import SCHEMAS, api_doc, operation_of, read_errors
from app.api.openapi import build_spec
from app.auth.permissions import permission_of, requires
from app.core.routing import MAX_ID

API = "/api/v1"
DOCUMENT = f"{API}/openapi.json"


class GreetingArgsSchema(Schema):
    """A query string."""

    name = fields.String()


def routed_operations(app) -> set[str]:
    """'GET /clients/{client_id}' for each method of each API route (the document's own aside)."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.rule == DOCUMENT:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(API))
        found |= {f"{method} {path}" for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_document_holds_every_route_and_only_routes(app, client):
    """A route left out would escape the fuzzing (test_fuzz.py); a path without a route, lie."""
    document = client.get(DOCUMENT).json
    documented = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert len(documented) > 40
    assert documented == routed_operations(app)


def test_a_route_without_a_description_stops_the_document_naming_it(app, monkeypatch):
    @requires("app.use")
    def me():
        """A view that forgot its @api_doc."""

    monkeypatch.setitem(app.view_functions, "api.me", me)
    with pytest.raises(LookupError, match=r"GET /api/v1/me \(api\.me\) describes no operation"):
        build_spec()


def test_a_view_serving_two_methods_needs_a_description_each(app, monkeypatch):
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == "api.me")
    monkeypatch.setattr(rule, "methods", {"GET", "HEAD", "POST"})
    with pytest.raises(LookupError, match="one view per method"):
        build_spec()


def test_path_parameters_come_from_the_route(client):
    document = client.get(DOCUMENT).json
    for path, operations in document["paths"].items():
        names = re.findall(r"\{(\w+)\}", path)
        for method, operation in operations.items():
            in_path = [p for p in operation.get("parameters", []) if p["in"] == "path"]
            assert [p["name"] for p in in_path] == names, f"{method} {path}"
            for parameter in in_path:
                assert parameter["required"] is True
                assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def test_only_public_routes_go_without_the_bearer_token(app, client):
    document = client.get(DOCUMENT).json
    assert document["security"] == [{"bearer": []}]
    open_operations = {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") == []
    }
    assert open_operations == {"POST /auth/token"}
    assert permission_of(app.view_functions["api.create_token"]) is None


def test_every_named_schema_is_a_component_under_its_name(client):
    schemas = client.get(DOCUMENT).json["components"]["schemas"]
    assert set(SCHEMAS) <= set(schemas)
    # nested schemas nobody named keep their class's name
    assert {"Failure", "Request", "RequestClient", "SheetZone"} <= set(schemas)
    assert not [name for name in schemas if re.search(r"\d$", name)]  # no "Notice1"


def test_every_reference_names_a_component(client):
    answer = client.get(DOCUMENT)
    document = answer.json
    references = set(re.findall(r'"#/components/schemas/(\w+)"', answer.get_data(as_text=True)))
    assert references
    assert references <= set(document["components"]["schemas"])


def test_the_description_is_kept_on_the_view():
    @api_doc(
        "Say hello",
        query=GreetingArgsSchema,
        body=("A name", "Greeting"),
        answers={"201": ("Greeted", "Greeting"), "204": "Nothing to say"},
        errors=read_errors(("422", "Nobody to greet")),
    )
    def hello():
        """A view."""

    operation = operation_of(hello)
    assert operation["summary"] == "Say hello"
    assert operation["requestBody"]["required"] is True
    assert operation["responses"]["204"] == {"description": "Nothing to say"}
    assert set(operation["responses"]) == {"201", "204", "400", "401", "422"}
    assert operation["responses"]["422"]["description"] == "Nobody to greet"  # errors win
    assert operation["parameters"] == [{"in": "query", "schema": GreetingArgsSchema}]
    assert operation_of(test_the_description_is_kept_on_the_view) is None


def test_the_idempotency_key_is_documented_exactly_on_the_writes_that_take_it(app, client):
    """write_endpoint marks its views; the document adds the header from that mark alone."""
    document = client.get(DOCUMENT).json
    with_key, writes = set(), set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.rule == DOCUMENT:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(API))
        (method,) = rule.methods - {"HEAD", "OPTIONS"}
        operation = document["paths"][path][method.lower()]
        names = {p.get("name") for p in operation.get("parameters", [])}
        if "Idempotency-Key" in names:
            with_key.add(f"{method} {path}")
        if getattr(app.view_functions[rule.endpoint], "idempotent", False):
            writes.add(f"{method} {path}")
    assert "POST /orders" in writes
    assert "GET /clients" not in with_key
    assert with_key == writes
