"""Fitting a map view into an image: Web Mercator at a whole zoom level, as Leaflet places the map, in pixels."""
import math
from dataclasses import dataclass

import numpy as np

from ..map.aggregate import TILE_PX, Bbox, world_pixels
from ..map.view import MAX_ZOOM

# Text and markers keep their screen size on a social card and grow with larger images, so a print at 300 dpi
# shows the same map as the card, sharper, instead of a wider area in tiny print.
BASE_WIDTH, BASE_HEIGHT = 1200, 630


@dataclass(frozen=True)
class Frame:
    """Where the image looks: its size, the zoom, and the world pixel (at that zoom) at its top left corner."""

    width: int
    height: int
    zoom: int
    scale: float  # image pixels per map pixel
    left: float
    top: float

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Return image pixel coordinates of positions in degrees."""
        x, y = world_pixels(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), self.zoom)
        return (x - self.left) * self.scale, (y - self.top) * self.scale

    def bbox(self) -> Bbox:
        """Return the area the image shows, in degrees (minx, miny, maxx, maxy)."""
        size = TILE_PX * 2.0 ** self.zoom
        right = self.left + self.width / self.scale
        bottom = self.top + self.height / self.scale

        def lat(y: float) -> float:
            return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / size))))

        return (self.left / size * 360 - 180, lat(bottom), right / size * 360 - 180, lat(self.top))


def image_scale(width: int, height: int) -> float:
    """Return how many image pixels stand for one map pixel: 1 up to the social-card size, more above it."""
    return max(1.0, min(width / BASE_WIDTH, height / BASE_HEIGHT))


def fit_zoom(bbox: Bbox, width: float, height: float) -> int:
    """Return the deepest whole zoom at which `bbox` fits in `width` by `height` map pixels."""
    xs, ys = world_pixels(np.array(bbox[0::2]), np.array(bbox[1::2]), 0)
    span_x, span_y = abs(xs[1] - xs[0]), abs(ys[1] - ys[0])
    fits = [math.log2(side / span) for side, span in ((width, span_x), (height, span_y)) if span > 0]
    return int(min(MAX_ZOOM, max(0, math.floor(min(fits))))) if fits else MAX_ZOOM


def fit_frame(width: int, height: int, center: tuple[float, float], zoom: int, bbox: Bbox | None = None) -> Frame:
    """Return the frame showing `bbox` whole (centred, at the deepest zoom it fits), else `center` at `zoom`."""
    scale = image_scale(width, height)
    map_width, map_height = width / scale, height / scale
    if bbox is not None:
        zoom = fit_zoom(bbox, map_width, map_height)
        xs, ys = world_pixels(np.array(bbox[0::2]), np.array(bbox[1::2]), zoom)
        cx, cy = xs.mean(), ys.mean()
    else:
        x, y = world_pixels(np.array([center[1]]), np.array([center[0]]), zoom)
        cx, cy = x[0], y[0]
    return Frame(width, height, zoom, scale, float(cx - map_width / 2), float(cy - map_height / 2))
