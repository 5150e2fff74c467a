"""Where a phone was when its owner shared it: the latitude, longitude and accuracy of a write."""

from decimal import Decimal, InvalidOperation
from typing import NamedTuple

MICRODEGREE = Decimal("0.000001")


class Location(NamedTuple):
    """A point to the micro-degree (about 10 cm), with the phone's accuracy in metres."""

    latitude: Decimal
    longitude: Decimal
    accuracy: int | None


def phone_location(data: dict) -> Location | None:
    """The location in a write's data, or None when it is missing or unusable.

    The browser's Geolocation API sends plain numbers with a decimal point ("-34.603722"), never
    typed text, so they are read as such; a location never stops a write.
    """
    lat, lon = _coordinate(data.get("latitude")), _coordinate(data.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        return None
    accuracy = _coordinate(data.get("accuracy"))
    metres = int(accuracy) if accuracy is not None and 0 <= accuracy < 10**6 else None
    return Location(lat.quantize(MICRODEGREE), lon.quantize(MICRODEGREE), metres)


def _coordinate(raw: object) -> Decimal | None:
    """A machine-written number (a JSON number or its text), else None."""
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
