"""The pure rule: which notices are in force for a client on a date, and in what order."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from app.notices.rules import ClientGroups, Period, in_force, order_key, period, reaches

DAY = date(2026, 11, 23)
GROUPS = ClientGroups(
    client_id=7,
    client_type_id=2,
    sales_zone_id=3,
    family_id=4,
    segment_ids=frozenset({11, 31}),
    category_ids=frozenset({21, 22, 41}),
)


@dataclass
class Facts:
    """A notice as plain values."""

    id: int
    severity: str = "info"
    valid_from: date = date(2026, 11, 1)
    valid_to: date | None = None
    target_kind: str = "client"
    target_id: int = 7
    created_at: datetime = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "expected"),
    [
        (DAY, DAY, Period.CURRENT),  # both ends count
        (date(2026, 11, 1), DAY, Period.CURRENT),
        (DAY, date(2026, 12, 1), Period.CURRENT),
        (date(2020, 1, 1), None, Period.CURRENT),  # no end
        (date(2026, 11, 24), None, Period.FUTURE),
        (date(2026, 11, 24), date(2026, 11, 30), Period.FUTURE),
        (date(2026, 11, 1), date(2026, 11, 22), Period.PAST),
    ],
)
def test_the_validity_includes_both_ends_and_may_have_no_end(valid_from, valid_to, expected):
    assert period(valid_from, valid_to, DAY) is expected


@pytest.mark.parametrize(
    ("kind", "target_id", "expected"),
    [
        ("client", 7, True),
        ("client", 8, False),
        ("client_type", 2, True),
        ("client_type", 3, False),
        ("zone", 3, True),
        ("zone", 2, False),
        ("family", 4, True),
        ("family", 5, False),
        ("segment", 11, True),  # segment 1
        ("segment", 31, True),  # segment 3: any level
        ("segment", 12, False),
        ("category", 21, True),  # category
        ("category", 41, True),  # a subcategory
        ("category", 23, False),
        ("nonsense", 7, False),
    ],
)
def test_each_kind_of_target_reaches_the_client_through_its_own_field(kind, target_id, expected):
    assert reaches(kind, target_id, GROUPS) is expected


def test_a_client_without_groups_is_reached_only_by_its_own_notices():
    alone = ClientGroups(client_id=7)
    assert reaches("client", 7, alone)
    assert not any(reaches(kind, 0, alone) for kind in ("client_type", "zone", "segment"))


def test_only_notices_for_the_client_and_valid_that_day_are_in_force():
    notices = [
        Facts(1),
        Facts(2, target_kind="zone", target_id=3, valid_to=DAY),
        Facts(3, target_kind="zone", target_id=9),  # another zone
        Facts(4, valid_from=date(2026, 11, 24)),  # tomorrow
        Facts(5, valid_to=date(2026, 11, 22)),  # expired yesterday
        Facts(6, target_kind="segment", target_id=31, valid_from=DAY),
    ]
    assert {n.id for n in in_force(notices, GROUPS, DAY)} == {1, 2, 6}


def test_important_comes_first_then_warning_then_info_and_the_newest_first_within_each():
    older = datetime(2026, 11, 1, tzinfo=UTC)
    newer = datetime(2026, 11, 20, tzinfo=UTC)
    notices = [
        Facts(1, "info", created_at=newer),
        Facts(2, "warning", created_at=older),
        Facts(3, "important", created_at=older),
        Facts(4, "info", created_at=older),
        Facts(5, "important", created_at=newer),
        Facts(6, "warning", created_at=newer),
        Facts(7, "info", created_at=newer),  # same time as 1: the later id first
    ]
    assert [n.id for n in in_force(notices, GROUPS, DAY)] == [5, 3, 6, 2, 7, 1, 4]


def test_an_unknown_severity_sorts_last():
    assert order_key(Facts(1, "shouting")) > order_key(Facts(2, "info"))
