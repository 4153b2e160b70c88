"""Geometry for readers: the live map, embeds and the API's HTML map get lines and areas simplified for their
zoom, so one huge polygon never costs a reader megabytes; the API's data keeps every vertex."""
import gzip
import json
import math
import re

import pytest
import shapely
from conftest import map_data
from shapely.geometry import shape

from webmap.core.model import Incident
from webmap.map.simplify import MAX_VERTICES_SENT, pixel_degrees, simplify_geometry, zoom_for_bbox
from webmap.store import BatchInfo, get_store

VERTICES = 100_000
CENTRE = (35.82, 33.12)  # Quneitra
BIG = "big-area"


def rippled_ring(vertices: int = VERTICES, radius: float = 0.1) -> list[list[float]]:
    """Return a closed ring around Quneitra with 20-metre ripples: many vertices, none visible from afar."""
    ring = []
    for n in range(vertices):
        angle = 2 * math.pi * n / vertices
        r = radius + 0.0002 * math.sin(angle * vertices / 40)
        ring.append([round(CENTRE[0] + r * math.cos(angle), 7), round(CENTRE[1] + r * math.sin(angle), 7)])
    return [*ring, ring[0]]


BIG_POLYGON = {"type": "Polygon", "coordinates": [rippled_ring()]}


@pytest.fixture
def big_app(fixture_app):
    """The fixture app plus one 100,000-vertex area, written straight to the store (as before the vertex cap)."""
    area = Incident(id=BIG, geometry=BIG_POLYGON, date="2025-02-10", event_type="demolition",
                    title="Cleared area", precision="exact")
    with fixture_app.app_context():
        get_store().add_incidents([area], BatchInfo(user="test"))
    return fixture_app


def vertices(geometry: dict) -> int:
    """Return how many positions a GeoJSON geometry has."""
    return shapely.get_num_coordinates(shape(geometry))


def assert_same_area(geometry: dict) -> None:
    """Check a simplified polygon still covers nearly the area of the original (at zoom 9 the area is about
    90 pixels across, so a pixel of difference along its edge is about 2% of it)."""
    original, simplified = shape(BIG_POLYGON), shape(geometry)
    assert simplified.is_valid
    assert original.symmetric_difference(simplified).area < 0.05 * original.area


def feature_in_page(html: str, incident_id: str) -> dict:
    """Return the GeoJSON Feature of one incident as a map page carries it."""
    at = re.search(rf'"id":\s*"{incident_id}"', html).start()
    return json.JSONDecoder().raw_decode(html, html.rindex('{"type"', 0, at))[0]


def big_feature(features: list[dict]) -> dict:
    """Return the big area among GeoJSON Features."""
    return next(f for f in features if f["id"] == BIG)


def test_points_and_small_shapes_come_back_as_they_are():
    """Simplifying leaves points alone, and a shape with nothing to remove is the same object."""
    point = {"type": "Point", "coordinates": [35.8, 33.1]}
    line = {"type": "LineString", "coordinates": [[35.8, 33.1], [35.9, 33.2]]}
    assert simplify_geometry(point, 3) is point and simplify_geometry(line, 3) is line


def test_simplified_outline_stays_within_a_pixel():
    """At each zoom the outline keeps fewer vertices than stored and moves by about a pixel at most."""
    ring = rippled_ring(20_000)
    for zoom in (6, 9, 12):
        simplified = shape(simplify_geometry({"type": "Polygon", "coordinates": [ring]}, zoom))
        assert simplified.is_valid and shapely.get_num_coordinates(simplified) < len(ring) / 10
        farthest = shapely.distance(shapely.points(ring), simplified.boundary).max()
        assert farthest < 1.5 * pixel_degrees(zoom)


def test_no_zoom_sends_more_than_the_vertex_bound():
    """Even at the deepest zoom, where a pixel is a centimetre, a reader gets at most MAX_VERTICES_SENT."""
    deepest = simplify_geometry(BIG_POLYGON, 22)
    assert shapely.get_num_coordinates(shape(deepest)) <= MAX_VERTICES_SENT
    assert_same_area(deepest)


@pytest.mark.parametrize("bbox, zoom", [
    ((-180, -85, 180, 85), 2),  # the world in 1,024 pixels
    ((35.0, 32.5, 36.7, 33.6), 9),  # southern Syria
    ((35.82, 33.12, 35.82, 33.12), 22),  # a point: as deep as it goes
])
def test_zoom_for_a_box(bbox, zoom):
    """A box's zoom is the deepest at which it fits in a 1,024-pixel view."""
    assert zoom_for_bbox(bbox) == zoom


def test_live_view_at_a_low_zoom_sends_a_simplified_area(big_app):
    """/map-data/view at zoom 9 answers in kilobytes, with the area's outline cut to a few hundred vertices."""
    response = big_app.test_client().get("/map-data/view?bbox=35.0,32.5,36.7,33.6&zoom=9")
    assert response.status_code == 200 and len(response.data) < 200_000
    area = big_feature(response.get_json()["features"])["geometry"]
    assert vertices(area) < 2_000
    assert_same_area(area)


def test_more_detail_as_the_view_zooms_in(big_app):
    """Closer in, the outline keeps more vertices (about a pixel each), and never more than were stored."""
    client = big_app.test_client()
    counts = [vertices(big_feature(client.get(f"/map-data/view?bbox={bbox}&zoom={zoom}").get_json()["features"])
                       ["geometry"]) for bbox, zoom in (("35.0,32.5,36.7,33.6", 9), ("35.7,33.0,35.95,33.25", 13))]
    assert counts[0] < counts[1] <= VERTICES + 1


def test_a_gzipped_view_is_smaller_still(big_app):
    """The map's own request (gzip accepted) is well under the size of the stored area."""
    response = big_app.test_client().get("/map-data/view?bbox=35.0,32.5,36.7,33.6&zoom=9",
                                         headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip" and len(response.data) < 50_000
    assert big_feature(json.loads(gzip.decompress(response.data))["features"])


def test_the_list_sends_simplified_areas_too(big_app):
    """/map-data/list, which has no zoom, simplifies for a view of its box."""
    response = big_app.test_client().get("/map-data/list?bbox=35.0,32.5,36.7,33.6")
    assert response.status_code == 200 and len(response.data) < 200_000
    assert_same_area(big_feature(response.get_json()["features"])["geometry"])


@pytest.mark.parametrize("query, zoom", [("lat=33.12&lon=35.82&zoom=9", 9),
                                         ("bbox=35.0,32.5,36.7,33.6", zoom_for_bbox((35.0, 32.5, 36.7, 33.6)))])
def test_embed_loads_the_area_simplified_for_its_view(big_app, query, zoom):
    """An embed's page holds no incident, so one huge area cannot make it heavy; the view it then asks for
    sends the area simplified for that view's zoom, drawn in the right place."""
    client = big_app.test_client()
    response = client.get(f"/embed?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and len(response.data) < 600_000 and BIG not in html
    live = map_data(html)["config"]["live"]
    view = client.get(live["view_url"], query_string={**live["filters"], "bbox": "35.0,32.5,36.7,33.6",
                                                      "zoom": str(zoom)})
    area = big_feature(view.get_json()["features"])["geometry"]
    assert vertices(area) < 5_000
    assert_same_area(area)


def test_api_items_keep_every_vertex_but_their_html_map_does_not(big_app):
    """The API's GeoJSON is the data: every vertex. Its HTML page's small map draws a simplified outline."""
    client = big_app.test_client()
    items = client.get(f"/api/collections/incidents/items/{BIG}?f=json").get_json()
    assert items["geometry"] == BIG_POLYGON
    page = client.get("/api/collections/incidents/items?f=html&limit=100")
    assert page.status_code == 200 and len(page.data) < 600_000
    area = feature_in_page(page.get_data(as_text=True), BIG)["geometry"]
    assert vertices(area) < 5_000
    assert_same_area(area)
