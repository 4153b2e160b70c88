"""Each format's own reader: it checks the file's signature itself and reads only what that format holds."""
import io
import zipfile

import pytest
import shapefile
from ingest_helpers import by_feature, geopackage_bytes, read, refused

from webmap.core.errors import BadRequest, InvalidContent, UnsupportedMediaType
from webmap.ingest.csvfile import csv_records
from webmap.ingest.geopackage import geopackage_records
from webmap.ingest.kml import kml_records
from webmap.ingest.shapezip import shapefile_zip_records

GEOJSON = b'{"type": "FeatureCollection", "features": []}'
KML_START = b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'


def _geopackage(tmp_path, *statements: str) -> bytes:
    """A one-incident GeoPackage written by GDAL, then changed by SQL statements."""
    return geopackage_bytes(tmp_path / "incidents.gpkg", *statements)


def _shapefile(encoding: str = "utf-8", title: str = "Test", **extra: bytes) -> dict[str, bytes]:
    """The .shp, .shx and .dbf of a one-point Shapefile written by pyshp, and any extra files by suffix."""
    files = {suffix: io.BytesIO() for suffix in (".shp", ".shx", ".dbf")}
    with shapefile.Writer(shp=files[".shp"], shx=files[".shx"], dbf=files[".dbf"], shapeType=shapefile.POINT,
                          encoding=encoding) as writer:
        for name in ("id", "date", "event_type", "title"):
            writer.field(name, "C", 80)
        writer.point(35.8246, 33.126)
        writer.record("s-1", "2025-01-05", "raid", title)
    return {**{suffix: buffer.getvalue() for suffix, buffer in files.items()},
            **{f".{suffix}": data for suffix, data in extra.items()}}


def _zip(members: dict[str, bytes], folder: str = "") -> bytes:
    """Zip files named by suffix as incidents.<suffix>, under a folder if given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for suffix, data in members.items():
            archive.writestr(f"{folder}incidents{suffix}", data)
    return buffer.getvalue()


@pytest.mark.parametrize("reader, data, words", [
    (geopackage_records, GEOJSON, "not a SQLite database"),
    (geopackage_records, b"SQLite format 3\x00" + b"\x00" * 200, "application_id is not GeoPackage's"),
    (kml_records, GEOJSON, "not well-formed XML"),
    (kml_records, b"<OGRVRTDataSource><OGRVRTLayer name='x'/></OGRVRTDataSource>", "<OGRVRTDataSource>, not <kml>"),
    (shapefile_zip_records, GEOJSON, "not a readable zip"),
    (csv_records, b"SQLite format 3\x00\x10\x00\x01\x01\xff", "not UTF-8"),
])
def test_each_reader_refuses_what_is_not_its_format(reader, data, words):
    """Without the format check in front, each reader still refuses another kind of file by its first bytes."""
    with pytest.raises(BadRequest, match=words):
        reader(data)


@pytest.mark.parametrize("text", [
    "\ufeffid;date;event_type;latitude;longitude\nc-1;2025-01-05;raid;33.126;35.8\n",
    "id\tdate\tevent_type\tlatitude\tlongitude\n\nc-1\t2025-01-05\traid\t33.126\t35.8\n\n",
])
def test_csv_separators_bom_and_blank_lines(text):
    incident, = read(text, "incidents.csv")
    assert (incident.id, incident.geometry["coordinates"]) == ("c-1", [35.8, 33.126])


def test_csv_with_a_repeated_column_or_surplus_cells():
    assert "two columns are named 'Date'" in refused(
        InvalidContent, "id,date,Date,event_type,lat,lon\n", "x.csv").errors[0].message
    error = refused(InvalidContent, "id,date,event_type,lat,lon\nc-1,2025-01-05,raid,33.1,35.8,extra\n", "x.csv")
    assert by_feature(error) == {0: {"columns": "CSV data row 1: the row has 6 cells but the header names 5 columns"}}


def test_geopackage_in_wal_mode_with_an_older_application_id(tmp_path):
    data = bytearray(_geopackage(tmp_path, "PRAGMA application_id = 0x47503131"))  # GP11: GeoPackage 1.1
    data[18:20] = b"\x02\x02"  # the header of a database in WAL mode, arriving without its -wal file
    incident, = read(bytes(data), "incidents.gpkg")
    assert (incident.id, incident.geometry["coordinates"]) == ("d-1", [35.8246, 33.126])


def test_geopackage_cells_that_are_not_geometries_or_values_are_named(tmp_path):
    data = _geopackage(tmp_path, "ALTER TABLE incidents ADD COLUMN photo BLOB",
                       "UPDATE incidents SET geom = X'00010203040506070809', photo = X'FFD8FF'")
    assert by_feature(refused(InvalidContent, data, "incidents.gpkg")) == {0: {
        "geometry": "is not a standard GeoPackage geometry",
        "photo": "is binary data; webmap imports text and numbers"}}


@pytest.mark.parametrize("statements, words", [
    (["DROP TABLE gpkg_contents"], "table 'gpkg_contents' is not one of the file's tables"),
    (["CREATE VIEW v AS SELECT * FROM incidents", "UPDATE gpkg_contents SET table_name = 'v'",
      "UPDATE gpkg_geometry_columns SET table_name = 'v'"], "layer 'v' is a view, not a table"),
    (["UPDATE gpkg_contents SET table_name = 'sqlite_sequence'"], "layer 'sqlite_sequence' is not"),
    (["DELETE FROM gpkg_geometry_columns"], "gpkg_geometry_columns has 0 rows for layer 'incidents'"),
    (["UPDATE gpkg_geometry_columns SET srs_id = 99"], "(srs_id 99) is not in gpkg_spatial_ref_sys"),
])
def test_geopackage_structure_is_checked(tmp_path, statements, words):
    error = refused(BadRequest, _geopackage(tmp_path, *statements), "incidents.gpkg")
    assert error.status == 400 and words in error.description


def _kml(*placemarks: str) -> bytes:
    """A KML document of these placemarks, each dated and typed."""
    dated = "<TimeStamp><when>2025-01-05</when></TimeStamp>"
    typed = '<ExtendedData><Data name="event_type"><value>raid</value></Data>{}</ExtendedData>'
    body = "".join(p.replace("<DATA/>", dated + typed.format("")) for p in placemarks)
    return KML_START + body.encode() + b"</Document></kml>"


def test_kml_shapes_ids_and_data_that_win_over_elements():
    hole = ("<Polygon><outerBoundaryIs><LinearRing><coordinates>35.8,33.1 35.9,33.1 35.9,33.2 35.8,33.1"
            "</coordinates></LinearRing></outerBoundaryIs><innerBoundaryIs><LinearRing><coordinates>35.86,33.11 "
            "35.88,33.11 35.88,33.13 35.86,33.11</coordinates></LinearRing></innerBoundaryIs></Polygon>")
    points = "<MultiGeometry><Point><coordinates>35.8,33.1</coordinates></Point>" \
             "<Point><coordinates>35.9,33.2</coordinates></Point></MultiGeometry>"
    titled = ('<Placemark id="pm-3"><name>Shown name</name><DATA/><ExtendedData><SchemaData>'
              '<SimpleData name="title">Data title</SimpleData></SchemaData></ExtendedData>'
              "<Point><coordinates>35.8,33.1,12</coordinates></Point></Placemark>")
    polygon, multipoint, named = read(_kml(f"<Placemark><DATA/>{hole}</Placemark>",
                                           f"<Placemark><DATA/>{points}</Placemark>", titled), "x.kml")
    assert [len(ring) for ring in polygon.geometry["coordinates"]] == [4, 4]
    assert multipoint.geometry == {"type": "MultiPoint", "coordinates": [[35.8, 33.1], [35.9, 33.2]]}
    assert (named.id, named.title, named.extra) == ("pm-3", "Data title", {"name": "Shown name"})


def test_kml_coordinates_that_are_not_numbers_are_named():
    error = refused(InvalidContent, _kml("<Placemark><DATA/><Point><coordinates>east,north</coordinates></Point>"
                                         "</Placemark>"), "x.kml")
    assert by_feature(error) == {0: {"geometry": "coordinates 'east,north' are not numbers"}}


def test_kml_multigeometry_nested_deeper_than_the_stack_is_named():
    nested = "<MultiGeometry>" * 5000 + "</MultiGeometry>" * 5000
    error = refused(InvalidContent, _kml(f"<Placemark><DATA/>{nested}</Placemark>"), "x.kml")
    assert by_feature(error) == {0: {"geometry": "a MultiGeometry inside another is not read"}}


def test_kml_without_placemarks_has_no_features():
    assert refused(InvalidContent, KML_START + b"</Document></kml>", "x.kml").errors[0].field == "features"


def test_shapefile_in_a_folder_with_a_code_page_and_no_prj():
    data = _zip(_shapefile("cp1252", "Café", cpg=b"1252"), folder="export/")
    incident, = read(data, "incidents.zip")
    assert (incident.id, incident.title, incident.geometry["coordinates"]) == ("s-1", "Café", [35.8246, 33.126])


def test_shapefile_without_its_code_page_says_to_add_one():
    assert "add a .cpg" in refused(BadRequest, _zip(_shapefile("cp1252", "Café")), "x.zip").description


@pytest.mark.parametrize("names, error_class, words", [
    (["a/b/incidents.shp"], BadRequest, "outside its top level or first folder: 'a/b/incidents.shp'"),
    (["C:/incidents.shp"], BadRequest, "outside its top level"),
    (["incidents.shp", "other.dbf"], UnsupportedMediaType, "more than one Shapefile"),
    (["incidents.shp", "INCIDENTS.SHP"], UnsupportedMediaType, "more than one Shapefile"),
    (["incidents.shp", "readme.txt"], UnsupportedMediaType, "files webmap does not read: 'readme.txt'"),
    (["incidents.shp", "incidents.shx"], BadRequest, "no .dbf"),
])
def test_zip_members_are_one_shapefile(names, error_class, words):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, _shapefile()[".shp"])
    assert words in refused(error_class, buffer.getvalue(), "x.zip").description
