"""Text helpers every domain shares."""

import unicodedata


def fold(text: str) -> str:
    """Lowercase and drop accents: "Núñez" -> "nunez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
