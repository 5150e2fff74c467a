"""The offline outbox's replays, sent as the browser sends them: session cookie + X-CSRFToken.

Each outbox write (order, collection call, field receipt, note) happens once per
Idempotency-Key: a resend answers the first result, after a lost response and after the
session was renewed too; the same key with another body is refused; a write without a valid
CSRF token or without a session writes nothing and does not use up its key.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.clients.models import Client, ClientNote
from app.collections.models import CollectionCall, FieldReceipt
from app.core.idempotency import IdempotencyRecord
from app.core.types import local_today
from app.credit.models import CreditBand, CreditPolicy, OverrideRequest
from app.extensions import db
from app.orders.models import Order, Product
from tests import factories
from tests.api.test_clients import count
from tests.api.test_session import CookieCaller, cookie_api  # noqa: F401  (fixture)
from tests.conftest import Browser
from tests.orders.helpers import price_list, product

KINDS = ["order", "call", "receipt", "note"]
MODELS = {"order": Order, "call": CollectionCall, "receipt": FieldReceipt, "note": ClientNote}


@dataclass
class Field:
    """A salesperson's phone signed in with the cookie, their client and a product."""

    phone: CookieCaller
    client: Client
    item: Product


@pytest.fixture
def field(cookie_api):  # noqa: F811
    """A salesperson under a supervisor; a client owing $ 500 with a $ 1.000 limit."""
    boss = factories.make_user("supervisor")
    phone = cookie_api("salesperson", supervisor_id=boss.id)
    prices = price_list()
    limit = CreditPolicy(code="P1", name="Minoristas", money_limit=Decimal("1000"))
    db.session.add(limit)
    db.session.flush()
    client = factories.make_client(
        salesperson_id=phone.user.id, price_list_id=prices.id, credit_policy_id=limit.id
    )
    factories.post_document(client, amount="500", date=local_today() - timedelta(days=10))
    item = product("GAL", "100", prices, tax_rate=Decimal("21"))
    db.session.add(
        CreditBand(name="Hasta 50 %", user_id=boss.id, money=True, max_excess_pct=Decimal("50"))
    )
    db.session.commit()
    return Field(phone, client, item)


def order_body(field: Field, quantity: str = "2", **extra) -> dict:
    lines = [{"product_id": field.item.id, "quantity": quantity}]
    return {
        "client_id": field.client.id,
        "payment_method": "current_account",
        "lines": lines,
        **extra,
    }


def outbox_item(field: Field, kind: str, changed: bool = False) -> tuple[str, dict]:
    """(url, body) of an outbox write of this kind; `changed` asks for another body."""
    client_id = field.client.id
    friday = (local_today() + timedelta(days=4)).isoformat()
    if kind == "order":
        return "/api/v1/orders", order_body(field, "3" if changed else "2")
    if kind == "call":
        body = {
            "client_id": client_id,
            "channel": "phone",
            "outcome": "promise",
            "promise_amount": "300" if changed else "200",
            "promise_date": friday,
            "notes": "Paga el viernes",
        }
        return "/api/v1/collection-calls", body
    if kind == "receipt":
        lines = [{"kind": "cash", "amount": "160" if changed else "150"}]
        body = {"client_id": client_id, "apply_oldest": True, "lines": lines}
        return "/api/v1/field-receipts", body
    text = "Atiende de 9 a 13" if changed else "Atiende de 8 a 12"
    return f"/api/v1/clients/{client_id}/notes", {"text": text}


def rows(kind: str) -> int:
    """Rows of this kind of write in the database."""
    db.session.expire_all()
    return count(MODELS[kind])


def keys() -> int:
    return count(IdempotencyRecord)


def assert_same_answer(first, again) -> None:
    """A replay answers exactly what the first request answered."""
    assert again.status_code == first.status_code
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"


# --- one key, one write -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_key_twice_writes_once_and_answers_the_same(field, kind):
    url, body = outbox_item(field, kind)
    first = field.phone.post(url, body, key=f"{kind}-0001-abcd")
    assert first.status_code == 201, first.json
    again = field.phone.post(url, body, key=f"{kind}-0001-abcd")
    assert_same_answer(first, again)
    assert rows(kind) == 1 and keys() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_key_with_another_body_is_refused_and_writes_nothing(field, kind):
    url, body = outbox_item(field, kind)
    assert field.phone.post(url, body, key=f"{kind}-0002-abcd").status_code == 201
    url, other = outbox_item(field, kind, changed=True)
    refused = field.phone.post(url, other, key=f"{kind}-0002-abcd")
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "idempotency_key_reused"
    assert rows(kind) == 1 and keys() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_lost_response_is_answered_on_the_resend_and_writes_once(field, kind):
    url, body = outbox_item(field, kind)
    field.phone.post(url, body, key=f"{kind}-0003-abcd")  # the answer never reaches the phone
    assert rows(kind) == 1  # the server committed all the same
    stored = db.session.scalars(sa.select(IdempotencyRecord)).one()
    resent = field.phone.post(url, body, key=f"{kind}-0003-abcd")
    assert resent.status_code == stored.status_code == 201
    assert resent.get_data() == stored.response_body
    assert resent.headers["Idempotent-Replayed"] == "true"
    assert rows(kind) == 1 and keys() == 1


# --- the session changed between the write and its replay ----------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_signed_out_the_replay_waits_and_after_sign_in_answers_the_first_result(field, kind):
    url, body = outbox_item(field, kind)
    first = field.phone.post(url, body, key=f"{kind}-0004-abcd")
    assert first.status_code == 201
    assert field.phone.sign_out().status_code == 303
    waiting = field.phone.post(url, body, key=f"{kind}-0004-abcd")
    assert waiting.status_code == 401 and waiting.json["error"]["code"] == "unauthorized"
    assert field.phone.sign_in().status_code == 200
    assert_same_answer(first, field.phone.post(url, body, key=f"{kind}-0004-abcd"))
    assert rows(kind) == 1 and keys() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_after_the_session_expired_a_new_session_replays_with_its_new_token(app, field, kind):
    url, body = outbox_item(field, kind)
    first = field.phone.post(url, body, key=f"{kind}-0005-abcd")
    assert first.status_code == 201
    old_token = field.phone.csrf
    # The cookies are gone (expired while offline): the same phone signs in from scratch.
    phone = CookieCaller(Browser(app.test_client()), field.phone.user)
    assert phone.session().status_code == 401
    assert phone.post(url, body, key=f"{kind}-0005-abcd", csrf=old_token).status_code == 401
    assert phone.sign_in().status_code == 200
    assert phone.csrf != old_token
    stale = phone.post(url, body, key=f"{kind}-0005-abcd", csrf=old_token)
    assert stale.status_code == 400 and stale.json["error"]["code"] == "csrf_failed"
    assert_same_answer(first, phone.post(url, body, key=f"{kind}-0005-abcd"))
    assert rows(kind) == 1 and keys() == 1


# --- refused before the write --------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_cookie_write_without_a_valid_csrf_token_writes_nothing(app, field, kind):
    url, body = outbox_item(field, kind)
    missing = field.phone.post(url, body, key=f"{kind}-0006-abcd", csrf="")
    other_session = CookieCaller(Browser(app.test_client()), field.phone.user)
    other_session.sign_in()
    stale = field.phone.post(url, body, key=f"{kind}-0006-abcd", csrf=other_session.csrf)
    for refused in (missing, stale):
        assert refused.status_code == 400
        assert refused.json["error"]["code"] == "csrf_failed"
    assert rows(kind) == 0 and keys() == 0
    # The key was not used up: the same write with the right token goes through once.
    assert field.phone.post(url, body, key=f"{kind}-0006-abcd").status_code == 201
    assert rows(kind) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_signed_out_writes_are_401_and_write_nothing(field, kind):
    url, body = outbox_item(field, kind)
    token = field.phone.csrf
    assert field.phone.sign_out().status_code == 303
    answer = field.phone.post(url, body, key=f"{kind}-0007-abcd", csrf=token)
    assert answer.status_code == 401
    assert answer.json["error"] == {
        "code": "unauthorized",
        "message": "Tenés que iniciar sesión.",
        "fields": {},
    }
    assert rows(kind) == 0 and keys() == 0


# --- the server's decision, once -------------------------------------------------------------


def test_a_replay_answers_the_first_decision_even_after_the_account_changed(field):
    first = field.phone.post("/api/v1/orders", order_body(field), key="pedido-0008-abcd")
    assert first.status_code == 201 and first.json["status"] == "accepted"
    # Another order of this phone uses up the limit before the first one's resend arrives.
    later = field.phone.post("/api/v1/orders", order_body(field, "4"), key="pedido-0009-abcd")
    assert later.json["status"] == "blocked"
    resent = field.phone.post("/api/v1/orders", order_body(field), key="pedido-0008-abcd")
    assert_same_answer(first, resent)
    assert resent.json["status"] == "accepted"
    assert rows("order") == 2


def test_an_offline_order_over_the_limit_becomes_one_override_request_on_every_resend(field):
    reason = "Pedido tomado sin conexión; el teléfono lo veía dentro del límite."
    body = order_body(field, "6", override_reason=reason)  # $ 726 on $ 500 owed
    first = field.phone.post("/api/v1/orders", body, key="pedido-0010-abcd")
    assert first.status_code == 201, first.json
    assert first.json["status"] == "awaiting_approval"
    assert first.json["override_request"]["status"] == "pending"
    field.phone.post("/api/v1/orders", body, key="pedido-0010-abcd")  # answer lost again
    assert_same_answer(first, field.phone.post("/api/v1/orders", body, key="pedido-0010-abcd"))
    assert rows("order") == 1 and count(OverrideRequest) == 1


def test_replaying_the_whole_outbox_twice_creates_nothing_new(field):
    outbox = [(f"{kind}-0011-abcd", *outbox_item(field, kind)) for kind in KINDS]
    answers = [field.phone.post(url, body, key=key) for key, url, body in outbox]
    assert [a.status_code for a in answers] == [201] * len(KINDS)
    field.phone.session()  # the next pass asks for the session again, as the outbox does
    replayed = [field.phone.post(url, body, key=key) for key, url, body in outbox]
    for first, again in zip(answers, replayed, strict=True):
        assert_same_answer(first, again)
    assert [rows(kind) for kind in KINDS] == [1] * len(KINDS)
    assert keys() == len(KINDS)
