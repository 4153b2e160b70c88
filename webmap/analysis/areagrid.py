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
SPLIT = 4  # parts along each side of a cell a boundary crosses


@dataclass(frozen=True)
class AreaGrid:
    """Polygons in order of precedence and the grids that decide most points without them."""

    polygons: tuple  # prepared shapely polygons
    x0: float
    y0: float
    cell: float
    codes: np.ndarray  # (ny, nx) int16: a polygon's number, NONE or MIXED
    outside: int  # the answer for points off the grid: NONE when the grid covers every polygon, else MIXED
    blocks: np.ndarray  # (ny, nx) int32: for a MIXED cell, its block of `fine`
    fine: np.ndarray  # (blocks, SPLIT, SPLIT) int16: the codes of a MIXED cell's parts

    def first_containing(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return, per point, the number of the first polygon containing it, or NONE."""
        ny, nx = self.codes.shape
        col = np.floor((x - self.x0) / self.cell)
        row = np.floor((y - self.y0) / self.cell)
        on_grid = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
        found = np.full(len(x), self.outside, dtype=np.int16)
        held = np.flatnonzero(on_grid)
        col, row = col[held].astype(np.intp), row[held].astype(np.intp)
        code = found[held] = self.codes[row, col]
        # In a cell a boundary crosses, the point's part decides; a point on a part's edge counts in either.
        crossed = code == MIXED
        held, col, row = held[crossed], col[crossed], row[crossed]
        part = self.cell / SPLIT
        fine_col = np.clip(np.floor((x[held] - self.x0 - col * self.cell) / part), 0, SPLIT - 1).astype(np.intp)
        fine_row = np.clip(np.floor((y[held] - self.y0 - row * self.cell) / part), 0, SPLIT - 1).astype(np.intp)
        found[held] = self.fine[self.blocks[row, col], fine_row, fine_col]
        left = np.flatnonzero(found == MIXED)
        found[left] = NONE
        for number, polygon in enumerate(self.polygons):
            inside = shapely.contains_xy(polygon, x[left], y[left])
            found[left[inside]] = number
            left = left[~inside]
        return found


def _codes(polygons: list, boxes: np.ndarray) -> np.ndarray:
    """Return, per box, the number of the first polygon whose interior holds it, NONE if it touches none
    (or only polygons after one that holds it), else MIXED."""
    codes = np.full(len(boxes), NONE, dtype=np.int16)
    tree = shapely.STRtree(boxes)
    for number, polygon in enumerate(polygons):
        touched = tree.query(polygon, predicate="intersects")
        touched = np.sort(touched[codes[touched] == NONE])
        codes[touched] = np.where(shapely.contains_properly(polygon, boxes[touched]), number, MIXED)
    return codes


def _boxes(x0: np.ndarray, y0: np.ndarray, size: float) -> np.ndarray:
    """Return square boxes with these lower-left corners."""
    return shapely.box(x0, y0, x0 + size, y0 + size)


def build_area_grid(polygons: list, bounds: tuple[float, float, float, float] | None = None) -> AreaGrid:
    """Lay a grid over `bounds` (default: the polygons' own), decide each cell the polygons can decide, and
    split each cell a boundary crosses into SPLIT x SPLIT parts decided the same way."""
    for polygon in polygons:
        shapely.prepare(polygon)
    covering = bounds is None
    minx, miny, maxx, maxy = shapely.total_bounds(polygons) if covering else bounds
    cell = max(maxx - minx, maxy - miny) / GRID_CELLS or 1.0
    nx, ny = int(np.ceil((maxx - minx) / cell)) + 1, int(np.ceil((maxy - miny) / cell)) + 1
    cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
    codes = _codes(polygons, _boxes(minx + cols.ravel() * cell, miny + rows.ravel() * cell, cell))
    mixed = np.flatnonzero(codes == MIXED)
    blocks = np.zeros(len(codes), dtype=np.int32)
    blocks[mixed] = np.arange(len(mixed))
    part = cell / SPLIT
    fine_cols, fine_rows = (a.ravel() for a in np.meshgrid(np.arange(SPLIT), np.arange(SPLIT)))
    fine_x0 = (minx + cols.ravel()[mixed] * cell)[:, None] + fine_cols * part
    fine_y0 = (miny + rows.ravel()[mixed] * cell)[:, None] + fine_rows * part
    fine = _codes(polygons, _boxes(fine_x0.ravel(), fine_y0.ravel(), part))
    return AreaGrid(tuple(polygons), float(minx), float(miny), float(cell), codes.reshape(ny, nx),
                    NONE if covering else MIXED, blocks.reshape(ny, nx), fine.reshape(len(mixed), SPLIT, SPLIT))
