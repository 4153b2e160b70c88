"""The incident and reference-layer records that move between validation, the store and the map."""
from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape

from .i18n import localized, messages

# Properties with a fixed meaning; anything else a user supplies is kept verbatim in `extra`.
CANONICAL_PROPERTIES = (
    "date", "end_date", "event_type", "title", "description", "location_name",
    "fatalities", "actors", "sources", "precision", "verification",
)

# Properties a read adds from the notes of an incident's versions (never taken from input, like its position):
# the verification note of its current state, and the day and note of its latest correction after publication.
NOTE_PROPERTIES = ("verification_note", "corrected", "correction_note")


# Not frozen: a frozen dataclass sets each of the 14 fields through object.__setattr__, which makes
# building one three times slower, and an import builds one per feature. Nothing changes an incident
# after it is built; a change is a new one (dataclasses.replace).
@dataclass(slots=True)
class Incident:
    """One reported incident: a 2-D WGS84 geometry plus the canonical properties."""

    id: str
    geometry: dict
    date: str
    event_type: str
    end_date: str | None = None
    title: str | None = None
    description: str | None = None
    location_name: str | None = None
    fatalities: int | None = None
    actors: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    precision: str | None = None
    verification: str = "unverified"
    extra: dict = field(default_factory=dict)

    @property
    def last_date(self) -> str:
        """Return the last day the incident covers (its end date, or its date)."""
        return self.end_date or self.date

    def properties(self) -> dict:
        """Return the GeoJSON properties: canonical ones that are set, then the extra ones."""
        props = {}
        for name in CANONICAL_PROPERTIES:
            value = getattr(self, name)
            if type(value) is tuple:  # actors, sources: only when there are some
                if value:
                    props[name] = list(value)
            elif value is not None:
                props[name] = value
        props.update(self.extra)
        return props

    def to_feature(self) -> dict:
        """Return the incident as a GeoJSON Feature."""
        return {"type": "Feature", "id": self.id, "geometry": self.geometry, "properties": self.properties()}

    @classmethod
    def from_feature(cls, feature: dict) -> "Incident":
        """Build an incident from a Feature already in canonical form (validated or stored)."""
        props = dict(feature.get("properties") or {})
        known = {name: props.pop(name) for name in CANONICAL_PROPERTIES if name in props}
        for name in ("actors", "sources"):
            if name in known:
                known[name] = tuple(known[name])
        return cls(id=str(feature["id"]), geometry=feature["geometry"], extra=props, **known)


@dataclass(frozen=True)
class IncidentRevision:
    """One stored version of an incident, or its deletion (`incident` None): when, at which data version, by
    whom, and the notes its author gave (a correction note or a deletion's reason, and a verification note)."""

    data_version: int
    at: str  # ISO 8601 UTC
    user: str
    incident: Incident | None
    note: str | None = None
    verification_note: str | None = None


def geometry_bounds(geometry: dict) -> tuple[float, float, float, float]:
    """Return (minx, miny, maxx, maxy) of a GeoJSON geometry of any type."""
    if geometry["type"] == "Point":  # most incidents; imports and writes compute this for each one
        x, y = geometry["coordinates"][:2]
        return x, y, x, y
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for part in coords:
                walk(part)

    if geometry["type"] == "GeometryCollection":
        for part in geometry["geometries"]:
            bounds = geometry_bounds(part)
            xs.extend(bounds[0::2])
            ys.extend(bounds[1::2])
    else:
        walk(geometry["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def representative_point(geometry: dict) -> tuple[float, float]:
    """Return the point an incident is placed by: a Point's own position, else a point on its surface."""
    if geometry["type"] == "Point":
        return tuple(geometry["coordinates"][:2])
    point = shapely.point_on_surface(shape(geometry))
    return point.x, point.y


@dataclass(frozen=True)
class ReferenceLayer:
    """A bundled reference layer: its descriptor from geodata/layers.json and its FeatureCollection."""

    id: str
    meta: dict
    data: dict

    def title(self, lang: str) -> str:
        """Return the layer's title in `lang`, falling back to English."""
        return localized(self.meta["title"], lang)

    def display_title(self, lang: str) -> str:
        """Return the title as the map, legend and pages show it: saying 'approximate' when the geometry is, and
        'proposed' or 'reported' for a layer of that status."""
        title, text = self.title(lang), messages(lang)
        if self.meta.get("approximate") and text["approximate"] not in title.lower():
            title = f"{title} ({text['approximate']})"
        if self.meta.get("status") in UNCONFIRMED_STATUSES:
            title = f"{title} ({text['status_' + self.meta['status']]})"
        return title


# Layers drawn dashed and labelled as such: their geometry is a proposal, or as reports describe it.
UNCONFIRMED_STATUSES = ("proposed", "reported")


def layer_status(layer: ReferenceLayer) -> str | None:
    """Return a layer's status: its own (an editor's layer), `agreed` for the bundled 1974 layers, else None."""
    if layer.meta.get("status"):
        return layer.meta["status"]
    return "agreed" if layer.meta.get("group") == "agreement_1974" else None
