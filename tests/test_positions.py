"""Where incidents lie against the 1974 lines: zones, signed distances, near_line and governorates."""
import json
from collections import Counter
from functools import lru_cache

import numpy as np
import pytest
import shapely
from conftest import fixture_incidents
from pyproj import Transformer
from shapely.geometry import shape

from webmap.analysis.positions import location_radius, position_properties
from webmap.analysis.zones import METRIC_CRS, ZONES, classify, prepare
from webmap.core.model import Incident, ReferenceLayer
from webmap.core.resources import resource_dir
from webmap.core.vocabulary import load_vocabulary
from webmap.ingest.geodata import prepare_database
from webmap.store import BatchInfo, IncidentQuery, PositionFilter, get_store

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
    names = ("zone", "distance_alpha_km", "distance_bravo_km", "near_line", "margin_km", "governorate")
    return {name: getattr(found, name)[0].item() if hasattr(getattr(found, name)[0], "item")
            else getattr(found, name)[0] for name in names}


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
    (35.7547, 33.2327, "alpha_0_10", "SY14", -1),  # Mas'ade: Israeli-held
    (35.7753, 33.2032, "alpha_0_10", "SY14", -1),  # Buq'ata: Israeli-held
    (35.7428, 33.2458, "alpha_0_10", "SY14", -1),  # Ein Qiniyye: Israeli-held
    (35.6874, 32.9923, "alpha_10_20", "SY14", -1),  # Katzrin: Israeli-held
    (36.0435, 32.8881, "bravo_10_20", "SY12", 1),  # Nawa: Syrian side, in Daraa
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


@pytest.mark.parametrize("name", ["alpha", "bravo"])
@pytest.mark.parametrize("side", [-1, 1])
def test_near_line_ends_at_the_line_uncertainty_on_both_sides(name, side):
    """At a third of each line, square to it on either side, a point at half the line's uncertainty is near it
    and a point 200 m beyond the uncertainty is not (unless the other line is that close)."""
    line = line_metric(name)
    anchor = line.interpolate(1 / 3, normalized=True)
    ahead = line.interpolate(1 / 3 + 0.001, normalized=True)
    normal = np.array([ahead.y - anchor.y, anchor.x - ahead.x])
    east = normal / np.hypot(*normal) * np.sign(normal[0])
    uncertainty = place(*to_degrees(anchor.x, anchor.y))["margin_km"] * 1000  # to 100 m
    inside = place(*to_degrees(*(np.array([anchor.x, anchor.y]) + side * uncertainty / 2 * east)))
    beyond = place(*to_degrees(*(np.array([anchor.x, anchor.y]) + side * (uncertainty + 200) * east)))
    assert inside["near_line"] is True
    assert np.sign(inside[f"distance_{name}_km"]) == side == np.sign(beyond[f"distance_{name}_km"])
    other = "bravo" if name == "alpha" else "alpha"
    assert beyond["near_line"] is (abs(beyond[f"distance_{other}_km"]) <= beyond["margin_km"])


def boundary_points(polygons, rng) -> tuple[np.ndarray, np.ndarray]:
    """Return points scattered within a few metres to a few kilometres of the polygons' boundaries."""
    vertices = np.concatenate([shapely.get_coordinates(shapely.boundary(p)) for p in polygons])
    chosen = vertices[rng.integers(0, len(vertices), 20000)]
    scale = np.abs(vertices).max() * 1e-7 * 10 ** rng.uniform(0, 4, (20000, 1))  # 1e-6 to 1e-2 of a degree
    return (chosen + rng.normal(0, 1, (20000, 2)) * scale).T


def test_grids_give_the_exact_answer_near_every_boundary():
    """The grids that decide zones, governorates and each line's side agree with GEOS point by point,
    near every boundary where a grid cell cannot decide."""
    rng = np.random.default_rng(14)
    grids = [reference().zones, reference().governorates, *(line.west for line in reference().lines.values())]
    for grid in grids:
        x, y = boundary_points(grid.polygons, rng)
        exact = np.full(len(x), -1)
        for number, polygon in reversed(list(enumerate(grid.polygons))):
            exact[shapely.contains_xy(polygon, x, y)] = number
        assert (grid.first_containing(x, y) == exact).all()


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


def shifted(collection: dict, degrees: float) -> dict:
    """Return a line collection moved east by `degrees`."""
    return {**collection, "features": [
        {**f, "geometry": {**f["geometry"], "coordinates": [[x + degrees, y] for x, y in f["geometry"]["coordinates"]]}}
        for f in collection["features"]]}


def stored_positions(app) -> dict:
    """Return each live incident's position as the store keeps it, by id."""
    with app.app_context():
        return {i.id: {k: i.extra.get(k) for k in POSITIONS} for i in get_store().query_incidents(IncidentQuery())}


def test_every_write_stores_the_position_the_layers_give(fixture_app):
    """Incidents are placed as they are written: what the store returns equals placing their features now."""
    stored = stored_positions(fixture_app)
    features = [i.to_feature() for i in fixture_incidents()]
    expected = position_properties(features, reference(), load_vocabulary())
    assert stored == {f["id"]: {k: p[k] for k in POSITIONS} for f, p in zip(features, expected)}
    with fixture_app.app_context():
        counts = get_store().count_incidents_by(IncidentQuery(), "zone")
    assert counts == Counter(p["zone"] for p in stored.values())


def test_changed_layers_place_every_incident_again_in_the_same_write(fixture_app):
    """Moving the Alpha line 0.05 degrees east moves every incident's distance to it, and the new data version
    serves the new positions (history included)."""
    before = stored_positions(fixture_app)
    with fixture_app.app_context():
        store = get_store()
        moved = [ReferenceLayer(layer.id, layer.meta, shifted(layer.data, 0.05)) if layer.id == "alpha_line"
                 else layer for layer in store.list_reference_layers()]
        version = store.data_version()
        assert store.put_reference_layers(moved, BatchInfo(user="test"))
        assert store.data_version() == version + 1
        old_version = store.query_incidents(IncidentQuery(as_of=version))
    after = stored_positions(fixture_app)
    assert all(after[i]["distance_alpha_km"] < before[i]["distance_alpha_km"] for i in before)
    assert {i.id: i.extra["distance_alpha_km"] for i in old_version} == {
        i: p["distance_alpha_km"] for i, p in after.items()}
    assert fixture_app.test_client().get("/api/collections/incidents/items/t-002").get_json()["properties"][
        "distance_alpha_km"] == after["t-002"]["distance_alpha_km"]


def test_an_older_database_is_placed_when_it_is_prepared(fixture_app):
    """Incidents stored before positions were kept (or placed by another method) are placed by
    `prepare_database` (run by `webmap init`, `serve`, `import` and `demo`), once."""
    expected = stored_positions(fixture_app)
    with fixture_app.app_context():
        store = get_store()
        conn = store._connection()
        conn.execute("UPDATE incident SET zone = NULL, governorate = NULL")
        conn.execute("DELETE FROM meta WHERE key = 'positions'")
        assert store.count_incidents(IncidentQuery(position=PositionFilter(zones=("bravo_0_10",)))) == 0
        assert "placed 7 incident versions" in prepare_database()
        assert "placed" not in prepare_database()
    assert stored_positions(fixture_app) == expected


def test_an_exported_incident_written_again_is_unchanged(client, fixture_app):
    """A feature read from the API, positions and all, written back changes nothing: positions are not input."""
    feature = client.get("/api/collections/incidents/items/t-002").get_json()
    assert feature["properties"]["zone"] == "bravo_0_10"
    with fixture_app.app_context():
        report = get_store().add_incidents([Incident.from_feature(feature)], BatchInfo(user="test"))
    assert report.unchanged == ["t-002"]
