"""Pure rules of the client master: search keys, pickup verification, required attributes."""

import re
from dataclasses import dataclass
from datetime import date

from app.core.text import fold

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def search_tokens(text: str) -> list[str]:
    """Words of a query or a field, folded, punctuation removed inside each word.

    "20-12345678-6" stays one token ("20123456786"), so a tax id typed with dashes finds
    the stored compact number; "kiosco@gmail.com" becomes "kioscogmailcom".
    """
    return [token for word in fold(text).split() if (token := _NOT_WORD.sub("", word))]


def search_key(*fields: str | None) -> str:
    """The text a client is found by: every token of its searchable fields."""
    return " " + " ".join(t for field in fields if field for t in search_tokens(field)) + " "


@dataclass(frozen=True)
class Pickup:
    """An authorised pickup person as the verification needs it."""

    name: str
    document: str
    valid_from: date | None
    valid_to: date | None


def compact_document(text: str | None) -> str:
    """A document number without dots, dashes or spaces, letters upper-cased: "23.456.789"."""
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


def pickup_allowed(pickup: Pickup, document: str, today: date) -> bool:
    """True when this person's document matches and today is within the validity dates."""
    wanted = compact_document(document)
    if not wanted or wanted != compact_document(pickup.document):
        return False
    if pickup.valid_from and today < pickup.valid_from:
        return False
    return not (pickup.valid_to and today > pickup.valid_to)
