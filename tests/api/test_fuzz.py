"""Fuzzing the JSON API against its own OpenAPI document with schemathesis.

Every operation of `/api/v1/openapi.json` gets a bounded, reproducible batch of generated
requests, valid and invalid ones, sent in-process as an admin with a bearer token. No answer
may be a 5xx, use a status the document does not declare, or break the declared content type
or schema.

The operations are driven with plain Hypothesis over schemathesis' strategies, one subtest
each: schemathesis' own `pytest.from_fixture` (needed to reach the per-database `app`
fixture) reads `Item._nodeid`, which pytest 9.2 no longer has.
"""

import contextvars
from dataclasses import dataclass
from decimal import Decimal

import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, BaseSchema, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.auth import services as auth_services
from app.auth.models import User
from app.core.types import utcnow
from app.credit import overrides
from app.credit.models import CreditBand, CreditPolicy
from app.extensions import db
from app.ledger import applications
from app.orders import services as orders
from tests import factories

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation and generation mode (valid, then invalid data).
MAX_EXAMPLES = 25
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
)
# Failure reports show the whole request (passwords, keys, the token): it is all test data,
# and a request with its Idempotency-Key or password hidden cannot be replayed.
SCHEMATHESIS_CONFIG = {"output": {"sanitization": {"enabled": False}}}
SEEDED_CLIENTS = 3
# Order fields left to the client's default in bodies that name real rows (a generated id
# or a foreign currency would only ever be refused).
REAL_DEFAULTS = ("currency", "sale_condition_id", "shipping_address_id")
API = "/api/v1"


def isolated(wsgi_app):
    """Run each request in an empty context, as tests/conftest.py's IsolatedClient does.

    The test's app context would otherwise be reused by every request, and the signed-in
    user and the database session would leak from one request to the next.
    """

    def application(environ, start_response):
        return contextvars.Context().run(wsgi_app, environ, start_response)

    return application


@dataclass
class Fuzzing:
    """The loaded document and who sends the requests."""

    schema: BaseSchema
    admin_id: int
    token: str


@pytest.fixture
def fuzzing(app, monkeypatch) -> Fuzzing:
    """The app's own OpenAPI document and an admin's token; a few rows clients may point to."""
    # The token endpoint allows 5 failed attempts a minute and the fuzzer sends many more:
    # raised for this test only (tests/api/test_tokens.py checks the real limit).
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "100000 per minute")
    admin = factories.make_user("admin")
    factories.make_user("salesperson")
    factories.make_zone()
    factories.make_client_type()
    db.session.commit()
    response = contextvars.Context().run(
        app.test_client().post,
        "/api/v1/auth/token",
        json={"username": admin.username, "password": factories.PASSWORD},
    )
    assert response.status_code == 201, response.json
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json",
        isolated(app),
        config=schemathesis.Config.from_dict(SCHEMATHESIS_CONFIG),
    )
    return Fuzzing(schema, admin.id, response.json["token"])


def fresh_session() -> None:
    """Forget the test session's snapshot before it writes.

    The requests have written since it read, and SQLite will not turn a stale read
    transaction into a write ("database is locked").
    """
    db.session.rollback()


def seed_clients() -> list[int]:
    """New targets for the id paths, so earlier operations (trash...) leave them usable."""
    fresh_session()
    ids = [factories.make_client().id for _ in range(SEEDED_CLIENTS)]
    ids.append(factories.make_client(deleted_at=utcnow()).id)  # one in the trash
    db.session.commit()
    return ids


def seed_ledger() -> dict[str, list[int]]:
    """A client's invoice, receipt (applied in part) and its application, as id path targets."""
    fresh_session()
    client = factories.make_client()
    invoice = factories.post_document(client, amount="500")
    receipt = factories.post_receipt(client, amount="300")
    (application,) = applications.apply(
        receipt, [applications.Allocation(invoice.installments[0].id, Decimal("100"))], None
    )
    ids = {
        "document_id": [invoice.id, receipt.id],
        "application_id": [application.id],
    }
    db.session.commit()
    return ids


def seed_orders(admin_id: int) -> dict[str, list[int]]:
    """A client with a $ 1.000 limit and priced products; its orders and an override request.

    Orders: one accepted, one awaiting approval (its request), one blocked. The client and
    product ids also go into generated order bodies.
    """
    fresh_session()
    admin = db.session.get(User, admin_id)
    prices = factories.make_price_list()
    products = [factories.make_product(prices, price) for price in ("100", "250.5", "1200")]
    policy = CreditPolicy(code=f"FZ{prices.id}", name="Fuzz", money_limit=Decimal("1000"))
    db.session.add(policy)
    db.session.add(CreditBand(name="Fuzz", role="admin", money=True, max_excess_pct=Decimal(99)))
    db.session.flush()
    client = factories.make_client(price_list_id=prices.id, credit_policy_id=policy.id)
    placed = []
    for quantity in ("2", "9", "9"):
        line = {"product_id": products[0].id, "quantity": quantity}
        data = {"payment_method": "current_account", "lines": [line]}
        placed.append(orders.place_order(client, data, admin))
    request = overrides.request_override(placed[1], "Cliente de años", admin)
    ids = {
        "order_id": [order.id for order in placed],
        "request_id": [request.id],
        "client_ids": [client.id],
        "product_ids": [product.id for product in products],
    }
    db.session.commit()
    return ids


def with_real_ids(case, client_id: int, product_ids: list[int]):
    """An order body for a real client and real products, in its currency, condition, address.

    The other fields stay as generated, so some of these orders are taken (201).
    """
    if isinstance(case.body, dict):
        body = case.body | {"client_id": client_id}
        body |= {name: None for name in REAL_DEFAULTS if name in body}
        if isinstance(body.get("lines"), list):
            body["lines"] = [
                dict(line, product_id=product_ids[n % len(product_ids)])
                if isinstance(line, dict)
                else line
                for n, line in enumerate(body["lines"])
            ]
        case.body = body
    return case


def strategy_for(operation: APIOperation, mode: GenerationMode, admin_id: int):
    """Cases for the operation; an id in the path (or an order's body) is most often real."""
    strategies = [operation.as_strategy(mode)]
    if "{client_id}" in operation.path:
        strategies += [
            operation.as_strategy(mode, path_parameters={"client_id": client_id})
            for client_id in seed_clients()
        ]
    for name, ids in (seed_ledger() if "_id}" in operation.path else {}).items():
        if "{" + name + "}" in operation.path:
            strategies += [
                operation.as_strategy(mode, path_parameters={name: ident}) for ident in ids
            ]
    ordering = operation.method.upper() == "POST" and operation.path.startswith("/orders")
    if ordering or "{order_id}" in operation.path or "{request_id}" in operation.path:
        seeded = seed_orders(admin_id)
        for name in ("order_id", "request_id"):
            if "{" + name + "}" in operation.path:
                strategies += [
                    operation.as_strategy(mode, path_parameters={name: ident})
                    for ident in seeded[name]
                ]
        if operation.path in ("/orders", "/orders/quote"):
            lines = [{"product_id": ident, "quantity": "1"} for ident in seeded["product_ids"][:2]]
            body = {"client_id": seeded["client_ids"][0], "lines": lines}
            body["payment_method"] = "current_account"  # $ 424,11: taken once, then blocked
            strategies.append(operation.as_strategy(mode, body=body))
            strategies.append(
                st.builds(
                    with_real_ids,
                    operation.as_strategy(mode),
                    st.sampled_from(seeded["client_ids"]),
                    st.permutations(seeded["product_ids"]),
                )
            )
    return st.one_of(strategies)


def fuzz(operation: APIOperation, mode: GenerationMode, fuzzing: Fuzzing, app) -> None:
    """Send the operation a bounded batch of generated requests and check every answer."""

    @FUZZ_SETTINGS
    @given(case=strategy_for(operation, mode, fuzzing.admin_id))
    def run(case):
        token = fuzzing.token
        if operation.label == "DELETE /auth/token":
            # It revokes the token it is sent with: give it one of its own each time.
            fresh_session()
            admin = db.session.get(User, fuzzing.admin_id)
            token, _ = auth_services.issue_api_token(admin, app.config["API_TOKEN_DAYS"])
            db.session.commit()
        # schemathesis' WSGI transport asks for gzip but does not unpack it (GET /sync packs).
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_api_answers_as_its_document_says(app, fuzzing, subtests):
    operations = [result.ok() for result in fuzzing.schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            with subtests.test(operation=operation.label, mode=mode.value):
                fuzz(operation, mode, fuzzing, app)
