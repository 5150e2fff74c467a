"""Reading the account pages' plain HTML forms into the dicts the ledger services take.

The receipt form has repeated rows (`lines-N-kind`, `applications-N-amount`), so these forms are
read by hand instead of with WTForms; the services validate every value and say what is wrong.
"""

import re
from collections.abc import Mapping

from app.core.routing import MAX_ID
from app.ledger.services import LINE_FIELDS

DOCUMENT_FIELDS = (
    "kind", "letter", "number", "date", "currency", "exchange_rate", "amount",
    "sale_condition_id", "notes",
)  # fmt: skip
RECEIPT_FIELDS = ("number", "letter", "date", "currency", "exchange_rate", "notes")
VOIDED_RECEIPT_FIELDS = ("number", "letter", "date", "reason")
LINE_INPUTS = ("kind", "amount", *LINE_FIELDS)
MAX_ROWS = 200
ROW_KEY = re.compile(r"^(lines|applications)-(\d{1,3})-([a-z_]+)$")
ERROR_KEY = re.compile(r"^applications-(\d+)-([a-z_]+)$")
# An amount left like this means "do not apply to this one" (the services skip it too).
EMPTY_AMOUNTS = ("", "0", "0,00", "0.00")


def plain_fields(form: Mapping, names: tuple[str, ...]) -> dict[str, str]:
    """The named fields of a form, as text (missing ones empty)."""
    fields = {name: (form.get(name) or "").strip() for name in names}
    if "sale_condition_id" in fields:
        fields["sale_condition_id"] = bounded_id(fields["sale_condition_id"])
    return fields


def bounded_id(raw: str) -> str:
    """A row id as typed, or "0" (no such row) past the database's integer range, so the
    service answers "choose one from the list" instead of the database refusing the number."""
    try:
        return "0" if abs(int(raw)) > MAX_ID else raw
    except ValueError:
        return raw


def rows(form: Mapping, prefix: str) -> list[dict[str, str]]:
    """The rows a form sends as `prefix-N-field`, in the order of N."""
    found: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        match = ROW_KEY.match(key)
        if match and match[1] == prefix and int(match[2]) < MAX_ROWS:
            found.setdefault(int(match[2]), {})[match[3]] = value
    return [found[index] for index in sorted(found)]


def payment_lines(form: Mapping) -> list[dict[str, str]]:
    """The receipt's payment lines; a line left with no amount and no data is dropped."""
    lines = []
    for row in rows(form, "lines"):
        line = {name: (row.get(name) or "").strip() for name in LINE_INPUTS}
        line["card_plan_id"] = bounded_id(line["card_plan_id"])
        if any(line[name] for name in LINE_INPUTS if name != "kind"):
            lines.append(line)
    return lines


def allocations(form: Mapping) -> list[dict[str, str]]:
    """The open items given an amount to apply: installment_id and amount."""
    return [
        {"installment_id": (row.get("installment_id") or "").strip(), "amount": amount}
        for row in rows(form, "applications")
        if (amount := (row.get("amount") or "").strip()) not in EMPTY_AMOUNTS
    ]


def for_service(rows_sent: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows with an id that cannot exist blanked, so the service names it instead of the
    database refusing a number past its integer range."""
    return [
        row | {"installment_id": ""} if bounded_id(row["installment_id"]) == "0" else row
        for row in rows_sent
    ]


def amounts_by_installment(rows_sent: list[dict[str, str]]) -> dict[str, str]:
    """The amounts typed per installment id, to show them again on a refused form."""
    return {row["installment_id"]: row["amount"] for row in rows_sent}


def split_application_errors(
    errors: Mapping[str, str], rows_sent: list[dict[str, str]]
) -> tuple[dict[str, str], dict[str, str]]:
    """Errors about application rows, by installment id; and every other error by field.

    The services number the rows they were given; the form shows one row per open item, so a
    row's error is carried to its item through the installment id.
    """
    by_installment: dict[str, str] = {}
    others: dict[str, str] = {}
    for key, message in errors.items():
        match = ERROR_KEY.match(key)
        index = int(match[1]) if match else -1
        if 0 <= index < len(rows_sent):
            by_installment[rows_sent[index]["installment_id"]] = message
        else:
            others[key] = message
    return by_installment, others


def receipt_data(form: Mapping) -> dict:
    """The receipt form as post_receipt takes it."""
    return {
        **plain_fields(form, RECEIPT_FIELDS),
        "lines": payment_lines(form),
        "applications": for_service(allocations(form)),
        "apply_oldest": bool(form.get("apply_oldest")),
    }
