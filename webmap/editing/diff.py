"""What changed between two versions of an incident: its fields, readably, and how far its location moved."""
import math
from dataclasses import dataclass

from ..core.model import CANONICAL_PROPERTIES, NOTE_PROPERTIES, Incident, representative_point
from ..store import POSITION_COLUMNS

LOCATION = "location"
_EARTH_RADIUS_KM = 6371.0088  # the mean radius: distances shown to 0.01 km need no ellipsoid
# What a read adds to the properties: the position follows the location, and the notes are shown on their own.
_COMPUTED = frozenset((*POSITION_COLUMNS, *NOTE_PROPERTIES))


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two versions, with its values as text (None: not set)."""

    name: str  # a canonical property, `location`, or a property an upload added
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Move:
    """How an incident's location moved: from and to (longitude, latitude), and how far."""

    before: tuple[float, float]
    after: tuple[float, float]
    km: float


def shown_value(value) -> str | None:
    """Return a property's value as one line of text: lists joined with '; ', nothing for unset or empty."""
    if value is None or value == () or value == [] or value == "":
        return None
    if isinstance(value, (list, tuple)):
        return "; ".join(str(item) for item in value)
    return str(value)


def location_text(geometry: dict) -> str:
    """Return a location as text: a point's latitude and longitude (5 decimals, about a metre), or a line's or
    area's kind and the point it is placed by."""
    lon, lat = representative_point(geometry)
    where = f"{lat:.5f}, {lon:.5f}"
    return where if geometry["type"] == "Point" else f"{geometry['type']} ({where})"


def field_changes(before: Incident | None, after: Incident | None) -> list[FieldChange]:
    """Return each field that differs between two versions (None: the incident did not exist), in form order:
    the canonical properties, the location, then the properties an upload added, by name (not those a read
    computes)."""
    def value(incident: Incident | None, name: str):
        if incident is None:
            return None
        if name == LOCATION:
            return location_text(incident.geometry)
        if name in CANONICAL_PROPERTIES:
            return shown_value(getattr(incident, name))
        return shown_value(incident.extra.get(name))

    extra = sorted({*(before.extra if before else {}), *(after.extra if after else {})} - _COMPUTED)
    changes = []
    for name in (*CANONICAL_PROPERTIES, LOCATION, *extra):
        old, new = value(before, name), value(after, name)
        if old != new:
            changes.append(FieldChange(name, old, new))
    return changes


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance between two (longitude, latitude) points in km."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def moved(before: Incident | None, after: Incident | None) -> Move | None:
    """Return how the location moved between two versions, or None if it did not (or one is missing)."""
    if before is None or after is None or before.geometry == after.geometry:
        return None
    old, new = representative_point(before.geometry), representative_point(after.geometry)
    return Move(old, new, round(distance_km(old, new), 2))
