"""The read API's documents: landing page, conformance, collections with their licences, queryables, OpenAPI."""
import json
import re

import pytest
from api_fixtures import FEATURES, link_of
from conftest import DATA
from shapely.geometry import shape
from shapely.ops import unary_union

from webmap.core.vocabulary import load_vocabulary

LAYERS = json.loads((DATA.parent.parent / "geodata" / "layers.json").read_text(encoding="utf-8"))["layers"]


def test_landing_page_links_everything(read_client):
    """The landing page links the definition, conformance and data, and each link answers."""
    body = read_client.get("/api").get_json()
    rels = {l["rel"]: l for l in body["links"]}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    for name in ("service-desc", "service-doc", "conformance", "data"):
        assert read_client.get(rels[name]["href"]).status_code == 200
    assert read_client.get("/api/").get_json() == body


def test_conformance_classes(read_client):
    """Core, GeoJSON, HTML and OpenAPI 3.0 of OGC API - Features Part 1 are declared."""
    classes = read_client.get("/api/conformance").get_json()["conformsTo"]
    for name in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}" in classes


def test_collections_carry_each_layers_licence_and_precision(read_client):
    """There is one collection for the incidents and one per reference layer, with the descriptor's metadata."""
    body = read_client.get("/api/collections").get_json()
    by_id = {c["id"]: c for c in body["collections"]}
    assert list(by_id) == ["incidents", *(layer["id"] for layer in LAYERS)]
    for layer in LAYERS:
        described = by_id[layer["id"]]
        assert described["title"] == layer["title"]["en"]
        assert (described["license"], described["attribution"], described["precision"]) == (
            layer["licence"], layer["attribution"], layer["precision"])
        assert described["approximate"] is layer["approximate"]
        assert {"items", "enclosure", "license"} <= {l["rel"] for l in described["links"]}
        # The collection's own document adds the count of incidents against the layer, which the list leaves out.
        single = read_client.get(f"/api/collections/{layer['id']}").get_json()
        assert single.pop("within_buffer_km") == (0 if layer["geometry_kind"] == "polygon" else 1.0)
        assert isinstance(single.pop("incidents_within"), int)
        assert single == described


def test_incident_extent_covers_the_fixture_data(read_client):
    """The incidents collection's extent is the bounding box and day range of every fixture incident."""
    extent = read_client.get("/api/collections/incidents").get_json()["extent"]
    bounds = unary_union([shape(f["geometry"]) for f in FEATURES]).bounds
    assert extent["spatial"]["bbox"][0] == pytest.approx(list(bounds))
    first = min(f["properties"]["date"] for f in FEATURES)
    last = max(f["properties"].get("end_date", f["properties"]["date"]) for f in FEATURES)
    assert extent["temporal"]["interval"] == [[f"{first}T00:00:00Z", f"{last}T23:59:59Z"]]


def test_reference_extent(read_client):
    """A reference layer's extent is the bounding box of its features."""
    towns = json.loads((DATA.parent.parent / "geodata" / "towns.geojson").read_text(encoding="utf-8"))["features"]
    bounds = unary_union([shape(f["geometry"]) for f in towns]).bounds
    extent = read_client.get("/api/collections/towns").get_json()["extent"]
    assert extent["spatial"]["bbox"][0] == pytest.approx(list(bounds))


def test_queryables(read_client):
    """The incidents can be filtered by event type and verification (with their allowed values) and geometry."""
    response = read_client.get("/api/collections/incidents/queryables")
    assert response.mimetype == "application/schema+json"
    body = response.get_json()
    assert body["type"] == "object" and body["$id"].endswith("/api/collections/incidents/queryables")
    vocabulary = load_vocabulary()
    assert body["properties"]["event_type"]["enum"] == vocabulary.event_type_ids()
    assert body["properties"]["verification"]["enum"] == vocabulary.verification_ids()
    assert set(read_client.get("/api/collections/towns/queryables").get_json()["properties"]) == {"geometry"}


def test_openapi_describes_every_route(read_client):
    """The OpenAPI document has a path for every API route, and its server is this API."""
    response = read_client.get("/api/openapi")
    assert response.mimetype == "application/vnd.oai.openapi+json"
    document = response.get_json()
    assert document["openapi"].startswith("3.0") and document["servers"][0]["url"] == "http://localhost/api"
    routes = {
        re.sub(r"<(\w+)>", lambda m: "{" + {"collection_id": "collectionId", "feature_id": "featureId"}[m[1]] + "}",
               rule.rule.removeprefix("/api")) or "/"
        for rule in read_client.application.url_map.iter_rules() if rule.endpoint.startswith("api.")
    }
    documented = {path.replace("/collections/incidents", "/collections/{collectionId}") for path in document["paths"]}
    assert routes == documented
    assert document["components"]["parameters"]["collectionId"]["schema"]["enum"] == [l["id"] for l in LAYERS]
    limit = document["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["default"], limit["maximum"]) == (1, 100, 10000)


def test_openapi_page_is_readable_and_self_contained(read_client):
    """The HTML definition lists every operation and parameter, and loads no script or style from elsewhere."""
    document = read_client.get("/api/openapi?f=json").get_json()
    page = read_client.get("/api/openapi", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for path in document["paths"]:
        assert f"<code>GET {path}</code>" in html
    for name in ("bbox", "datetime", "limit", "offset", "event_type", "verification", "sortby", "q", "f"):
        assert f"<code>{name}</code>" in html
    assert "<script" not in html
    assert not re.search(r'<(link|img|iframe)[^>]+(src|href)="https?://', html)


@pytest.mark.parametrize("url", ["/api", "/api/conformance", "/api/collections", "/api/collections/incidents",
                                 "/api/collections/alpha_line", "/api/collections/incidents/queryables"])
def test_documents_have_html_pages(read_client, url):
    """Every document also comes as a page that shows its links and loads nothing from another host."""
    json_body = read_client.get(url).get_json()
    response = read_client.get(f"{url}?f=html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', html)
    for link in json_body.get("links", []):
        assert link["href"].replace("&", "&amp;") in html


def test_collections_page_lists_licences(read_client):
    """The collections page names each layer's licence next to its title."""
    html = read_client.get("/api/collections?f=html").get_data(as_text=True)
    for layer in LAYERS:
        row = re.search(rf'<tr data-collection="{layer["id"]}">(.*?)</tr>', html, re.S).group(1)
        assert layer["licence"].replace("'", "&#39;") in row
    assert link_of(read_client.get("/api/collections").get_json(), "self").endswith("/api/collections?f=json")
