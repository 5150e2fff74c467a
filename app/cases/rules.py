"""Pure rules of a case: its kinds and states, which state may follow which, the due date from
a number of working days, and what a photo's bytes say it is. No Flask, no database."""

from datetime import date, timedelta
from enum import StrEnum


class CaseKind(StrEnum):
    """What the client brings up."""

    CLAIM = "claim"  # reclamo: a delivery or invoice gone wrong
    RETURN = "return"  # devolución: goods coming back
    COMPLAINT = "complaint"  # queja: about a person or the service
    QUESTION = "question"  # consulta


class CaseState(StrEnum):
    """Where a case stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_CLIENT = "waiting_client"
    RESOLVED = "resolved"
    CLOSED = "closed"


# Working days to answer each kind, until the back office sets its own (case_targets).
DEFAULT_TARGET_DAYS = {
    CaseKind.CLAIM: 3,
    CaseKind.RETURN: 5,
    CaseKind.COMPLAINT: 2,
    CaseKind.QUESTION: 2,
}
MAX_TARGET_DAYS = 60

# Which state may follow which. A resolved case closes, or goes back to work if the client
# says it is not; a closed case only reopens (to "open") with a written reason.
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.OPEN: frozenset(
        {CaseState.IN_PROGRESS, CaseState.WAITING_CLIENT, CaseState.RESOLVED, CaseState.CLOSED}
    ),
    CaseState.IN_PROGRESS: frozenset(
        {CaseState.WAITING_CLIENT, CaseState.RESOLVED, CaseState.CLOSED}
    ),
    CaseState.WAITING_CLIENT: frozenset(
        {CaseState.IN_PROGRESS, CaseState.RESOLVED, CaseState.CLOSED}
    ),
    CaseState.RESOLVED: frozenset({CaseState.IN_PROGRESS, CaseState.CLOSED}),
    CaseState.CLOSED: frozenset({CaseState.OPEN}),
}
# States in which the due date no longer runs.
DONE_STATES = frozenset({CaseState.RESOLVED, CaseState.CLOSED})

MAX_SUBJECT = 160
MAX_TEXT = 4000
MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_PHOTOS = 4


def can_move(current: str, wanted: str) -> bool:
    """True when a case in `current` may go to `wanted` (a reopening needs a reason too)."""
    return CaseState(wanted) in TRANSITIONS[CaseState(current)]


def needs_reason(current: str, wanted: str) -> bool:
    """Reopening a closed case must say why."""
    return current == CaseState.CLOSED and wanted == CaseState.OPEN


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days (Monday to Friday) after `start`; 0 is `start` itself."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def is_overdue(state: str, due_on: date | None, today: date) -> bool:
    """Still being worked on after its due date."""
    return due_on is not None and state not in DONE_STATES and due_on < today


# Photo types by their first bytes: what the file is, whatever its name or declared type says.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The photo's type read from its content (JPEG, PNG, GIF or WebP), else None."""
    for signature, mimetype in _SIGNATURES:
        if data.startswith(signature):
            return mimetype
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
