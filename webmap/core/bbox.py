"""Bounding boxes (`minx,miny,maxx,maxy` in degrees of longitude and latitude), parsed by one set of rules
wherever one is given: the map's view, the read API and the settings."""
import math

from .errors import Problem

Bbox = tuple[float, float, float, float]


class BboxError(Problem):
    """What is wrong with a bounding box, as a catalogue message."""


def parse_coordinate(text: str, low: float, high: float) -> float:
    """Return one coordinate, a finite number within [low, high], or raise BboxError saying it is not."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:  # NaN fails the range test too
        raise BboxError("coordinate_invalid", text=text.strip(), low=f"{low:g}", high=f"{high:g}")
    return value


def parse_bbox(text: str, *, heights: bool = False, wraps: bool = False) -> Bbox:
    """Parse `minx,miny,maxx,maxy`: numbers within the ranges of longitude and latitude, miny below maxy and
    minx below maxx, unless `wraps` lets minx > maxx cross the antimeridian (OGC API); `heights` also takes
    the 6-number form with heights, which are dropped. Raise BboxError saying what is wrong."""
    parts = text.split(",")
    if len(parts) == 6 and heights:
        parts = parts[0:2] + parts[3:5]
    if len(parts) != 4:
        raise BboxError("bbox_parts_heights" if heights else "bbox_parts", text=text)
    minx, maxx = (parse_coordinate(parts[i], -180, 180) for i in (0, 2))
    miny, maxy = (parse_coordinate(parts[i], -90, 90) for i in (1, 3))
    if miny >= maxy:
        raise BboxError("bbox_y_order", miny=f"{miny:g}", maxy=f"{maxy:g}")
    if minx >= maxx and not (wraps and minx > maxx):
        raise BboxError("bbox_x_order", minx=f"{minx:g}", maxx=f"{maxx:g}")
    return minx, miny, maxx, maxy
