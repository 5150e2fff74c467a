"""Web Push for override requests: each new one reaches the approvers who cover it, the answer
reaches the seller; deliveries go to a local push service and are decrypted here."""

import json

import http_ece

from app.credit import overrides
from app.extensions import db
from app.orders.models import Order
from app.push import services as push
from tests import factories
from tests.credit.approval_setup import band, make_team, order_of
from tests.push.test_push import browser_keys, push_service  # noqa: F401  (fixture)


class Phone:
    """A user's subscribed browser: it can read what the push service delivered to it."""

    def __init__(self, service, user, name: str):
        self.name = name
        self.private, self.keys = browser_keys()
        push.subscribe(user, {"endpoint": service.endpoint(name), "keys": self.keys})
        self.service = service

    def messages(self) -> list[dict]:
        """The notifications delivered to this browser, decrypted."""
        return [
            json.loads(
                http_ece.decrypt(
                    delivery["body"],
                    private_key=self.private,
                    auth_secret=self.keys["secret"],
                    version="aes128gcm",
                )
            )
            for delivery in self.service.received
            if delivery["path"] == f"/push/{self.name}"
        ]


def token_of(app, user) -> dict:
    """Bearer headers for this user."""
    db.session.commit()
    response = app.test_client().post(
        "/api/v1/auth/token", json={"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def send_for_approval(app, team, order: Order):
    """The seller taps "Pedir autorización" (through the API, as the phone does)."""
    return app.test_client().post(
        f"/api/v1/orders/{order.id}/override-request",
        json={"reason": "Cliente de años"},
        headers=token_of(app, team.seller),
    )


def test_a_new_request_pushes_once_to_each_approver_who_covers_it(app, push_service):  # noqa: F811
    team = make_team()  # the supervisor covers up to $ 500 over the $ 1.000 limit
    band(role="admin")
    admin = factories.make_user("admin")
    stranger = make_team(excess=None).boss
    band(stranger)  # covers anything, but the client is not in their team
    boss_phone = Phone(push_service, team.boss, "boss")
    admin_phone = Phone(push_service, admin, "admin")
    stranger_phone = Phone(push_service, stranger, "stranger")
    order = order_of(team, 12)  # $ 200 over
    db.session.commit()
    response = send_for_approval(app, team, order)
    assert response.status_code == 201, response.json
    request_id = response.json["override_request"]["id"]
    expected = {
        "title": "Pedido para aprobar",
        "body": f"{team.client.trade_name}: pedido de $ 1.200 supera el límite de crédito",
        "url": f"/credit/approvals#request-{request_id}",
        "tag": f"override-{request_id}",
        "actions": [
            {"action": "approve", "title": "Aprobar"},
            {"action": "reject", "title": "Rechazar"},
        ],
    }

    def decide(user) -> dict:
        """What the buttons need on this user's phone: the API call, bound to them."""
        return {
            "decide": {
                "url": f"/api/v1/override-requests/{request_id}/decision",
                "request_id": request_id,
                "user_id": user.id,
                "answered": {"approve": "Pedido aprobado", "reject": "Pedido rechazado"},
            }
        }

    assert boss_phone.messages() == [expected | {"data": decide(team.boss)}]
    assert admin_phone.messages() == [expected | {"data": decide(admin)}]
    assert stranger_phone.messages() == []


def test_the_buttons_are_only_for_a_user_who_can_decide(app):
    team = make_team()
    order = order_of(team, 12)
    with app.test_request_context():
        request = overrides.request_override(order, "Cliente de años", team.seller)
        failures = request.failures
        plain = json.loads(overrides.request_message(request, failures, None).payload())
        buttons = json.loads(overrides.request_message(request, failures, team.boss).payload())
    assert plain == {
        "title": "Pedido para aprobar",
        "body": f"{team.client.trade_name}: pedido de $ 1.200 supera el límite de crédito",
        "url": f"/credit/approvals#request-{request.id}",
        "tag": f"override-{request.id}",
    }
    assert [a["title"] for a in buttons["actions"]] == ["Aprobar", "Rechazar"]
    assert buttons["data"]["decide"]["user_id"] == team.boss.id
    assert buttons["data"]["decide"]["url"] == f"/api/v1/override-requests/{request.id}/decision"
    # Outside a request (demo data, the CLI) the links are the same paths.
    outside = json.loads(overrides.request_message(request, failures, team.boss).payload())
    assert outside["url"] == "/credit/approvals"
    assert outside["data"]["decide"]["url"] == buttons["data"]["decide"]["url"]


def test_the_api_call_the_buttons_make_answers_the_request(app):
    """The service worker's POST (static/js/notifications.js): the session cookie, its CSRF
    token, an Idempotency-Key; a second tap replays the first answer."""
    from tests.conftest import Browser

    team = make_team()
    order = order_of(team, 12)
    db.session.commit()
    request_id = send_for_approval(app, team, order).json["override_request"]["id"]
    boss = Browser(app.test_client())
    assert boss.login(team.boss.username).status_code == 303
    session = boss.client.get("/api/v1/session").json
    assert session["user_id"] == team.boss.id
    headers = {
        "Idempotency-Key": f"push-{request_id}-approve-u{team.boss.id}",
        "X-CSRFToken": session["csrf_token"],
    }
    url = f"/api/v1/override-requests/{request_id}/decision"
    first = boss.client.post(url, json={"decision": "approve"}, headers=headers)
    assert first.status_code == 200, first.json
    assert first.json["status"] == "approved"
    again = boss.client.post(url, json={"decision": "approve"}, headers=headers)
    assert again.status_code == 200 and again.json == first.json
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "approved"


def test_a_supervisor_whose_band_does_not_cover_gets_no_push(app, push_service):  # noqa: F811
    team = make_team()
    band(role="admin")
    admin = factories.make_user("admin")
    boss_phone = Phone(push_service, team.boss, "boss")
    admin_phone = Phone(push_service, admin, "admin")
    order = order_of(team, 17)  # $ 700 over: beyond the supervisor's $ 500
    db.session.commit()
    assert send_for_approval(app, team, order).status_code == 201
    assert boss_phone.messages() == []
    (message,) = admin_phone.messages()
    assert f"{team.client.trade_name}: pedido de $ 1.700" in message["body"]


def test_a_refused_request_pushes_nothing(app, push_service):  # noqa: F811
    team = make_team()
    boss_phone = Phone(push_service, team.boss, "boss")
    order = order_of(team, 12)
    db.session.commit()
    response = app.test_client().post(
        f"/api/v1/orders/{order.id}/override-request",
        json={"reason": "x"},
        headers=token_of(app, team.seller),
    )
    assert response.status_code == 422
    assert boss_phone.messages() == []


def test_the_answer_pushes_to_the_seller(app, push_service):  # noqa: F811
    team = make_team()
    seller_phone = Phone(push_service, team.seller, "seller")
    boss_phone = Phone(push_service, team.boss, "boss")
    order = order_of(team, 12)
    db.session.commit()
    request_id = send_for_approval(app, team, order).json["override_request"]["id"]
    assert seller_phone.messages() == []
    answer = app.test_client().post(
        f"/api/v1/override-requests/{request_id}/decision",
        json={"decision": "approve", "comment": "Paga a los 35 días"},
        headers=token_of(app, team.boss),
    )
    assert answer.status_code == 200, answer.json
    assert seller_phone.messages() == [
        {
            "title": "Pedido aprobado",
            "body": f"{team.client.trade_name}: $ 1.200 — Paga a los 35 días",
            "url": f"/orders/{order.id}",
            "tag": f"order-{order.id}",
        }
    ]
    assert len(boss_phone.messages()) == 1  # only the request's


def test_a_rejection_from_the_inbox_page_pushes_to_the_seller(app, push_service):  # noqa: F811
    from tests.conftest import Browser, csrf_from

    team = make_team()
    seller_phone = Phone(push_service, team.seller, "seller")
    order = order_of(team, 12)
    db.session.commit()
    request_id = send_for_approval(app, team, order).json["override_request"]["id"]
    boss = Browser(app.test_client())
    assert boss.login(team.boss.username).status_code == 303
    page = boss.get("/credit/approvals").get_data(as_text=True)
    response = boss.client.post(
        f"/credit/approvals/{request_id}",
        data={"csrf_token": csrf_from(page), "decision": "reject"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    (message,) = seller_phone.messages()
    assert message["title"] == "Pedido rechazado"
    assert message["body"] == f"{team.client.trade_name}: $ 1.200"
