"""GeoJSON imports: what is accepted, how it is normalised, and every problem named with its feature and field."""
import json

import pytest
from ingest_helpers import UPLOADS, by_feature, collection, feature, read, read_fixture, refused

from webmap.core.errors import BadRequest, InvalidContent
from webmap.ingest.jsontext import MAX_DEPTH


def test_valid_collection_becomes_canonical_incidents():
    source = feature(0, title="  Raid  ", actors=["Unit A"], sources="Outlet A; Outlet B", fatalities=2,
                     precision="Town", custom={"kept": [1, 2]}, end_date="2025-01-07")
    incident, = read(collection(source))
    assert incident.id == "f-0"
    assert (incident.date, incident.end_date, incident.event_type) == ("2025-01-05", "2025-01-07", "raid")
    assert incident.title == "Raid"
    assert incident.sources == ("Outlet A", "Outlet B")
    assert incident.actors == ("Unit A",)
    assert (incident.fatalities, incident.precision, incident.verification) == (2, "town", "unverified")
    assert incident.extra == {"custom": {"kept": [1, 2]}}


def test_a_lone_feature_is_accepted():
    assert [i.id for i in read(json.dumps(feature(3)))] == ["f-3"]


def test_missing_precision_stays_unknown():
    incident, = read(collection(feature()))
    assert incident.precision is None


def test_synonyms_map_onto_event_types():
    types = ["Air/drone strike", "SHELLING/ARTILLERY/MISSILE ATTACK", "Battles", "غارة جوية", "arrests"]
    incidents = read(collection(*(feature(n, event_type=t) for n, t in enumerate(types))))
    assert [i.event_type for i in incidents] == ["airstrike", "shelling", "clash", "airstrike", "arrest"]


@pytest.mark.parametrize("text, expected", [
    ("2025-01-05", "2025-01-05"),
    ("05 January 2025", "2025-01-05"),
    ("5 Jan 2025", "2025-01-05"),
    ("2025-01-05T23:30:00+03:00", "2025-01-05"),
    ("2025-01-05T10:00:00Z", "2025-01-05"),
    ("2025-01-05 00:00:00.000", "2025-01-05"),
])
def test_dates_in_iso_8601_and_the_acled_form(text, expected):
    incident, = read(collection(feature(date=text)))
    assert incident.date == expected


def test_source_url_joins_the_sources():
    incident, = read(collection(feature(sources=["Outlet A"], source_url="https://example.org/report/1")))
    assert incident.sources == ("Outlet A", "https://example.org/report/1")
    assert "source_url" not in incident.extra


def test_synthetic_benchmark_features_are_accepted():
    synthetic = {"type": "Feature", "id": "synth-0000001",
                 "geometry": {"type": "Point", "coordinates": [35.82, 33.12]},
                 "properties": {"date": "2025-01-05", "event_type": "airstrike", "title": "Synthetic airstrike #1",
                                "description": "Synthetic record.", "fatalities": 0,
                                "source_url": "https://example.org/report/1"}}
    incident, = read(collection(synthetic))
    assert incident.sources == ("https://example.org/report/1",)
    assert incident.fatalities == 0


def test_third_coordinates_are_dropped_everywhere():
    line = {"type": "LineString", "coordinates": [[35.8, 33.1, 10], [35.9, 33.2, 12.5]]}
    incident, = read(collection(feature(geometry=line)))
    assert incident.geometry == {"type": "LineString", "coordinates": [[35.8, 33.1], [35.9, 33.2]]}


def test_valid_polygons_and_collections_are_kept():
    square = {"type": "Polygon", "coordinates": [[[35.8, 33.1], [35.9, 33.1], [35.9, 33.2], [35.8, 33.2], [35.8, 33.1]]]}
    mixed = {"type": "GeometryCollection", "geometries": [square, {"type": "Point", "coordinates": [35.85, 33.15]}]}
    incidents = read(collection(feature(0, geometry=square), feature(1, geometry=mixed)))
    assert incidents[0].geometry == square
    assert incidents[1].geometry["geometries"][1] == {"type": "Point", "coordinates": [35.85, 33.15]}


def test_features_without_id_get_the_same_id_from_the_same_content():
    first, second = (dict(feature(n, title=f"Raid {n}")) for n in range(2))
    del first["id"], second["id"]
    ids = [i.id for i in read(collection(first, second))]
    again = [i.id for i in read(collection(first, second))]
    assert ids == again
    assert ids[0] != ids[1] and all(i.startswith("auto-") for i in ids)


def test_numeric_ids_become_text():
    source = feature()
    source["id"] = 42
    assert read(collection(source))[0].id == "42"


def test_usgs_file_is_refused_for_each_feature_with_reasons():
    error = refused(InvalidContent, (UPLOADS / "usgs_significant_month.geojson").read_bytes(), "usgs.geojson")
    problems = by_feature(error)
    assert sorted(problems) == list(range(18))
    for fields in problems.values():
        assert "missing date" in fields["properties.date"]
        assert "missing event type" in fields["properties.event_type"]
        assert "outside the region" in fields["geometry"]
    # The only problems are these three: 3-D coordinates, metadata, nulls and epoch times are not errors.
    assert {field for fields in problems.values() for field in fields} == {
        "properties.date", "properties.event_type", "geometry"}


def test_usgs_file_with_dates_and_types_is_accepted_in_2d():
    document = json.loads((UPLOADS / "usgs_significant_month.geojson").read_text())
    for item in document["features"]:
        item["properties"].update(date="2023-10-01", event_type="other")
    incidents = read(json.dumps(document), region_bbox=(-180, -90, 180, 90))
    assert len(incidents) == 18
    assert all(len(i.geometry["coordinates"]) == 2 for i in incidents)
    first = incidents[0]
    assert first.id == "us6000len8"
    assert first.geometry["coordinates"] == [62.0449, 34.5565]
    assert first.title == "M 6.3 - western Afghanistan"
    assert first.extra["mag"] == 6.3 and first.extra["tz"] is None  # other properties verbatim
    assert first.sources == (",us,",)


def test_one_error_per_problem_with_feature_index_and_field():
    error = refused(InvalidContent, (UPLOADS / "broken_features.geojson").read_bytes())
    assert error.status == 422
    problems = by_feature(error)
    assert 0 not in problems
    expected = {
        1: ("geometry", "missing geometry"),
        2: ("geometry", "longitude 200.0 is outside"),
        3: ("geometry", "not closed"),
        4: ("geometry", "Self-intersection"),
        5: ("properties.date", "is not a date"),
        6: ("properties.date", "in the future"),
        7: ("properties.event_type", "unknown event type \"parade\"; use one of: airstrike"),
        8: ("geometry", "did you swap latitude and longitude?"),
        9: ("properties.date", "missing date"),
        10: ("id", "duplicate id 'bf-0': feature 0 has the same id"),
        11: ("geometry", "must be a position"),
        12: ("properties.fatalities", "whole number"),
        13: ("properties.precision", "use one of: exact, town, area, region"),
    }
    assert sorted(problems) == sorted(expected)
    for index, (field, words) in expected.items():
        assert list(problems[index]) == [field], index
        assert words in problems[index][field], index


def test_only_the_last_of_100_features_is_bad():
    features = [feature(n) for n in range(100)]
    features[99]["properties"]["date"] = "yesterday"
    error = refused(InvalidContent, collection(*features))
    assert [(e.feature, e.field) for e in error.errors] == [(99, "properties.date")]


def test_repeated_content_without_ids_is_named_as_a_repeat():
    first = feature()
    del first["id"]
    error = refused(InvalidContent, collection(first, dict(first)))
    assert by_feature(error) == {1: {"id": "has no id and the same content as feature 0; "
                                           "remove the repeat or give each an id"}}


@pytest.mark.parametrize("geometry, words", [
    ({"type": "Point", "coordinates": [35.8, float("nan")]}, "not valid GeoJSON"),
    ({"type": "Point", "coordinates": [35.8, 999.125]}, "not a finite coordinate"),  # written as 1e999
    ({"type": "Point", "coordinates": [35.8, 95]}, "latitude 95 is outside -90..90"),
    ({"type": "Point", "coordinates": [35.8]}, "must be a position"),
    ({"type": "Point", "coordinates": [True, False]}, "must be a position"),
    ({"type": "Point"}, "no 'coordinates'"),
    ({"type": "Circle", "coordinates": [35.8, 33.1]}, "not a geometry type"),
    ({"type": "LineString", "coordinates": [[35.8, 33.1]]}, "needs at least 2"),
    ({"type": "Polygon", "coordinates": [[[35.8, 33.1], [35.9, 33.1], [35.8, 33.1]]]}, "needs at least 4"),
    ({"type": "MultiPoint", "coordinates": []}, "has no parts"),
    ({"type": "GeometryCollection", "geometries": []}, "non-empty"),
    ({"type": "GeometryCollection", "geometries": [{"type": "GeometryCollection", "geometries": []}]},
     "may not contain another"),
    ("POINT (35.8 33.1)", "must be a GeoJSON geometry object"),
])
def test_broken_geometries(geometry, words):
    text = collection(feature(geometry=geometry)).replace("999.125", "1e999")
    if "not valid GeoJSON" in words:
        assert words in refused(BadRequest, text).description
        return
    error = refused(InvalidContent, text)
    assert [(e.feature, e.field) for e in error.errors] == [(0, "geometry")]
    assert words in error.errors[0].message


def line(vertices: int) -> dict:
    """Return a LineString of `vertices` positions zigzagging east from Quneitra."""
    return {"type": "LineString",
            "coordinates": [[35.8 + n * 1e-5, 33.1 + (n % 2) * 1e-4] for n in range(vertices)]}


def ring(vertices: int, west: float = 35.8, bow_tie: bool = False) -> list:
    """Return a closed ring of `vertices` positions on a 0.1-degree square (crossing itself if `bow_tie`)."""
    x, y = west, 33.1
    corners = [[x, y], [x + 0.1, y + 0.1], [x + 0.1, y], [x, y + 0.1]] if bow_tie else \
        [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1]]
    along = [[x + 0.1 * n / vertices, y] for n in range(1, vertices - 4)]
    return [corners[0], *along, *corners[1:], corners[0]]


def test_features_with_more_vertices_than_the_cap_are_refused():
    """At most 10,000 positions per feature by default; more is named by feature and `geometry` with both numbers."""
    assert len(read(collection(feature(0, geometry=line(10_000))))[0].geometry["coordinates"]) == 10_000
    error = refused(InvalidContent, collection(feature(0), feature(1, geometry=line(10_001))))
    assert [(e.feature, e.field) for e in error.errors] == [(1, "geometry")]
    assert "10,001 vertices; at most 10,000" in error.errors[0].message


def test_the_vertex_cap_counts_the_whole_feature_and_follows_the_setting():
    """Rings, parts and collection members add up; a smaller cap refuses what the default lets through."""
    polygons = {"type": "MultiPolygon", "coordinates": [[ring(30)], [ring(30, west=36.0)]]}
    collection_of_two = {"type": "GeometryCollection", "geometries": [line(30), line(31)]}
    assert read(collection(feature(0, geometry=polygons)), max_vertices=60)
    for geometry, count in ((polygons, 60), (collection_of_two, 61)):
        error = refused(InvalidContent, collection(feature(0, geometry=geometry)), max_vertices=59)
        assert f"{count} vertices; at most 59" in error.errors[0].message


def test_the_vertex_cap_is_checked_before_the_polygon_is_built():
    """A huge polygon that also crosses itself is refused for its size alone: it never reached shapely."""
    error = refused(InvalidContent, collection(feature(0, geometry={"type": "Polygon",
                                                                    "coordinates": [ring(200_000, bow_tie=True)]})))
    assert [e.message for e in error.errors] == ["200,000 vertices; at most 10,000 per feature "
                                                 "(WEBMAP_MAX_VERTICES); simplify the geometry first"]


def test_swap_hint_only_when_swapping_helps():
    far = refused(InvalidContent, collection(feature(geometry={"type": "Point", "coordinates": [2.35, 48.85]})))
    assert "outside the region" in far.errors[0].message
    assert "swap" not in far.errors[0].message


@pytest.mark.parametrize("properties, field, words", [
    ({"event_type": None}, "properties.event_type", "missing event type"),
    ({"event_type": "festival"}, "properties.event_type", "use one of: airstrike, shelling"),
    ({"date": 20250105}, "properties.date", "is not a date"),
    ({"date": "05/01/2025"}, "properties.date", "is not a date"),
    ({"end_date": "2025-01-01"}, "properties.end_date", "before the date"),
    ({"title": {"en": "x"}}, "properties.title", "must be text"),
    ({"actors": ["A", 3]}, "properties.actors", "array of strings"),
    ({"verification": "true"}, "properties.verification", "unverified, verified, disputed"),
    ({"fatalities": -1}, "properties.fatalities", "0 or more"),
    ({"fatalities": 1.5}, "properties.fatalities", "whole number"),
])
def test_property_rules(properties, field, words):
    error = refused(InvalidContent, collection(feature(**properties)))
    assert [(e.feature, e.field) for e in error.errors] == [(0, field)]
    assert words in error.errors[0].message


def test_bad_id_and_properties_members():
    source = feature()
    source["id"] = {"n": 1}
    other = feature(1)
    other["properties"] = ["not", "an", "object"]
    other["type"] = "feature"
    problems = by_feature(refused(InvalidContent, collection(source, other, 7)))
    assert "string or a number" in problems[0]["id"]
    assert "must be an object" in problems[1]["properties"]
    assert "must be \"Feature\"" in problems[1]["type"]
    assert set(problems[2]) == {"type"}


def test_legacy_crs_is_reprojected():
    incidents = read_fixture("legacy_crs_3857.geojson")
    assert [[round(c, 4) for c in i.geometry["coordinates"]] for i in incidents] == [
        [35.8246, 33.126], [36.1021, 32.6189]]


@pytest.mark.parametrize("member", [
    {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    {"type": "name", "properties": {"name": "EPSG:4326"}},
    None,
])
def test_wgs84_crs_members_change_nothing(member):
    document = json.loads(collection(feature()))
    document["crs"] = member
    assert read(json.dumps(document))[0].geometry["coordinates"] == [35.8246, 33.126]


@pytest.mark.parametrize("member", [
    {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}},
    {"type": "link", "properties": {"href": "http://example.org/crs", "type": "proj4"}},
    "EPSG:3857",
])
def test_unknown_crs_is_refused(member):
    document = json.loads(collection(feature()))
    document["crs"] = member
    error = refused(InvalidContent, json.dumps(document))
    assert [e.field for e in error.errors] == ["crs"]
    assert "WGS84" in error.errors[0].message


def test_unknown_crs_fixture_is_refused():
    with pytest.raises(InvalidContent) as caught:
        read_fixture("legacy_crs_unknown.geojson")
    assert "999999" in caught.value.errors[0].message


@pytest.mark.parametrize("text, field, words", [
    ('{"type": "FeatureCollection", "features": []}', "features", "no features"),
    ('{"type": "FeatureCollection"}', "features", "needs a \"features\" array"),
    ('{"type": "FeatureCollection", "features": {}}', "features", "needs a \"features\" array"),
    ('{"type": "Point", "coordinates": [35.8, 33.1]}', "type", "wrap it in a Feature"),
    ('{"type": "Topology"}', "type", "must be \"FeatureCollection\" or \"Feature\""),
    ('[{"type": "Feature"}]', "type", "top level must be a GeoJSON object"),
    ('"FeatureCollection"', "type", "top level must be a GeoJSON object"),
])
def test_wrong_document_structure(text, field, words):
    error = refused(InvalidContent, text, "x.geojson")
    assert [(e.feature, e.field) for e in error.errors] == [(None, field)]
    assert words in error.errors[0].message


@pytest.mark.parametrize("data, words", [
    ((UPLOADS / "broken_truncated.geojson").read_bytes(), "not valid GeoJSON"),
    (b'{"type": "FeatureCollection", "features": [1, 2,]}', "line 1, column"),
    (b'{"type": "FeatureCollection", "features": [] /* comment */}', "not valid GeoJSON"),
    (b'\xff\xfe{"type"', "not UTF-8"),
    (b'{"a": Infinity}', "Infinity is not a JSON value"),
    (b'{"a": ' + b"1" * 5000 + b"}", "not valid GeoJSON"),
])
def test_unparseable_json_is_a_bad_request(data, words):
    error = refused(BadRequest, data, "x.geojson")
    assert error.status == 400
    assert words in error.description


def test_deep_nesting_is_refused_before_parsing():
    error = refused(BadRequest, "[" * 200_000 + "]" * 200_000, "x.geojson")
    assert f"at most {MAX_DEPTH} levels" in error.description
    deep_property = json.dumps(feature()).replace('"raid"}', '"raid", "x": ' + "[" * 100 + "]" * 100 + "}")
    assert "nested 102 levels deep" in refused(BadRequest, deep_property, "x.geojson").description


def test_brackets_inside_strings_do_not_count_as_nesting():
    incident, = read(collection(feature(title="[[[[" * 50 + '\\" {{{' * 50)))
    assert incident.title.startswith("[[[[")


def test_utf8_byte_order_mark_is_accepted():
    assert len(read(b"\xef\xbb\xbf" + collection(feature()).encode())) == 1
