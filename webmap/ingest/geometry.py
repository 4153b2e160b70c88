"""Geometry rules: GeoJSON structure, 2-D positions in range, closed and valid polygons, inside the region."""
import math

import shapely
from shapely.geometry import shape

from ..core.errors import Problem
from ..core.i18n import Message, message
from .record import Transform

# How many array levels sit above a position, per geometry type.
_POSITION_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
GEOMETRY_TYPES = (*_POSITION_DEPTH, "GeometryCollection")
_NUMBER = (int, float)


class GeometryProblem(Problem):
    """A geometry breaks a rule; the catalogue message says which and where."""


def _position(value, where: str, transform: Transform | None) -> list[float]:
    """Return a 2-D [x, y] from a position (dropping any height), reprojected and range-checked."""
    if type(value) is not list or len(value) < 2 or type(value[0]) not in _NUMBER or type(value[1]) not in _NUMBER:
        raise GeometryProblem("position_invalid", where=where, value=_show(value))
    x, y = value[0], value[1]
    if transform:
        x, y = transform(x, y)
    if not (math.isfinite(x) and math.isfinite(y)):
        raise GeometryProblem("not_finite", where=where)
    if not -180 <= x <= 180:
        raise GeometryProblem("longitude_outside", where=where, x=x, range="-180..180")
    if not -90 <= y <= 90:
        raise GeometryProblem("latitude_outside", where=where, y=y, range="-90..90")
    return [x, y]


def _positions(value, depth: int, where: str, transform: Transform | None):
    """Return nested coordinates with every position made 2-D, checking the nesting on the way."""
    if depth == 0:
        return _position(value, where, transform)
    if type(value) is not list:
        raise GeometryProblem("not_array", where=where, value=_show(value))
    return [_positions(part, depth - 1, f"{where}[{n}]", transform) for n, part in enumerate(value)]


def _show(value) -> str:
    """Return a short rendering of a bad value for a message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_parts(kind: str, coords: list) -> None:
    """Check the counts and rings each geometry type needs."""
    if kind == "LineString":
        lines = [coords]
    elif kind == "MultiLineString":
        lines = coords
    else:
        lines = []
    for n, line in enumerate(lines):
        if len(line) < 2:
            raise GeometryProblem("line_too_short", line=n, count=len(line))
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for p, rings in enumerate(polygons):
        if not rings:
            raise GeometryProblem("polygon_no_rings", polygon=p)
        for r, ring in enumerate(rings):
            if len(ring) < 4:
                raise GeometryProblem("ring_too_short", polygon=p, ring=r, count=len(ring))
            if ring[0] != ring[-1]:
                raise GeometryProblem("ring_not_closed", polygon=p, ring=r)
    if polygons:
        built = shape({"type": kind, "coordinates": coords})
        if not built.is_valid:
            raise GeometryProblem("polygon_invalid", reason=shapely.is_valid_reason(built))
    if kind in ("MultiPoint", "MultiLineString", "MultiPolygon") and not coords:
        raise GeometryProblem("no_parts", kind=kind)


def _count_positions(value, depth: int) -> int:
    """Return how many positions nested arrays hold, from their lengths alone (anything not an array counts 0)."""
    if type(value) is not list:
        return 0
    if depth == 1:
        return len(value)
    return sum(_count_positions(part, depth - 1) for part in value)


def count_vertices(geometry) -> int:
    """Return how many positions a raw GeoJSON geometry holds, without reading any of them."""
    if not isinstance(geometry, dict):
        return 0
    if geometry.get("type") == "GeometryCollection":
        parts = geometry.get("geometries")
        return sum(count_vertices(part) for part in parts) if type(parts) is list else 0
    depth = _POSITION_DEPTH.get(geometry.get("type"))
    if depth is None:
        return 0
    return 1 if depth == 0 else _count_positions(geometry.get("coordinates"), depth)


def normalize_geometry(geometry, transform: Transform | None = None, max_vertices: int | None = None,
                       nested: bool = False) -> dict:
    """Return a clean 2-D WGS84 copy of a GeoJSON geometry, or raise GeometryProblem saying what is wrong."""
    if geometry is None:
        raise GeometryProblem("geometry_missing")
    if not isinstance(geometry, dict):
        raise GeometryProblem("not_geometry", value=_show(geometry))
    kind = geometry.get("type")
    if kind != "Point" and max_vertices is not None:
        # Before any position is read or shapely builds anything: a huge geometry costs only its array lengths.
        vertices = count_vertices(geometry)
        if vertices > max_vertices:
            raise GeometryProblem("too_many_vertices", count=vertices, most=f"{max_vertices:,}")
    if kind == "GeometryCollection":
        if nested:
            raise GeometryProblem("nested_collection")
        parts = geometry.get("geometries")
        if type(parts) is not list or not parts:
            raise GeometryProblem("collection_empty")
        return {"type": kind, "geometries": [normalize_geometry(p, transform, nested=True) for p in parts]}
    if kind not in _POSITION_DEPTH:
        allowed = ", ".join(_POSITION_DEPTH)
        raise GeometryProblem("geometry_type_unknown", value=_show(kind), allowed=allowed)
    if "coordinates" not in geometry:
        raise GeometryProblem("no_coordinates", kind=kind)
    if kind == "Point":  # most incidents: one position, nothing more to check
        return {"type": kind, "coordinates": _position(geometry["coordinates"], "coordinates", transform)}
    coords = _positions(geometry["coordinates"], _POSITION_DEPTH[kind], "coordinates", transform)
    _check_parts(kind, coords)
    return {"type": kind, "coordinates": coords}


def _overlaps(bounds: tuple, region: tuple) -> bool:
    """Tell whether two (minx, miny, maxx, maxy) boxes share any point."""
    return bounds[0] <= region[2] and bounds[2] >= region[0] and bounds[1] <= region[3] and bounds[3] >= region[1]


def region_problem(bounds: tuple, region: tuple) -> Message | None:
    """Say why a geometry with these bounds lies outside the region (and whether a swap explains it), or None."""
    if _overlaps(bounds, region):
        return None
    swapped = (bounds[1], bounds[0], bounds[3], bounds[2])
    key = "outside_region_swapped" if _overlaps(swapped, region) else "outside_region"
    return message(f"field_errors.{key}", region=",".join(f"{v:g}" for v in region))
