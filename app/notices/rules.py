"""Which notices are in force for a client on a date: plain values in, plain values out."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol, TypeVar


class Severity(StrEnum):
    """How hard a notice asks for attention."""

    INFO = "info"
    WARNING = "warning"
    IMPORTANT = "important"


class TargetKind(StrEnum):
    """Who a notice is for: one client, or every client of a group."""

    CLIENT = "client"
    CLIENT_TYPE = "client_type"
    ZONE = "zone"
    FAMILY = "family"
    SEGMENT = "segment"
    CATEGORY = "category"


class Audience(StrEnum):
    """Who in the company a notice speaks to: a sales promotion is not a collector's business."""

    ALL = "all"
    SALES = "sales"
    COLLECTIONS = "collections"


# The audiences each role reads; the office and supervisors read every notice.
ROLE_AUDIENCES = {
    "salesperson": (Audience.ALL, Audience.SALES),
    "collector": (Audience.ALL, Audience.COLLECTIONS),
}
EVERY_AUDIENCE = tuple(Audience)


def audiences_for(role: str | None) -> tuple[Audience, ...]:
    """The audiences a role's notices are drawn from (every audience when no role is given)."""
    return ROLE_AUDIENCES.get(role or "", EVERY_AUDIENCE)


# Shown first: important, then warning, then info.
SEVERITY_RANK = {Severity.IMPORTANT: 0, Severity.WARNING: 1, Severity.INFO: 2}
MAX_MESSAGE = 500


class Period(StrEnum):
    """Where a date falls against a notice's validity."""

    PAST = "past"
    CURRENT = "current"
    FUTURE = "future"


@dataclass(frozen=True)
class ClientGroups:
    """The client and the groups it belongs to, as notices target them."""

    client_id: int
    client_type_id: int | None = None
    sales_zone_id: int | None = None
    family_id: int | None = None
    # any of segment1..4 (a segment row carries its level)
    segment_ids: frozenset[int] = frozenset()
    # category1, subcategory1, category2, subcategory2
    category_ids: frozenset[int] = frozenset()

    def targets(self) -> dict[TargetKind, frozenset[int]]:
        """For each kind of target, the ids that reach this client."""
        single = {
            TargetKind.CLIENT: self.client_id,
            TargetKind.CLIENT_TYPE: self.client_type_id,
            TargetKind.ZONE: self.sales_zone_id,
            TargetKind.FAMILY: self.family_id,
        }
        found = {kind: frozenset({value}) for kind, value in single.items() if value is not None}
        if self.segment_ids:
            found[TargetKind.SEGMENT] = self.segment_ids
        if self.category_ids:
            found[TargetKind.CATEGORY] = self.category_ids
        return found


class NoticeLike(Protocol):
    """What the rule reads of a notice (the model has it; tests pass plain objects)."""

    id: int
    severity: str
    valid_from: date
    valid_to: date | None
    target_kind: str
    target_id: int
    created_at: datetime


N = TypeVar("N", bound=NoticeLike)


def period(valid_from: date, valid_to: date | None, on: date) -> Period:
    """Whether `on` is before, within (both ends included) or after the validity."""
    if on < valid_from:
        return Period.FUTURE
    if valid_to is not None and on > valid_to:
        return Period.PAST
    return Period.CURRENT


def reaches(target_kind: str, target_id: int, groups: ClientGroups) -> bool:
    """True when a notice with this target is for this client."""
    return target_id in groups.targets().get(target_kind, frozenset())


def order_key(notice: NoticeLike) -> tuple:
    """Important before warning before info; then the newest first."""
    rank = SEVERITY_RANK.get(notice.severity, len(SEVERITY_RANK))
    return (rank, -notice.created_at.timestamp(), -notice.id)


def in_force(notices: Iterable[N], groups: ClientGroups, on: date) -> list[N]:
    """The notices for this client valid on `on`, most pressing first."""
    chosen = [
        notice
        for notice in notices
        if reaches(notice.target_kind, notice.target_id, groups)
        and period(notice.valid_from, notice.valid_to, on) is Period.CURRENT
    ]
    return sorted(chosen, key=order_key)
