"""Items of the read API: each parameter's effect checked against the fixture files, paging, and clear 400s."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from api_fixtures import BY_ID, FEATURES, all_pages, assert_error, expected_ids, ids_of, link_of
from conftest import DATA, without_positions
from shapely.geometry import shape

from webmap.core.model import Incident
from webmap.store import BatchInfo, get_store

ITEMS = "/api/collections/incidents/items"
QUNEITRA = (35.7, 33.0, 35.95, 33.25)


def test_everything_oldest_first(read_client):
    """Without filters every incident comes back, by date then id, with matched and returned counts."""
    body = read_client.get(ITEMS).get_json()
    assert body["type"] == "FeatureCollection"
    assert ids_of(body) == expected_ids() and len(FEATURES) == 20
    assert body["numberMatched"] == body["numberReturned"] == 20
    assert link_of(body, "next") is None and link_of(body, "prev") is None


@pytest.mark.parametrize("query, expectation", [
    ("bbox=35.7,33.0,35.95,33.25", dict(bbox=QUNEITRA)),
    ("bbox=35.7,33.0,0,35.95,33.25,100", dict(bbox=QUNEITRA)),  # 6 numbers: heights ignored
    ("bbox=35.7,33.0,35.95,33.25&bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84"
     "&crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84", dict(bbox=QUNEITRA)),  # the one CRS served may be named
    ("bbox=35.86,33.14,35.87,33.145", dict(bbox=(35.86, 33.14, 35.87, 33.145))),  # only inside the polygon a-006
    ("bbox=36.0,32.0,37.0,32.7", dict(bbox=(36.0, 32.0, 37.0, 32.7))),
    ("datetime=2025-02-01", dict(start="2025-02-01", end="2025-02-01")),  # a-004 ends that day, t-003 spans it
    ("datetime=2025-01-31T23:30:00-02:00", dict(start="2025-02-01", end="2025-02-01")),  # 01:30 UTC on 1 Feb
    ("datetime=2025-01-31T12:00:00Z", dict(start="2025-01-31", end="2025-01-31")),
    ("datetime=2025-01-31t12:00:00.250z", dict(start="2025-01-31", end="2025-01-31")),
    ("datetime=2025-03-01/2025-03-31", dict(start="2025-03-01", end="2025-03-31")),
    ("datetime=2025-02-02T00:00:00Z/2025-03-01T00:00:00%2B03:00", dict(start="2025-02-02", end="2025-02-28")),
    ("datetime=2025-07-01/..", dict(start="2025-07-01")),
    ("datetime=2025-07-01/", dict(start="2025-07-01")),
    ("datetime=../2024-12-10", dict(end="2024-12-10")),
    ("datetime=../..", dict()),
    ("event_type=incursion", dict(types=("incursion",))),
    ("event_type=raid,arrest", dict(types=("raid", "arrest"))),
    ("event_type=raid&event_type=Airstrike", dict(types=("raid", "airstrike"))),
    ("verification=verified", dict(verification=("verified",))),
    ("verification=verified,disputed", dict(verification=("verified", "disputed"))),
    ("q=QUNEITRA+column", dict(words=("quneitra", "column"))),
    ("q=tanks,quneitra", dict(words=("tanks", "quneitra"))),
    ("q=%23arrest", dict(words=("arrest",))),  # punctuation is not part of a word
    ("q=nothing-matches-this", dict(words=("nothing-matches-this",))),
    ("bbox=35.7,33.0,35.95,33.25&datetime=2025-01-01/2025-06-30&event_type=incursion",
     dict(bbox=QUNEITRA, start="2025-01-01", end="2025-06-30", types=("incursion",))),
    ("bbox=35.7,32.5,36.2,33.4&verification=unverified&q=fixture&datetime=2025-03-01/..",
     dict(bbox=(35.7, 32.5, 36.2, 33.4), verification=("unverified",), words=("fixture",), start="2025-03-01")),
])
def test_each_parameter_selects_what_the_files_say(read_client, query, expectation):
    """The ids returned and numberMatched equal a selection computed straight from the fixture files."""
    body = read_client.get(f"{ITEMS}?{query}").get_json()
    wanted = expected_ids(**expectation)
    assert ids_of(body) == wanted
    assert body["numberMatched"] == body["numberReturned"] == len(wanted)
    assert 0 < len(wanted) < 20 or query in ("datetime=../..", "q=nothing-matches-this")


def test_newest_first(read_client):
    """sortby=-date gives exactly the reverse order (date, then id); date and +date the usual one."""
    assert ids_of(read_client.get(f"{ITEMS}?sortby=-date").get_json()) == expected_ids()[::-1]
    assert ids_of(read_client.get(f"{ITEMS}?sortby=date").get_json()) == expected_ids()
    assert ids_of(read_client.get(f"{ITEMS}?sortby=%2Bdate").get_json()) == expected_ids()


@pytest.mark.parametrize("query, expectation, reverse", [
    ("limit=3", {}, False),
    ("limit=1", {}, False),
    ("limit=2&event_type=incursion,raid,airstrike", dict(types=("incursion", "raid", "airstrike")), False),
    ("limit=4&sortby=-date&bbox=35.7,33.0,35.95,33.25", dict(bbox=QUNEITRA), True),
])
def test_next_links_reach_every_feature_exactly_once(read_client, query, expectation, reverse):
    """Following `next` visits each match once in order; `prev` from the last page walks back the same way."""
    wanted = expected_ids(**expectation)
    wanted = wanted[::-1] if reverse else wanted
    limit = int(parse_qs(query)["limit"][0])
    pages = all_pages(read_client, f"{ITEMS}?{query}")
    seen = [i for page in pages for i in ids_of(page)]
    assert seen == wanted and len(set(seen)) == len(seen)
    assert len(pages) == -(-len(wanted) // limit)
    assert all(p["numberMatched"] == len(wanted) for p in pages)
    assert [p["numberReturned"] for p in pages[:-1]] == [limit] * (len(pages) - 1)
    backwards = all_pages(read_client, link_of(pages[-1], "self"), rel="prev")
    assert [ids_of(p) for p in backwards] == [ids_of(p) for p in pages[::-1]]


def test_paging_reads_one_data_version_while_data_changes(api_app):
    """Pages after the first keep to the data version the first page saw, so an upload cannot shift them."""
    client = api_app.test_client()
    first = client.get(f"{ITEMS}?limit=5").get_json()
    earliest = Incident(id="new-early", geometry={"type": "Point", "coordinates": [35.8, 33.1]},
                        date="2024-12-08", event_type="raid")
    with api_app.app_context():
        get_store().add_incidents([earliest], BatchInfo(user="test"))
        get_store().delete_incidents(["a-013"], BatchInfo(user="test"))
    rest = all_pages(client, link_of(first, "next"))
    assert ids_of(first) + [i for page in rest for i in ids_of(page)] == expected_ids()
    now = client.get(ITEMS).get_json()
    assert "new-early" in ids_of(now) and "a-013" not in ids_of(now) and now["numberMatched"] == 20


def test_limit_default_and_maximum(read_client, monkeypatch):
    """Without limit a page holds the default; above the maximum the limit is lowered to it, not refused."""
    monkeypatch.setattr("webmap.api.params.DEFAULT_LIMIT", 4)
    monkeypatch.setattr("webmap.api.params.MAX_LIMIT", 6)
    default = read_client.get(ITEMS).get_json()
    assert default["numberReturned"] == 4 and default["numberMatched"] == 20
    clamped = read_client.get(f"{ITEMS}?limit=50000").get_json()
    assert ids_of(clamped) == expected_ids()[:6]
    assert parse_qs(urlsplit(link_of(clamped, "next")).query)["limit"] == ["6"]


def test_offset_past_the_end_is_an_empty_page(read_client):
    """An offset beyond the matches gives no features, the full count and a prev link."""
    body = read_client.get(f"{ITEMS}?offset=500&limit=10").get_json()
    assert body["features"] == [] and body["numberMatched"] == 20 and body["numberReturned"] == 0
    assert link_of(body, "prev") and link_of(body, "next") is None


@pytest.mark.parametrize("query, field, words", [
    ("bbox=1,2,3", "bbox", "4 (or 6)"),
    ("bbox=a,b,c,d", "bbox", "'a' is not a number from -180 to 180"),
    ("bbox=1,2,3,nan", "bbox", "'nan' is not a number from -90 to 90"),
    ("bbox=35,33.5,36,33", "bbox", "miny (33.5) must be below maxy (33)"),
    ("bbox=0,0,200,1", "bbox", "'200' is not a number from -180 to 180"),
    ("bbox=0,-91,1,1", "bbox", "'-91' is not a number from -90 to 90"),
    ("datetime=2025-13-01", "datetime", "is not a date"),
    ("datetime=yesterday", "datetime", "is not a date"),
    ("datetime=2025-01-01T10:00:00", "datetime", "is not a date"),  # RFC 3339 needs an offset
    ("datetime=9999-12-31T23:00:00-05:00", "datetime", "is not a date"),  # past year 9999 in UTC
    ("datetime=..", "datetime", "is not a date"),
    ("datetime=2025-01-01/2025-02-01/2025-03-01", "datetime", "is not a date"),
    ("datetime=2025-03-01/2025-01-01", "datetime", "ends (2025-01-01) before it starts (2025-03-01)"),
    ("limit=0", "limit", "at least 1"),
    ("limit=abc", "limit", "not a whole number"),
    ("limit=-5", "limit", "not a whole number"),
    ("limit=1_0", "limit", "not a whole number"),
    ("offset=-1", "offset", "not a whole number"),
    ("offset=99999999999999999999", "offset", "from 0 to 9007199254740992"),
    ("event_type=bombardment", "event_type", "unknown event type 'bombardment'"),
    ("verification=maybe", "verification", "unknown verification state 'maybe'"),
    ("sortby=title", "sortby", "cannot sort by 'title'"),
    ("q=" + "+".join(["w"] * 21), "q", "at most 20 words"),
    ("version=999", "version", "does not exist yet"),
    ("version=x", "version", "not a whole number"),
    ("f=xml", "f", "unknown format 'xml'"),
    ("colour=red", "colour", "unknown parameter"),
    ("bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326", "bbox-crs", "only http://www.opengis.net/def/crs/OGC"),
    ("crs=EPSG:3857", "crs", "only http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
])
def test_bad_parameters_get_400_naming_them(read_client, query, field, words):
    """Every unusable parameter is a 400 in the OGC exception shape that names the field and says why."""
    body = assert_error(read_client.get(f"{ITEMS}?{query}"), 400, "InvalidParameterValue", [field])
    assert any(words in e["message"] for e in body["errors"] if e["field"] == field), body


def test_every_problem_is_named_at_once(read_client):
    """A request with several problems lists each of them in one 400."""
    body = assert_error(read_client.get(f"{ITEMS}?colour=red&limit=0&bbox=x&event_type=nope&datetime=soon"), 400,
                        "InvalidParameterValue", ["colour", "limit", "bbox", "event_type", "datetime"])
    assert len(body["errors"]) == 5


def test_one_incident(read_client):
    """An incident's own URL returns it with its geometry, properties and links; an unknown id is a 404."""
    body = read_client.get(f"{ITEMS}/a-006").get_json()
    assert body["id"] == "a-006" and without_positions(body["properties"]) == BY_ID["a-006"]["properties"]
    assert shape(body["geometry"]).equals(shape(BY_ID["a-006"]["geometry"]))
    assert {l["rel"] for l in body["links"]} >= {"self", "alternate", "collection"}
    assert_error(read_client.get(f"{ITEMS}/no-such-incident"), 404, "NotFound", ["featureId"])
    assert_error(read_client.get(f"{ITEMS}/a-006?limit=3"), 400, "InvalidParameterValue", ["limit"])


def test_reference_layer_items(read_client):
    """A reference layer's items are its features, numbered in file order, filtered by bbox and paged."""
    towns = json.loads((DATA.parent.parent / "geodata" / "towns.geojson").read_text(encoding="utf-8"))["features"]
    box = (35.7, 33.0, 35.95, 33.3)
    inside = [n for n, f in enumerate(towns, start=1) if shape(f["geometry"]).intersects(
        shape({"type": "Polygon", "coordinates": [[[box[0], box[1]], [box[2], box[1]], [box[2], box[3]],
                                                   [box[0], box[3]], [box[0], box[1]]]]}))]
    body = read_client.get("/api/collections/towns/items?bbox=35.7,33.0,35.95,33.3").get_json()
    assert ids_of(body) == inside and body["numberMatched"] == len(inside) > 0
    pages = all_pages(read_client, "/api/collections/towns/items?limit=25")
    assert [i for p in pages for i in ids_of(p)] == list(range(1, len(towns) + 1))
    third = read_client.get("/api/collections/towns/items/3").get_json()
    assert third["properties"] == towns[2]["properties"]
    assert_error(read_client.get("/api/collections/towns/items/0"), 404, "NotFound", ["featureId"])
    assert_error(read_client.get("/api/collections/towns/items?datetime=2025-01-01"), 400, "InvalidParameterValue",
                 ["datetime"])


@pytest.mark.parametrize("accept, mimetype", [
    (None, "application/geo+json"),
    ("*/*", "application/geo+json"),
    ("application/json", "application/geo+json"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
    ("text/csv", "text/csv"),
    ("image/png", "application/geo+json"),
])
def test_accept_header_picks_the_format(read_client, accept, mimetype):
    """Without `f`, the Accept header chooses GeoJSON, HTML or CSV (GeoJSON when nothing fits)."""
    response = read_client.get(ITEMS, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"]
    # f wins over the header.
    assert read_client.get(f"{ITEMS}?f=csv", headers={"Accept": "text/html"}).mimetype == "text/csv"
