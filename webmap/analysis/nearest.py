"""Distances from many points to one polyline, in metres, without a shapely object per point.

GEOS measures one point at a time (about 4 s per million points to the Bravo line), so the line's segments
are indexed once in nested grids: each cell lists the segments that can be nearest to some point in it, and
each point is measured, with numpy, against its cell's candidates only. The answer is exact up to float32
rounding (a few centimetres).
"""
from dataclasses import dataclass

import numpy as np

CELL_M = 2000.0  # cell size of the finest grid
MARGIN_M = 64000.0  # how far the finest grid reaches beyond the line's bounding box: 32 cells
LEVELS = 7  # each coarser grid doubles cell and reach: the coarsest reaches 4,096 km
# (point, candidate) pairs measured at once: few enough for the temporary arrays to stay in the CPU's cache,
# which takes 40% less time than 2 million pairs at once.
CHUNK_PAIRS = 1 << 15


@dataclass(frozen=True)
class _Grid:
    """One grid level: its origin, cell size, shape and the first cell's row in the candidate table."""

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    offset: int


@dataclass(frozen=True)
class NearestIndex:
    """A polyline's segments (float32, relative to `origin`), their positions along the line, and the
    candidate segments of every grid cell."""

    origin: tuple[float, float]
    bounds: tuple[float, float, float, float]  # the line's bounding box
    segments: tuple[np.ndarray, ...]  # float32 columns (m,): x and y of each segment's start, its dx and dy
    along: np.ndarray  # (m,) distance along the line to each segment's start
    length: np.ndarray  # (m,) segment lengths
    grids: tuple[_Grid, ...]
    candidates: np.ndarray  # (cells + 1, m) int16 segment numbers, each row its cell's list repeated to fill
    # it; the last row lists every segment
    counts: np.ndarray  # (cells,) how many candidates each cell has

    def measure(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return each point's distance to the line and the position of its nearest point along the line."""
        distance, along = np.empty(len(x)), np.empty(len(x))
        cells = self._cells(x, y)
        # Within 1,000 km of the line float32 is exact to centimetres, and halves the memory traffic.
        x = (x - self.origin[0]).astype(np.float32)
        y = (y - self.origin[1]).astype(np.float32)
        # Points go in groups by how many candidates their cell has, each against only as many columns of
        # the table as it needs (a row repeats its list); outside every grid, against every segment.
        counts = self.counts[cells]
        width = np.minimum(2 ** np.ceil(np.log2(np.maximum(counts, 1))), len(self.along)).astype(np.int64)
        for group_width in np.unique(width):
            members = np.flatnonzero(width == group_width)
            chunk = max(1, CHUNK_PAIRS // int(group_width))
            for first in range(0, len(members), chunk):
                part = members[first:first + chunk]
                distance[part], along[part] = self._measure(x[part], y[part], cells[part], int(group_width))
        return distance, along

    def _cells(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return each point's row of the candidate table: its cell in a grid that holds it, else the last row
        (every segment)."""
        # The grid of level l reaches MARGIN_M * 2**l beyond the box, so how far beyond it a point lies gives
        # its level; a point on the far edge of that grid goes one level up.
        minx, miny, maxx, maxy = self.bounds
        beyond = np.maximum(np.maximum(minx - x, x - maxx), np.maximum(miny - y, y - maxy))
        with np.errstate(invalid="ignore"):
            level = np.ceil(np.log2(np.maximum(beyond, MARGIN_M) / MARGIN_M))
        level = np.where(np.isfinite(level), level, len(self.grids)).astype(np.int64)
        x0, y0, cell, nx, ny, offset = (np.array([getattr(g, name) for g in self.grids])
                                        for name in ("x0", "y0", "cell", "nx", "ny", "offset"))
        cells = np.full(len(x), len(self.counts) - 1, dtype=np.int64)
        left = np.flatnonzero(level < len(self.grids))
        while len(left):
            at = level[left]
            col = np.floor((x[left] - x0[at]) / cell[at])
            row = np.floor((y[left] - y0[at]) / cell[at])
            inside = (col >= 0) & (col < nx[at]) & (row >= 0) & (row < ny[at])
            cells[left[inside]] = (offset[at] + row * nx[at] + col)[inside].astype(np.int64)
            left = left[~inside]
            level[left] += 1
            left = left[level[left] < len(self.grids)]
        return cells

    def _measure(self, x, y, cells, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Measure points against the first `width` candidates of their cells."""
        segments = self.candidates[cells, :width]
        t, d2 = _project(x[:, None], y[:, None], *(column[segments] for column in self.segments))
        best = np.argmin(d2, axis=1)
        rows = np.arange(len(best))
        segment = segments[rows, best]
        return np.sqrt(d2[rows, best], dtype=float), self.along[segment] + t[rows, best] * self.length[segment]


def _project(px, py, sx, sy, dx, dy):
    """Return where on each segment the nearest point to each point lies (0 to 1) and the squared distance."""
    length2 = dx * dx + dy * dy
    t = np.clip(((px - sx) * dx + (py - sy) * dy) / np.where(length2 > 0, length2, 1), 0, 1)
    ex, ey = px - sx - t * dx, py - sy - t * dy
    return t, ex * ex + ey * ey


def _cell_candidates(cx0, cy0, size, start, delta) -> list[np.ndarray]:
    """For cells with lower-left corners (cx0, cy0), list the segments that can be nearest to a point inside.

    A segment qualifies when its least distance to the cell is at most the smallest, over all segments, of
    the greatest distance from the cell (a convex distance function peaks at a corner). The least distance
    is taken as 0 when the boxes overlap, else at a corner or an end point, which is exact for disjoint
    convex shapes; so no segment that can be nearest is left out."""
    corners = [(cx0, cy0), (cx0 + size, cy0), (cx0, cy0 + size), (cx0 + size, cy0 + size)]
    corner_d = np.sqrt(np.stack([_project(px[:, None], py[:, None], *start.T, *delta.T)[1] for px, py in corners]))
    upper = corner_d.max(axis=0).min(axis=1)
    end = start + delta
    ends_d = [np.hypot(np.maximum(np.maximum(cx0[:, None] - e[:, 0], e[:, 0] - cx0[:, None] - size), 0),
                       np.maximum(np.maximum(cy0[:, None] - e[:, 1], e[:, 1] - cy0[:, None] - size), 0))
              for e in (start, end)]
    lower = np.minimum(corner_d.min(axis=0), np.minimum(*ends_d))
    sx0, sx1 = np.minimum(start[:, 0], end[:, 0]), np.maximum(start[:, 0], end[:, 0])
    sy0, sy1 = np.minimum(start[:, 1], end[:, 1]), np.maximum(start[:, 1], end[:, 1])
    overlap = ((sx0 <= cx0[:, None] + size) & (sx1 >= cx0[:, None])
               & (sy0 <= cy0[:, None] + size) & (sy1 >= cy0[:, None]))
    lower = np.where(overlap, 0.0, lower)
    return [np.flatnonzero(row) for row in lower <= upper[:, None] + 1e-6]


def build_index(coords: np.ndarray) -> NearestIndex:
    """Index a polyline given as an (n, 2) array of metric coordinates."""
    coords = np.asarray(coords, dtype=float)
    start, delta = coords[:-1], np.diff(coords, axis=0)
    length = np.hypot(delta[:, 0], delta[:, 1])
    along = np.concatenate([[0.0], np.cumsum(length)[:-1]])
    (minx, miny), (maxx, maxy) = coords.min(axis=0), coords.max(axis=0)
    grids, lists, offset = [], [], 0
    for level in range(LEVELS):
        cell, margin = CELL_M * 2 ** level, MARGIN_M * 2 ** level
        x0, y0 = minx - margin, miny - margin
        nx, ny = int(np.ceil((maxx - minx + 2 * margin) / cell)), int(np.ceil((maxy - miny + 2 * margin) / cell))
        cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
        lists += _cell_candidates(x0 + cols.ravel() * cell, y0 + rows.ravel() * cell, cell, start, delta)
        grids.append(_Grid(x0, y0, cell, nx, ny, offset))
        offset += nx * ny
    lists.append(np.arange(len(start)))  # for points beyond every grid
    candidates = np.array([np.resize(found, len(start)) for found in lists],
                          dtype=np.int16 if len(start) < 1 << 15 else np.int32)
    counts = np.array([len(found) for found in lists], dtype=np.int64)
    local = np.column_stack([start - (minx, miny), delta]).astype(np.float32)
    return NearestIndex((minx, miny), (minx, miny, maxx, maxy), tuple(np.ascontiguousarray(c) for c in local.T), along, length,
                        tuple(grids), candidates, counts)
