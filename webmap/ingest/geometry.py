"""Geometry rules: GeoJSON structure, 2-D positions in range, closed and valid polygons, inside the region."""
import math

import shapely
from shapely.geometry import shape

from .record import Transform

# How many array levels sit above a position, per geometry type.
_POSITION_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
GEOMETRY_TYPES = (*_POSITION_DEPTH, "GeometryCollection")
_NUMBER = (int, float)


class GeometryProblem(Exception):
    """A geometry breaks a rule; the message says which and where."""


def _position(value, where: str, transform: Transform | None) -> list[float]:
    """Return a 2-D [x, y] from a position (dropping any height), reprojected and range-checked."""
    if type(value) is not list or len(value) < 2 or type(value[0]) not in _NUMBER or type(value[1]) not in _NUMBER:
        raise GeometryProblem(f"{where} must be a position [longitude, latitude], got {_show(value)}")
    x, y = value[0], value[1]
    if transform:
        x, y = transform(x, y)
    if not (math.isfinite(x) and math.isfinite(y)):
        raise GeometryProblem(f"{where} is not a finite coordinate")
    if not -180 <= x <= 180:
        raise GeometryProblem(f"{where}: longitude {x} is outside -180..180")
    if not -90 <= y <= 90:
        raise GeometryProblem(f"{where}: latitude {y} is outside -90..90")
    return [x, y]


def _positions(value, depth: int, where: str, transform: Transform | None):
    """Return nested coordinates with every position made 2-D, checking the nesting on the way."""
    if depth == 0:
        return _position(value, where, transform)
    if type(value) is not list:
        raise GeometryProblem(f"{where} must be an array, got {_show(value)}")
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
            raise GeometryProblem(f"line {n} has {len(line)} position(s); a line needs at least 2")
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for p, rings in enumerate(polygons):
        if not rings:
            raise GeometryProblem(f"polygon {p} has no rings")
        for r, ring in enumerate(rings):
            if len(ring) < 4:
                raise GeometryProblem(f"polygon {p} ring {r} has {len(ring)} positions; a ring needs at least 4")
            if ring[0] != ring[-1]:
                raise GeometryProblem(f"polygon {p} ring {r} is not closed: its last position must repeat the first")
    if polygons:
        built = shape({"type": kind, "coordinates": coords})
        if not built.is_valid:
            raise GeometryProblem(f"invalid polygon: {shapely.is_valid_reason(built)}")
    if kind in ("MultiPoint", "MultiLineString", "MultiPolygon") and not coords:
        raise GeometryProblem(f"the {kind} has no parts")


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
        raise GeometryProblem("missing geometry: every incident needs a location")
    if not isinstance(geometry, dict):
        raise GeometryProblem(f"must be a GeoJSON geometry object, got {_show(geometry)}")
    kind = geometry.get("type")
    if kind != "Point" and max_vertices is not None:
        # Before any position is read or shapely builds anything: a huge geometry costs only its array lengths.
        vertices = count_vertices(geometry)
        if vertices > max_vertices:
            raise GeometryProblem(f"{vertices:,} vertices; at most {max_vertices:,} per feature "
                                  "(WEBMAP_MAX_VERTICES); simplify the geometry first")
    if kind == "GeometryCollection":
        if nested:
            raise GeometryProblem("a GeometryCollection may not contain another one (RFC 7946 3.1.8 advises against it)")
        parts = geometry.get("geometries")
        if type(parts) is not list or not parts:
            raise GeometryProblem("a GeometryCollection needs a non-empty 'geometries' array")
        return {"type": kind, "geometries": [normalize_geometry(p, transform, nested=True) for p in parts]}
    if kind not in _POSITION_DEPTH:
        allowed = ", ".join(_POSITION_DEPTH)
        raise GeometryProblem(f"type {_show(kind)} is not a geometry type webmap accepts ({allowed})")
    if "coordinates" not in geometry:
        raise GeometryProblem(f"the {kind} has no 'coordinates'")
    if kind == "Point":  # most incidents: one position, nothing more to check
        return {"type": kind, "coordinates": _position(geometry["coordinates"], "coordinates", transform)}
    coords = _positions(geometry["coordinates"], _POSITION_DEPTH[kind], "coordinates", transform)
    _check_parts(kind, coords)
    return {"type": kind, "coordinates": coords}


def _overlaps(bounds: tuple, region: tuple) -> bool:
    """Tell whether two (minx, miny, maxx, maxy) boxes share any point."""
    return bounds[0] <= region[2] and bounds[2] >= region[0] and bounds[1] <= region[3] and bounds[3] >= region[1]


def region_problem(bounds: tuple, region: tuple) -> str | None:
    """Say why a geometry with these bounds lies outside the region (and whether a swap explains it), or None."""
    if _overlaps(bounds, region):
        return None
    region_text = ",".join(f"{v:g}" for v in region)
    message = f"lies outside the region webmap covers (REGION_BBOX {region_text})"
    swapped = (bounds[1], bounds[0], bounds[3], bounds[2])
    if _overlaps(swapped, region):
        message += "; did you swap latitude and longitude?"
    return message
