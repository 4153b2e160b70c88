"""Incident positions against the 1974 lines as properties, computed on read for the current reference layers."""
import threading
from dataclasses import replace

import numpy as np
import orjson
import shapely
from shapely.geometry import shape

from ..core.lru import SizedLRU
from ..core.model import Incident
from ..core.resources import resource_dir
from ..core.vocabulary import Vocabulary
from ..store import Store
from .zones import PreparedReference, classify, prepare

UNCERTAINTY_FILE = "line_uncertainty.geojson"
# What every incident read carries about its position, in this order.
POSITION_PROPERTIES = ("zone", "near_line", "distance_alpha_km", "distance_bravo_km", "line_margin_km", "governorate",
                       "governorate_name")
USED_LAYERS = ("alpha_line", "bravo_line", "area_of_separation", "areas_of_limitation", "governorates")


# Serialised features with their positions, kept per worker while the layers stay the same: a feature's text
# holds everything its position depends on, so the same text gets the same answer.
POSITIONED_CACHE_BYTES = 16 * 1024 * 1024


class ReferenceCache:
    """The prepared reference geometry of one store, prepared again only when its layers change, and the
    features already placed against it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._version = None
        self._key = None
        self._prepared = None
        self._positioned = SizedLRU(POSITIONED_CACHE_BYTES)

    def get(self, store: Store) -> PreparedReference:
        """Return the store's reference layers prepared for classifying (checked once per data version)."""
        return self.current(store)[0]

    def current(self, store: Store) -> tuple[PreparedReference, SizedLRU]:
        """Return the prepared layers and the features already placed against them, taken together so a
        reload of the layers between the two cannot mix them."""
        with self._lock:
            version = store.data_version()
            if version != self._version:
                layers = store.list_reference_layers()
                # Reloaded layers always raise the data version, but most new versions only bring incidents.
                key = hash(repr([(layer.id, layer.data) for layer in layers if layer.id in USED_LAYERS]))
                if key != self._key:
                    self._prepared = prepare(layers, resource_dir("geodata") / UNCERTAINTY_FILE)
                    self._positioned = SizedLRU(POSITIONED_CACHE_BYTES)
                    self._key = key
                self._version = version
            return self._prepared, self._positioned


def representative_point(geometry: dict) -> tuple[float, float]:
    """Return a point of the geometry: a Point's own position, else a point on its surface."""
    if geometry["type"] == "Point":
        return tuple(geometry["coordinates"][:2])
    point = shapely.point_on_surface(shape(geometry))
    return point.x, point.y


def location_radius(vocabulary: Vocabulary) -> dict:
    """Return the location radius (m) of each precision level; unknown precision gets the widest."""
    radii = {term.id: float(term.attributes["radius_m"]) for term in vocabulary.precision}
    return {**radii, None: max(radii.values())}


def position_properties(features: list[dict], reference: PreparedReference, vocabulary: Vocabulary,
                        lang: str = "en") -> list[dict]:
    """Return, for each GeoJSON Feature, its position properties (governorate names in `lang`)."""
    if not features:
        return []
    points = np.array([representative_point(f["geometry"]) for f in features], dtype=float)
    radii = location_radius(vocabulary)
    radius = [radii.get((f.get("properties") or {}).get("precision"), radii[None]) for f in features]
    found = classify(points[:, 0], points[:, 1], radius, reference)
    names = reference.governorate_names
    return [
        dict(zip(POSITION_PROPERTIES, (str(zone), bool(near), float(alpha), float(bravo), float(margin), pcode,
                                       names[pcode][lang] if pcode else None)))
        for zone, near, alpha, bravo, margin, pcode in zip(
            found.zone, found.near_line, found.distance_alpha_km, found.distance_bravo_km, found.margin_km,
            found.governorate)
    ]


def with_positions(features: list[dict], reference: PreparedReference, vocabulary: Vocabulary) -> list[dict]:
    """Return the features with their position properties added."""
    positions = position_properties(features, reference, vocabulary)
    return [{**f, "properties": {**(f.get("properties") or {}), **p}} for f, p in zip(features, positions)]


def serialised_with_positions(features: list[str], reference: PreparedReference, vocabulary: Vocabulary,
                              memo: SizedLRU) -> list[str]:
    """Return serialised Features with their position properties added, placing only those `memo` does not
    hold yet (orjson: the standard library's json took two thirds of the time of a page of 1,000)."""
    found = {text: memo.get(text) for text in features}
    missing = [text for text, placed in found.items() if placed is None]
    for text, feature in zip(missing, with_positions([orjson.loads(t) for t in missing], reference, vocabulary)):
        found[text] = orjson.dumps(feature).decode()
        memo.put(text, found[text])
    return [found[text] for text in features]


def incidents_with_positions(incidents: list[Incident], reference: PreparedReference,
                             vocabulary: Vocabulary) -> list[Incident]:
    """Return the incidents with their position properties added to what they carry."""
    positions = position_properties([i.to_feature() for i in incidents], reference, vocabulary)
    return [replace(i, extra={**i.extra, **p}) for i, p in zip(incidents, positions)]
