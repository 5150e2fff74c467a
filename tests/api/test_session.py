"""GET /api/v1/session: who is signed in, and the CSRF token the outbox's cookie writes send."""

from dataclasses import dataclass

import pytest

from app.auth.models import User
from app.clients.models import ClientNote
from app.extensions import db
from tests import factories
from tests.api.test_clients import api, count  # noqa: F401  (fixture)
from tests.conftest import Browser


@dataclass
class CookieCaller:
    """A browser calling the API with its session cookie, as the phone's outbox does."""

    browser: Browser
    user: User
    csrf: str | None = None

    def session(self):
        """Ask who is signed in; keep the fresh CSRF token when signed in."""
        answer = self.browser.get("/api/v1/session")
        if answer.status_code == 200:
            self.csrf = answer.json["csrf_token"]
        return answer

    def post(self, path: str, json, key: str | None = None, csrf: str | None = None):
        """POST JSON with the session's CSRF token (or the one given; "": none) and a key."""
        headers = {}
        if token := csrf if csrf is not None else self.csrf:
            headers["X-CSRFToken"] = token
        if key:
            headers["Idempotency-Key"] = key
        return self.browser.client.post(path, json=json, headers=headers)

    def sign_out(self):
        """Sign out through the form, as the menu does."""
        return self.browser.submit("/account", "/logout")

    def sign_in(self):
        """Sign in again on this browser and ask for the new session's token."""
        assert self.browser.login(self.user.username).status_code == 303
        return self.session()


@pytest.fixture
def cookie_api(app, login_as):
    """Factory: a browser signed in through /login as a new user, with its CSRF token."""

    def make(role: str, **fields) -> CookieCaller:
        signed_in = login_as(role, **fields)
        caller = CookieCaller(signed_in, signed_in.user)
        assert caller.session().status_code == 200
        return caller

    return make


def test_the_session_says_who_is_signed_in_and_is_never_cached(cookie_api):
    seller = cookie_api("salesperson", full_name="Laura Gómez")
    answer = seller.session()
    assert answer.status_code == 200
    assert answer.json == {
        "user_id": seller.user.id,
        "username": seller.user.username,
        "full_name": "Laura Gómez",
        "csrf_token": answer.json["csrf_token"],
    }
    assert answer.json["csrf_token"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_its_token_lets_a_cookie_write_through_and_none_is_refused(cookie_api):
    seller = cookie_api("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    url = f"/api/v1/clients/{client.id}/notes"
    refused = seller.post(url, {"text": "Sin token"}, csrf="")
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    assert count(ClientNote) == 0
    assert seller.post(url, {"text": "Con token"}).status_code == 201
    older = seller.csrf
    seller.session()  # a second token of the same session: both stay good
    assert seller.post(url, {"text": "Con el anterior"}, csrf=older).status_code == 201
    assert count(ClientNote) == 2


def test_a_junk_bearer_header_does_not_spare_a_cookie_write_its_csrf_token(cookie_api):
    seller = cookie_api("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    answer = seller.browser.client.post(
        f"/api/v1/clients/{client.id}/notes",
        json={"text": "Sin token CSRF"},
        headers={"Authorization": "Bearer junk"},
    )
    assert answer.status_code == 400 and answer.json["error"]["code"] == "csrf_failed"
    assert count(ClientNote) == 0


def test_a_valid_bearer_token_writes_without_a_cookie_or_csrf_token(api):  # noqa: F811
    seller = api("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    assert seller.http.get_cookie("session") is None  # signed in by the token alone
    answer = seller.post(f"/api/v1/clients/{client.id}/notes", json={"text": "Con token"})
    assert answer.status_code == 201, answer.json
    assert count(ClientNote) == 1


def test_a_token_caller_gets_its_session_without_a_cookie(api):  # noqa: F811
    collector = api("collector")
    answer = collector.get("/api/v1/session")
    assert answer.status_code == 200
    assert answer.json["user_id"] == collector.user.id
    assert answer.json["username"] == collector.user.username
    assert "Set-Cookie" not in answer.headers


def test_signed_out_the_session_is_401_and_after_signing_in_it_is_back(client, cookie_api):
    anonymous = client.get("/api/v1/session")
    assert anonymous.status_code == 401
    assert anonymous.json["error"] == {
        "code": "unauthorized",
        "message": "Tenés que iniciar sesión.",
        "fields": {},
    }
    seller = cookie_api("salesperson")
    assert seller.sign_out().status_code == 303
    assert seller.session().status_code == 401
    again = seller.sign_in()
    assert again.status_code == 200 and again.json["user_id"] == seller.user.id


def test_the_session_is_documented(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/session"]["get"]
    assert set(operation["responses"]) == {"200", "401"}
    schema = spec["components"]["schemas"]["Session"]
    assert set(schema["required"]) == {"user_id", "username", "full_name", "csrf_token"}


def test_background_requests_never_send_back_an_unchanged_session(cookie_api):
    """A sync that ends after a save must not put back the session it read (the save's
    message would be lost): background answers carry no cookie unless they changed it."""
    seller = cookie_api("salesperson")
    client = seller.browser.client

    page = client.get("/clients/")
    sync = client.get("/api/v1/sync?since=0")
    session = client.get("/api/v1/session")  # the token is already there: nothing changes
    shell = client.get("/offline/shell")

    assert page.status_code == sync.status_code == session.status_code == shell.status_code
    assert "session=" in page.headers.get("Set-Cookie", "")  # a permanent session, refreshed
    for answer in (sync, session, shell):
        assert "session=" not in answer.headers.get("Set-Cookie", ""), answer.request.path
