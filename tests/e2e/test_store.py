"""The phone's IndexedDB copy (static/js/store.js, sync.js): across a version of the app that
keeps more, and when the user's scope changes with no client changing."""

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.auth.services import UserData, update_user
from app.clients.models import Client
from app.clients.services import scoped_clients
from app.extensions import db
from tests.e2e.conftest import wait_for_sync

pytestmark = pytest.mark.e2e

# The database as an older version of the app left it: a cursor, a catalogue and an unsent write.
OLD_COPY = """async ([version, stores]) => {
  await new Promise((resolve, reject) => {
    const request = indexedDB.open("clientes-en-ruta", version);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta", { keyPath: "key" });
      for (const name of stores) db.createObjectStore(name, { keyPath: "id" });
      db.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
    };
    request.onsuccess = () => {
      const db = request.result;
      const tx = db.transaction(["meta", "clients", "outbox"], "readwrite");
      tx.objectStore("meta").put({ key: "sync", user_id: 7, cursor: "4321",
                                   last_sync: "2026-12-01T10:00:00Z" });
      tx.objectStore("clients").put({ id: 5, legal_name: "Almacén Viejo" });
      tx.objectStore("outbox").put({ key: "k-1", kind: "note", state: "pending" });
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
    request.onerror = () => reject(request.error);
  });
}"""
VERSION_1_STORES = [
    "clients",
    "products",
    "price_lists",
    "prices",
    "promotions",
    "volume_discounts",
]
VERSION_2_STORES = [*VERSION_1_STORES, "sale_conditions", "jurisdictions"]
VERSION_3_STORES = [*VERSION_2_STORES, "visit_reasons"]

OPENED = """async () => {
  // On an app page, the store the page runs; elsewhere (no app scripts) any URL will do.
  const root = document.documentElement.dataset.static || "/static/";
  const store = await import(root + "js/store.js");
  const db = await store.openStore();
  return {
    version: db.version,
    stores: [...db.objectStoreNames],
    meta: await store.getMeta(),
    clients: (await store.listClients()).map((c) => c.id),
    outbox: (await db.getAll("outbox")).map((i) => [i.key, i.state]),
  };
}"""


@pytest.mark.parametrize(
    ("version", "stores"),
    # version 4 added no store (each client's notes), version 5 none either (its cases)
    [(1, VERSION_1_STORES), (2, VERSION_2_STORES), (3, VERSION_3_STORES), (4, VERSION_3_STORES)],
    ids=["v1", "v2", "v3", "v4"],
)
def test_an_older_copy_is_synced_again_from_zero_and_keeps_its_outbox(page, version, stores):
    page.goto("/manifest.webmanifest")  # the app's origin, without the app's scripts
    page.evaluate(OLD_COPY, [version, stores])

    opened = page.evaluate(OPENED)

    assert opened["version"] == 5
    assert {"sale_conditions", "jurisdictions", "visit_reasons"} <= set(opened["stores"])
    # The next sync starts over (the copy lacks what the new version keeps of each client)...
    assert opened["meta"]["cursor"] is None
    assert (opened["meta"]["user_id"], opened["meta"]["last_sync"]) == (7, "2026-12-01T10:00:00Z")
    assert opened["clients"] == [5]  # replaced by that full sync, not dropped before it
    # ...and nothing written offline is lost.
    assert opened["outbox"] == [["k-1", "pending"]]


CLIENT_IDS = """async () => {
  const store = await import(document.documentElement.dataset.static + "js/store.js");
  return (await store.listClients()).map((c) => c.id).sort((a, b) => a - b);
}"""

SYNC_NOW = """async () => {
  const { syncNow } = await import(document.documentElement.dataset.static + "js/sync.js");
  return syncNow();
}"""


@pytest.fixture
def team_of(live_app):
    """Move demo users out of the supervisor's team on the server; put back afterwards."""
    moved: list[int] = []

    def leave(*usernames: str) -> None:
        with live_app.app_context():
            for username in usernames:
                user = db.session.scalar(sa.select(User).where(User.username == username))
                fields = {name: getattr(user, name) for name in UserData.__dataclass_fields__}
                moved.append((user.id, user.supervisor_id))
                update_user(user, UserData(**(fields | {"supervisor_id": None})))
            db.session.commit()
            db.session.remove()

    yield leave
    with live_app.app_context():
        for user_id, supervisor_id in moved:
            db.session.get(User, user_id).supervisor_id = supervisor_id
        db.session.commit()
        db.session.remove()


def scope_ids(live_app, username: str) -> list[int]:
    """The ids of the clients the server puts in the user's scope now."""
    with live_app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        found = sorted(db.session.scalars(scoped_clients(user).with_only_columns(Client.id)))
        db.session.remove()
    return found


def test_a_supervisor_whose_team_shrinks_forgets_those_clients(page, sign_in, live_app, team_of):
    sign_in("supervisor")
    wait_for_sync(page)
    before = scope_ids(live_app, "supervisor")
    assert page.evaluate(CLIENT_IDS) == before

    team_of("vendedor3", "cobrador2")  # no client row changes
    after = scope_ids(live_app, "supervisor")
    assert 0 < len(after) < len(before)

    assert page.evaluate(SYNC_NOW)["ok"] is True
    assert page.evaluate(CLIENT_IDS) == after
