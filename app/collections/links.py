"""Links a collector taps on the phone: call the client, or open WhatsApp with a reminder.

Plain values in, plain text out. Nothing is sent by the server: wa.me opens the collector's
own WhatsApp with the text written in, and the collector decides to send it.
"""

import re
from urllib.parse import quote

ARGENTINA = "54"
MOBILE = "9"  # Argentine mobiles are dialled from abroad as +54 9 <area> <number>
NATIONAL_DIGITS = 10  # area code and local number, without the trunk 0 or the 15
MIN_DIGITS, MAX_DIGITS = 8, 15  # E.164 allows up to 15


def tel_href(raw: str | None) -> str | None:
    """A tel: link for the phone as written ("011 4567-8901" -> "tel:01145678901")."""
    if not raw:
        return None
    number = re.sub(r"[^\d+]", "", raw)
    number = number[0] + number[1:].replace("+", "") if number else ""
    return f"tel:{number}" if len(number.lstrip("+")) >= 6 else None


def whatsapp_number(raw: str | None) -> str | None:
    """The international digits wa.me wants; Argentine numbers get their 549 prefix.

    "11 4567-8901", "011 15 4567-8901", "+54 11 4567-8901" -> "5491145678901".
    A number written with another country's prefix ("+598 ...") is kept as it is.
    """
    if not raw:
        return None
    international = raw.strip().startswith(("+", "00"))
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("00"):
        digits = digits[2:]
    if international and not digits.startswith(ARGENTINA):
        return digits if MIN_DIGITS <= len(digits) <= MAX_DIGITS else None
    if digits.startswith(ARGENTINA) and (international or len(digits) > NATIONAL_DIGITS + 1):
        digits = digits[len(ARGENTINA) :]
        if digits.startswith(MOBILE):
            digits = digits[len(MOBILE) :]
    national = _national(digits.removeprefix("0"))
    return ARGENTINA + MOBILE + national if national else None


def _national(digits: str) -> str | None:
    """The ten national digits: area code and number, the mobile "15" taken out."""
    if len(digits) == NATIONAL_DIGITS + 2:
        # "15" goes right after the area code, which has 2, 3 or 4 digits.
        for area in (2, 3, 4):
            if digits[area : area + 2] == "15":
                return digits[:area] + digits[area + 2 :]
        return None
    return digits if len(digits) == NATIONAL_DIGITS else None


def whatsapp_url(raw: str | None, text: str) -> str | None:
    """https://wa.me/<number>?text=<the message>, or None without a usable number."""
    number = whatsapp_number(raw)
    if number is None:
        return None
    return f"https://wa.me/{number}?text={quote(text, safe='')}"
