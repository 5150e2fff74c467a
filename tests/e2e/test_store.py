"""The phone's IndexedDB copy across a version of the app that keeps more (static/js/store.js)."""

import pytest

pytestmark = pytest.mark.e2e

# The database as version 1 of the app left it: a cursor, a catalogue and an unsent write.
VERSION_1 = """async () => {
  await new Promise((resolve, reject) => {
    const request = indexedDB.open("clientes-en-ruta", 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta", { keyPath: "key" });
      for (const name of ["clients", "products", "price_lists", "prices", "promotions",
                          "volume_discounts"]) {
        db.createObjectStore(name, { keyPath: "id" });
      }
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

OPENED = """async () => {
  const store = await import("/static/js/store.js");
  const db = await store.openStore();
  return {
    version: db.version,
    stores: [...db.objectStoreNames],
    meta: await store.getMeta(),
    clients: (await store.listClients()).map((c) => c.id),
    outbox: (await db.getAll("outbox")).map((i) => [i.key, i.state]),
  };
}"""


def test_an_older_copy_is_synced_again_from_zero_and_keeps_its_outbox(page):
    page.goto("/manifest.webmanifest")  # the app's origin, without the app's scripts
    page.evaluate(VERSION_1)

    opened = page.evaluate(OPENED)

    assert opened["version"] == 2
    assert {"sale_conditions", "jurisdictions"} <= set(opened["stores"])
    # The next sync starts over (the copy lacks what version 2 keeps of each client)...
    assert opened["meta"]["cursor"] is None
    assert (opened["meta"]["user_id"], opened["meta"]["last_sync"]) == (7, "2026-12-01T10:00:00Z")
    assert opened["clients"] == [5]  # replaced by that full sync, not dropped before it
    # ...and nothing written offline is lost.
    assert opened["outbox"] == [["k-1", "pending"]]
