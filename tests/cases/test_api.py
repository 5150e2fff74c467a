"""The cases API: open (once per Idempotency-Key), list in scope, read, change, comment."""

import sqlalchemy as sa

from app.cases.models import Case, CaseEvent
from app.extensions import db
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.cases.conftest import open_case


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_a_case_is_opened_once_per_key(api):  # noqa: F811
    seller = api("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    body = {"client_id": client.id, "kind": "claim", "subject": "Faltan 2 cajas",
            "description": "Remito 0001-00001234"}  # fmt: skip
    first = seller.post("/api/v1/cases", json=body, key="case-api-0001")
    again = seller.post("/api/v1/cases", json=body, key="case-api-0001")
    assert first.status_code == again.status_code == 201
    assert first.json == again.json and again.headers["Idempotent-Replayed"] == "true"
    answer = first.json
    assert answer["state"] == "open" and answer["kind"] == "claim" and answer["overdue"] is False
    assert [e["action"] for e in answer["events"]] == ["created"]
    assert count(Case, Case.client_id == client.id) == 1
    other = seller.post("/api/v1/cases", json=body | {"subject": "Otro"}, key="case-api-0001")
    assert other.status_code == 422


def test_bad_cases_are_refused_with_field_details(api):  # noqa: F811
    seller = api("salesperson")
    mine = factories.make_client(salesperson_id=seller.user.id)
    stranger = factories.make_client()
    db.session.commit()
    answer = seller.post("/api/v1/cases", json={"client_id": mine.id, "kind": "gripe"})
    assert answer.status_code == 422
    fields = answer.json["error"]["fields"]
    assert set(fields) == {"kind", "subject"}
    away = seller.post(
        "/api/v1/cases", json={"client_id": stranger.id, "kind": "claim", "subject": "x"}
    )
    assert away.status_code == 422 and away.json["error"]["fields"] == {"client_id": ["No existe."]}
    assert count(Case) == 0


def test_the_list_is_scoped_and_filtered(api):  # noqa: F811
    seller = api("salesperson")
    mine = factories.make_client(salesperson_id=seller.user.id)
    theirs = factories.make_client()
    claim = open_case(mine, kind="claim")
    question = open_case(mine, kind="question")
    hidden = open_case(theirs)
    db.session.commit()
    listed = seller.get(f"/api/v1/cases?client_id={mine.id}").json
    assert {c["id"] for c in listed["items"]} == {claim.id, question.id}
    assert listed["total"] == 2 and listed["next"] is None
    assert [c["id"] for c in seller.get("/api/v1/cases?kind=question").json["items"]] == [
        question.id
    ]
    assert seller.get("/api/v1/cases?state=closed").json["items"] == []
    assert seller.get("/api/v1/cases?state=lost").status_code == 422
    assert seller.get(f"/api/v1/cases/{hidden.id}").status_code == 404
    assert seller.get(f"/api/v1/cases/{claim.id}").json["id"] == claim.id


def test_patch_moves_the_state_and_refuses_a_bad_transition(api):  # noqa: F811
    office = api("backoffice")
    case = open_case(factories.make_client(), kind="return")
    db.session.commit()
    moved = office.patch(
        f"/api/v1/cases/{case.id}",
        json={"state": "resolved", "credit_amount": "300.00", "owner_id": office.user.id},
        key="case-patch-0001",
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["state"] == "resolved" and moved.json["credit_note_amount"] == "300.00"
    assert moved.json["owner"] == office.user.full_name
    closed = office.patch(f"/api/v1/cases/{case.id}", json={"state": "closed"})
    assert closed.status_code == 200
    back = office.patch(f"/api/v1/cases/{case.id}", json={"state": "in_progress"})
    assert back.status_code == 422
    assert back.json["error"]["fields"] == {"state": ["Un caso cerrado no puede pasar a en curso."]}
    reopen = office.patch(f"/api/v1/cases/{case.id}", json={"state": "open"})
    assert reopen.json["error"]["fields"] == {
        "note": ["Para reabrir un caso cerrado, escribí el motivo."]
    }
    unknown = office.patch(f"/api/v1/cases/{case.id}", json={"colour": "red"})
    assert unknown.status_code == 422 and "colour" in unknown.json["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "closed"


def test_a_salesperson_cannot_assign_cases(api):  # noqa: F811
    seller = api("salesperson")
    case = open_case(factories.make_client(salesperson_id=seller.user.id))
    db.session.commit()
    answer = seller.patch(f"/api/v1/cases/{case.id}", json={"owner_id": seller.user.id})
    assert answer.status_code == 422 and "owner_id" in answer.json["error"]["fields"]


def test_comments_land_in_the_history_once(api):  # noqa: F811
    collector = api("collector")
    case = open_case(factories.make_client(collector_id=collector.user.id))
    db.session.commit()
    first = collector.post(
        f"/api/v1/cases/{case.id}/comments", json={"text": "Pasé y no estaba"}, key="comment-0001"
    )
    collector.post(
        f"/api/v1/cases/{case.id}/comments", json={"text": "Pasé y no estaba"}, key="comment-0001"
    )
    assert first.status_code == 201
    assert first.json["action"] == "comment" and first.json["user"] == collector.user.full_name
    assert count(CaseEvent, CaseEvent.case_id == case.id, CaseEvent.action == "comment") == 1
    empty = collector.post(f"/api/v1/cases/{case.id}/comments", json={"text": ""})
    assert empty.status_code == 422
