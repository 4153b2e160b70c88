"""Turning an uploaded file into validated, canonical incidents: pure functions, no request and no store."""
from datetime import date

from ..errors import BadRequest, UnsupportedMediaType
from ..model import Incident
from ..vocabulary import Vocabulary
from .formats import GEOJSON, detect_format
from .geojson import geojson_records
from .validate import make_rules, validate_records

__all__ = ["read_incidents"]

_READERS = {GEOJSON: geojson_records}


def read_incidents(data: bytes, filename: str | None, content_type: str | None, *,
                   vocabulary: Vocabulary, region_bbox, today: date | None = None) -> list[Incident]:
    """Detect the format, parse, validate and return canonical incidents, or raise the error that says why not."""
    if not data.strip():
        raise BadRequest("The file is empty.")
    file_format = detect_format(data, filename, content_type)
    reader = _READERS.get(file_format)
    if reader is None:
        raise UnsupportedMediaType(f"{file_format} files cannot be imported yet; use GeoJSON.")
    return validate_records(reader(data), make_rules(vocabulary, region_bbox, today))
