"""Where incidents lie against the 1974 lines: zones, signed distances, near_line and governorates."""
import json
from functools import lru_cache

import numpy as np
import orjson
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from webmap.analysis.positions import ReferenceCache, location_radius, position_properties, serialised_with_positions
from webmap.analysis.zones import METRIC_CRS, ZONES, classify, prepare
from webmap.core.model import ReferenceLayer
from webmap.core.resources import resource_dir
from webmap.core.vocabulary import load_vocabulary
from webmap.store import BatchInfo, get_store

GEODATA = resource_dir("geodata")
TO_METRIC = Transformer.from_crs("OGC:CRS84", METRIC_CRS, always_xy=True)


def bundled_layers() -> list[ReferenceLayer]:
    """Return the bundled reference layers as the store holds them."""
    meta = json.loads((GEODATA / "layers.json").read_text(encoding="utf-8"))["layers"]
    return [ReferenceLayer(m["id"], m, json.loads((GEODATA / m["file"]).read_text(encoding="utf-8"))) for m in meta]


@lru_cache(maxsize=1)
def reference():
    """Return the bundled layers prepared once for the whole module (preparing is what is cached in the app)."""
    return prepare(bundled_layers(), GEODATA / "line_uncertainty.geojson")


def place(lon, lat, radius_m=0.0):
    """Classify one point and return its values as plain Python."""
    found = classify([lon], [lat], [radius_m], reference())
    return {name: getattr(found, name)[0].item() if hasattr(getattr(found, name)[0], "item")
            else getattr(found, name)[0] for name in found.__dataclass_fields__}


def line_metric(name: str) -> shapely.LineString:
    """Return a bundled line in the metric CRS."""
    layer = json.loads((GEODATA / f"{name}_line.geojson").read_text(encoding="utf-8"))
    return shapely.transform(shape(layer["features"][0]["geometry"]),
                             lambda c: np.column_stack(TO_METRIC.transform(c[:, 0], c[:, 1])))


def to_degrees(x, y):
    """Return metric coordinates as longitude and latitude."""
    return TO_METRIC.transform(x, y, direction="INVERSE")


@pytest.mark.parametrize("lon, lat, zone, governorate, alpha_sign", [
    (35.7705, 33.2693, "alpha_0_10", "SY14", -1),  # Majdal Shams: west of the Alpha line
    (35.83028, 33.27944, "bravo_0_10", "SY14", 1),  # Hader, as the bundled towns layer places it
    (35.82461, 33.12595, "separation", "SY14", 1),  # Quneitra ruins
    (36.29128, 33.5102, "bravo_beyond", "SY01", 1),  # Damascus
])
def test_known_places(lon, lat, zone, governorate, alpha_sign):
    """Known places get the zone, governorate and side of the Alpha line that the layers give them."""
    found = place(lon, lat)
    assert (found["zone"], found["governorate"]) == (zone, governorate)
    assert np.sign(found["distance_alpha_km"]) == alpha_sign


def test_hader_is_near_the_bravo_line_only_when_its_location_is_imprecise():
    """Hader lies 0.11 km east of the Bravo line: at town level it is beyond it, at area level it could be either side."""
    assert place(35.83028, 33.27944)["distance_bravo_km"] == 0.11
    assert place(35.83028, 33.27944)["near_line"] is False
    assert place(35.83028, 33.27944, radius_m=10000)["near_line"] is True


def test_a_transect_crosses_every_zone_in_order():
    """Walking east at 33.0N passes each band edge and both lines once, in order, from alpha_beyond to bravo_beyond."""
    lon = np.arange(35.30, 36.60, 0.0005)
    found = classify(lon, np.full(len(lon), 33.0), np.zeros(len(lon)), reference())
    changes = [found.zone[0]] + [z for previous, z in zip(found.zone, found.zone[1:]) if z != previous]
    assert changes == list(ZONES)


@pytest.mark.parametrize("name", ["alpha", "bravo"])
def test_signed_distances_on_both_sides_of_each_line(name):
    """200 m west of a line is negative (Israeli-held side), 200 m east positive; both match GEOS to 0.01 km."""
    line = line_metric(name)
    middle = line.interpolate(0.5, normalized=True)
    for offset, sign in ((-200.0, -1), (200.0, 1)):
        lon, lat = to_degrees(middle.x + offset, middle.y)
        found = place(lon, lat)
        distance = found[f"distance_{name}_km"]
        assert np.sign(distance) == sign
        assert abs(abs(distance) - line.distance(shapely.Point(middle.x + offset, middle.y)) / 1000) <= 0.0051


def test_distances_match_geos_everywhere():
    """Distances to both lines agree with GEOS within rounding, near the lines and 100 km away."""
    rng = np.random.default_rng(14)
    lon, lat = rng.uniform(34.5, 37.5, 3000), rng.uniform(32.0, 34.5, 3000)
    found = classify(lon, lat, np.zeros(len(lon)), reference())
    x, y = TO_METRIC.transform(lon, lat)
    for name in ("alpha", "bravo"):
        exact = shapely.distance(line_metric(name), shapely.points(x, y)) / 1000
        assert np.abs(np.abs(getattr(found, f"distance_{name}_km")) - exact).max() <= 0.0051


def test_near_line_follows_location_radius_and_line_uncertainty():
    """A point just beyond a line's uncertainty is not near it; the same point with a 1 km radius is."""
    line = line_metric("alpha")
    middle = line.interpolate(0.5, normalized=True)
    margin = place(*to_degrees(middle.x, middle.y))["margin_km"]  # the line's uncertainty there (radius 0)
    lon, lat = to_degrees(middle.x - (margin * 1000 + 300), middle.y)
    assert place(lon, lat)["near_line"] is False
    assert place(lon, lat, radius_m=1000)["near_line"] is True
    assert place(*to_degrees(middle.x - 10, middle.y))["near_line"] is True


def test_unknown_precision_counts_as_the_widest_radius():
    """An incident without a precision is treated as known only to its region (30 km)."""
    assert location_radius(load_vocabulary())[None] == 30000


SAMPLE_POSITIONS = {
    "sample-001": ("separation", None),  # Mount Hermon: outside the OCHA governorates
    "sample-002": ("separation", "SY14"),
    "sample-003": ("bravo_beyond", "SY01"),
    "sample-004": ("separation", None),
    "sample-005": ("bravo_0_10", "SY14"),
    "sample-006": ("separation", "SY14"),
    "sample-007": ("bravo_beyond", "SY03"),
    "sample-008": ("bravo_beyond", "SY12"),
    "sample-009": ("bravo_beyond", "SY12"),
    "sample-010": ("bravo_0_10", "SY12"),
    "sample-011": ("bravo_10_20", "SY12"),
    "sample-012": ("bravo_beyond", "SY03"),
    "sample-013": ("bravo_beyond", "SY01"),
    "sample-014": ("bravo_0_10", "SY03"),
    "sample-015": ("bravo_beyond", "SY13"),
    "sample-016": ("bravo_beyond", "SY01"),
    "sample-017": ("bravo_beyond", "SY03"),
    "sample-018": ("bravo_beyond", "SY03"),
    "sample-019": ("bravo_0_10", "SY03"),
}


def test_every_bundled_sample_incident():
    """Each bundled sample incident gets the zone and governorate stated here, with Arabic names on request."""
    features = json.loads((GEODATA / "sample_incidents.geojson").read_text(encoding="utf-8"))["features"]
    found = position_properties(features, reference(), load_vocabulary(), "ar")
    assert {f["id"]: (p["zone"], p["governorate"]) for f, p in zip(features, found)} == SAMPLE_POSITIONS
    assert found[2]["governorate_name"] == "دمشق"


def test_lines_and_areas_are_placed_by_a_point_on_them():
    """A LineString incident is placed by a point on it, not by its bounding box."""
    route = {"type": "Feature", "properties": {"precision": "exact"},
             "geometry": {"type": "LineString", "coordinates": [[36.29128, 33.5102], [36.3, 33.52]]}}
    assert position_properties([route], reference(), load_vocabulary())[0]["governorate"] == "SY01"


POSITIONS = {"zone", "near_line", "distance_alpha_km", "distance_bravo_km", "governorate", "governorate_name"}


def test_api_items_and_csv_carry_positions(client):
    """API items (GeoJSON) and a CSV export row carry each incident's position, governorate names in English."""
    items = client.get("/api/collections/incidents/items").get_json()["features"]
    raid = next(f for f in items if f["id"] == "t-002")
    assert POSITIONS <= set(raid["properties"])
    assert (raid["properties"]["zone"], raid["properties"]["governorate_name"]) == ("bravo_0_10", "Rural Damascus")
    lines = client.get("/api/collections/incidents/export?f=csv").get_data(as_text=True).splitlines()
    header, row = lines[0].split(","), next(line for line in lines if line.startswith('"t-002"')).split(",")
    assert {name: row[header.index(f'"{name}"')] for name in ("zone", "governorate")} == {
        "zone": '"bravo_0_10"', "governorate": '"SY03"'}


def test_map_data_features_carry_positions(client):
    """The live map's features carry the positions its popups show."""
    body = client.get("/map-data/view?bbox=35.5,32.5,36.7,33.5&zoom=9").get_json()
    assert all(POSITIONS <= set(f["properties"]) for f in body["features"])


def test_a_page_placed_once_is_served_from_memory_until_the_layers_change(app):
    """A worker places a feature once while the layers stay the same; reloading different layers places again."""
    feature = orjson.dumps({"type": "Feature", "id": "m-1", "geometry": {"type": "Point", "coordinates": [35.77, 33.27]},
                            "properties": {"precision": "exact"}}).decode()
    cache = ReferenceCache()
    with app.app_context():
        store = get_store()
        reference, placed = cache.current(store)
        first = serialised_with_positions([feature], reference, load_vocabulary(), placed)
        assert placed.get(feature) == first[0] and orjson.loads(first[0])["properties"]["zone"].startswith("alpha")
        assert serialised_with_positions([feature], reference, load_vocabulary(), placed) == first
        layers = store.list_reference_layers()
        moved = [ReferenceLayer(layer.id, layer.meta, shifted(layer.data)) if layer.id == "alpha_line" else layer
                 for layer in layers]
        store.put_reference_layers(moved, BatchInfo(user="test"))
        again, fresh = cache.current(store)
    assert again is not reference and fresh is not placed and fresh.get(feature) is None


def shifted(collection: dict) -> dict:
    """Return a line collection moved 0.01 degrees east, so the layers differ."""
    return {**collection, "features": [
        {**f, "geometry": {**f["geometry"], "coordinates": [[x + 0.01, y] for x, y in f["geometry"]["coordinates"]]}}
        for f in collection["features"]]}
