"""Turning an uploaded file into validated, canonical incidents: pure functions, no request and no store."""
from datetime import date

from ..cycles import no_cycle_collection
from ..errors import BadRequest
from ..model import Incident
from ..settings import setting_default
from ..vocabulary import Vocabulary
from .formats import CSV, GEOJSON, detect_format
from .geojson import geojson_records
from .tabular import csv_records, vector_records
from .validate import make_rules, validate_records

__all__ = ["read_incidents"]


def read_incidents(data: bytes, filename: str | None, content_type: str | None, *,
                   vocabulary: Vocabulary, region_bbox, today: date | None = None,
                   max_vertices: int = setting_default("MAX_VERTICES")) -> list[Incident]:
    """Detect the format, parse, validate and return canonical incidents, or raise the error that says why not."""
    if not data.strip():
        raise BadRequest("The file is empty.")
    file_format = detect_format(data, filename, content_type)
    with no_cycle_collection():
        if file_format == GEOJSON:
            records = geojson_records(data)
        elif file_format == CSV:
            records = csv_records(data)
        else:
            records = vector_records(data, file_format)
        return validate_records(records, make_rules(vocabulary, region_bbox, today, max_vertices))
