"""GET /api/v1/sync: each client carries its latest cases for the offline card, the ones still
being worked on first; a new case, or a comment on one, brings the client again."""

from app.cases import services
from app.extensions import db
from app.sync import feed
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.cases.conftest import open_case
from tests.sync.test_feed import ids, sync


def test_a_client_carries_its_latest_cases_open_ones_first(api):  # noqa: F811
    seller = api("salesperson")
    shop = factories.make_client(salesperson_id=seller.user.id)
    quiet = factories.make_client(salesperson_id=seller.user.id)
    made = [open_case(shop, seller.user, subject=f"Caso {n}") for n in range(6)]
    services.change_case(made[5], {"state": "closed"}, seller.user)
    db.session.commit()

    entries = {entry["id"]: entry for entry in sync(seller)["clients"]}

    cases = entries[shop.id]["cases"]
    assert len(cases) == feed.CASES_PER_CLIENT == 5
    assert [c["subject"] for c in cases] == ["Caso 4", "Caso 3", "Caso 2", "Caso 1", "Caso 0"]
    assert cases[0]["state"] == "open" and cases[0]["kind"] == "claim"
    assert cases[0]["due_on"] == made[4].due_on.isoformat()
    assert entries[quiet.id]["cases"] == []


def test_a_case_or_a_comment_brings_its_client_again(api):  # noqa: F811
    seller = api("salesperson")
    shop = factories.make_client(salesperson_id=seller.user.id)
    factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    cursor = sync(seller)["cursor"]
    assert sync(seller, cursor)["clients"] == []

    answer = seller.post(
        "/api/v1/cases",
        json={"client_id": shop.id, "kind": "question", "subject": "¿Hay promo?"},
        headers={"Idempotency-Key": "ph-caso-1"},
    )
    assert answer.status_code == 201, answer.json
    body = sync(seller, cursor)
    assert ids(body) == [shop.id]
    [case] = body["clients"][0]["cases"]
    assert (case["id"], case["subject"]) == (answer.json["id"], "¿Hay promo?")

    cursor = body["cursor"]
    seller.post(f"/api/v1/cases/{case['id']}/comments", json={"text": "Sí, la del jueves"})
    assert ids(sync(seller, cursor)) == [shop.id]
