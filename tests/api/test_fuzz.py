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
import re
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
from app.extensions import db
from app.ledger import services as ledger
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
    (application,) = ledger.apply(
        receipt, [ledger.Allocation(invoice.installments[0].id, Decimal("100"))], None
    )
    ids = {
        "document_id": [invoice.id, receipt.id],
        "application_id": [application.id],
    }
    db.session.commit()
    return ids


def strategy_for(operation: APIOperation, mode: GenerationMode):
    """Cases for the operation; an id in the path is most often one of a real row."""
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
    return st.one_of(strategies)


def fuzz(operation: APIOperation, mode: GenerationMode, fuzzing: Fuzzing, app) -> None:
    """Send the operation a bounded batch of generated requests and check every answer."""

    @FUZZ_SETTINGS
    @given(case=strategy_for(operation, mode))
    def run(case):
        token = fuzzing.token
        if operation.label == "DELETE /auth/token":
            # It revokes the token it is sent with: give it one of its own each time.
            fresh_session()
            admin = db.session.get(User, fuzzing.admin_id)
            token, _ = auth_services.issue_api_token(admin, app.config["API_TOKEN_DAYS"])
            db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_api_answers_as_its_document_says(app, fuzzing, subtests):
    operations = [result.ok() for result in fuzzing.schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            with subtests.test(operation=operation.label, mode=mode.value):
                fuzz(operation, mode, fuzzing, app)


def test_every_api_route_is_in_the_document(app, client):
    """An undocumented route would escape the fuzzing (test_clients.py checks the converse)."""
    paths = client.get(f"{API}/openapi.json").json["paths"]
    documented = {
        f"{method.upper()} {path}" for path, methods in paths.items() for method in methods
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API) or rule.rule == f"{API}/openapi.json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(API))
        routed |= {f"{method} {path}" for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed - documented == set()
