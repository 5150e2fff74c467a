// Small DOM helpers for the offline views. Markup and words come from the <template>s the
// server rendered into templates/offline/app.html, so nothing here writes HTML or Spanish:
// views clone a template and fill its [data-slot]s with textContent.

let words = null;

/** The server-rendered words, read once: data-word -> element. */
function wordElements() {
  if (words === null) {
    words = new Map();
    const holder = document.getElementById("offline-words");
    for (const element of holder?.content.querySelectorAll("[data-word]") ?? []) {
      words.set(element.dataset.word, element);
    }
  }
  return words;
}

/** Put values into "{name}" placeholders. */
function fillIn(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    name in values ? String(values[name]) : whole,
  );
}

/** A word or sentence of the page in the user's language, its {placeholders} filled. */
export function word(key, values = {}) {
  const element = wordElements().get(key);
  if (!element) return key;
  return fillIn(element.textContent.trim(), values);
}

/** True when the page has this word (e.g. a label for a code). */
export function hasWord(key) {
  return wordElements().has(key);
}

/** A counted phrase, singular or plural as the server's ngettext wrote them; {n} is count. */
export function plural(key, count, values = {}) {
  const element = wordElements().get(key);
  if (!element) return `${count}`;
  const form = count === 1 ? element.dataset.one : element.dataset.other;
  return fillIn(form ?? "", { n: count, ...values });
}

/** The label of a code the sync carries (states:active, payment_methods:cash); else the code. */
export function label(group, code) {
  const key = `${group}:${code}`;
  return hasWord(key) ? word(key) : String(code ?? "");
}

/** A fresh copy of a template's first element. */
export function clone(id) {
  const template = document.getElementById(id);
  if (!template) throw new Error(`no <template id="${id}">`);
  return template.content.firstElementChild.cloneNode(true);
}

/** The element marked data-slot="name" inside root (root itself included). */
export function slot(root, name) {
  if (root.matches?.(`[data-slot="${name}"]`)) return root;
  return root.querySelector(`[data-slot="${name}"]`);
}

/** Set a slot's text; an empty value hides it when hideEmpty. */
export function fill(root, name, text, hideEmpty = false) {
  const element = slot(root, name);
  if (!element) return null;
  element.textContent = text ?? "";
  if (hideEmpty) element.hidden = !text;
  return element;
}

/** Show or hide an element (or the slot of that name in root). */
export function show(element, visible = true) {
  if (element) element.hidden = !visible;
  return element;
}

/** Empty an element. */
export function clear(element) {
  element.replaceChildren();
  return element;
}

/** True when the signed-in user's role grants the action (rendered into the page). */
export function may(action) {
  const granted = document.getElementById("offline-view")?.dataset.permissions ?? "";
  return granted.split(/\s+/).includes(action);
}
