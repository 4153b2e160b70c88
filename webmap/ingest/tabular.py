"""Turning rows of named cells into records; zipped Shapefiles are still read through pyogrio."""
import json
import math
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from ..errors import BadRequest, FieldError, InvalidContent, PayloadTooLarge, UnsupportedMediaType
from ..model import CANONICAL_PROPERTIES
from .crs import UnknownCRS, crs_error, to_wgs84
from .formats import SHAPEFILE_ZIP
from .mappings import choose_layout
from .record import FileLayout, Record

# A zip may not unpack to more than this: a small upload must not fill the disk.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
_SUFFIX = {SHAPEFILE_ZIP: ".zip"}
# Shapefile field names are cut to 10 characters; these are webmap's names as a Shapefile keeps them.
_SHAPEFILE_NAMES = {name[:10]: name for name in CANONICAL_PROPERTIES if len(name) > 10}


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


@contextmanager
def _on_disk(data: bytes, file_format: str):
    """Yield the path of a temporary copy of the upload, named so GDAL recognises its format."""
    with tempfile.TemporaryDirectory(prefix="webmap-upload-") as folder:
        path = Path(folder) / f"upload{_SUFFIX[file_format]}"
        path.write_bytes(data)
        yield path


def _unreadable(file_format: str, exc: Exception, path: Path) -> BadRequest:
    """Return the error for a file GDAL cannot open or read, without the server's temporary path."""
    reason = str(exc).replace(str(path), "the file")
    return BadRequest(f"The file cannot be read as {file_format}: {reason}")


def _check_zip(data: bytes) -> None:
    """Refuse a zip that is broken, unpacks too large, or holds no Shapefile."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise BadRequest(f"The file is not a readable zip archive: {exc}.") from exc
    if sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise PayloadTooLarge(f"The zip unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB.")
    if not any(e.filename.lower().endswith(".shp") for e in entries):
        raise UnsupportedMediaType("The zip holds no Shapefile (.shp); webmap reads zips of one Shapefile "
                                   "with its .shx, .dbf and .prj files.")


def _layer_names(path: Path, file_format: str) -> list[str]:
    """Return the file's single layer, refusing a file with none or several."""
    names = [str(name) for name, _ in pyogrio.list_layers(path)]
    if len(names) == 1:
        return names
    message = (f"the file has {len(names)} layers ({', '.join(names[:10])}); "
               "upload one layer per file" if names else "the file has no layers")
    raise InvalidContent(f"The {file_format} cannot be imported: {message}.", [FieldError("layers", message)])


def _plain(value):
    """Return a cell as a plain JSON value: None for missing, ISO text for dates and times."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def vector_records(data: bytes, file_format: str) -> list[Record]:
    """Read a zipped Shapefile into one record per feature."""
    if file_format == SHAPEFILE_ZIP:
        _check_zip(data)
    records = []
    with _on_disk(data, file_format) as path:
        try:
            for layer in _layer_names(path, file_format):
                frame = pyogrio.read_dataframe(path, layer=layer)
                records += _frame_records(frame, file_format, start=len(records))
        except (DataSourceError, DataLayerError) as exc:
            raise _unreadable(file_format, exc, path) from exc
    return records


def _frame_records(frame, file_format: str, start: int) -> list[Record]:
    """Build records from one layer read by pyogrio, reprojecting from the layer's CRS to WGS84."""
    if not isinstance(frame, gpd.GeoDataFrame):  # a table without geometry: every feature lacks a location
        frame = gpd.GeoDataFrame(frame, geometry=[None] * len(frame))
    try:
        transform = to_wgs84(frame.crs) if frame.crs is not None else None
    except UnknownCRS as exc:
        raise crs_error(exc) from exc
    geometries = [None if g is None else json.loads(g) for g in shapely.to_geojson(frame.geometry.values)]
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if file_format == SHAPEFILE_ZIP:
        table = table.rename(columns=lambda c: _SHAPEFILE_NAMES.get(c.lower(), c))
    rows = [{name: _plain(value) for name, value in row.items()} for row in table.to_dict("records")]
    records = table_records(rows, geometries, FileLayout({}, transform=transform), list(table.columns))
    return [replace(record, index=start + record.index) for record in records]
