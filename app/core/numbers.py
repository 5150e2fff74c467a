"""Numbers as people type them here (es-AR): the one reader of typed amounts and quantities.

static/js/offline/format.js (decimalText) follows the same rule for the phone's offline forms;
tests/core/number_cases.json holds the cases both sides pass.
"""

import re
from decimal import Decimal, InvalidOperation

MAX_LENGTH = 64

_TYPED = re.compile(
    r"(?P<minus>-?) *(?P<lead>\$?) *(?P<after>-?)(?P<body>[0-9.,]+) *(?P<trail>\$?)", re.ASCII
)
_DIGITS = re.compile(r"[0-9]+")
_GROUPED = {mark: re.compile(rf"[1-9][0-9]{{0,2}}(?:\{mark}[0-9]{{3}})+") for mark in ".,"}


def _grouped(units: str, separator: str) -> bool:
    """True when the separator groups the digits in threes: "1.234.567", not "12.34"."""
    return _GROUPED[separator].fullmatch(units) is not None


def parse_decimal(text: object, *, negative: bool = False) -> Decimal:
    """A number as an Argentine types it, exactly; ValueError when it is not one.

    The rule (the same in static/js/offline/format.js):
    - The comma is the decimal separator: "12,5", "1234,50".
    - Dots group thousands when they group the digits in threes after a first group of one
      to three digits not starting with 0: "50.000" is 50000, "1.234.567" and "1.500" too.
    - Any other single dot is a decimal point, as phones, APIs and spreadsheets write it:
      "12.5", "3.75", "1234.500", "0.125".
    - With both marks, the one that comes last is the decimal separator and the other one
      must group thousands: "1.234.567,89" and "1,234.50" (English style) both read.
    - Spaces and a "$" are allowed around the number ("$ 1.500", "1.500 $"); a leading minus
      only with negative=True ("-$ 1.500", "$ -1.500").
    - Refused: "", "abc", "1.2.3", "12,34,5", "12.34,5" (a dot that does not group
      thousands before a comma), "5,", ",5", "NaN", "Infinity", "1e5", "+5", inner spaces.
    int and Decimal values are taken as they are (finite ones); floats and booleans are
    refused (money is never a float). The scale is kept as typed: "12,50" -> Decimal("12.50").
    """
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise ValueError(f"not a typed number: {text!r}")
    if isinstance(text, int | Decimal):
        value = Decimal(text)
        if not value.is_finite():
            raise ValueError(f"not a finite number: {text!r}")
    else:
        value = _read(" ".join(text.split()))
    if value.is_signed() and not negative:
        raise ValueError(f"negative number not allowed: {text!r}")
    return value


def _read(text: str) -> Decimal:
    """The typed text (trimmed) as a Decimal, by the rule of parse_decimal."""
    match = _TYPED.fullmatch(text) if len(text) <= MAX_LENGTH else None
    if match is None or (match["minus"] and match["after"]) or (match["lead"] and match["trail"]):
        raise ValueError(f"not a typed number: {text!r}")
    plain = _plain(match["body"])
    if plain is None:
        raise ValueError(f"not a typed number: {text!r}")
    try:
        return Decimal(match["minus"] + match["after"] + plain)
    except InvalidOperation as error:  # pragma: no cover - _plain only lets digits through
        raise ValueError(f"not a typed number: {text!r}") from error


def _plain(body: str) -> str | None:
    """Digits, dots and commas as a plain decimal ("1.234,50" -> "1234.50"); None if garbage."""
    if _DIGITS.fullmatch(body):
        return body
    last = max(body.rfind("."), body.rfind(","))
    mark, units, fraction = body[last], body[:last], body[last + 1 :]
    other = "," if mark == "." else "."
    if mark == "." and "," not in body and _grouped(body, "."):
        return body.replace(".", "")  # "50.000", "1.234.567": thousands only
    if not _DIGITS.fullmatch(fraction):
        return None
    if other in units:  # both marks: the earlier one must group thousands
        if not _grouped(units, other):
            return None
        units = units.replace(other, "")
    if not _DIGITS.fullmatch(units):
        return None
    return f"{units}.{fraction}"


def plain_decimal(value: Decimal | None) -> str | None:
    """A decimal as text without trailing zeros ("12.5", "0"), as the audit log keeps it."""
    return None if value is None else format(value.normalize(), "f")
