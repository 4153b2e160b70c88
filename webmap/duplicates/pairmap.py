"""The small map beside a flagged pair: both locations, the line between them, the 1974 lines nearby and a scale,
as plain numbers an SVG template draws. Pure: no request, no I/O, no tiles."""
import math
from dataclasses import dataclass

import shapely
from shapely.geometry import shape

from ..core.duplicates import KM_PER_DEGREE

WIDTH, HEIGHT = 280, 200
MIN_HALF_KM = 1.5  # the map shows at least 3 km across, so two points on one spot still have a setting


@dataclass(frozen=True)
class PairMap:
    """What the small map draws, in pixels: the two reports' points, the reference lines in view (each an id
    and an SVG `points` list) and a scale bar of `scale_km`."""

    width: int
    height: int
    points: tuple[tuple[float, float], tuple[float, float]]
    lines: tuple[tuple[str, str], ...]
    scale_px: float
    scale_km: float


def _scale_km(km_across: float) -> float:
    """Return a round length (1, 2 or 5 times a power of ten) of about a quarter of the width."""
    target = km_across / 4
    power = 10 ** math.floor(math.log10(target))
    return next(step * power for step in (5, 2, 1) if step * power <= target)


def pair_map(first: tuple[float, float], second: tuple[float, float],
             lines: list[tuple[str, dict]]) -> PairMap:
    """Project two (lon, lat) locations and the reference lines given as (layer id, GeoJSON geometry) into a small
    map centred between them, north up, with the same scale across and down."""
    lon0, lat0 = (first[0] + second[0]) / 2, (first[1] + second[1]) / 2
    per_lon = KM_PER_DEGREE * math.cos(math.radians(lat0))
    half_x = max(MIN_HALF_KM, abs(first[0] - second[0]) * per_lon * 0.75)
    half_y = max(MIN_HALF_KM, abs(first[1] - second[1]) * KM_PER_DEGREE * 0.75)
    px_per_km = min(WIDTH / (2 * half_x), HEIGHT / (2 * half_y))

    def pixel(lon: float, lat: float) -> tuple[float, float]:
        return (round(WIDTH / 2 + (lon - lon0) * per_lon * px_per_km, 1),
                round(HEIGHT / 2 - (lat - lat0) * KM_PER_DEGREE * px_per_km, 1))

    # A margin around the view in degrees, so a line leaving it is drawn to the edge.
    margin = 1.2 / px_per_km
    box = (lon0 - (WIDTH / 2 / px_per_km + margin) / per_lon, lat0 - (HEIGHT / 2 / px_per_km + margin) / KM_PER_DEGREE,
           lon0 + (WIDTH / 2 / px_per_km + margin) / per_lon, lat0 + (HEIGHT / 2 / px_per_km + margin) / KM_PER_DEGREE)
    drawn = []
    for layer_id, geometry in lines:
        clipped = shapely.clip_by_rect(shape(geometry), *box)
        for part in getattr(clipped, "geoms", [clipped]):
            if not part.is_empty and part.geom_type == "LineString":
                drawn.append((layer_id, " ".join(f"{x},{y}" for x, y in (pixel(*c) for c in part.coords))))
    scale = _scale_km(WIDTH / px_per_km)
    return PairMap(WIDTH, HEIGHT, (pixel(*first), pixel(*second)), tuple(drawn), round(scale * px_per_km, 1), scale)
