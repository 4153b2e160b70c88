"""The live map's data endpoints (/map-data/...): counts and incidents checked against the fixture file."""
import json
import re
from collections import Counter

import pytest
from conftest import DATA, fixture_incidents, without_positions

from webmap.core.model import Incident
from webmap.core.vocabulary import load_vocabulary
from webmap.store import BatchInfo, get_store

FIXTURE = json.loads((DATA / "incidents_small.geojson").read_text(encoding="utf-8"))["features"]
WORLD = "bbox=-180,-85,180,85&zoom=2"


def selected(start=None, end=None, types=(), verification=(), precision=(), bbox=None) -> list[dict]:
    """Return the fixture features a filter selects, by reading each one."""
    found = []
    for feature in FIXTURE:
        props = feature["properties"]
        first, last = props["date"], props.get("end_date", props["date"])
        coords = feature["geometry"]["coordinates"]
        points = coords if isinstance(coords[0], list) else [coords]
        if (start and last < start) or (end and first > end):
            continue
        if (types and props["event_type"] not in types) or (verification and props["verification"] not in verification):
            continue
        if precision and props.get("precision") not in precision:
            continue
        if bbox and not (min(p[0] for p in points) <= bbox[2] and max(p[0] for p in points) >= bbox[0]
                         and min(p[1] for p in points) <= bbox[3] and max(p[1] for p in points) >= bbox[1]):
            continue
        found.append(feature)
    return found


CASES = [
    ("", {}),
    ("start=2025-02-02", {"start": "2025-02-02"}),
    ("start=2025-02-04&end=2025-04-01", {"start": "2025-02-04", "end": "2025-04-01"}),
    ("type=airstrike,incursion", {"types": ("airstrike", "incursion")}),
    ("verification=verified&verification=disputed", {"verification": ("verified", "disputed")}),
    ("precision=town&type=incursion,arrest,outpost", {"precision": ("town",), "types": ("incursion", "arrest", "outpost")}),
]


@pytest.mark.parametrize("query, spec", CASES)
def test_summary_counts_match_the_fixture(client, query, spec):
    """The summary's total and its per-choice counts (each ignoring its own filter) match the fixture."""
    body = client.get(f"/map-data/summary?{query}").get_json()
    assert body["matched"] == len(selected(**spec))
    without_types = {k: v for k, v in spec.items() if k != "types"}
    for type_id, count in body["event_types"].items():
        assert count == len(selected(**without_types, types=(type_id,))), type_id
    without_precision = {k: v for k, v in spec.items() if k != "precision"}
    for level, count in body["precision"].items():
        assert count == len(selected(**without_precision, precision=(level,))), level
    without_dates = {k: v for k, v in spec.items() if k not in ("start", "end")}
    assert sum(b["count"] for b in body["timeline"]["bins"]) == len(selected(**without_dates))


@pytest.mark.parametrize("query, spec", CASES)
def test_view_sends_the_matching_incidents_in_the_box(client, query, spec):
    """Few incidents: each one that matches and touches the box comes whole, with its properties."""
    for bbox, zoom in (((-180, -85, 180, 85), 2), ((35.7, 33.1, 35.95, 33.35), 12)):
        box = ",".join(map(str, bbox))
        body = client.get(f"/map-data/view?{query}&bbox={box}&zoom={zoom}").get_json()
        expected = selected(**spec, bbox=bbox)
        assert body["clustered"] is False and body["clusters"] == [] and body["list"] is None
        assert body["in_view"] == len(expected)
        assert sorted(f["id"] for f in body["features"]) == sorted(f["id"] for f in expected)
        for feature in body["features"]:
            assert {**feature, "properties": without_positions(feature["properties"])} == next(
                f for f in FIXTURE if f["id"] == feature["id"])


def test_view_clusters_when_more_than_the_limit(fixture_app):
    """Over MAX_PAGE_INCIDENTS the view sends clusters and lone incidents that add up, plus a list page."""
    fixture_app.config["MAX_PAGE_INCIDENTS"] = 2
    body = fixture_app.test_client().get(f"/map-data/view?{WORLD}").get_json()
    assert body["clustered"] is True and body["in_view"] == len(FIXTURE)
    assert sum(c["count"] for c in body["clusters"]) + len(body["features"]) == len(FIXTURE)
    assert all(c["count"] >= 2 for c in body["clusters"])
    assert body["list"]["total"] == len(FIXTURE) and body["list"]["sort"] == "-date"
    dates = [f["properties"]["date"] for f in body["list"]["features"]]
    assert dates == sorted((f["properties"]["date"] for f in FIXTURE), reverse=True)


def test_clusters_count_approximate_locations(fixture_app):
    """A cluster says how many of its incidents have an area- or region-level location."""
    fixture_app.config["MAX_PAGE_INCIDENTS"] = 0
    body = fixture_app.test_client().get("/map-data/view?bbox=-180,-85,180,85&zoom=0").get_json()
    assert [(c["count"], c["approximate"]) for c in body["clusters"]] == [(7, 2)]


def test_clusters_count_each_event_type(fixture_app):
    """A cluster says how many incidents of each event type it holds, in the vocabulary's order."""
    fixture_app.config["MAX_PAGE_INCIDENTS"] = 0
    body = fixture_app.test_client().get("/map-data/view?bbox=-180,-85,180,85&zoom=0").get_json()
    by_type = Counter(f["properties"]["event_type"] for f in FIXTURE)
    assert body["clusters"][0]["event_types"] == {t: by_type[t] for t in load_vocabulary().event_type_ids() if t in by_type}


def test_list_pages_and_sorts(client):
    """The list endpoint pages through the view's incidents, oldest or newest first."""
    dates = sorted(f["properties"]["date"] for f in FIXTURE)
    oldest = client.get(f"/map-data/list?{WORLD}&sort=date").get_json()
    assert [f["properties"]["date"] for f in oldest["features"]] == dates
    second = client.get(f"/map-data/list?{WORLD}&sort=-date&offset=5").get_json()
    assert [f["properties"]["date"] for f in second["features"]] == dates[::-1][5:]
    assert second["total"] == len(FIXTURE) and second["offset"] == 5


@pytest.mark.parametrize("path, field, words", [
    ("/map-data/view?zoom=9", "bbox", "required"),
    ("/map-data/view?bbox=35,33,36", "bbox", "four comma-separated numbers"),
    ("/map-data/view?bbox=36,33,35,34&zoom=9", "bbox", "minx (36) must be below maxx (35)"),
    ("/map-data/view?bbox=35,33,200,34&zoom=9", "bbox", "from -180 to 180"),
    ("/map-data/view?bbox=35,33,36,34&zoom=high", "zoom", "whole number"),
    ("/map-data/view?bbox=-180,-85,180,85&zoom=12", "bbox", "grid cells"),
    ("/map-data/view?bbox=35,33,36,34&zoom=9&sort=title", "sort", "not one of"),
    ("/map-data/list?bbox=35,33,36,34&offset=-3", "offset", "whole number"),
    ("/map-data/summary?type=bombardment", "type", "unknown event type"),
    ("/map-data/summary?verification=rumour", "verification", "unknown verification state"),
    ("/map-data/summary?start=2025-02-30", "start", "not a valid date"),
])
def test_bad_parameters_get_a_json_400(client, path, field, words):
    """Every bad parameter gets HTTP 400 in the one JSON error shape, naming the field and the reason."""
    response = client.get(path)
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"code", "description", "errors"} and body["code"] == "InvalidParameterValue"
    assert any(e["field"] == field and words in e["message"] for e in body["errors"]), body


def test_answers_are_revalidated_by_data_version(fixture_app):
    """A repeated request gets 304 until the data change; then the new data come back."""
    client = fixture_app.test_client()
    first = client.get(f"/map-data/view?{WORLD}")
    again = client.get(f"/map-data/view?{WORLD}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    other_query = client.get(f"/map-data/view?{WORLD}&type=raid", headers={"If-None-Match": first.headers["ETag"]})
    assert other_query.status_code == 200
    with fixture_app.app_context():
        get_store().delete_incidents(["t-002"], BatchInfo(user="test"))
    changed = client.get(f"/map-data/view?{WORLD}", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["in_view"] == len(FIXTURE) - 1


def test_page_counts_and_keeps_verification_and_precision_filters(client):
    """The server-rendered page counts with the new filters and shows them checked, with counts per choice."""
    html = client.get("/?verification=verified,disputed&precision=exact,area").get_data(as_text=True)
    count = int(re.search(r'id="incident-count" data-count="(\d+)"', html).group(1))
    assert count == len(selected(verification=("verified", "disputed"), precision=("exact", "area")))
    assert re.search(r'name="verification" value="disputed"\s+checked', html)
    assert re.search(r'name="precision" value="area"\s+checked', html)
    airstrikes = len(selected(types=("airstrike",), verification=("verified", "disputed"), precision=("exact", "area")))
    assert re.search(rf'data-facet="type" data-value="airstrike">{airstrikes}<', html)


def test_page_states_synthetic_incidents(app):
    """Synthetic incidents are counted in their own note, not as illustrative samples."""
    from webmap.cli.synthetic import synthetic_incidents

    with app.app_context():
        get_store().add_incidents(list(synthetic_incidents(30)), BatchInfo(user="test"))
    html = app.test_client().get("/").get_data(as_text=True)
    assert "Includes 30 synthetic incidents" in html
    assert re.search(r'id="sample-note"\s+hidden', html)


def test_fixture_ids_never_reach_the_page(client):
    """The page carries counts, never incident data: its size does not grow with the incidents."""
    html = client.get("/").get_data(as_text=True)
    assert not any(incident.id in html or incident.title in html for incident in fixture_incidents())


def test_answers_are_gzipped_for_clients_that_accept_it(client):
    """With Accept-Encoding: gzip the answer is compressed, under its own ETag, and decodes to the same data."""
    import gzip

    plain = client.get(f"/map-data/view?{WORLD}")
    packed = client.get(f"/map-data/view?{WORLD}", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert json.loads(gzip.decompress(packed.get_data())) == plain.get_json()
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert len(packed.get_data()) < len(plain.get_data()) / 2


def test_legend_explains_clusters(client):
    """The legend says what a cluster is and what a dashed one means, in each language."""
    assert "Dashed: most of them have an approximate location." in client.get("/").get_data(as_text=True)
    assert "متقطّع: معظمها بموقع تقريبي." in client.get("/?lang=ar").get_data(as_text=True)


def test_view_of_a_pinned_version_ignores_later_writes(fixture_app):
    """`as_of` gives the view and counts of that data version, cached for a day; later writes change only the
    live answers, and a version not reached yet is a 400."""
    client = fixture_app.test_client()
    with fixture_app.app_context():
        version = get_store().data_version()
        get_store().add_incidents([Incident(id="new-1", geometry={"type": "Point", "coordinates": [35.9, 33.1]},
                                            date="2025-05-01", event_type="raid", title="new")], BatchInfo(user="test"))
        get_store().delete_incidents(["t-002"], BatchInfo(user="test"))
    pinned = client.get(f"/map-data/view?{WORLD}&as_of={version}")
    live = client.get(f"/map-data/view?{WORLD}")
    ids = lambda response: sorted(f["id"] for f in response.get_json()["features"])  # noqa: E731
    assert ids(pinned) == sorted(f["id"] for f in FIXTURE)
    assert ids(live) == sorted({f["id"] for f in FIXTURE} - {"t-002"} | {"new-1"})
    assert pinned.get_json()["data_version"] == version < live.get_json()["data_version"]
    assert pinned.headers["Cache-Control"] == "public, max-age=86400, s-maxage=86400"
    assert live.headers["Cache-Control"] == "public, max-age=0"
    summary = client.get(f"/map-data/summary?as_of={version}").get_json()
    assert summary["matched"] == len(FIXTURE) and summary["data_version"] == version
    future = client.get(f"/map-data/view?{WORLD}&as_of={version + 5}")
    assert future.status_code == 400 and future.get_json()["errors"][0]["field"] == "as_of"


def test_embeds_can_leave_out_the_list_and_read_from_any_origin(client, app):
    """`list=0` drops the list page of a clustered view (an embed has no list); every answer may be read
    from a sandboxed frame, whose origin is opaque."""
    app.config["MAX_PAGE_INCIDENTS"] = 2
    clustered = client.get(f"/map-data/view?{WORLD}")
    bare = client.get(f"/map-data/view?{WORLD}&list=0")
    assert clustered.get_json()["clustered"] and clustered.get_json()["list"]["total"] == len(FIXTURE)
    assert bare.get_json()["list"] is None and bare.get_json()["clusters"] == clustered.get_json()["clusters"]
    assert client.get(f"/map-data/view?{WORLD}&list=yes").status_code == 400
    for answer in (clustered, client.get("/map-data/summary"), client.get("/map-data/view?zoom=99")):
        assert answer.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("query, types", [("", ()), ("type=airstrike", ("airstrike",)), ("type=raid", ("raid",))])
def test_summary_names_the_box_of_the_matching_incidents(client, query, types):
    """The summary's bounds hold every matching incident and touch the outermost ones (what a fitted embed
    shows); no match, no box."""
    bounds = client.get(f"/map-data/summary?{query}").get_json()["bounds"]
    points = [p for f in selected(types=types) for p in (
        f["geometry"]["coordinates"] if f["geometry"]["type"] == "LineString" else [f["geometry"]["coordinates"]])]
    assert bounds == [min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points),
                      max(p[1] for p in points)]
    assert client.get("/map-data/summary?start=2030-01-01").get_json()["bounds"] is None
