"""Coordinate reference systems of incoming files: recognising WGS84 and reprojecting anything else."""
import pyproj
from pyproj.exceptions import CRSError

from ..core.errors import InvalidContent, Problem, field_error
from ..core.i18n import message
from .record import Transform

WGS84 = pyproj.CRS.from_epsg(4326)


class UnknownCRS(Problem):
    """A file names a coordinate reference system that cannot be used; the catalogue message says why."""


def crs_error(problem: UnknownCRS) -> InvalidContent:
    """Return the error for a file whose coordinate reference system cannot be used."""
    return InvalidContent(message("error_texts.crs_refused", problem=problem.text),
                          [field_error("crs", "crs_reproject", problem=problem.text)])


def to_wgs84(crs_input) -> Transform | None:
    """Return a function taking (x, y) in this CRS to WGS84 (longitude, latitude), or None if it is WGS84."""
    try:
        crs = pyproj.CRS.from_user_input(crs_input)
    except CRSError as exc:
        raise UnknownCRS("crs_unknown", value=repr(str(crs_input)[:80])) from exc
    if crs.is_geographic and crs.equals(WGS84, ignore_axis_order=True):
        return None
    return pyproj.Transformer.from_crs(crs, WGS84, always_xy=True).transform


def legacy_geojson_crs(member) -> Transform | None:
    """Read the `crs` member of pre-RFC 7946 GeoJSON (a named CRS) into a transform to WGS84."""
    if member is None:
        return None
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    if not isinstance(member, dict) or member.get("type") != "name" or not isinstance(name, str):
        raise UnknownCRS("crs_not_named")
    return to_wgs84(name)


def file_transform(crs_input) -> Transform | None:
    """Return the transform from a file's own CRS to WGS84 (None when it has none, or is WGS84), or raise why not."""
    if crs_input is None:
        return None
    try:
        return to_wgs84(crs_input)
    except UnknownCRS as exc:
        raise crs_error(exc) from exc
