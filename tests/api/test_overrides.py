"""The approvers' API: GET /override-requests and POST /override-requests/{id}/decision."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.core.types import utcnow
from app.credit import overrides
from app.credit.models import OverrideRequest, RequestStatus
from app.extensions import db
from app.orders.models import Order, OrderStatus
from tests import factories
from tests.api.test_clients import Caller
from tests.credit.approval_setup import band, make_team, order_of

INBOX = "/api/v1/override-requests"


def decision_url(request_id: int) -> str:
    """Where a request is answered."""
    return f"{INBOX}/{request_id}/decision"


def caller(app, user) -> Caller:
    """An API client with a token of this user."""
    db.session.commit()
    http = app.test_client()
    response = http.post(
        "/api/v1/auth/token", json={"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 201, response.json
    return Caller(http, user, response.json["token"])


def ask(app, team, units: int) -> OverrideRequest:
    """The seller's order of `units` x $ 100, sent for approval."""
    order = order_of(team, units)
    with app.test_request_context():
        request = overrides.request_override(order, "Cliente de años", team.seller)
    db.session.commit()
    return request


def stored(request_id: int) -> OverrideRequest:
    """The request as the database holds it now."""
    db.session.expire_all()
    return db.session.get(OverrideRequest, request_id)


@pytest.fixture
def team(app):
    """Limit $ 1.000; the supervisor's band covers up to $ 500 over it; admins cover all."""
    band(role="admin")
    factories.make_user("admin")
    return make_team()


def test_the_inbox_lists_the_requests_in_scope_with_their_figures_and_cover(app, team):
    near = ask(app, team, 12)  # $ 200 over
    far = ask(app, team, 17)  # $ 700 over: only the admins
    ask(app, make_team(), 12)  # another team's
    answer = caller(app, team.boss).get(INBOX)
    assert answer.status_code == 200
    items = answer.json["items"]
    assert [item["id"] for item in items] == [near.id, far.id]
    first = items[0]
    assert first["order_id"] == near.order_id
    assert first["client"] == {
        "id": team.client.id,
        "code": team.client.code,
        "legal_name": team.client.legal_name,
    }
    assert (first["amount"], first["currency"]) == ("1200.00", "ARS")
    assert first["reason"] == "Cliente de años"
    assert first["requested_by"] == team.seller.full_name
    assert first["requested_at"] and first["expires_at"]
    assert first["status"] == "pending"
    assert first["covered"] is True
    (failure,) = first["failures"]
    assert failure == {
        "kind": "money", "limit": "1000.00", "current": "0.00", "after": "1200.00",
        "excess": "200.00", "message": "Supera el límite en $ 200 (límite $ 1.000)",
    }  # fmt: skip
    assert items[1]["covered"] is False


def test_approving_answers_the_request_once(app, team):
    request = ask(app, team, 12)
    boss = caller(app, team.boss)
    body = {"decision": "approve", "comment": "Paga a los 35 días"}
    answer = boss.post(decision_url(request.id), json=body, key="approve-0001")
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "approved"
    assert answer.json["comment"] == "Paga a los 35 días"
    assert answer.json["decided_by"] == team.boss.full_name
    assert answer.json["covered"] is None
    row = stored(request.id)
    assert row.status == RequestStatus.APPROVED and row.used_at is not None
    assert db.session.get(Order, row.order_id).status == OrderStatus.APPROVED
    again = boss.post(decision_url(request.id), json=body, key="approve-0001")
    assert (again.status_code, again.json) == (200, answer.json)
    uses = db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "override.use"))
    assert uses == 1
    twice = boss.post(decision_url(request.id), json={"decision": "reject"})
    assert twice.status_code == 422
    assert twice.json["error"]["code"] == "override_refused"
    assert twice.json["error"]["fields"] == {"request": ["Esta solicitud ya fue respondida."]}
    assert stored(request.id).status == RequestStatus.APPROVED
    assert boss.get(INBOX).json == {"items": []}


def test_rejecting_needs_no_comment(app, team):
    request = ask(app, team, 12)
    answer = caller(app, team.boss).post(decision_url(request.id), json={"decision": "reject"})
    assert answer.status_code == 200
    assert (answer.json["status"], answer.json["comment"]) == ("rejected", None)
    assert db.session.get(Order, stored(request.id).order_id).status == OrderStatus.REJECTED


def test_an_expired_request_is_refused(app, team):
    request = ask(app, team, 12)
    request.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    boss = caller(app, team.boss)
    answer = boss.post(decision_url(request.id), json={"decision": "approve"})
    assert answer.status_code == 422
    error = answer.json["error"]
    assert error["code"] == "override_refused"
    assert error["message"] == "Esta solicitud venció: el vendedor debe pedirla de nuevo."
    assert set(error["fields"]) == {"request"}
    assert stored(request.id).status == RequestStatus.PENDING
    assert boss.get(INBOX).json == {"items": []}


def test_a_band_that_does_not_cover_is_refused(app, team):
    request = ask(app, team, 17)
    answer = caller(app, team.boss).post(decision_url(request.id), json={"decision": "approve"})
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "override_refused"
    assert "Tu franja no cubre" in answer.json["error"]["message"]
    assert stored(request.id).status == RequestStatus.PENDING


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "decision"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": "approve", "comment": "x" * 501}, "comment"),
        ({"decision": "approve", "extra": 1}, "extra"),
    ],
)
def test_a_bad_body_is_refused_by_field(app, team, body, field):
    request = ask(app, team, 12)
    answer = caller(app, team.boss).post(decision_url(request.id), json=body)
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "invalid"
    assert field in answer.json["error"]["fields"]
    assert stored(request.id).status == RequestStatus.PENDING


def test_unknown_or_out_of_scope_requests_are_404(app, team):
    request = ask(app, team, 12)
    stranger = caller(app, make_team().boss)
    for target in (request.id, 999_999):
        answer = stranger.post(decision_url(target), json={"decision": "approve"})
        assert answer.status_code == 404
        assert answer.json["error"]["code"] == "not_found"
    assert stored(request.id).status == RequestStatus.PENDING


@pytest.mark.parametrize("role", ["salesperson", "collector", "backoffice"])
def test_only_approvers_reach_the_inbox(app, team, role):
    request = ask(app, team, 12)
    other = caller(app, factories.make_user(role))
    assert other.get(INBOX).status_code == 403
    assert other.post(decision_url(request.id), json={"decision": "approve"}).status_code == 403
    assert stored(request.id).status == RequestStatus.PENDING


def test_the_document_declares_both_operations(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "200" in paths["/override-requests"]["get"]["responses"]
    decision = paths["/override-requests/{request_id}/decision"]["post"]
    assert {"200", "404", "422"} <= set(decision["responses"])
