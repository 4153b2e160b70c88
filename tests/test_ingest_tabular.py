"""CSV (generic, ACLED and UCDP GED layouts), GeoPackage, KML and zipped Shapefile imports."""
import io
import zipfile

import geopandas as gpd
import pytest
from ingest_helpers import UPLOADS, by_feature, read, read_fixture, refused
from shapely.geometry import Point, Polygon

from webmap.core.errors import BadRequest, InvalidContent, PayloadTooLarge, UnsupportedMediaType
from webmap.ingest import shapezip

# Writing Shapefiles cuts long field names (on purpose here), and GDAL notes it.
pytestmark = pytest.mark.filterwarnings("ignore:Normalized/laundered field name", "ignore:Column names longer")


def test_acled_layout_maps_onto_incidents():
    incidents = {i.id: i for i in read_fixture("acled_layout.csv")}
    assert list(incidents) == ["TEST0001", "TEST0002", "TEST0003", "TEST0004"]
    strike = incidents["TEST0001"]
    assert (strike.date, strike.event_type, strike.precision) == ("2025-01-05", "airstrike", "town")
    assert strike.geometry == {"type": "Point", "coordinates": [35.8246, 33.126]}
    assert strike.sources == ("Test Outlet One", "Test Outlet Two")
    assert strike.actors == ("Test Air Force",)
    assert strike.fatalities == 2
    assert strike.location_name == "Test village A"
    assert strike.description.startswith("TEST DATA, invented")
    assert strike.verification == "unverified"
    # Unmapped columns stay verbatim; mapped and coordinate columns do not repeat; empty cells are dropped.
    assert strike.extra["sub_event_type"] == "Air/drone strike"
    assert strike.extra["admin1"] == "Quneitra" and strike.extra["timestamp"] == "1736200000"
    assert not {"latitude", "longitude", "notes", "event_date", "assoc_actor_1"} & set(strike.extra)
    assert [incidents[k].event_type for k in ("TEST0002", "TEST0003", "TEST0004")] == ["shelling", "clash", "arrest"]
    assert [incidents[k].precision for k in ("TEST0002", "TEST0003", "TEST0004")] == ["area", "region", "town"]
    assert incidents["TEST0003"].description.endswith('"quoted" word and a\nsecond line.')
    assert incidents["TEST0004"].location_name == "قرية تجريبية"
    assert incidents["TEST0004"].fatalities is None


def test_ucdp_ged_layout_maps_onto_incidents():
    first, second = read_fixture("ucdp_ged_layout.csv")
    assert (first.id, first.date, first.end_date) == ("ucdp-900001", "2025-01-05", "2025-01-06")
    assert (first.event_type, first.precision, first.fatalities) == ("clash", "town", 2)
    assert first.actors == ("Test side A", "Test side B")
    assert first.sources == ('Test Agency 2025-01-05 "Test headline one"', 'Test Agency 2025-01-06 "Test headline two"')
    assert first.location_name == "Test town A"
    assert first.extra["type_of_violence"] == "1" and first.extra["deaths_a"] == "1"
    assert (second.event_type, second.precision, second.end_date) == ("other", "region", None)


def test_acled_rows_with_problems_are_named_by_row():
    error = refused(InvalidContent, (UPLOADS / "acled_bad_rows.csv").read_bytes(), "acled.csv")
    problems = by_feature(error)
    assert sorted(problems) == [1, 2, 3, 4, 5, 6]
    assert "CSV data row 2: " in problems[1]["event_date"] and "is not a date" in problems[1]["event_date"]
    assert "unknown event type \"Victory parade\" / \"Parades\"" in problems[2]["sub_event_type"]
    assert "did you swap latitude and longitude?" in problems[3]["latitude/longitude"]
    assert "latitude 'thirty-three' is not a number" in problems[4]["latitude/longitude"]
    assert problems[5] == {"event_id_cnty": "CSV data row 6: duplicate id 'TESTB001': CSV data row 1 has the same id"}
    assert "0 or more" in problems[6]["fatalities"]
    assert "unknown geo_precision '9'; expected one of 1, 2, 3" in problems[6]["geo_precision"]


def test_generic_csv_with_lat_lon_columns():
    text = ("ID,Date,Event_Type,Lat,Lon,sources,source_url,note\n"
            "c-1,2025-01-05,raid,33.126,35.8246,A;B,https://example.org/1,kept\n"
            ",05 January 2025,air strike,32.6189,36.1021,,,\n")
    first, second = read(text, "incidents.csv")
    assert (first.id, first.event_type, first.sources) == ("c-1", "raid", ("A", "B", "https://example.org/1"))
    assert first.extra == {"note": "kept"}
    assert second.id.startswith("auto-") and second.event_type == "airstrike"
    assert second.geometry["coordinates"] == [36.1021, 32.6189]


def test_csv_with_wkt_geometry_column():
    text = ('id,date,event_type,geometry\n'
            'w-1,2025-01-05,raid,"POLYGON ((35.8 33.1, 35.9 33.1, 35.9 33.2, 35.8 33.1))"\n'
            'w-2,2025-01-05,raid,POINT Z (35.8 33.1 7)\n'
            'w-3,2025-01-05,raid,not wkt at all\n')
    error = refused(InvalidContent, text, "shapes.csv")
    assert by_feature(error) == {2: {"geometry": "CSV data row 3: 'not wkt at all' is not WKT (e.g. POINT (35.82 33.12))"}}
    polygon, point = read(text.rsplit("w-3", 1)[0], "shapes.csv")
    assert polygon.geometry["type"] == "Polygon"
    assert point.geometry == {"type": "Point", "coordinates": [35.8, 33.1]}


def test_wkt_geometry_over_the_vertex_cap_is_named():
    """The vertex cap holds for every format: a WKT line of 51 positions against a cap of 50."""
    line = ", ".join(f"{35.8 + n / 1000:.3f} 33.1" for n in range(51))
    error = refused(InvalidContent, f'id,date,event_type,geometry\nw-1,2025-01-05,raid,"LINESTRING ({line})"\n',
                    "line.csv", max_vertices=50)
    assert by_feature(error) == {0: {"geometry": "CSV data row 1: 51 vertices; at most 50 per feature "
                                                 "(WEBMAP_MAX_VERTICES); simplify the geometry first"}}


def test_csv_row_without_coordinates_is_named():
    error = refused(InvalidContent, "id,date,event_type,latitude,longitude\nr-1,2025-01-05,raid,,\n", "x.csv")
    assert by_feature(error) == {0: {"latitude/longitude": "CSV data row 1: missing geometry: "
                                                          "every incident needs a location"}}


@pytest.mark.parametrize("text, field, words", [
    ("id,date,event_type,place\nr-1,2025-01-05,raid,Quneitra\n", "columns", "no coordinate columns"),
    ("id,date,event_type,latitude,longitude\n", "rows", "no data rows"),
])
def test_csv_without_coordinates_or_rows(text, field, words):
    error = refused(InvalidContent, text, "x.csv")
    assert [(e.feature, e.field) for e in error.errors] == [(None, field)]
    assert words in error.errors[0].message


def test_csv_that_is_not_utf8_is_a_bad_request():
    with pytest.raises(BadRequest, match="not UTF-8"):
        read_fixture("not_utf8.csv")


def _frame(**columns) -> gpd.GeoDataFrame:
    """Two valid incidents as a GeoDataFrame in WGS84, with columns added or overridden."""
    data = {"id": ["g-1", "g-2"], "date": ["2025-01-05", "2025-01-06"], "event_type": ["raid", "Air strike"],
            "location_name": ["Test A", "Test B"], "note": ["kept", None], **columns}
    return gpd.GeoDataFrame(data, geometry=[Point(35.8246, 33.126), Point(36.1021, 32.6189)], crs=4326)


def _check_pair(incidents):
    """Assert the two incidents of _frame() came through."""
    assert [i.id for i in incidents] == ["g-1", "g-2"]
    assert [i.event_type for i in incidents] == ["raid", "airstrike"]
    assert [[round(c, 6) for c in i.geometry["coordinates"]] for i in incidents] == [
        [35.8246, 33.126], [36.1021, 32.6189]]
    assert incidents[0].extra == {"note": "kept"} and incidents[1].extra == {}


def test_geopackage_in_another_crs_is_reprojected(tmp_path):
    path = tmp_path / "incidents.gpkg"
    _frame().to_crs(32637).to_file(path, layer="incidents", driver="GPKG")
    incidents = read(path.read_bytes(), "incidents.gpkg")
    _check_pair(incidents)
    assert incidents[1].location_name == "Test B"


def test_geopackage_with_two_layers_is_refused(tmp_path):
    path = tmp_path / "two.gpkg"
    _frame().to_file(path, layer="a", driver="GPKG")
    _frame().to_file(path, layer="b", driver="GPKG")
    error = refused(InvalidContent, path.read_bytes(), "two.gpkg")
    assert "2 layers (a, b)" in error.errors[0].message


def test_geopackage_errors_name_the_feature(tmp_path):
    path = tmp_path / "bad.gpkg"
    frame = _frame(date=["2025-01-05", "someday"])
    frame.loc[0, "geometry"] = Polygon([(35.8, 33.1), (35.9, 33.2), (35.9, 33.1), (35.8, 33.2)])
    frame.to_file(path, driver="GPKG")
    problems = by_feature(refused(InvalidContent, path.read_bytes(), "bad.gpkg"))
    assert "Self-intersection" in problems[0]["geometry"]
    assert "is not a date" in problems[1]["date"]


def test_kml_placemarks(tmp_path):
    path = tmp_path / "incidents.kml"
    _frame().rename(columns={"location_name": "Name"}).to_file(path, driver="KML")
    incidents = read(path.read_bytes(), "incidents.kml", "application/vnd.google-earth.kml+xml")
    _check_pair(incidents)
    assert incidents[0].title == "Test A"  # a placemark's name is its title
    assert not {"tessellate", "extrude", "visibility"} & set(incidents[0].extra)


def test_kml_folders_names_and_time_elements():
    raid, incursion = read_fixture("placemarks.kml")
    assert (raid.title, raid.date, raid.event_type, raid.precision) == ("Test raid at village A", "2025-01-05",
                                                                       "raid", "town")
    assert raid.geometry == {"type": "Point", "coordinates": [35.8246, 33.126]}
    assert (incursion.date, incursion.end_date, incursion.event_type) == ("2025-02-01", "2025-02-03", "incursion")
    assert incursion.geometry["type"] == "LineString"
    assert raid.id.startswith("auto-") and raid.id == read_fixture("placemarks.kml")[0].id


def _zipped(folder, names=None) -> bytes:
    """Zip the files of a folder (or only those named) in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if names is None or path.suffix in names:
                archive.write(path, path.name)
    return buffer.getvalue()


def test_zipped_shapefile_with_truncated_field_names(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    _frame().to_crs(3857).to_file(folder / "incidents.shp")  # location_name is cut to location_n
    incidents = read(_zipped(folder), "incidents.zip")
    _check_pair(incidents)
    assert incidents[0].location_name == "Test A"


def test_zip_without_shapefile_is_unsupported(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    error = refused(UnsupportedMediaType, _zipped(tmp_path), "notes.zip")
    assert error.status == 415 and ".shp" in error.description


def test_zip_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "shp"
    folder.mkdir()
    _frame().to_file(folder / "incidents.shp")
    monkeypatch.setattr(shapezip, "MAX_UNZIPPED_BYTES", 100)
    assert refused(PayloadTooLarge, _zipped(folder), "incidents.zip").status == 413


@pytest.mark.parametrize("data, filename", [
    (b"PK\x03\x04 this is not really a zip", "broken.zip"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "broken.gpkg"),
    (b"<?xml version='1.0'?><kml><Document><Placemark>", "broken.kml"),
])
def test_broken_binary_files_are_bad_requests(data, filename):
    error = refused(BadRequest, data, filename)
    assert error.status == 400
    assert "webmap-upload-" not in error.description  # the server's temporary path stays private
