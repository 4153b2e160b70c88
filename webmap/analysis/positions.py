"""Incident positions against the 1974 lines, computed when incidents are written and kept by the store."""
import hashlib
import threading

import numpy as np

from ..core.model import representative_point
from ..core.resources import resource_dir
from ..core.vocabulary import Vocabulary
from ..store import POSITION_COLUMNS, LayerSnapshot, Positioner
from .zones import ZONES, PreparedReference, classify, prepare

UNCERTAINTY_FILE = "line_uncertainty.geojson"
# What every incident read carries about its position, in this order.
POSITION_PROPERTIES = POSITION_COLUMNS
USED_LAYERS = ("alpha_line", "bravo_line", "area_of_separation", "areas_of_limitation", "governorates")
# Raised when the way positions are computed changes, so that stored ones are computed again.
METHOD_VERSION = "1"


def location_radius(vocabulary: Vocabulary) -> dict:
    """Return the location radius (m) of each precision level; unknown precision gets the widest."""
    radii = {term.id: float(term.attributes["radius_m"]) for term in vocabulary.precision}
    return {**radii, None: max(radii.values())}


def position_rows(lon, lat, precision: list, reference: PreparedReference, vocabulary: Vocabulary,
                  lang: str = "en") -> list[tuple]:
    """Return the POSITION_COLUMNS values of points (degrees) with their precision levels (names in `lang`)."""
    radii = location_radius(vocabulary)
    found = classify(lon, lat, [radii.get(p, radii[None]) for p in precision], reference)
    codes = [*found.governorate_codes, None]
    names = [*(reference.governorate_names[c][lang] for c in found.governorate_codes), None]
    return list(zip(
        np.array(ZONES, dtype=object)[found.zone_number].tolist(), found.near_line.tolist(),
        found.distance_alpha_km.tolist(), found.distance_bravo_km.tolist(), found.margin_km.tolist(),
        np.array(codes, dtype=object)[found.governorate_number].tolist(),
        np.array(names, dtype=object)[found.governorate_number].tolist(),
    ))


def position_properties(features: list[dict], reference: PreparedReference, vocabulary: Vocabulary,
                        lang: str = "en") -> list[dict]:
    """Return, for each GeoJSON Feature, its position properties (governorate names in `lang`)."""
    if not features:
        return []
    lon, lat = np.array([representative_point(f["geometry"]) for f in features], dtype=float).T
    precision = [(f.get("properties") or {}).get("precision") for f in features]
    return [dict(zip(POSITION_PROPERTIES, row))
            for row in position_rows(lon, lat, precision, reference, vocabulary, lang)]


class ReferencePositioner(Positioner):
    """Places incidents against the layers a store holds, with the bundled line uncertainty and the
    vocabulary's location radii; governorate names are stored in English."""

    # Prepared layers by digest, shared by every app of the process: preparing takes most of a second, and
    # each worker (or test) app would otherwise prepare the same layers again.
    _prepared: dict[str, PreparedReference] = {}
    _lock = threading.Lock()

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.uncertainty_file = resource_dir("geodata") / UNCERTAINTY_FILE
        radii = sorted(location_radius(vocabulary).items(), key=str)
        self._version = hashlib.sha1(f"{METHOD_VERSION}{radii}".encode() + self.uncertainty_file.read_bytes()
                                     ).hexdigest()

    def uses(self, layer_id: str) -> bool:
        """Tell whether positions depend on this layer: the 1974 lines and zones and the governorates."""
        return layer_id in USED_LAYERS

    def version(self) -> str:
        """Return the method's version with a digest of the line uncertainty and the location radii."""
        return self._version

    def prepared(self, layers: LayerSnapshot) -> PreparedReference | None:
        """Return the layers prepared for classifying, or None if one the positions need is missing."""
        with self._lock:
            found = self._prepared.get(layers.digest)
            if found is None:
                loaded = layers.load()
                if not set(USED_LAYERS) <= {layer.id for layer in loaded}:
                    return None
                if len(self._prepared) >= 4:
                    self._prepared.clear()
                found = self._prepared[layers.digest] = prepare(loaded, self.uncertainty_file)
            return found

    def place(self, layers: LayerSnapshot, lon, lat, precision: list) -> list[tuple | None]:
        """Return each point's POSITION_COLUMNS values, or None for each if the layers cannot place it."""
        reference = self.prepared(layers)
        if reference is None:
            return [None] * len(precision)
        return position_rows(lon, lat, precision, reference, self.vocabulary)
