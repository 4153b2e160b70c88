"""Reading CSV files with Python's csv module: one record per data row, located by coordinate or WKT columns."""
import csv
import io

import shapely

from ..core.errors import BadRequest, InvalidContent, said
from ..core.i18n import Message, message
from .record import FileLayout, Record
from .tabular import lower_names, shape_geojson, table_records

SEPARATORS = (",", ";", "\t")
# Coordinate columns a CSV may use, most explicit first: (latitude, longitude) pairs, then WKT.
_COORDINATE_PAIRS = (("latitude", "longitude"), ("lat", "lon"), ("lat", "lng"))
_WKT_COLUMNS = ("geometry", "wkt")


def _refuse(problem: Message, field: str) -> InvalidContent:
    """Return the error for a CSV whose columns or rows cannot be imported at all."""
    return InvalidContent(message("error_texts.csv_refused", problem=problem), [said(field, problem)])


def _text(data: bytes) -> str:
    """Decode the CSV as UTF-8, dropping a byte order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(message("error_texts.csv_not_utf8", byte=exc.start)) from exc


def _separator(text: str) -> str:
    """Return the separator the header line uses most (a comma when it has none)."""
    header = text.split("\n", 1)[0]
    return max(SEPARATORS, key=header.count)


def _lines(text: str) -> list[list[str]]:
    """Split the text into lines of cells, skipping blank lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    try:
        return [line for line in reader if line]
    except csv.Error as exc:
        raise BadRequest(message("error_texts.csv_unreadable", detail=exc, line=reader.line_num)) from exc


def _header(cells: list[str]) -> list[str]:
    """Return the column names, naming blank ones field_N, and refuse a name used twice."""
    names = [cell.strip() or f"field_{number}" for number, cell in enumerate(cells, 1)]
    seen = set()
    for name in names:
        if name.lower() in seen:
            raise _refuse(message("field_errors.columns_same_name", name=repr(name)), "columns")
        seen.add(name.lower())
    return names


def _rows(names: list[str], lines: list[list[str]]) -> tuple[list[dict], list[list]]:
    """Return each data line as a row of cells by column name, and the problems of lines with too many cells."""
    rows, problems = [], []
    for cells in lines:
        surplus = [cell for cell in cells[len(names):] if cell.strip()]
        problems.append([("columns", message("field_errors.row_cells",
                                             cells=message("field_errors.cell_count", count=len(cells)),
                                             columns=message("field_errors.column_count", count=len(names))))]
                        if surplus else [])
        rows.append(dict(zip(names, cells + [""] * (len(names) - len(cells)))))
    return rows, problems


def _point(row: dict, lat_name: str, lon_name: str, problems: list) -> dict | None:
    """Return a GeoJSON Point from two coordinate cells, noting cells that are not numbers."""
    if not row[lat_name].strip() and not row[lon_name].strip():
        return None
    coordinates = []
    for name in (lon_name, lat_name):
        try:
            coordinates.append(float(row[name]))
        except ValueError:
            problems.append((f"{lat_name}/{lon_name}", message("field_errors.coordinate_not_number", name=name,
                                                                value=repr(row[name]))))
    return {"type": "Point", "coordinates": coordinates} if len(coordinates) == 2 else None


def _shape(text: str, name: str, problems: list) -> dict | None:
    """Return the GeoJSON geometry a WKT cell describes, noting cells that are not WKT."""
    if not text.strip():
        return None
    try:
        return shape_geojson(shapely.from_wkt(text))
    except shapely.errors.ShapelyError:
        problems.append((name, message("field_errors.not_wkt", value=repr(text[:40]))))
        return None


def _geometries(rows: list[dict], columns: dict, problems: list[list]) -> tuple[list, list[str]]:
    """Build points (or WKT shapes) from the coordinate columns, noting row problems; return them and those columns."""
    for lat_key, lon_key in _COORDINATE_PAIRS:
        if lat_key in columns and lon_key in columns:
            lat_name, lon_name = columns[lat_key], columns[lon_key]
            return [_point(row, lat_name, lon_name, found) for row, found in zip(rows, problems)], [lat_name, lon_name]
    for key in _WKT_COLUMNS:
        if key in columns:
            name = columns[key]
            return [_shape(row[name], name, found) for row, found in zip(rows, problems)], [name]
    raise _refuse(message("field_errors.no_coordinate_columns"), "columns")


def csv_records(data: bytes) -> list[Record]:
    """Read a UTF-8 CSV (comma, semicolon or tab separated) with coordinate columns into one record per data row."""
    lines = _lines(_text(data))
    names = _header(lines[0] if lines else [])
    rows, problems = _rows(names, lines[1:])
    if not rows:
        raise _refuse(message("field_errors.no_data_rows"), "rows")
    geometries, used = _geometries(rows, lower_names(names), problems)
    layout = FileLayout({}, "/".join(used), row_label="where_csv_row")
    return table_records(rows, geometries, layout, [name for name in names if name not in used], problems)
