"""Web Push: subscriptions are kept per user, and notifications reach a (local) push service."""

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.extensions import db
from app.push import services as push
from app.push.models import PushSubscription
from tests import factories
from tests.conftest import csrf_from


def b64(raw: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class PushService:
    """A local push service: records each delivery; answers with the status it is told."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                delivery = {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
                service.received.append(delivery)
                self.send_response(service.status)
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def endpoint(self, name: str) -> str:
        """A subscription endpoint on this service."""
        return f"http://127.0.0.1:{self.server.server_port}/push/{name}"


@pytest.fixture
def push_service(app):
    """A running local push service, and VAPID keys configured for the test."""
    private, public = push.new_vapid_keys()
    app.config.update(VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public,
                      VAPID_SUBJECT="mailto:sistemas@example.com")  # fmt: skip
    service = PushService()
    yield service
    service.server.shutdown()
    service.server.server_close()
    app.config.update(VAPID_PRIVATE_KEY="", VAPID_PUBLIC_KEY="", VAPID_SUBJECT="")


def browser_keys() -> tuple[ec.EllipticCurvePrivateKey, dict]:
    """What a browser's PushManager makes: a P-256 key pair and an auth secret."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = os.urandom(16)
    return private, {"p256dh": b64(public), "auth": b64(auth), "secret": auth}


def test_a_notification_arrives_encrypted_for_the_users_browser(app, push_service):
    boss = factories.make_user("supervisor")
    private, keys = browser_keys()
    push.subscribe(boss, {"endpoint": push_service.endpoint("ana"), "keys": keys})
    message = push.Message("Pedido para aprobar", "Almacén Don Pepe: $ 12.300", "/credit/approvals")
    assert push.notify([boss.id], message) == 1
    (delivery,) = push_service.received
    assert delivery["path"] == "/push/ana"
    assert delivery["headers"]["content-encoding"] == "aes128gcm"
    assert delivery["headers"]["authorization"].startswith("vapid t=")
    plain = http_ece.decrypt(
        delivery["body"], private_key=private, auth_secret=keys["secret"], version="aes128gcm"
    )
    assert json.loads(plain) == {
        "title": "Pedido para aprobar", "body": "Almacén Don Pepe: $ 12.300",
        "url": "/credit/approvals", "tag": None,
    }  # fmt: skip
    assert db.session.scalar(sa.select(PushSubscription.last_sent_at)) is not None


def test_a_subscription_the_service_says_is_gone_is_forgotten(app, push_service):
    boss = factories.make_user("supervisor")
    _private, keys = browser_keys()
    push.subscribe(boss, {"endpoint": push_service.endpoint("old"), "keys": keys})
    push_service.status = 410
    assert push.notify([boss.id], push.Message("t", "b", "/")) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0


def test_a_failing_service_does_not_fail_the_sender(app, push_service):
    boss = factories.make_user("supervisor")
    _private, keys = browser_keys()
    push.subscribe(boss, {"endpoint": "http://127.0.0.1:9/unreachable", "keys": keys})
    assert push.notify([boss.id], push.Message("t", "b", "/")) == 0
    row = db.session.scalar(sa.select(PushSubscription))
    assert row.last_error


def test_without_vapid_keys_nothing_is_sent(app):
    boss = factories.make_user("supervisor")
    _private, keys = browser_keys()
    push.subscribe(boss, {"endpoint": "https://push.example.com/x", "keys": keys})
    assert not push.enabled()
    assert push.notify([boss.id], push.Message("t", "b", "/")) == 0


def test_the_page_subscribes_and_unsubscribes_this_browser(login_as, push_service):
    boss = login_as("supervisor")
    page = boss.get("/credit/approvals").get_data(as_text=True)
    assert "Activar notificaciones" in page and "js/push.js" in page
    token = csrf_from(boss.get("/account").get_data(as_text=True))
    key = boss.client.get("/push/key").json
    assert key["enabled"] is True and len(key["publicKey"]) == 87
    _private, keys = browser_keys()
    sent_keys = {name: keys[name] for name in ("p256dh", "auth")}
    body = {"endpoint": push_service.endpoint("b1"), "keys": sent_keys}
    headers = {"X-CSRFToken": token}
    assert boss.client.post("/push/subscriptions", json=body, headers=headers).status_code == 201
    # The same browser again (a re-subscribe) keeps one row.
    again = boss.client.post("/push/subscriptions", json=body, headers=headers)
    assert again.status_code == 201, again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 1
    bad = boss.client.post("/push/subscriptions", json={"endpoint": "ftp://x"}, headers=headers)
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"endpoint", "keys"}
    gone = boss.client.post(
        "/push/subscriptions/delete", json={"endpoint": body["endpoint"]}, headers=headers
    )
    assert gone.json == {"removed": True}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0
