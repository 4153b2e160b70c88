"""Features as files: GeoJSON, CSV with WKT geometry and GeoPackage, each carrying its attribution line."""
import csv
import io
import json

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape

# A spreadsheet runs a cell starting with one of these as a formula; such text gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ATTRIBUTION_PREFIX = "# "


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


def _spreadsheet_safe(value):
    """Keep spreadsheets from running text as a formula (numbers are left alone)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _one_line(text: str) -> str:
    """Return `text` with line breaks turned into spaces."""
    return " ".join(text.split())


def csv_text(features: list[dict], leading: tuple[str, ...], attribution: str) -> str:
    """Return CSV: a `# ` attribution line, a header, then one row per feature with its geometry as WKT."""
    columns = property_columns(features, leading)
    out = io.StringIO()
    out.write(ATTRIBUTION_PREFIX + _one_line(attribution) + "\r\n")
    # Quoting every text cell keeps a '#' inside one from reading as a comment (pandas' comment="#").
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    # Property names come from uploads too, so the header is defused like any cell.
    writer.writerow([_spreadsheet_safe(name) for name in ["id", *columns, "WKT"]])
    for feature in features:
        props = feature.get("properties") or {}
        row = [str(feature.get("id")), *(cell(props.get(name)) for name in columns)]
        row.append(shapely.to_wkt(shape(feature["geometry"]), rounding_precision=-1))
        writer.writerow([_spreadsheet_safe(value) for value in row])
    return out.getvalue()


def _column(values: list) -> pd.Series | list:
    """Type one GeoPackage column: whole numbers as nullable integers, mixed values as text."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.array(values, dtype="Int64")
    if all(isinstance(v, str) for v in present) or all(isinstance(v, float) for v in present):
        return values
    return [None if v is None else str(v) for v in values]


def geopackage_bytes(features: list[dict], leading: tuple[str, ...], layer: str, title: str,
                     attribution: str) -> bytes:
    """Return a GeoPackage with one layer of the features; its description holds the attribution line."""
    columns = property_columns(features, leading)
    data = {"id": [str(f.get("id")) for f in features]}
    for name in columns:
        data[name] = _column([cell((f.get("properties") or {}).get(name)) for f in features])
    frame = gpd.GeoDataFrame(data, geometry=[shape(f["geometry"]) for f in features], crs="OGC:CRS84")
    buffer = io.BytesIO()
    frame.to_file(
        buffer, driver="GPKG", layer=layer, engine="pyogrio",
        # An empty layer has no geometry to infer its type from.
        geometry_type=None if features else "Unknown",
        layer_options={"IDENTIFIER": title, "DESCRIPTION": _one_line(attribution)},
    )
    return buffer.getvalue()
