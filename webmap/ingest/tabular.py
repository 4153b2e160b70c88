"""Reading tables and GIS files through pyogrio: CSV with coordinate columns, GeoPackage, KML, zipped Shapefile."""
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
from .formats import CSV, GEOPACKAGE, KML, SHAPEFILE_ZIP
from .mappings import choose_layout
from .record import FileLayout, Record

# A zip may not unpack to more than this: a small upload must not fill the disk.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
_SUFFIX = {CSV: ".csv", GEOPACKAGE: ".gpkg", KML: ".kml", SHAPEFILE_ZIP: ".zip"}
# Coordinate columns a CSV may use, most explicit first: (latitude, longitude) pairs, then WKT.
_COORDINATE_PAIRS = (("latitude", "longitude"), ("lat", "lon"), ("lat", "lng"))
_WKT_COLUMNS = ("geometry", "wkt")
# Columns LIBKML adds to every placemark for styling; they say nothing about the incident.
_KML_STYLING = {"altitudemode", "tessellate", "extrude", "visibility", "draworder", "icon", "snippet"}
# KML's own elements, renamed to what they mean for an incident.
_KML_NAMES = {"name": "title", "timestamp": "date", "begin": "date", "end": "end_date"}
# Shapefile field names are cut to 10 characters; these are webmap's names as a Shapefile keeps them.
_SHAPEFILE_NAMES = {name[:10]: name for name in CANONICAL_PROPERTIES if len(name) > 10}


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
    """Return the layers to read: all of a KML file's folders, or the single layer of other formats."""
    names = [str(name) for name, _ in pyogrio.list_layers(path)]
    if file_format == KML or len(names) == 1:
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


def _lower_names(table: pd.DataFrame) -> dict:
    """Return the table's column names keyed by their trimmed lower-case form, for matching."""
    return {str(name).strip().lower(): name for name in table.columns}


def _table_records(table: pd.DataFrame, geometries: list, layout: FileLayout, columns: dict, start: int = 0):
    """Build records from a table and its GeoJSON geometries (None where missing)."""
    column_layout = choose_layout(columns)
    labels = {name: columns.get(name, name) for name in CANONICAL_PROPERTIES}
    labels.update((name, columns.get(column, column)) for name, column in column_layout.names.items())
    names = replace(layout, properties=labels, id=columns.get(column_layout.id_column, "id"))
    records = []
    for offset, (row, geometry) in enumerate(zip(table.to_dict("records"), geometries)):
        row = {name: _plain(value) for name, value in row.items()}
        source_id, values, extra, problems = column_layout.split(row, columns)
        records.append(Record(start + offset, geometry, values, extra, names, source_id, problems=problems))
    return records


def _csv_geometries(table: pd.DataFrame, columns: dict) -> tuple[list, list[str], list[list]]:
    """Build points (or WKT shapes) from a CSV's coordinate columns; return them, those columns and row problems."""
    problems = [[] for _ in range(len(table))]
    for lat_key, lon_key in _COORDINATE_PAIRS:
        if lat_key in columns and lon_key in columns:
            lat_name, lon_name = columns[lat_key], columns[lon_key]
            geometries = [_point(lat, lon, lat_name, lon_name, found)
                          for lat, lon, found in zip(table[lat_name], table[lon_name], problems)]
            return geometries, [lat_name, lon_name], problems
    for key in _WKT_COLUMNS:
        if key in columns:
            name = columns[key]
            return [_shape(text, name, found) for text, found in zip(table[name], problems)], [name], problems
    message = ("the CSV has no coordinate columns: use latitude and longitude (or lat and lon), "
               "or a WKT column named geometry")
    raise InvalidContent(f"The CSV cannot be imported: {message}.", [FieldError("columns", message)])


def _point(lat, lon, lat_name: str, lon_name: str, problems: list) -> dict | None:
    """Return a GeoJSON Point from two coordinate cells, noting cells that are not numbers."""
    if _plain(lat) in (None, "") and _plain(lon) in (None, ""):
        return None
    coordinates = []
    for name, cell in ((lon_name, lon), (lat_name, lat)):
        try:
            coordinates.append(float(cell))
        except (TypeError, ValueError):
            problems.append((f"{lat_name}/{lon_name}", f"{name} {_plain(cell)!r} is not a number"))
    return {"type": "Point", "coordinates": coordinates} if len(coordinates) == 2 else None


def _shape(text, name: str, problems: list) -> dict | None:
    """Return the GeoJSON geometry a WKT cell describes, noting cells that are not WKT."""
    if _plain(text) in (None, ""):
        return None
    try:
        return json.loads(shapely.to_geojson(shapely.from_wkt(text)))
    except shapely.errors.GEOSException:
        problems.append((name, f"{str(text)[:40]!r} is not WKT (e.g. POINT (35.82 33.12))"))
        return None


def csv_records(data: bytes) -> list[Record]:
    """Read a UTF-8 CSV with coordinate columns into one record per data row."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"The CSV is not UTF-8 text (byte {exc.start} is invalid); save it as UTF-8.") from exc
    with _on_disk(data, CSV) as path:
        try:
            table = pyogrio.read_dataframe(path, read_geometry=False)
        except (DataSourceError, DataLayerError) as exc:
            raise _unreadable(CSV, exc, path) from exc
    if table.empty:
        message = "the CSV has a header but no data rows"
        raise InvalidContent(f"The CSV cannot be imported: {message}.", [FieldError("rows", message)])
    geometries, used, problems = _csv_geometries(table, _lower_names(table))
    table = table.drop(columns=used)
    layout = FileLayout({}, "/".join(used), row_label="CSV data row")
    records = _table_records(table, geometries, layout, _lower_names(table))
    for record, found in zip(records, problems):
        record.problems[:0] = found
    return records


def _kml_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Drop KML styling columns and give KML's own elements their incident meaning (name -> title, ...)."""
    table = table.drop(columns=[c for c in table.columns if c.lower() in _KML_STYLING])
    # LIBKML calls the Placemark's id attribute `id`, and an `id` in its ExtendedData `id2`; the data's
    # own id is the more deliberate one, so it wins.
    if "id2" in table.columns and "id" in table.columns:
        table = table.drop(columns="id").rename(columns={"id2": "id"})
    renames = {}
    for column in table.columns:
        target = _KML_NAMES.get(column.lower())
        if target and target not in renames.values() and target not in table.columns and table[column].notna().any():
            renames[column] = target
    return table.rename(columns=renames)


def vector_records(data: bytes, file_format: str) -> list[Record]:
    """Read a GeoPackage, KML or zipped Shapefile (every KML folder) into one record per feature."""
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
    if not records:
        raise InvalidContent(f"The {file_format} has no features.", [FieldError("features", "the file has no features")])
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
    if file_format == KML:
        table = _kml_columns(table)
    if file_format == SHAPEFILE_ZIP:
        table = table.rename(columns=lambda c: _SHAPEFILE_NAMES.get(c.lower(), c))
    return _table_records(table, geometries, FileLayout({}, transform=transform), _lower_names(table), start)
