"""CSV, HTML and the exports (GeoJSON, CSV, GeoPackage): the same features, and the attribution travels."""
import csv
import io
import json
import re
import sqlite3
from urllib.parse import unquote

import geopandas as gpd
import pandas as pd
import pytest
from api_fixtures import BY_ID, expected_ids, ids_of
from conftest import fixture_incidents, without_positions
from shapely import wkt
from shapely.geometry import shape

from webmap.core.model import Incident
from webmap.store import BatchInfo, get_store

ITEMS = "/api/collections/incidents/items"
EXPORT = "/api/collections/incidents/export"
SELECTION = "datetime=2025-01-01/2025-06-30&event_type=incursion,airstrike,outpost,shelling"
SELECTED = dict(start="2025-01-01", end="2025-06-30", types=("incursion", "airstrike", "outpost", "shelling"))
CREDITS = ("Made with Natural Earth", "UN OCHA / UNCS", "GeoNames (CC BY 4.0)", "CC BY-IGO")


def read_csv(text: str) -> pd.DataFrame:
    """Read webmap's CSV as text cells, with no option at all about its layout."""
    return pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str)


def credit_links(response) -> dict:
    """Return the Link headers of a response by their rel: the target and the decoded title."""
    found = {}
    for value in response.headers.getlist("Link"):
        target, rel = re.match(r'<([^>]+)>.*rel="([^"]+)"', value).groups()
        title = re.search(r"title\*=UTF-8''(\S+)", value)
        found[rel] = (target, unquote(title.group(1)) if title else None)
    return found


def test_csv_items_are_rfc_4180_with_wkt(read_client):
    """A CSV page is the header row first, then one CRLF-ended row per feature; geometry as WKT."""
    response = read_client.get(f"{ITEMS}?f=csv&{SELECTION}")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith('"id","date","end_date","event_type",') and "#" not in text.split("\r\n")[0]
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    frame = read_csv(text)
    assert list(frame["id"]) == expected_ids(**SELECTED)
    for _, row in frame.iterrows():
        source = BY_ID[row["id"]]
        assert wkt.loads(row["WKT"]).equals(shape(source["geometry"]))
        assert row["title"] == source["properties"]["title"]
        assert row["sources"] == "; ".join(source["properties"].get("sources", []))


def test_csv_pages_link_to_each_other(read_client):
    """CSV has no room for links, so the next and prev pages are in Link headers."""
    response = read_client.get(f"{ITEMS}?f=csv&limit=5&offset=5")
    links = response.headers.getlist("Link")
    assert any('rel="next"' in l and "offset=10" in l and "f=csv" in l for l in links)
    assert any('rel="prev"' in l and "offset=0" in l for l in links)


def test_hash_inside_a_cell_survives_the_comment_option(read_client):
    """A '#' inside a text cell (quoted) stays in its cell, even for a reader that takes '#' as a comment."""
    text = read_client.get(f"{ITEMS}?f=csv&q=night+raid").get_data(as_text=True)
    frame = pd.read_csv(io.StringIO(text), comment="#", keep_default_na=False, dtype=str)
    assert list(frame["description"]) == [BY_ID["a-013"]["properties"]["description"]]


def test_spreadsheet_formulas_are_defused_in_csv_only(api_app):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe in CSV; GeoJSON keeps it as is."""
    risky = Incident(id="x-1", geometry={"type": "Point", "coordinates": [35.9, 33.1]}, date="2025-05-05",
                     event_type="other", title='=HYPERLINK("http://evil.example","click")', sources=("@handle",))
    with api_app.app_context():
        get_store().add_incidents([risky], BatchInfo(user="test"))
    client = api_app.test_client()
    frame = read_csv(client.get(f"{ITEMS}?f=csv&q=hyperlink").get_data(as_text=True))
    assert list(frame["title"]) == ["'" + risky.title] and list(frame["sources"]) == ["'@handle"]
    feature = client.get(f"{ITEMS}/x-1").get_json()
    assert feature["properties"]["title"] == risky.title


@pytest.mark.parametrize("path", [f"{ITEMS}?f=csv&q=header", f"{EXPORT}?f=csv&q=header"])
def test_property_names_that_look_like_formulas_are_defused_in_the_csv_header(api_app, path):
    """A property name a spreadsheet would run as a formula gets the same leading apostrophe as a cell."""
    names = ["=HYPERLINK(\"http://evil.example\")", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"]
    risky = Incident(id="x-2", geometry={"type": "Point", "coordinates": [35.9, 33.1]}, date="2025-05-05",
                     event_type="other", title="header test", extra={name: "ok" for name in names})
    with api_app.app_context():
        get_store().add_incidents([risky], BatchInfo(user="test"))
    text = api_app.test_client().get(path).get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text)))
    assert [name for name in header if name.lstrip("'") in names] == ["'" + name for name in names]


def test_html_items_table_and_map(read_client):
    """The HTML page has one table row per returned feature, source links only for web addresses, and a map."""
    body = read_client.get(f"{ITEMS}?{SELECTION}&limit=4").get_json()
    html = read_client.get(f"{ITEMS}?{SELECTION}&limit=4&f=html").get_data(as_text=True)
    assert re.findall(r'<tr data-feature="([^"]+)">', html) == ids_of(body)
    assert f"{body['numberMatched']} features match; showing 1 to 4." in html
    assert 'class="folium-map"' in html and "webmapIncidents.draw" in html
    assert 'rel="next"' in html and "offset=4" in html
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)
    for credit in CREDITS:
        assert credit in html
    one = read_client.get(f"{ITEMS}/a-001?f=html").get_data(as_text=True)
    link = '<a href="https://example.org/q1" rel="noopener nofollow">https://example.org/q1</a>'
    assert f"<td>{link}; Local reporter</td>" in one


def test_html_escapes_what_users_wrote(api_app):
    """A title with markup is shown as text in the table and cannot end the map's script."""
    hostile = Incident(id="x-2", geometry={"type": "Point", "coordinates": [35.9, 33.1]}, date="2025-05-05",
                       event_type="other", title="<script>alert(1)</script>", sources=("javascript:alert(2)",))
    with api_app.app_context():
        get_store().add_incidents([hostile], BatchInfo(user="test"))
    html = api_app.test_client().get(f"{ITEMS}/x-2?f=html").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_geojson_export_is_every_match_with_attribution(read_client, monkeypatch):
    """The GeoJSON export holds every selected incident (no paging) and an `attribution` member."""
    monkeypatch.setattr("webmap.api.params.DEFAULT_LIMIT", 2)
    response = read_client.get(f"{EXPORT}?{SELECTION}")
    assert response.mimetype == "application/geo+json"
    assert re.fullmatch(r'attachment; filename="incidents-v\d+\.geojson"', response.headers["Content-Disposition"])
    body = response.get_json()
    assert ids_of(body) == expected_ids(**SELECTED) and body["numberMatched"] == len(expected_ids(**SELECTED)) > 2
    assert all(credit in body["attribution"] for credit in CREDITS)
    for feature in body["features"]:
        assert without_positions(feature["properties"]) == BY_ID[feature["id"]]["properties"]


def test_csv_export_matches_the_selection(read_client):
    """The CSV export is an attachment, header row first, one row per selected incident."""
    response = read_client.get(f"{EXPORT}?{SELECTION}&f=csv")
    assert response.headers["Content-Disposition"].endswith('.csv"')
    text = response.get_data(as_text=True)
    assert text.startswith('"id",')
    assert list(read_csv(text)["id"]) == expected_ids(**SELECTED)


def test_pandas_reads_the_csv_export_from_its_url(live_server):
    """pandas.read_csv(url), with no option, gives the header and one row per incident; booleans are booleans."""
    frame = pd.read_csv(f"{live_server}{EXPORT}?f=csv")
    assert list(frame.columns[:4]) == ["id", "date", "end_date", "event_type"] and frame.columns[-1] == "WKT"
    assert len(frame) == 7 and sorted(frame["id"]) == sorted(i.id for i in fixture_incidents())
    assert frame["near_line"].dtype == bool and frame["distance_alpha_km"].dtype == float
    assert set(frame["near_line"]) <= {True, False} and frame["precision"].dtype != bool


@pytest.mark.parametrize("path", [f"{ITEMS}?f=csv", f"{EXPORT}?f=csv", f"{EXPORT}?f=json", f"{EXPORT}?f=gpkg"])
def test_files_link_their_licence_and_attribution(read_client, path):
    """CSV pages and every export link the sources-and-licences page and the collection, titled with the credits."""
    links = credit_links(read_client.get(path))
    assert links["license"][0] == "http://localhost/about"
    target, title = links["describedby"]
    assert target == "http://localhost/api/collections/incidents"
    assert title.startswith("Incidents:") and all(credit in title for credit in CREDITS)


def test_byte_order_mark_only_when_asked(read_client):
    """`bom=true` starts the CSV with a UTF-8 byte order mark (for Excel); without it, or `bom=false`, none."""
    marked = read_client.get(f"{EXPORT}?f=csv&bom=true").data
    assert marked.startswith(b"\xef\xbb\xbf\"id\",")
    assert pd.read_csv(io.BytesIO(marked)).columns[0] == "id"
    for path in (f"{EXPORT}?f=csv", f"{EXPORT}?f=csv&bom=false", f"{ITEMS}?f=csv&bom=FALSE"):
        assert read_client.get(path).data.startswith(b'"id",')
    assert read_client.get(f"{ITEMS}?f=csv&bom=true").data.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("path, message", [
    (f"{EXPORT}?f=csv&bom=yes", "'yes' is not one of: true, false"),
    (f"{EXPORT}?f=json&bom=true", "applies only to CSV (f=csv), not to f=json"),
    (f"{ITEMS}?bom=true", "applies only to CSV (f=csv), not to f=json"),
    ("/api/collections/towns/export?f=gpkg&bom=true", "applies only to CSV (f=csv), not to f=gpkg"),
])
def test_bad_byte_order_mark_requests_get_the_standard_error(read_client, path, message):
    """A `bom` that is not true/false, or one asked of another format, is a 400 naming the parameter."""
    response = read_client.get(path)
    assert response.status_code == 400
    assert response.get_json()["errors"] == [{"field": "bom", "message": message}]


def test_geopackage_export_opens_with_geopandas(read_client, tmp_path):
    """The GeoPackage export has the selected incidents with their geometry; the layer description credits."""
    response = read_client.get(f"{EXPORT}?{SELECTION}&f=gpkg")
    assert response.mimetype == "application/geopackage+sqlite3"
    assert response.headers["Content-Disposition"].endswith('.gpkg"')
    path = tmp_path / "export.gpkg"
    path.write_bytes(response.data)
    frame = gpd.read_file(path, layer="incidents")
    assert list(frame["id"]) == expected_ids(**SELECTED)
    assert frame.crs.equals("OGC:CRS84")
    for _, row in frame.iterrows():
        assert row.geometry.equals(shape(BY_ID[row["id"]]["geometry"]))
        assert row["event_type"] == BY_ID[row["id"]]["properties"]["event_type"]
    assert frame["near_line"].dtype == bool and str(frame["fatalities"].dtype) in ("int32", "int64", "float64")
    db = sqlite3.connect(path)
    description = db.execute("SELECT description FROM gpkg_contents WHERE table_name = 'incidents'").fetchone()[0]
    assert all(credit in description for credit in CREDITS)
    record = geopackage_metadata(db, "incidents")
    assert all(credit in record["bibliographicCitation"] for credit in CREDITS)
    assert record["license"] == "http://localhost/about" and record["title"] == "Incidents"


def geopackage_metadata(db: sqlite3.Connection, table: str) -> dict:
    """Return the one metadata record (GeoPackage metadata extension) that refers to `table`."""
    rows = db.execute(
        "SELECT m.md_scope, m.md_standard_uri, m.mime_type, m.metadata FROM gpkg_metadata m "
        "JOIN gpkg_metadata_reference r ON r.md_file_id = m.id "
        "WHERE r.reference_scope = 'table' AND r.table_name = ?", (table,)).fetchall()
    assert [row[:3] for row in rows] == [("dataset", "http://purl.org/dc/terms/", "application/json")]
    extensions = {row[0] for row in db.execute(
        "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_metadata'")}
    assert extensions == {"gpkg_metadata", "gpkg_metadata_reference"}
    return json.loads(rows[0][3])


@pytest.mark.parametrize("fmt", ["json", "csv", "gpkg"])
def test_empty_exports_are_valid_files(read_client, tmp_path, fmt):
    """A selection with no incidents still exports a file that opens, with no features."""
    response = read_client.get(f"{EXPORT}?q=nothing-matches&f={fmt}")
    assert response.status_code == 200
    path = tmp_path / f"empty.{fmt}"
    path.write_bytes(response.data)
    if fmt == "csv":
        assert len(read_csv(path.read_text())) == 0
    else:
        assert len(gpd.read_file(path)) == 0


def test_reference_layer_export_credits_its_own_source(read_client, tmp_path):
    """Exporting a reference layer gives all its features and its own licence and attribution."""
    response = read_client.get("/api/collections/towns/export?f=gpkg")
    assert response.headers["Content-Disposition"] == 'attachment; filename="towns.gpkg"'
    path = tmp_path / "towns.gpkg"
    path.write_bytes(response.data)
    towns = gpd.read_file(path)
    assert len(towns) == read_client.get("/api/collections/towns/items").get_json()["numberMatched"]
    assert towns["population"].dtype == "int64" or str(towns["population"].dtype).startswith(("Int", "float"))
    assert towns["population"].max() > 10_000
    db = sqlite3.connect(path)
    description = db.execute("SELECT description FROM gpkg_contents").fetchone()[0]
    assert "GeoNames (CC BY 4.0)" in description and "Natural Earth" not in description
    assert "GeoNames (CC BY 4.0)" in geopackage_metadata(db, "towns")["bibliographicCitation"]
    credit = credit_links(read_client.get("/api/collections/alpha_line/export?f=csv"))["describedby"][1]
    assert "Alpha line" in credit and "Approximate: not an official map." in credit
