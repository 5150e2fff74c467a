"""The route map's plain parts: which points can be drawn, and where its tiles come from.

static/js/map.js reads coordinates by the same rule (tests/core/map_point_cases.json holds
both to it), so the note under the map counts exactly the pins the phone leaves out.
"""

import math
import re
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import urlsplit

# route stops by state; the reports' map colours clients by ABC rating or risk
PIN_STATES = (
    "pending", "visited", "skipped", "order", "other", "abc-a", "abc-b", "abc-c", "risk",
)  # fmt: skip
_DEGREES = re.compile(r"^\s*-?\d{1,3}(\.\d+)?\s*$")


class MapPoints(NamedTuple):
    """The points a map draws (coordinates as floats) and how many it cannot place."""

    drawn: list[dict]
    missing: int


def coordinate(value: Any, limit: int) -> float | None:
    """Degrees as a float within ±limit, or None when the value is empty or not usable.

    A number, a Decimal or a plain decimal string ("-34.6037"); no commas, exponents or
    underscores, which the browser would read differently.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not _DEGREES.match(value):
            return None
        value = value.strip()
    elif not isinstance(value, int | float | Decimal):
        return None
    degrees = float(value)
    if not math.isfinite(degrees) or abs(degrees) > limit:
        return None
    return degrees


def location(point: dict) -> tuple[float, float] | None:
    """A point's (lat, lng), or None when it has none; 0, 0 is a blank import, not a place."""
    lat = coordinate(point.get("lat"), 90)
    lng = coordinate(point.get("lng"), 180)
    if lat is None or lng is None or (lat == 0 and lng == 0):
        return None
    return lat, lng


def map_points(points: list[dict]) -> MapPoints:
    """Split a route's points into those a map can draw and the count of those it cannot."""
    drawn = []
    for point in points:
        place = location(point)
        if place is None:
            continue
        number = point.get("n")
        state = point.get("state")
        drawn.append(
            {
                "n": None if number is None else int(number),
                "name": str(point.get("name") or ""),
                "lat": place[0],
                "lng": place[1],
                "state": state if state in PIN_STATES else "other",
                "href": point.get("href") or None,
                "detail": point.get("detail") or None,
            }
        )
    return MapPoints(drawn, len(points) - len(drawn))


def tile_origin(url: str) -> str | None:
    """The CSP source that lets a page load a tile URL template's images.

    "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png" -> "https://*.tile.openstreetmap.org";
    a path on this server ("/tiles/{z}/{x}/{y}.png") needs none: 'self' covers it.
    """
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"MAP_TILE_URL must be an http(s) URL or a path, not {url!r}")
    labels = parts.hostname.split(".")
    if "{" in labels[0] or "}" in labels[0]:
        labels[0] = "*"  # a subdomain placeholder such as {s}: CSP allows a leading wildcard
    if any("{" in label or "}" in label for label in labels[1:]):
        raise ValueError(f"MAP_TILE_URL may vary only its first host label, not {url!r}")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{'.'.join(labels)}{port}"
