"""Turning rows of named cells, as the CSV, GeoPackage, KML and Shapefile readers give them, into records."""
import json
from dataclasses import replace

import shapely

from ..core.model import CANONICAL_PROPERTIES
from .mappings import choose_layout
from .record import FileLayout, Record


def lower_names(names) -> dict:
    """Return column names keyed by their trimmed lower-case form, for matching."""
    return {str(name).strip().lower(): name for name in names}


def shape_geojson(shape) -> dict | None:
    """Return a shapely geometry as a GeoJSON mapping with list coordinates, or None when it is missing or empty."""
    if shape is None or shape.is_empty:
        return None
    return json.loads(shapely.to_geojson(shape))


def table_records(rows: list[dict], geometries: list, layout: FileLayout, names,
                  problems: list[list] | None = None) -> list[Record]:
    """Build records from rows (every name a key of each), their GeoJSON geometries and problems found reading them."""
    columns = lower_names(names)
    column_layout = choose_layout(columns)
    labels = {name: columns.get(name, name) for name in CANONICAL_PROPERTIES}
    labels.update((name, columns.get(column, column)) for name, column in column_layout.names.items())
    named = replace(layout, properties=labels, id=columns.get(column_layout.id_column, "id"))
    records = []
    for index, (row, geometry) in enumerate(zip(rows, geometries)):
        source_id, values, extra, found = column_layout.split(row, columns)
        if problems:
            found = problems[index] + found
        records.append(Record(index, geometry, values, extra, named, source_id, problems=found))
    return records
