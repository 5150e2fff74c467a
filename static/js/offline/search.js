// Search as the online list does it (search_tokens in app/clients/rules.py): every word typed
// must appear in the row's key; case, accents and punctuation inside a word are ignored, so
// "nuñez" finds "Núñez" and "20-12345678-6" finds the compact tax id.

/** Lowercase without accents: "Núñez" -> "nunez". */
export function fold(text) {
  return String(text ?? "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The words of a text, folded, punctuation removed inside each word. */
export function tokens(text) {
  return fold(text)
    .split(/\s+/)
    .map((part) => part.replace(/[^0-9a-z]+/g, ""))
    .filter(Boolean);
}

/** The text a row is found by: every token of its fields. */
export function searchKey(...fields) {
  return ` ${fields.flatMap(tokens).join(" ")} `;
}

/** True when every word of the query (at most eight, as the server) is in the key. */
export function matches(key, query) {
  return tokens(query)
    .slice(0, 8)
    .every((token) => key.includes(token));
}
