"""Turning an uploaded file into validated, canonical incidents: pure functions, no request and no store."""
import gc
from contextlib import contextmanager
from datetime import date

from ..errors import BadRequest
from ..model import Incident
from ..vocabulary import Vocabulary
from .formats import CSV, GEOJSON, detect_format
from .geojson import geojson_records
from .tabular import csv_records, vector_records
from .validate import make_rules, validate_records

__all__ = ["read_incidents"]


@contextmanager
def _no_cycle_collection():
    """Pause Python's cycle collector while a file becomes millions of small objects.

    Parsed features hold no reference cycles, so the collector would free nothing; left on, it
    re-scans every object created so far again and again, which nearly doubles the time of a
    large import. Reference counting still frees memory as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_incidents(data: bytes, filename: str | None, content_type: str | None, *,
                   vocabulary: Vocabulary, region_bbox, today: date | None = None) -> list[Incident]:
    """Detect the format, parse, validate and return canonical incidents, or raise the error that says why not."""
    if not data.strip():
        raise BadRequest("The file is empty.")
    file_format = detect_format(data, filename, content_type)
    with _no_cycle_collection():
        if file_format == GEOJSON:
            records = geojson_records(data)
        elif file_format == CSV:
            records = csv_records(data)
        else:
            records = vector_records(data, file_format)
        return validate_records(records, make_rules(vocabulary, region_bbox, today))
