// The outbox's rules (static/js/outbox-rules.js): the backoff after a failed try and how the
// network's return ends it, which items "Pendientes" lists and which it keeps as sent history;
// and the card's notes with the ones still on the phone (static/js/offline/notes.js).
// Run: node --test tests/js/

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  SENT_KEPT_MS,
  SENT_SHOWN,
  backoffMs,
  forgettable,
  mayWaitForNetwork,
  needsAttention,
  pendingList,
  sendAtOnce,
  waitsForNetwork,
} from "../../static/js/outbox-rules.js";
import { cardNotes } from "../../static/js/offline/notes.js";

const NOW = Date.parse("2027-01-04T15:00:00Z");
const HOUR = 60 * 60_000;

function item(id, fields = {}) {
  return {
    id,
    kind: "note",
    state: "pending",
    attempts: 0,
    created_at: new Date(NOW - HOUR).toISOString(),
    sent_at: null,
    next_try_at: 0,
    tried_at: null,
    problem: null,
    error: null,
    ...fields,
  };
}

/** An item whose try started at `tried` (ms) failed on the network: it waits 5 s from then. */
function failedOnNetwork(id, tried) {
  return item(id, { attempts: 1, tried_at: tried, problem: "network", next_try_at: tried + backoffMs(1) });
}

describe("backoff", () => {
  test("doubles from 5 s to at most 5 min", () => {
    assert.deepEqual([1, 2, 3, 4].map(backoffMs), [5_000, 10_000, 20_000, 40_000]);
    assert.equal(backoffMs(10), 5 * 60_000);
    assert.equal(backoffMs(0), 5_000);
  });
});

describe("the network's return ends the backoff", () => {
  const failed = failedOnNetwork(1, NOW);

  test("an online event one second after the failure: it goes at once", () => {
    const back = NOW + 1_000;
    assert.ok(failed.next_try_at > back); // the backoff alone would hold it 4 s more
    assert.ok(waitsForNetwork(failed, back));
    const reset = sendAtOnce(failed);
    assert.ok(reset.next_try_at <= back);
    assert.equal(reset.problem, null); // no longer "Sin conexión con el servidor"
    assert.equal(reset.error, null);
    assert.deepEqual({ ...reset, next_try_at: failed.next_try_at, problem: "network" }, failed);
  });

  test("the server answering a request started after the failure: it goes at once", () => {
    assert.ok(waitsForNetwork(failed, NOW + 200));
  });

  test("an answer to a request started before the failed try does not end the wait", () => {
    // e.g. the session check of the very pass whose write then lost its answer: retrying at
    // once would loop as fast as the network loses answers.
    assert.equal(waitsForNetwork(failed, NOW - 50), false);
    assert.equal(waitsForNetwork(failed, NOW), false);
  });

  test("only a network failure: a busy server's backoff holds, and so do other states", () => {
    const busy = { ...failed, problem: "server" };
    assert.equal(waitsForNetwork(busy, NOW + 1_000), false);
    for (const state of ["signin", "sending", "done", "rejected"]) {
      assert.equal(waitsForNetwork({ ...failed, state }, NOW + 1_000), false, state);
    }
  });

  test("an item on its way since before the return may fail on the network: the pass after it retries", () => {
    const onItsWay = item(2, { state: "sending", tried_at: NOW - 300 });
    assert.ok(mayWaitForNetwork(onItsWay, NOW));
    assert.equal(mayWaitForNetwork({ ...onItsWay, tried_at: NOW + 10 }, NOW), false);
    assert.ok(mayWaitForNetwork(failed, NOW + 1));
    assert.equal(mayWaitForNetwork(item(3), NOW), false); // never tried: nothing to wait for
  });
});

describe("the Pendientes list", () => {
  const sentAgo = (id, ms, fields = {}) =>
    item(id, { state: "done", status: 201, sent_at: new Date(NOW - ms).toISOString(), ...fields });
  const items = [
    sentAgo(1, 3 * HOUR),
    item(2, { state: "rejected", status: 422, error: "El cliente no existe." }),
    sentAgo(3, 2 * HOUR),
    item(4, { state: "signin", problem: "signin" }),
    sentAgo(5, SENT_KEPT_MS + HOUR), // sent yesterday morning
    item(6, { state: "sending" }),
    failedOnNetwork(7, NOW - 10_000),
  ];

  test("lists what is not sent and what the server refused, newest first", () => {
    const { pending } = pendingList(items, NOW);
    assert.deepEqual(pending.map((i) => i.id), [7, 6, 4, 2]);
  });

  test("what the server took leaves it by itself, into the last day's history, last sent first", () => {
    const { sent } = pendingList(items, NOW);
    assert.deepEqual(sent.map((i) => i.id), [3, 1]);
  });

  test("the history shows at most the last SENT_SHOWN", () => {
    const many = Array.from({ length: 26 }, (_, n) => sentAgo(n + 1, (26 - n) * 60_000));
    const { pending, sent } = pendingList(many, NOW);
    assert.equal(pending.length, 0);
    assert.equal(sent.length, SENT_SHOWN);
    assert.deepEqual(sent.slice(0, 2).map((i) => i.id), [26, 25]);
  });

  test("the nav badge counts unsent and refused, not sent", () => {
    assert.equal(items.filter(needsAttention).length, 4);
  });

  test("the phone forgets what was sent more than a day ago, and nothing else", () => {
    assert.deepEqual(items.filter((i) => forgettable(i, NOW)).map((i) => i.id), [5]);
    const oldRefusal = item(8, { state: "rejected", created_at: new Date(NOW - 3 * SENT_KEPT_MS).toISOString() });
    assert.equal(forgettable(oldRefusal, NOW), false);
  });
});

describe("the card's notes", () => {
  const client = {
    id: 12,
    notes: [
      { id: 31, text: "Cambió de dueño", automatic: false, author: "Ana Ruiz", created_at: "2027-01-03T12:00:00Z" },
      { id: 30, text: "Estado: activo → moroso", automatic: true, author: null, created_at: "2027-01-02T09:00:00Z" },
    ],
  };
  const note = (id, text, fields = {}) =>
    item(id, { client_id: 12, url: "/api/v1/clients/12/notes", format: "json", body: { text }, ...fields });

  test("the copy's notes, newest first, when the phone wrote none", () => {
    assert.deepEqual(cardNotes(client, []).map((n) => n.id), [31, 30]);
    assert.deepEqual(cardNotes({ id: 12 }, []), []);
  });

  test("a note written offline on top, marked unsent, until the server takes it", () => {
    const notes = cardNotes(client, [note(1, "Pide que lo visiten los martes.")]);
    assert.deepEqual(
      notes.map((n) => [n.text, n.unsent]),
      [["Pide que lo visiten los martes.", true], ["Cambió de dueño", false], ["Estado: activo → moroso", false]],
    );
    const signin = cardNotes(client, [note(1, "Sin sesión", { state: "signin" })]);
    assert.equal(signin[0].unsent, true);
  });

  test("sent, it stays (no longer marked) until a sync brings it into the copy", () => {
    const sent = note(1, "Pide que lo visiten los martes.", { state: "done", result: { id: 32 } });
    assert.deepEqual(cardNotes(client, [sent]).map((n) => [n.text, n.unsent]).slice(0, 1), [
      ["Pide que lo visiten los martes.", false],
    ]);
    const synced = { ...client, notes: [{ id: 32, text: "Pide que lo visiten los martes.", automatic: false }, ...client.notes] };
    assert.deepEqual(cardNotes(synced, [sent]).map((n) => n.id), [32, 31, 30]);
  });

  test("a kept server form's note reads its text from the form, and is matched by it", () => {
    const kept = note(2, null, { format: "form", body: "csrf_token=x&text=Cerrado+por+vacaciones&idempotency_key=k" });
    assert.equal(cardNotes(client, [kept])[0].text, "Cerrado por vacaciones");
    const arrived = { ...kept, state: "done", result: null };
    const synced = { ...client, notes: [{ id: 33, text: "Cerrado por vacaciones", automatic: false }, ...client.notes] };
    assert.deepEqual(cardNotes(synced, [arrived]).map((n) => n.id), [33, 31, 30]);
  });

  test("refused notes, other clients' notes and other writes are not notes of the card", () => {
    const items = [
      note(1, "Rechazada", { state: "rejected" }),
      note(2, "De otro", { client_id: 99 }),
      item(3, { kind: "order", client_id: 12, body: { lines: [] } }),
    ];
    assert.deepEqual(cardNotes(client, items).map((n) => n.id), [31, 30]);
  });

  test("two notes written offline: the last one first", () => {
    const notes = cardNotes(client, [note(1, "Primera"), note(2, "Segunda")]);
    assert.deepEqual(notes.slice(0, 2).map((n) => n.text), ["Segunda", "Primera"]);
  });
});
