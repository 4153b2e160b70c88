"""The read API's documents: landing page, conformance, collections with their licences, queryables, OpenAPI."""
import json
import re

import jsonschema_rs
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
    """Core, GeoJSON, HTML and OpenAPI 3.0 of OGC API - Features Part 1, and Part 5's schemas and roles."""
    classes = read_client.get("/api/conformance").get_json()["conformsTo"]
    for name in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}" in classes
    for name in ("schemas", "core-roles-features"):
        assert f"http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/{name}" in classes


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


def schema_of(read_client, collection_id: str, tail: str = "/schema") -> dict:
    """Return a collection's schema (or queryables, by `tail`), checking its media type."""
    response = read_client.get(f"/api/collections/{collection_id}{tail}")
    assert response.status_code == 200 and response.mimetype == "application/schema+json"
    return response.get_json()


def all_features(read_client, collection_id: str) -> list[dict]:
    """Return every feature of a collection as served."""
    return read_client.get(f"/api/collections/{collection_id}/items?limit=10000").get_json()["features"]


@pytest.mark.parametrize("collection_id", ["incidents", *(layer["id"] for layer in LAYERS)])
def test_schema_describes_every_property_the_items_carry(read_client, collection_id):
    """Each collection's schema (Part 5) names every property its features carry, and each value fits its type."""
    schema = schema_of(read_client, collection_id)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"http://localhost/api/collections/{collection_id}/schema"
    described = schema["properties"]
    roles = {name: entry["x-ogc-role"] for name, entry in described.items() if "x-ogc-role" in entry}
    assert {roles["id"] if "id" in roles else None, roles["geometry"]} == {"id", "primary-geometry"}
    validator = jsonschema_rs.validator_for(schema)
    features = all_features(read_client, collection_id)
    for feature in features:
        assert set(feature["properties"]) <= set(described)
        validator.validate({"id": feature["id"], "geometry": feature["geometry"], **feature["properties"]})
    carried = {name for feature in features for name in feature["properties"]}
    assert set(described) - {"id", "geometry"} >= carried


def test_incident_schema_types_and_roles(read_client):
    """Incidents: the computed position is described too, dates are dates and the interval has its roles."""
    described = schema_of(read_client, "incidents")["properties"]
    assert list(described)[:2] == ["id", "geometry"]
    assert {"zone", "near_line", "distance_alpha_km", "distance_bravo_km", "governorate", "governorate_name",
            "fatalities", "actors", "sources"} <= set(described)
    assert (described["date"]["format"], described["date"]["x-ogc-role"]) == ("date", "primary-interval-start")
    assert described["end_date"]["x-ogc-role"] == "primary-interval-end"
    assert (described["fatalities"]["type"], described["near_line"]["type"]) == ("integer", "boolean")
    assert described["actors"] == {"title": "Actors involved", "type": "array", "items": {"type": "string"}}
    assert described["zone"]["enum"][0] == "alpha_beyond" and described["distance_bravo_km"]["type"] == "number"
    assert described["event_type"]["enum"] == load_vocabulary().event_type_ids()
    assert described["custom_field"] == {"title": "custom_field (added by an upload)", "type": "object"}


@pytest.mark.parametrize("collection_id", ["incidents", "towns", "alpha_line"])
def test_collection_links_its_schemas_for_gdal_and_part_5(read_client, collection_id):
    """The collection links the Part 5 schema by its OGC rel, and the GeoJSON schema as `describedBy`, the
    spelling GDAL's OAPIF driver looks for; every served feature fits the GeoJSON one."""
    links = read_client.get(f"/api/collections/{collection_id}").get_json()["links"]
    by_rel = {l["rel"]: l for l in links}
    base = f"http://localhost/api/collections/{collection_id}"
    assert by_rel["http://www.opengis.net/def/rel/ogc/1.0/schema"]["href"] == f"{base}/schema"
    assert by_rel["describedBy"]["href"] == f"{base}/schema/geojson"
    assert {by_rel[rel]["type"] for rel in ("describedBy", "http://www.opengis.net/def/rel/ogc/1.0/schema")} == {
        "application/schema+json"}
    geojson = schema_of(read_client, collection_id, "/schema/geojson")
    flat = schema_of(read_client, collection_id)["properties"]
    inside = geojson["properties"]["properties"]["properties"]
    assert inside == {name: entry for name, entry in flat.items() if name not in ("id", "geometry")}
    validator = jsonschema_rs.validator_for(geojson)
    for feature in all_features(read_client, collection_id):
        validator.validate(feature)


def test_queryables(read_client):
    """The queryables are the schema's entries that an items parameter filters on, each naming the parameter."""
    body = schema_of(read_client, "incidents", "/queryables")
    assert body["type"] == "object" and body["$id"].endswith("/api/collections/incidents/queryables")
    assert body["additionalProperties"] is False
    schema = schema_of(read_client, "incidents")["properties"]
    parameters = {name: re.fullmatch(r"Filter with the `(\w+)` parameter\.", entry["description"])[1]
                  for name, entry in body["properties"].items()}
    assert parameters == {"geometry": "bbox", "date": "datetime", "end_date": "datetime", "event_type": "event_type",
                          "title": "q", "description": "q", "location_name": "q", "verification": "verification",
                          "zone": "zone", "governorate": "governorate", "distance_alpha_km": "distance_alpha_km",
                          "distance_bravo_km": "distance_bravo_km", "batch": "batch"}
    assert body["properties"]["batch"]["type"] == "integer" and "batch" not in schema
    for name, entry in body["properties"].items():
        if name == "batch":  # a filter on how incidents arrived, not a property they carry
            continue
        assert {k: v for k, v in entry.items() if k != "description"} == schema[name]
    for name in ("event_type", "verification", "title", "date", "zone"):
        assert read_client.get(f"/api/collections/incidents/items?{parameters[name]}="
                               f"{ {'date': '2025-01-01'}.get(name, schema[name].get('enum', ['x'])[0]) }"
                               ).status_code == 200
    assert set(schema_of(read_client, "towns", "/queryables")["properties"]) == {"geometry"}


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
    incident = document["components"]["schemas"]["incidentGeoJSON"]["allOf"][1]["properties"]["properties"]
    schema = read_client.get("/api/collections/incidents/schema").get_json()["properties"]
    known = list(incident["properties"])
    assert list(schema)[2:2 + len(known)] == known and {"fatalities", "zone", "near_line"} <= set(known)
    assert all(entry["title"].endswith("(added by an upload)") for entry in list(schema.values())[2 + len(known):])
    assert incident["properties"]["governorate"]["nullable"] is True
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
                                 "/api/collections/alpha_line", "/api/collections/incidents/queryables",
                                 "/api/collections/incidents/schema", "/api/collections/towns/schema/geojson"])
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
