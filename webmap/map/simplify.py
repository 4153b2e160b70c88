"""Geometry for readers: lines and areas simplified to about a screen pixel at the zoom they are shown at."""
import math
from dataclasses import replace

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from ..core.model import Incident, geometry_bounds
from .aggregate import TILE_PX, Bbox, world_pixels
from .viewport import MAX_ZOOM

VIEW_PX = 1024  # a view's size in pixels when only its box is known (a list request, a map fitted to features)
# However deep the zoom, no incident reaches a reader with more positions than this: a huge geometry
# stored before imports capped vertices still costs a reader kilobytes, not megabytes.
MAX_VERTICES_SENT = 10_000


def pixel_degrees(zoom: float, latitude: float = 0.0) -> float:
    """Return how many degrees one screen pixel spans at `zoom`, along both axes at `latitude`."""
    return 360 / (TILE_PX * 2 ** zoom) * math.cos(math.radians(min(abs(latitude), 85.0)))


def zoom_for_bbox(bbox: Bbox, pixels: int = VIEW_PX) -> int:
    """Return the deepest zoom at which the box fits in `pixels` screen pixels each way."""
    xs, ys = world_pixels(np.array(bbox[0::2]), np.array(bbox[1::2]), 0)
    span = max(abs(xs[1] - xs[0]), abs(ys[1] - ys[0]))
    if span <= 0:
        return MAX_ZOOM
    return int(min(MAX_ZOOM, max(0, math.floor(math.log2(pixels / span)))))


def simplify_geometry(geometry: dict, zoom: float) -> dict:
    """Return a GeoJSON geometry simplified to about one pixel at `zoom` (points as they are), valid and at most
    MAX_VERTICES_SENT positions."""
    if geometry["type"] in ("Point", "MultiPoint"):
        return geometry
    _, south, _, north = geometry_bounds(geometry)
    original = shape(geometry)
    tolerance = pixel_degrees(zoom, max(abs(south), abs(north)))  # where a pixel spans the fewest degrees
    simplified = original.simplify(tolerance, preserve_topology=True)
    while shapely.get_num_coordinates(simplified) > MAX_VERTICES_SENT:
        tolerance *= 2
        simplified = original.simplify(tolerance, preserve_topology=True)
    if shapely.get_num_coordinates(simplified) == shapely.get_num_coordinates(original):
        return geometry
    return mapping(simplified)


def simplify_incidents(incidents: list[Incident], zoom: float) -> list[Incident]:
    """Return the incidents with their geometry simplified for `zoom` (those it leaves alone as they are)."""
    simplified = []
    for incident in incidents:
        geometry = simplify_geometry(incident.geometry, zoom)
        simplified.append(incident if geometry is incident.geometry else replace(incident, geometry=geometry))
    return simplified
