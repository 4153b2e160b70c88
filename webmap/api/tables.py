"""Features as files: GeoJSON, CSV with WKT geometry (RFC 4180) and GeoPackage with its attribution as metadata."""
import csv
import io
import json
import sqlite3
from datetime import datetime, timezone

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape

from .schema import Property, columns

# A spreadsheet runs a cell starting with one of these as a formula; such text gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# The GeoPackage metadata extension (GeoPackage 1.3, F.8): its two tables, and the row that says it is used.
GPKG_METADATA_DEFINITION = "http://www.geopackage.org/spec/#extension_metadata"
DUBLIN_CORE = "http://purl.org/dc/terms/"


def feature_collection_json(features: list[str], members: dict) -> str:
    """Join serialised Features into a FeatureCollection with extra top-level `members`, parsing nothing."""
    tail = json.dumps(members, ensure_ascii=False, separators=(",", ":"))
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]," + tail[1:]


def property_columns(features: list[dict], leading: tuple[str, ...]) -> list[str]:
    """Return the property columns: `leading` ones first, then any others in order of first appearance."""
    names = dict.fromkeys(name for name in leading if name != "id")
    for feature in features:
        names.update(dict.fromkeys(feature.get("properties") or {}))
    return list(names)


def cell(value):
    """Flatten a property value into one cell: lists joined with '; ', objects as JSON, the rest as is."""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _csv_cell(value):
    """Return a property value as a CSV cell: booleans as `true`/`false`, which spreadsheets and pandas read as
    booleans, the rest as `cell` flattens it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return cell(value)


def _spreadsheet_safe(value):
    """Keep spreadsheets from running text as a formula (numbers are left alone)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _one_line(text: str) -> str:
    """Return `text` with line breaks turned into spaces."""
    return " ".join(text.split())


def csv_text(features: list[dict], properties: list[Property], bom: bool = False) -> str:
    """Return RFC 4180 CSV: a header row, then one row per feature with its geometry as WKT (a UTF-8 byte order
    mark first if `bom`). Its attribution travels in the response's Link headers."""
    names = property_columns(features, columns(properties))
    out = io.StringIO()
    out.write(BOM if bom else "")
    # Text cells are quoted, so a line break or '#' inside one stays in its cell.
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    # Property names come from uploads too, so the header is defused like any cell.
    writer.writerow([_spreadsheet_safe(name) for name in ["id", *names, "WKT"]])
    for feature in features:
        props = feature.get("properties") or {}
        row = [str(feature.get("id")), *(_csv_cell(props.get(name)) for name in names)]
        row.append(shapely.to_wkt(shape(feature["geometry"]), rounding_precision=-1))
        writer.writerow([_spreadsheet_safe(value) for value in row])
    return out.getvalue()


def _column(values: list, described: dict | None) -> pd.Series | list:
    """Type one GeoPackage column as the schema `described` says (None: a property only uploads carry, typed
    from its values): whole numbers as nullable integers, booleans as booleans, mixed values as text."""
    present = [v for v in values if v is not None]
    kind = (described or {}).get("type")
    if isinstance(kind, list):  # a type that allows null: nulls are empty cells in any column
        kind = next(k for k in kind if k != "null")
    if kind == "boolean" or (kind is None and present and all(isinstance(v, bool) for v in present)):
        return pd.array(values, dtype="boolean")
    if kind == "integer" or (kind is None and present and all(
            isinstance(v, int) and not isinstance(v, bool) for v in present)):
        return pd.array(values, dtype="Int64")
    if kind == "number":
        return pd.array(values, dtype="Float64")
    if all(isinstance(v, str) for v in present) or all(isinstance(v, float) for v in present):
        return values
    return [None if v is None else str(v) for v in values]


def _add_metadata(gpkg: bytes, layer: str, record: dict) -> bytes:
    """Return the GeoPackage with `record` (Dublin Core terms, as JSON) as the metadata of the layer, in the
    metadata extension's gpkg_metadata and gpkg_metadata_reference tables."""
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(gpkg)
        db.executescript("""
            CREATE TABLE IF NOT EXISTS gpkg_metadata (
                id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset',
                md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml',
                metadata TEXT NOT NULL DEFAULT '');
            CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
                reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value INTEGER,
                timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                md_file_id INTEGER NOT NULL, md_parent_id INTEGER,
                CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
                CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id));
        """)
        db.executemany(
            "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
            "SELECT ?, NULL, 'gpkg_metadata', ?, 'read-write' WHERE NOT EXISTS "
            "(SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND extension_name = 'gpkg_metadata')",
            [(table, GPKG_METADATA_DEFINITION, table) for table in ("gpkg_metadata", "gpkg_metadata_reference")])
        file_id = db.execute(
            "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES (?, ?, ?, ?)",
            ("dataset", DUBLIN_CORE, "application/json", json.dumps(record, ensure_ascii=False))).lastrowid
        db.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, timestamp, md_file_id) "
                   "VALUES ('table', ?, ?, ?)",
                   (layer, datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", file_id))
        db.commit()
        return db.serialize()
    finally:
        db.close()


def geopackage_bytes(features: list[dict], properties: list[Property], layer: str, title: str,
                     attribution: str, metadata: dict) -> bytes:
    """Return a GeoPackage with one layer of the features, typed as `properties` say; its description holds the
    attribution line and its metadata the `metadata` record (Dublin Core terms)."""
    described = {p.name: p.schema for p in properties}
    names = property_columns(features, columns(properties))
    data = {"id": [str(f.get("id")) for f in features]}
    for name in names:
        data[name] = _column([cell((f.get("properties") or {}).get(name)) for f in features],
                             described.get(name))
    frame = gpd.GeoDataFrame(data, geometry=[shape(f["geometry"]) for f in features], crs="OGC:CRS84")
    buffer = io.BytesIO()
    frame.to_file(
        buffer, driver="GPKG", layer=layer, engine="pyogrio",
        # An empty layer has no geometry to infer its type from.
        geometry_type=None if features else "Unknown",
        layer_options={"IDENTIFIER": title, "DESCRIPTION": _one_line(attribution)},
    )
    return _add_metadata(buffer.getvalue(), layer, metadata)
