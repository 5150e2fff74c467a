"""Nothing secret reaches the logs or the URLs."""

import logging

from app.extensions import db
from tests import factories
from tests.conftest import Browser


def test_passwords_and_tokens_never_reach_the_logs(app, caplog):
    factories.make_user("backoffice", username="oficina5", password="secreto-largo-1")
    db.session.commit()
    caplog.set_level(logging.DEBUG)
    browser = Browser(app.test_client())
    login = browser.login("oficina5", "secreto-largo-1")
    wrong = Browser(app.test_client()).login("oficina5", "otro-secreto-2")
    issued = app.test_client().post(
        "/api/v1/auth/token", json={"username": "oficina5", "password": "secreto-largo-1"}
    )
    token = issued.json["token"]
    app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    app.test_client().get("/api/v1/boom-404", headers={"Authorization": f"Bearer {token}"})
    logged = caplog.text
    for secret in ("secreto-largo-1", "otro-secreto-2", token):
        assert secret not in logged
    for response in (login, wrong, issued):
        assert "secreto" not in (response.headers.get("Location") or "")
