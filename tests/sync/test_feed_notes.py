"""GET /api/v1/sync: each client carries its latest notes, and a new note brings it again."""

from datetime import timedelta

from app.clients.models import ClientNote
from app.core.types import utcnow
from app.extensions import db
from app.sync import feed
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.sync.test_feed import ids, sync


def note(client, text: str, author=None, automatic: bool = False, **fields) -> ClientNote:
    """A note on the client's card."""
    row = ClientNote(
        client_id=client.id,
        text=text,
        automatic=automatic,
        author_id=author.id if author else None,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_a_client_carries_its_latest_20_notes_newest_first_with_their_authors(api):  # noqa: F811
    seller = api("salesperson")
    office = factories.make_user("backoffice", full_name="Marta Oficina")
    shop = factories.make_client(salesperson_id=seller.user.id)
    other = factories.make_client(salesperson_id=seller.user.id)
    quiet = factories.make_client(salesperson_id=seller.user.id)
    start = utcnow() - timedelta(days=30)
    made = [
        note(shop, f"Nota {n}", author=office, created_at=start + timedelta(hours=n))
        for n in range(22)
    ]
    made.append(note(shop, "Estado: activo → moroso", automatic=True))
    trashed = note(shop, "Escrita por error", author=seller.user, deleted_at=utcnow())
    latest = note(shop, "Atiende el dueño de 8 a 12", author=seller.user)
    note(other, "Nota de otro cliente", author=office)
    db.session.commit()

    entries = {entry["id"]: entry for entry in sync(seller)["clients"]}

    notes = entries[shop.id]["notes"]
    assert len(notes) == feed.NOTES_PER_CLIENT == 20
    assert [n["id"] for n in notes] == [latest.id, *(row.id for row in reversed(made))][:20]
    assert trashed.id not in {n["id"] for n in notes}
    first, automatic, manual = notes[0], notes[1], notes[2]
    assert first["text"] == "Atiende el dueño de 8 a 12"
    assert (first["author"], first["author_id"], first["automatic"]) == (
        seller.user.full_name,
        seller.user.id,
        False,
    )
    assert (automatic["author"], automatic["automatic"]) == (None, True)
    assert (manual["text"], manual["author"]) == ("Nota 21", "Marta Oficina")
    assert manual["created_at"].startswith((start + timedelta(hours=21)).strftime("%Y-%m-%dT%H:%M"))
    assert [n["text"] for n in entries[other.id]["notes"]] == ["Nota de otro cliente"]
    assert entries[quiet.id]["notes"] == []


def test_a_new_note_brings_its_client_again_with_a_new_change_number(api):  # noqa: F811
    seller = api("salesperson")
    shop = factories.make_client(salesperson_id=seller.user.id)
    factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    cursor = sync(seller)["cursor"]
    assert sync(seller, cursor)["clients"] == []

    # The phone's outbox sends the note written offline.
    answer = seller.post(
        f"/api/v1/clients/{shop.id}/notes",
        json={"text": "Pide que lo visiten los martes."},
        headers={"Idempotency-Key": "ph-nota-1"},
    )
    assert answer.status_code == 201, answer.json

    body = sync(seller, cursor)
    assert ids(body) == [shop.id]
    assert int(body["cursor"].split(".")[0]) > int(cursor.split(".")[0])
    [written] = body["clients"][0]["notes"]
    assert (written["id"], written["text"], written["author"]) == (
        answer.json["id"],
        "Pide que lo visiten los martes.",
        seller.user.full_name,
    )
    assert db.session.get(ClientNote, written["id"]).change_seq > int(cursor.split(".")[0])
    assert sync(seller, body["cursor"])["clients"] == []
