// The phone's copy of "my clients" and the outbox, in IndexedDB (never localStorage).
// Shared by the pages and the service worker, so it only uses what both have.
import { openDB } from "../vendor/idb.js";

export const DB_NAME = "clientes-en-ruta";
export const CATALOGUE = [
  "products",
  "price_lists",
  "prices",
  "promotions",
  "volume_discounts",
  "sale_conditions",
  "visit_reasons",
  "jurisdictions", // sent whole with every sync: replaced, not merged
];
export const REPLACED = ["jurisdictions"];
const LOCAL_DATA = ["clients", ...CATALOGUE];
const META_KEY = "sync";
// Outbox states that still have to reach the server.
export const UNSENT = ["pending", "sending", "signin"];

let opening = null;

/** The database, opened once per page or worker. */
export function openStore() {
  if (!opening) {
    opening = openDB(DB_NAME, 5, {
      async upgrade(db, oldVersion, _newVersion, tx) {
        const keys = { meta: { keyPath: "key" }, outbox: { keyPath: "id", autoIncrement: true } };
        for (const name of ["meta", ...LOCAL_DATA, "outbox"]) {
          if (!db.objectStoreNames.contains(name)) {
            db.createObjectStore(name, keys[name] ?? { keyPath: "id" });
          }
        }
        if (oldVersion > 0) {
          // Each version keeps more than the one before (2: each client's sale condition and
          // IIBB; 3: visit plans, visits and the visit reasons; 4: each client's latest notes;
          // 5: each client's latest cases):
          // sync again from zero, so the copy has it all. The outbox stays as it is.
          const meta = tx.objectStore("meta");
          const current = await meta.get(META_KEY);
          if (current) await meta.put({ ...current, cursor: null });
        }
      },
      blocking() {
        // A newer version wants the database: let it, this page reopens on next use.
        opening?.then((db) => db.close());
        opening = null;
      },
    });
  }
  return opening;
}

const EMPTY_META = {
  key: META_KEY,
  user_id: null,
  cursor: null,
  last_sync: null,
  on: null,
  last_error: null,
  last_error_at: null, // when the last sync failed (ms)
};

/** Who the copy belongs to, its cursor and when it was last brought up to date. */
export async function getMeta() {
  const db = await openStore();
  return { ...EMPTY_META, ...(await db.get("meta", META_KEY)) };
}

/** Change some meta fields (inside `tx` when given, so they land with the data). */
export async function setMeta(changes, tx = null) {
  const own = tx || (await openStore()).transaction("meta", "readwrite");
  const store = own.objectStore("meta");
  const current = { ...EMPTY_META, ...(await store.get(META_KEY)) };
  await store.put({ ...current, ...changes, key: META_KEY });
  if (!tx) await own.done;
}

export async function listClients() {
  return (await openStore()).getAll("clients");
}

export async function getClient(id) {
  return (await openStore()).get("clients", Number(id));
}

/** Every catalogue row the phone holds, by kind. */
export async function getCatalogue() {
  const db = await openStore();
  const tx = db.transaction(CATALOGUE);
  const rows = await Promise.all(CATALOGUE.map((name) => tx.objectStore(name).getAll()));
  await tx.done;
  return Object.fromEntries(CATALOGUE.map((name, i) => [name, rows[i]]));
}

/** The reasons for a stop without an order or skipped, in the office's order. */
export async function listVisitReasons() {
  const reasons = await (await openStore()).getAll("visit_reasons");
  return reasons.sort((a, b) => a.position - b.position || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** How many outbox items have not reached the server yet. */
export async function unsentCount() {
  const items = await (await openStore()).getAll("outbox");
  return items.filter((item) => UNSENT.includes(item.state)).length;
}

/** Forget the clients, the catalogue and the cursor. Refused while writes are unsent. */
export async function clearLocalData() {
  if ((await unsentCount()) > 0) {
    const error = new Error("unsent items in the outbox");
    error.code = "pending";
    throw error;
  }
  const db = await openStore();
  const tx = db.transaction([...LOCAL_DATA, "meta", "outbox"], "readwrite");
  await Promise.all([...LOCAL_DATA, "meta", "outbox"].map((name) => tx.objectStore(name).clear()));
  await tx.done;
}
