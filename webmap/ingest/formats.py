"""Telling which format an upload is in, from its declared content type, its file name or its first bytes."""
from pathlib import PurePosixPath

from ..errors import UnsupportedMediaType

GEOJSON, CSV, GEOPACKAGE, KML, SHAPEFILE_ZIP = "GeoJSON", "CSV", "GeoPackage", "KML", "zipped Shapefile"
FORMATS = (GEOJSON, CSV, GEOPACKAGE, KML, SHAPEFILE_ZIP)

_BY_CONTENT_TYPE = {
    "application/geo+json": GEOJSON,
    "application/json": GEOJSON,
    "text/csv": CSV,
    "application/csv": CSV,
    "application/geopackage+sqlite3": GEOPACKAGE,
    "application/vnd.google-earth.kml+xml": KML,
    "application/zip": SHAPEFILE_ZIP,
    "application/x-zip-compressed": SHAPEFILE_ZIP,
}
# Types that say nothing about the content: the file name or the bytes decide instead.
_VAGUE_CONTENT_TYPES = {"", "application/octet-stream", "text/plain", "binary/octet-stream"}
_BY_SUFFIX = {
    ".geojson": GEOJSON, ".json": GEOJSON, ".csv": CSV, ".gpkg": GEOPACKAGE, ".kml": KML, ".zip": SHAPEFILE_ZIP,
}


def _unsupported(what: str) -> UnsupportedMediaType:
    """Return the error for a format webmap does not read, naming the ones it does."""
    return UnsupportedMediaType(f"{what} is not a format webmap reads; use one of: {', '.join(FORMATS)}.")


def _sniff(data: bytes) -> str | None:
    """Guess the format from the first bytes, or None."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"SQLite format 3\x00"):
        return GEOPACKAGE
    if head.startswith(b"PK\x03\x04"):
        return SHAPEFILE_ZIP
    if head[:1] in (b"{", b"["):
        return GEOJSON
    if head.startswith(b"<") and b"<kml" in data[:4096]:
        return KML
    first_line = head.split(b"\n", 1)[0]
    if b"," in first_line or b";" in first_line or b"\t" in first_line:
        return CSV
    return None


def detect_format(data: bytes, filename: str | None, content_type: str | None) -> str:
    """Return the upload's format, or raise UnsupportedMediaType."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared and declared not in _VAGUE_CONTENT_TYPES and not declared.startswith("multipart/"):
        if declared not in _BY_CONTENT_TYPE:
            raise _unsupported(f"Content type {declared!r}")
        return _BY_CONTENT_TYPE[declared]
    if filename:
        suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
        if suffix:
            if suffix not in _BY_SUFFIX:
                raise _unsupported(f"A {suffix!r} file")
            return _BY_SUFFIX[suffix]
    found = _sniff(data)
    if found is None:
        raise _unsupported("The upload")
    return found
