"""Which of several polygons first holds each of many points, decided by a grid wherever a cell can tell.

Testing every point against every polygon costs GEOS a call per point and polygon. A grid over the
polygons is laid once: a cell lying inside one polygon's interior (and touching none before it) gives
that polygon's number, a cell touching none gives NONE, and only points in the remaining cells (those a
boundary crosses) are tested exactly, with `shapely.contains_xy`. The answers are those of the exact test.
"""
from dataclasses import dataclass

import numpy as np
import shapely

NONE = -1  # no polygon holds the point
MIXED = -2  # a boundary crosses the cell: test exactly
GRID_CELLS = 256  # cells along the grid's longer side


@dataclass(frozen=True)
class AreaGrid:
    """Polygons in order of precedence and the grid that decides most points without them."""

    polygons: tuple  # prepared shapely polygons
    x0: float
    y0: float
    cell: float
    codes: np.ndarray  # (ny, nx) int16: a polygon's number, NONE or MIXED
    outside: int  # the answer for points off the grid: NONE when the grid covers every polygon, else MIXED

    def first_containing(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return, per point, the number of the first polygon containing it, or NONE."""
        ny, nx = self.codes.shape
        col = np.floor((x - self.x0) / self.cell)
        row = np.floor((y - self.y0) / self.cell)
        on_grid = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
        found = np.full(len(x), self.outside, dtype=np.int16)
        found[on_grid] = self.codes[row[on_grid].astype(np.intp), col[on_grid].astype(np.intp)]
        left = np.flatnonzero(found == MIXED)
        found[left] = NONE
        for number, polygon in enumerate(self.polygons):
            inside = shapely.contains_xy(polygon, x[left], y[left])
            found[left[inside]] = number
            left = left[~inside]
        return found


def build_area_grid(polygons: list, bounds: tuple[float, float, float, float] | None = None) -> AreaGrid:
    """Lay a grid over `bounds` (default: the polygons' own) and decide each cell the polygons can decide."""
    for polygon in polygons:
        shapely.prepare(polygon)
    covering = bounds is None
    minx, miny, maxx, maxy = shapely.total_bounds(polygons) if covering else bounds
    cell = max(maxx - minx, maxy - miny) / GRID_CELLS or 1.0
    nx, ny = int(np.ceil((maxx - minx) / cell)) + 1, int(np.ceil((maxy - miny) / cell)) + 1
    cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
    x0, y0 = minx + cols.ravel() * cell, miny + rows.ravel() * cell
    boxes = shapely.box(x0, y0, x0 + cell, y0 + cell)
    codes = np.full(len(boxes), NONE, dtype=np.int16)
    for number, polygon in enumerate(polygons):
        open_cells = np.flatnonzero(codes == NONE)
        touched = open_cells[shapely.intersects(polygon, boxes[open_cells])]
        codes[touched] = np.where(shapely.contains_properly(polygon, boxes[touched]), number, MIXED)
    return AreaGrid(tuple(polygons), float(minx), float(miny), float(cell), codes.reshape(ny, nx),
                    NONE if covering else MIXED)
