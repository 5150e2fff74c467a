// A client's notes on the offline card: the copy's latest ones (the sync brings them newest
// first, with their author), under the notes this phone wrote that are still in its outbox:
// "sin enviar" until the server takes them, then plain until a sync brings them in the copy.

import { clear, clone, fill, show, slot } from "./dom.js";
import { moment } from "./format.js";

const UNSENT = ["pending", "sending", "signin"];

/** The text of a note write: an API call's JSON body, or a kept server form's fields. */
function noteText(item) {
  if (item.format === "form") return new URLSearchParams(item.body).get("text") ?? "";
  return item.body?.text ?? "";
}

/** The copy already holds the note this write made (by the server's id, else by its text). */
function inCopy(item, notes) {
  const id = item.result?.id;
  if (id) return notes.some((note) => note.id === id);
  const text = noteText(item).trim();
  return notes.some((note) => !note.automatic && note.text === text);
}

/**
 * The notes the card shows, newest first: this phone's note writes for the client the server
 * has not refused and the copy does not hold yet (unsent ones on top, marked), then the copy's.
 */
export function cardNotes(client, items) {
  const notes = client.notes ?? [];
  const written = items
    .filter((item) => item.kind === "note" && item.client_id === client.id)
    .filter((item) => UNSENT.includes(item.state) || (item.state === "done" && !inCopy(item, notes)))
    .sort((a, b) => b.id - a.id)
    .map((item) => ({
      id: null,
      outbox_id: item.id,
      text: noteText(item),
      automatic: false,
      author: null,
      created_at: item.created_at,
      unsent: UNSENT.includes(item.state),
    }));
  const unsent = written.filter((note) => note.unsent);
  const arrived = written.filter((note) => !note.unsent);
  return [...unsent, ...arrived, ...notes.map((note) => ({ ...note, unsent: false }))];
}

/** Draw the card's notes into its notes section. */
export function showNotes(section, client, items) {
  const list = clear(slot(section, "notes"));
  for (const note of cardNotes(client, items)) {
    const row = clone("tpl-note");
    row.classList.toggle("auto", Boolean(note.automatic));
    row.classList.toggle("unsent", note.unsent);
    if (note.outbox_id) row.dataset.outboxId = note.outbox_id;
    fill(row, "text", note.text);
    fill(row, "when", moment(note.created_at));
    fill(row, "author", note.author ? ` · ${note.author}` : "", true);
    show(slot(row, "automatic"), Boolean(note.automatic) && !note.author);
    show(slot(row, "unsent"), note.unsent);
    list.append(row);
  }
  show(slot(section, "no-notes"), list.children.length === 0);
}
