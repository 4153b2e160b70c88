"""Reading GeoPackages with Python's sqlite3, and only as GeoPackages: their header, metadata tables and one layer."""
import sqlite3
from contextlib import closing

import shapely

from ..core.errors import BadRequest, InvalidContent, said
from ..core.i18n import message
from .crs import file_transform
from .record import FileLayout, Record
from .tabular import shape_geojson, table_records

SQLITE_HEADER = b"SQLite format 3\x00"
# PRAGMA application_id, big-endian at byte 68: "GPKG" since GeoPackage 1.2, "GP10" and "GP11" before.
APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")
_METADATA_TABLES = ("gpkg_spatial_ref_sys", "gpkg_contents", "gpkg_geometry_columns")
# Bytes of envelope after a geometry's 8-byte header, by the envelope code in its flags (GeoPackage 2.1.3).
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_EMPTY, _EXTENDED = 0x10, 0x20


def _not_geopackage(reason: str) -> BadRequest:
    """Return the error for a file that is not a GeoPackage webmap reads, saying why."""
    return BadRequest(message("error_texts.not_geopackage", reason=reason))


def check_signature(data: bytes) -> None:
    """Refuse bytes that do not start as a GeoPackage does: SQLite's header, then GeoPackage's application_id."""
    if len(data) < 100 or not data.startswith(SQLITE_HEADER):
        raise _not_geopackage("it is not a SQLite database")
    if data[68:72] not in APPLICATION_IDS:
        raise _not_geopackage("it is a SQLite database, but its application_id is not GeoPackage's ('GPKG')")


def _load(connection: sqlite3.Connection, data: bytes) -> None:
    """Load the bytes into an in-memory connection that cannot write and does not trust the file's schema."""
    # A file in WAL mode (bytes 18-19) arrives without its -wal file, so its main file is all there is to read.
    connection.deserialize(data[:18] + b"\x01\x01" + data[20:])
    for pragma in ("query_only = ON", "trusted_schema = OFF", "cell_size_check = ON"):
        connection.execute(f"PRAGMA {pragma}")
    connection.text_factory = bytes  # a damaged file's report may quote bytes that are not text
    if connection.execute("PRAGMA quick_check").fetchone() != (b"ok",):
        raise _not_geopackage("the database is damaged")
    connection.text_factory = str


def _table_problem(name: str, schema: dict) -> str | None:
    """Say why a name is not an ordinary table of the file (absent, a view, SQLite's own, virtual), or None."""
    kind, sql = schema.get(name, (None, ""))
    if kind is None:
        return f"{name!r} is not one of the file's tables"
    if kind != "table":
        return f"{name!r} is a {kind}, not a table"
    if name.lower().startswith("sqlite_") or sql.lstrip().upper().startswith("CREATE VIRTUAL"):
        return f"{name!r} is not an ordinary table"
    return None


def _layer(connection: sqlite3.Connection) -> str:
    """Return the name of the file's one feature table, checking the metadata tables and the layer are real tables."""
    schema = {name: (kind, sql or "") for kind, name, sql in
              connection.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view')")}
    for table in _METADATA_TABLES:
        problem = _table_problem(table, schema)
        if problem:
            raise _not_geopackage(f"the GeoPackage table {problem}")
    layers = [name for (name,) in connection.execute(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name")]
    if len(layers) != 1:
        problem = (message("field_errors.gpkg_layers", count=len(layers), layers=", ".join(map(str, layers[:10])))
                   if layers else message("field_errors.gpkg_no_layers"))
        raise InvalidContent(message("error_texts.gpkg_refused", problem=problem), [said("layers", problem)])
    problem = _table_problem(layers[0], schema)
    if problem:
        raise _not_geopackage(f"its layer {problem}")
    return layers[0]


def _crs_input(organization, code, definition) -> str | None:
    """Return what names a GeoPackage CRS for pyproj: EPSG:code, else its WKT; None when it is undefined."""
    if str(organization).upper() == "EPSG" and isinstance(code, int) and code > 0:
        return f"EPSG:{code}"
    if isinstance(definition, str) and definition.strip().lower() not in ("", "undefined"):
        return definition
    return None


def _layer_columns(connection: sqlite3.Connection, layer: str) -> tuple[str, list[str], object]:
    """Return the layer's geometry column, its other columns (without the feature id) and its CRS."""
    found = connection.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
                               (layer,)).fetchall()
    if len(found) != 1:
        raise _not_geopackage(f"gpkg_geometry_columns has {len(found)} rows for layer {layer!r}, not one")
    geometry, srs_id = found[0]
    columns = connection.execute("SELECT name, type, pk FROM pragma_table_info(?)", (layer,)).fetchall()
    if str(geometry).lower() not in {name.lower() for name, _, _ in columns}:
        raise _not_geopackage(f"layer {layer!r} has no column {geometry!r}, its geometry column")
    names = [name for name, kind, pk in columns
             if name.lower() != str(geometry).lower() and not (pk == 1 and kind.upper() == "INTEGER")]
    crs = connection.execute("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                             "WHERE srs_id = ?", (srs_id,)).fetchone()
    if crs is None:
        raise _not_geopackage(f"the CRS of layer {layer!r} (srs_id {srs_id}) is not in gpkg_spatial_ref_sys")
    return geometry, names, _crs_input(*crs)


def _geometry(blob, problems: list) -> dict | None:
    """Return the GeoJSON of a GeoPackage geometry blob (None when null or empty), noting a blob that is not one."""
    if blob is None:
        return None
    header = isinstance(blob, bytes) and len(blob) >= 8 and blob.startswith(b"GP")
    flags = blob[3] if header else 0
    envelope = _ENVELOPE_BYTES.get(flags >> 1 & 0x07)
    if not header or flags & _EXTENDED or envelope is None:
        problems.append(("geometry", message("field_errors.not_gpkg_geometry")))
        return None
    if flags & _EMPTY:
        return None
    try:
        return shape_geojson(shapely.from_wkb(blob[8 + envelope:]))
    except shapely.errors.ShapelyError:
        problems.append(("geometry", message("field_errors.no_wkb_geometry")))
        return None


def _quoted(name: str) -> str:
    """Quote an identifier taken from the file's own schema for use in SQL."""
    return '"' + name.replace('"', '""') + '"'


def _rows(connection: sqlite3.Connection) -> tuple[list[dict], list, list[list], list[str], object]:
    """Read the one layer: rows of values, GeoJSON geometries, problems per row, column names and CRS."""
    layer = _layer(connection)
    geometry, names, crs = _layer_columns(connection, layer)
    rows, geometries, problems = [], [], []
    columns = ", ".join(map(_quoted, [geometry, *names]))
    for blob, *values in connection.execute(f"SELECT {columns} FROM {_quoted(layer)}"):
        found = [(name, message("field_errors.binary_data"))
                 for name, value in zip(names, values) if isinstance(value, bytes)]
        geometries.append(_geometry(blob, found))
        rows.append(dict(zip(names, values)))
        problems.append(found)
    return rows, geometries, problems, names, crs


def geopackage_records(data: bytes) -> list[Record]:
    """Read a GeoPackage's one feature layer into one record per feature, reprojected from its CRS."""
    check_signature(data)
    try:
        with closing(sqlite3.connect(":memory:")) as connection:
            _load(connection, data)
            rows, geometries, problems, names, crs = _rows(connection)
    except sqlite3.Error as exc:
        raise BadRequest(message("error_texts.gpkg_unreadable", detail=exc)) from exc
    except UnicodeDecodeError as exc:
        raise BadRequest(message("error_texts.gpkg_not_utf8")) from exc
    return table_records(rows, geometries, FileLayout({}, transform=file_transform(crs)), names, problems)
