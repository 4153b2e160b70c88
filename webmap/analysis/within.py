"""Which incidents lie against a reference layer: inside its areas, or within a set distance of its lines and
points. Pure and vectorised: an incident counts at the centre of its bounding box, as the map places it."""
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from ..core.model import ReferenceLayer
from ..core.points import IncidentPoints
from ..store import Store
from .zones import METRIC_CRS

# How near a line or a point of a layer an incident must be to count against it (areas count what is inside).
BUFFER_KM = 1.0


def layer_region(layer: ReferenceLayer, transformer: Transformer) -> shapely.Geometry:
    """Return, in the metric CRS, what counts as against the layer: its areas, or its lines and points widened
    by BUFFER_KM."""
    geometries = [shape(f["geometry"]) for f in layer.data.get("features", []) if f.get("geometry")]
    union = shapely.union_all(geometries) if geometries else shapely.Polygon()
    metric = shapely.transform(union, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    if layer.meta.get("geometry_kind") != "polygon":
        metric = metric.buffer(BUFFER_KM * 1000)
    shapely.prepare(metric)
    return metric


def within_mask(points: IncidentPoints, layer: ReferenceLayer) -> np.ndarray:
    """Return, for each incident of `points`, whether it lies against the layer."""
    transformer = Transformer.from_crs("OGC:CRS84", METRIC_CRS, always_xy=True)
    return _mask(*transformer.transform(points.lon, points.lat), layer, transformer)


def _mask(x, y, layer: ReferenceLayer, transformer: Transformer) -> np.ndarray:
    """Return, for each point (metric), whether it lies against the layer."""
    region = layer_region(layer, transformer)
    if region.is_empty or not len(x):
        return np.zeros(len(x), dtype=bool)
    return shapely.contains_xy(region, np.asarray(x), np.asarray(y))


def counts_within(points: IncidentPoints, layers: list[ReferenceLayer]) -> dict[str, int]:
    """Return how many incidents of `points` lie against each layer, by layer id (the points projected once)."""
    transformer = Transformer.from_crs("OGC:CRS84", METRIC_CRS, always_xy=True)
    x, y = transformer.transform(points.lon, points.lat)
    return {layer.id: int(_mask(x, y, layer, transformer).sum()) for layer in layers}


def keys_within(points: IncidentPoints, layer: ReferenceLayer) -> tuple[int, ...]:
    """Return the store keys of the incidents that lie against the layer."""
    return tuple(int(key) for key in points.keys[within_mask(points, layer)])


def count_within(store: Store, layer: ReferenceLayer) -> int:
    """Return how many live incidents lie against a reference layer."""
    return int(within_mask(store.incident_points(), layer).sum())
