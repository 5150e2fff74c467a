"""API tokens: issue, use, expire, revoke; JSON errors; no session for token callers."""

from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import ApiToken
from app.core.types import utcnow
from app.extensions import db
from tests import factories


def get_token(client, username, password=factories.PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_token_opens_the_api_without_a_session_cookie(app, client):
    user = factories.make_user("collector", username="cobrador9")
    db.session.commit()
    response = get_token(client, "cobrador9")
    assert response.status_code == 201
    token = response.json["token"]
    assert response.json["expires_at"]
    stored = db.session.scalar(sa.select(ApiToken.token_hash).where(ApiToken.user_id == user.id))
    assert stored != token and len(stored) == 64

    fresh = app.test_client()
    me = fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["username"] == "cobrador9"
    assert me.json["role"] == "collector"
    assert "password" not in me.json
    assert not any(c.startswith("session=") for c in me.headers.getlist("Set-Cookie"))


def test_wrong_credentials_are_a_json_401(client):
    factories.make_user("collector", username="cobrador9")
    db.session.commit()
    response = get_token(client, "cobrador9", "incorrecta")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_credentials"
    assert response.json["error"]["message"] == "Usuario o contraseña incorrectos."


def test_bad_body_gets_field_errors(client):
    response = client.post("/api/v1/auth/token", json={"username": ""})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {"username", "password"}
    response = client.post("/api/v1/auth/token", data="no json", content_type="application/json")
    assert response.status_code == 422
    assert "_body" in response.json["error"]["fields"]


def test_token_endpoint_is_rate_limited(client):
    factories.make_user("collector", username="cobrador9")
    db.session.commit()
    for _ in range(5):
        assert get_token(client, "cobrador9", "incorrecta").status_code == 401
    response = get_token(client, "cobrador9")
    assert response.status_code == 429
    assert response.json["error"]["code"] == "too_many_requests"


def test_expired_and_unknown_tokens_are_refused(client):
    factories.make_user("collector", username="cobrador9")
    db.session.commit()
    token = get_token(client, "cobrador9").json["token"]
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_token_can_be_revoked(client):
    factories.make_user("collector", username="cobrador9")
    db.session.commit()
    headers = {"Authorization": f"Bearer {get_token(client, 'cobrador9').json['token']}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_api_errors_are_json_never_a_page(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json == {
        "error": {"code": "not_found", "message": "No encontramos lo que buscabas.", "fields": {}}
    }
    response = client.put("/api/v1/me")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_cookie_signed_in_browser_needs_csrf_for_api_writes(login_as):
    admin = login_as("admin")
    response = admin.client.post(
        "/api/v1/users",
        json={"username": "x1234", "full_name": "X", "role": "collector", "password": "12345678"},
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == "csrf_failed"


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/auth/token", "/me", "/users"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    params = spec["paths"]["/users"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" for p in params)


def test_an_oversized_body_is_refused_with_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/api/v1/auth/token", json={"username": "x" * 4096, "password": "y"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
