"""The fast placing (grids, pruned candidate segments, float32) against a straightforward computation with shapely
on random points: the same zone, governorate and side, and distances within 1 m."""
import json
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from webmap.analysis.areagrid import NONE
from webmap.analysis.zones import METRIC_CRS, ZONES, classify, prepare
from webmap.core.model import ReferenceLayer
from webmap.core.resources import resource_dir

GEODATA = resource_dir("geodata")
TO_METRIC = Transformer.from_crs("OGC:CRS84", METRIC_CRS, always_xy=True)


@lru_cache(maxsize=1)
def reference():
    """Return the bundled layers prepared once for the module."""
    meta = json.loads((GEODATA / "layers.json").read_text(encoding="utf-8"))["layers"]
    layers = [ReferenceLayer(m["id"], m, json.loads((GEODATA / m["file"]).read_text(encoding="utf-8"))) for m in meta]
    return prepare(layers, GEODATA / "line_uncertainty.geojson")


def line_metric(name: str) -> shapely.LineString:
    """Return a bundled line in the metric CRS."""
    layer = json.loads((GEODATA / f"{name}_line.geojson").read_text(encoding="utf-8"))
    return shapely.transform(shape(layer["features"][0]["geometry"]),
                             lambda c: np.column_stack(TO_METRIC.transform(c[:, 0], c[:, 1])))


def random_points(rng) -> tuple[np.ndarray, np.ndarray]:
    """Return 4,000 points: half spread over southern Syria and beyond, half within 3 km of the two lines."""
    lon, lat = rng.uniform(34.5, 37.5, 2000), rng.uniform(32.0, 34.5, 2000)
    near = []
    for name in ("alpha", "bravo"):
        line = line_metric(name)
        on = shapely.get_coordinates(shapely.line_interpolate_point(line, rng.uniform(0, 1, 1000), normalized=True))
        near.append(on + rng.uniform(-3000, 3000, (1000, 2)))
    x, y = np.concatenate(near).T
    near_lon, near_lat = TO_METRIC.transform(x, y, direction="INVERSE")
    return np.concatenate([lon, near_lon]), np.concatenate([lat, near_lat])


def first_containing(polygons, x, y) -> np.ndarray:
    """Return, per point, the number of the first polygon that contains it, or NONE, polygon by polygon."""
    found = np.full(len(x), NONE)
    for number, polygon in reversed(list(enumerate(polygons))):
        found[shapely.contains_xy(polygon, x, y)] = number
    return found


def test_fast_placing_matches_shapely_point_by_point():
    """Zone, governorate and the side of each line are those shapely gives point by point; each distance is
    GEOS's to 1 m (before rounding to 10 m), and its rounding to 10 m agrees wherever 1 m cannot change it."""
    lon, lat = random_points(np.random.default_rng(2026))
    found = classify(lon, lat, np.zeros(len(lon)), reference())
    x, y = TO_METRIC.transform(lon, lat)
    signed = {}
    for name, line in reference().lines.items():
        exact = shapely.distance(line_metric(name), shapely.points(x, y))
        distance, _ = line.index.measure(np.asarray(x), np.asarray(y))
        assert np.abs(distance - exact).max() <= 1.0
        west = shapely.contains_xy(line.west.polygons[0], x, y)
        signed[name] = np.where(west, -exact, exact)
        clear = np.abs(np.abs(exact / 10) % 1 - 0.5) > 0.1  # more than 1 m from a rounding boundary
        assert (getattr(found, f"distance_{name}_km")[clear] == np.round(signed[name][clear] / 1000, 2)).all()
    zones = reference().zone_numbers[first_containing(reference().zones.polygons, lon, lat)]
    alpha, bravo = signed["alpha"], signed["bravo"]
    alpha_side = (alpha < 0) | ((bravo <= 0) & (np.abs(alpha) < np.abs(bravo)))
    zones = np.where(zones == NONE, np.where(alpha_side, 0, len(ZONES) - 1), zones)
    assert (found.zone_number == zones).all()
    assert set(ZONES) == set(found.zone)  # the points reach every zone
    assert (found.governorate_number == first_containing(reference().governorates.polygons, lon, lat)).all()
