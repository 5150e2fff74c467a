"""POST /api/v1/clients/<id>/notes: a note on the card, once per key, refused by field."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.clients.models import ClientNote
from app.core.types import utcnow
from app.extensions import db
from tests import factories
from tests.api.test_clients import api, audit_rows, count  # noqa: F401  (fixture)
from tests.api.test_session import cookie_api  # noqa: F401  (fixture)

REQUIRED = ["Este campo es obligatorio."]


@pytest.fixture
def seller_and_client(api):  # noqa: F811
    """A salesperson with a token, and one of their clients."""
    seller = api("salesperson", full_name="Laura Gómez")
    client = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    return seller, client


def notes_url(client) -> str:
    return f"/api/v1/clients/{client.id}/notes"


def test_a_note_is_added_to_the_card_with_its_author_and_audit_row(seller_and_client):
    seller, client = seller_and_client
    answer = seller.post(notes_url(client), json={"text": "  Atiende de 8 a 12  "})
    assert answer.status_code == 201, answer.json
    note = db.session.scalars(sa.select(ClientNote)).one()
    assert answer.json == {
        "id": note.id,
        "client_id": client.id,
        "text": "Atiende de 8 a 12",
        "author_id": seller.user.id,
        "author": "Laura Gómez",
        "created_at": answer.json["created_at"],
    }
    assert datetime.fromisoformat(answer.json["created_at"]).tzinfo is not None
    assert note.text == "Atiende de 8 a 12" and note.author_id == seller.user.id
    assert not note.automatic
    [entry] = audit_rows("client.note")
    assert (entry.entity_type, entry.entity_id) == ("client", str(client.id))
    assert entry.actor_id == seller.user.id and entry.after == {"note": "Atiende de 8 a 12"}


def test_the_note_shows_on_the_card_like_one_from_the_form(cookie_api):  # noqa: F811
    collector = cookie_api("collector")
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    answer = collector.post(notes_url(client), {"text": "Dejar el recibo en la caja"})
    assert answer.status_code == 201, answer.json
    card = collector.browser.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Dejar el recibo en la caja" in card


def test_the_same_key_twice_adds_one_note_and_answers_the_same(seller_and_client):
    seller, client = seller_and_client
    body = {"text": "Pidió lista nueva"}
    first = seller.post(notes_url(client), json=body, key="nota-0001-abcd")
    again = seller.post(notes_url(client), json=body, key="nota-0001-abcd")
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(ClientNote) == 1 and len(audit_rows("client.note")) == 1
    other = seller.post(notes_url(client), json={"text": "Otra"}, key="nota-0001-abcd")
    assert other.status_code == 422
    assert other.json["error"]["code"] == "idempotency_key_reused"
    assert count(ClientNote) == 1


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"text": REQUIRED}),
        ({"text": ""}, {"text": REQUIRED}),
        ({"text": "   \n  "}, {"text": REQUIRED}),
        ({"text": None}, {"text": REQUIRED}),
        ({"text": 12}, {"text": ["Tiene que ser un texto."]}),
        ({"text": "x" * 2001}, {"text": ["Como máximo 2000 caracteres."]}),
        ({"text": "Hola", "urgent": True}, {"urgent": ["Campo desconocido."]}),
        ({"text": "con \x00 adentro"}, {"text": ["El valor no es válido."]}),
        (["Hola"], {"_body": ["Se esperaba un objeto JSON."]}),
    ],
)
def test_bad_text_is_refused_by_field_and_writes_nothing(seller_and_client, body, fields):
    seller, client = seller_and_client
    answer = seller.post(notes_url(client), json=body, key="nota-mala-0001")
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "invalid"
    assert answer.json["error"]["fields"] == fields
    assert count(ClientNote) == 0 and audit_rows("client.note") == []
    # A refused request does not use up its key: the fixed note goes through with it.
    fixed = seller.post(notes_url(client), json={"text": "Corregida"}, key="nota-mala-0001")
    assert fixed.status_code == 201 and count(ClientNote) == 1


def test_the_longest_note_the_form_takes_is_taken(seller_and_client):
    seller, client = seller_and_client
    answer = seller.post(notes_url(client), json={"text": "x" * 2000})
    assert answer.status_code == 201 and len(answer.json["text"]) == 2000


def test_a_client_out_of_scope_or_in_the_trash_is_404_and_gets_nothing(
    seller_and_client,
    api,  # noqa: F811
):
    seller, _client = seller_and_client
    stranger = factories.make_client(salesperson_id=factories.make_user("salesperson").id)
    trashed = factories.make_client(salesperson_id=seller.user.id, deleted_at=utcnow())
    db.session.commit()
    for target in (stranger, trashed):
        answer = seller.post(notes_url(target), json={"text": "Hola"})
        assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"
    assert seller.post("/api/v1/clients/999999/notes", json={"text": "Hola"}).status_code == 404
    office = api("backoffice")
    assert office.post(notes_url(stranger), json={"text": "Desde la oficina"}).status_code == 201
    assert count(ClientNote) == 1


def test_the_operation_is_documented_with_its_key(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/clients/{client_id}/notes"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    assert {"201", "401", "404", "422"} <= set(operation["responses"])
    note = spec["components"]["schemas"]["ClientNote"]
    assert note["required"] == ["text"]
    assert note["properties"]["text"]["maxLength"] == 2000
