"""Text no database can store is a field error (422), never a 500 (found by fuzzing)."""

import pytest

from app.extensions import db
from tests import factories

# PostgreSQL refuses NUL in text; a lone surrogate ("\ud800" in JSON) has no UTF-8 form.
UNSTORABLE = pytest.mark.parametrize("text", ["a\x00b", "a\ud800b"], ids=["nul", "surrogate"])


@pytest.fixture
def send(app):
    """Send JSON as an admin with a bearer token."""
    admin = factories.make_user("admin")
    db.session.commit()
    http = app.test_client()
    token = http.post(
        "/api/v1/auth/token", json={"username": admin.username, "password": factories.PASSWORD}
    ).json["token"]

    def send(method: str, path: str, body: dict):
        return http.open(
            path, method=method, json=body, headers={"Authorization": f"Bearer {token}"}
        )

    return send


def assert_refused(response, field: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["error"]["code"] == "invalid"
    assert list(response.json["error"]["fields"]) == [field]


@UNSTORABLE
def test_token_request(app, client, text):
    response = client.post("/api/v1/auth/token", json={"username": text, "password": "x"})
    assert_refused(response, "username")


@UNSTORABLE
def test_new_user(send, text):
    body = {"username": "nuevo", "full_name": text, "role": "collector", "password": "x" * 12}
    assert_refused(send("POST", "/api/v1/users", body), "full_name")


@UNSTORABLE
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (lambda text: {"legal_name": text}, "legal_name"),
        (lambda text: {"legal_name": "Almacén", "social": {text: "@almacen"}}, "social"),
        (lambda text: {"legal_name": "Almacén", "custom": {"horario": text}}, "custom"),
    ],
    ids=["field", "key", "custom"],
)
def test_new_client(send, text, body, field):
    assert_refused(send("POST", "/api/v1/clients", body(text)), field)


@UNSTORABLE
def test_client_change(send, text):
    client_id = factories.make_client().id
    db.session.commit()
    response = send("PATCH", f"/api/v1/clients/{client_id}", {"trade_name": text})
    assert_refused(response, "trade_name")
