"""Turning an uploaded file into validated, canonical incidents: pure functions, no request and no store."""
from datetime import date

from ..core.cycles import no_cycle_collection
from ..core.errors import BadRequest, InvalidContent, field_error
from ..core.i18n import message
from ..core.model import Incident
from ..core.settings import setting_default
from ..core.vocabulary import Vocabulary
from .csvfile import csv_records
from .formats import CSV, GEOJSON, GEOPACKAGE, KML, SHAPEFILE_ZIP, check_content, detect_format
from .geojson import geojson_records
from .geopackage import geopackage_records
from .kml import kml_records
from .shapezip import shapefile_zip_records
from .validate import make_rules, validate_records

__all__ = ["read_incidents"]

# Each format has its own reader, which opens nothing but the uploaded bytes.
_READERS = {GEOJSON: geojson_records, CSV: csv_records, GEOPACKAGE: geopackage_records, KML: kml_records,
            SHAPEFILE_ZIP: shapefile_zip_records}


def read_incidents(data: bytes, filename: str | None, content_type: str | None, *,
                   vocabulary: Vocabulary, region_bbox, today: date | None = None,
                   max_vertices: int = setting_default("MAX_VERTICES")) -> list[Incident]:
    """Detect the format, parse, validate and return canonical incidents, or raise the error that says why not."""
    if not data.strip():
        raise BadRequest("The file is empty.")
    file_format = detect_format(data, filename, content_type)
    check_content(data, file_format)
    with no_cycle_collection():
        records = _READERS[file_format](data)
        if not records:
            raise InvalidContent(message("error_texts.no_features", format=file_format),
                                 [field_error("features", "file_no_features")])
        return validate_records(records, make_rules(vocabulary, region_bbox, today, max_vertices))
