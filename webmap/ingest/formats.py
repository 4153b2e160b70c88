"""Telling which format an upload is in, from its declared content type, its file name or its first bytes."""
from pathlib import PurePosixPath

from ..core.errors import BadRequest, UnsupportedMediaType
from ..core.i18n import message

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
CONTENT_TYPES = tuple(_BY_CONTENT_TYPE)  # the media types that name a format by themselves
_BY_SUFFIX = {
    ".geojson": GEOJSON, ".json": GEOJSON, ".csv": CSV, ".gpkg": GEOPACKAGE, ".kml": KML, ".zip": SHAPEFILE_ZIP,
}
# First bytes that show what kind of file an upload really is, and the one format that may start so.
_SIGNATURES = (
    (b"SQLite format 3\x00", "a SQLite database", GEOPACKAGE),
    (b"PK\x03\x04", "a zip archive", SHAPEFILE_ZIP),
    (b"{", "JSON", GEOJSON),
    (b"<", "XML", KML),
)


def _unsupported(suffix: str, declared: str) -> UnsupportedMediaType:
    """Return the error for a format webmap does not read (named by the file's suffix, else its content type),
    naming the ones it does."""
    formats = ", ".join(FORMATS)
    if suffix:
        return UnsupportedMediaType(message("error_texts.unsupported_suffix", suffix=repr(suffix), formats=formats))
    if declared:
        return UnsupportedMediaType(message("error_texts.unsupported_type", type=repr(declared), formats=formats))
    return UnsupportedMediaType(message("error_texts.unsupported_upload", formats=formats))


def _head(data: bytes) -> bytes:
    """Return the first bytes of an upload after any byte order mark and leading white space."""
    return data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")


def _sniff(data: bytes) -> str | None:
    """Guess the format from the first bytes, or None."""
    head = _head(data)
    if head.startswith(b"SQLite format 3\x00"):
        return GEOPACKAGE
    if head.startswith(b"PK\x03\x04"):
        return SHAPEFILE_ZIP
    if head[:1] in (b"{", b"["):
        return GEOJSON
    if head.startswith(b"<") and b"<kml" in data[:4096]:
        return KML
    first_line = head.split(b"\n", 1)[0]
    if _is_text(head) and (b"," in first_line or b";" in first_line or b"\t" in first_line):
        return CSV
    return None


def _is_text(head: bytes) -> bool:
    """Tell whether the first bytes read as UTF-8 text (a character cut off at the end is fine)."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3
    return True


def detect_format(data: bytes, filename: str | None, content_type: str | None) -> str:
    """Return the upload's format from a known content type, else the file name's suffix, else its first bytes."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared in _BY_CONTENT_TYPE:
        return _BY_CONTENT_TYPE[declared]
    # Browsers often send a vague or wrong type for a file (a CSV as application/vnd.ms-excel),
    # so any other type leaves the decision to the name and the content.
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    found = _sniff(data)
    if found is None:
        raise _unsupported(suffix, declared)
    return found


def check_content(data: bytes, file_format: str) -> None:
    """Refuse an upload whose first bytes show another kind of file than the format its name or type says."""
    head = _head(data)
    for signature, kind, expected in _SIGNATURES:
        if head.startswith(signature) and file_format != expected:
            raise BadRequest(message("error_texts.content_mismatch", format=file_format, kind=kind))
