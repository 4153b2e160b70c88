"""Telling formats apart by content type, file name and content, and refusing what webmap does not read."""
import pytest
from ingest_helpers import collection, feature, read, refused

from webmap.core.errors import BadRequest, UnsupportedMediaType
from webmap.ingest.formats import CSV, GEOJSON, GEOPACKAGE, KML, SHAPEFILE_ZIP, detect_format

GEOJSON_BYTES = collection(feature()).encode()
CSV_BYTES = b"id,date,event_type,latitude,longitude\nc-1,2025-01-05,raid,33.126,35.8246\n"


@pytest.mark.parametrize("data, filename, content_type, expected", [
    (GEOJSON_BYTES, None, "application/geo+json", GEOJSON),
    (GEOJSON_BYTES, None, "application/json; charset=utf-8", GEOJSON),
    (CSV_BYTES, None, "text/csv", CSV),
    (CSV_BYTES, "export.csv", "application/vnd.ms-excel", CSV),  # what some browsers send for a CSV
    (b"", "layer.gpkg", "application/octet-stream", GEOPACKAGE),
    (b"", "PLACES.KML", None, KML),
    (b"", "shapes.zip", None, SHAPEFILE_ZIP),
    (GEOJSON_BYTES, "upload", "application/octet-stream", GEOJSON),
    (b"  \n" + GEOJSON_BYTES, None, None, GEOJSON),
    (CSV_BYTES, "data.txt", "text/plain", CSV),
    (b"SQLite format 3\x00...", None, None, GEOPACKAGE),
    (b"PK\x03\x04...", None, None, SHAPEFILE_ZIP),
    (b'<?xml version="1.0"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">', None, None, KML),
])
def test_detect_format(data, filename, content_type, expected):
    assert detect_format(data, filename, content_type) == expected


@pytest.mark.parametrize("data, filename, content_type, words", [
    (b"\x89PNG\r\n\x1a\n,,,\x00", "map.png", "image/png", "'.png' file"),
    (b"just some words", None, None, "The upload"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", None, "application/pdf", "'application/pdf'"),
])
def test_unsupported_formats_are_415_naming_the_supported_ones(data, filename, content_type, words):
    error = refused(UnsupportedMediaType, data, filename, content_type)
    assert error.status == 415
    assert words in error.description
    assert "GeoJSON, CSV, GeoPackage, KML, zipped Shapefile" in error.description


def test_empty_upload_is_a_bad_request():
    assert "empty" in refused(BadRequest, b"  \n", "x.geojson").description


def test_content_type_wins_over_the_file_name():
    assert [i.id for i in read(GEOJSON_BYTES, "misnamed.csv", "application/geo+json")] == ["f-0"]
