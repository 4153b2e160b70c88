"""Distances from many points to one polyline, in metres, without a shapely object per point.

GEOS measures one point at a time (about 4 s per million points to the Bravo line), so the line's segments
are indexed once in nested grids: each cell lists the segments that can be nearest to some point in it, and
each point is measured, with numpy, against its cell's candidates only. The answer is exact up to float32
rounding (a few centimetres).
"""
from dataclasses import dataclass

import numpy as np

CELL_M = 500.0  # cell size of the finest grid
MARGIN_M = 8000.0  # how far the finest grid reaches beyond the line's bounding box: 16 cells
LEVELS = 10  # each coarser grid doubles cell and reach: the coarsest reaches 4,096 km
# (point, candidate) pairs measured at once: few enough for the temporary arrays to stay in the CPU's cache,
# which takes 40% less time than 2 million pairs at once.
CHUNK_PAIRS = 1 << 15
# Distances this close count as equal when leaving segments out: well above float32 rounding of the measure.
TIE_M = 0.5
CHUNK_CELLS = 2048  # cells indexed at once
WIDTHS = tuple(1 << n for n in range(16))  # how many candidates points are measured against, by group
COLUMNS = np.arange(WIDTHS[-1])


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
    segments: tuple[np.ndarray, ...]  # float32 columns (m,): x and y of each segment's start, its dx and dy, and
    # its squared length (1 for a segment of length 0)
    along: np.ndarray  # (m,) distance along the line to each segment's start
    length: np.ndarray  # (m,) segment lengths
    grids: tuple[_Grid, ...]
    candidates: np.ndarray  # segment numbers, each cell's list after the previous cell's; the last lists every
    # segment
    starts: np.ndarray  # (cells + 1,) where each cell's list starts in `candidates`
    counts: np.ndarray  # (cells + 1,) how many candidates each cell has

    def measure(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return each point's distance to the line and the position of its nearest point along the line."""
        distance, along = np.empty(len(x)), np.empty(len(x))
        cells = self._cells(x, y)
        # Within 1,000 km of the line float32 is exact to centimetres, and halves the memory traffic.
        x = (x - self.origin[0]).astype(np.float32)
        y = (y - self.origin[1]).astype(np.float32)
        # Points go in groups by how many candidates their cell has (up to a power of two), each measured
        # against that many (a shorter list repeats its last); outside every grid, against every segment.
        group = np.searchsorted(WIDTHS, self.counts[cells]).astype(np.uint8)
        order = np.argsort(group, kind="stable")
        ends = np.searchsorted(group[order], np.arange(len(WIDTHS) + 1))
        for number, width in enumerate(WIDTHS):
            members = order[ends[number]:ends[number + 1]]
            width = min(width, len(self.along))
            chunk = max(1, CHUNK_PAIRS // width)
            for first in range(0, len(members), chunk):
                part = members[first:first + chunk]
                distance[part], along[part] = self._measure(x[part], y[part], cells[part], width)
        return distance, along

    def _cells(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return each point's cell: in the finest grid that holds it, else the last (every segment)."""
        # Most points lie in the finest grid; the others find their level from how far beyond the box they
        # lie (the grid of level l reaches MARGIN_M * 2**l beyond it), or one level up on that grid's far edge.
        finest = self.grids[0]
        col = np.floor((x - finest.x0) / finest.cell)
        row = np.floor((y - finest.y0) / finest.cell)
        inside = (col >= 0) & (col < finest.nx) & (row >= 0) & (row < finest.ny)
        cells = (row * finest.nx + col).astype(np.int64)
        left = np.flatnonzero(~inside)
        cells[left] = len(self.counts) - 1
        if not len(left):
            return cells
        minx, miny, maxx, maxy = self.bounds
        lx, ly = x[left], y[left]
        beyond = np.maximum(np.maximum(minx - lx, lx - maxx), np.maximum(miny - ly, ly - maxy))
        with np.errstate(invalid="ignore"):
            level = np.ceil(np.log2(np.maximum(beyond, MARGIN_M) / MARGIN_M))
        level = np.where(np.isfinite(level), np.maximum(level, 1), len(self.grids)).astype(np.int64)
        x0, y0, cell, nx, ny, offset = (np.array([getattr(g, name) for g in self.grids])
                                        for name in ("x0", "y0", "cell", "nx", "ny", "offset"))
        keep = level < len(self.grids)
        left, level = left[keep], level[keep]
        while len(left):
            col = np.floor((x[left] - x0[level]) / cell[level])
            row = np.floor((y[left] - y0[level]) / cell[level])
            inside = (col >= 0) & (col < nx[level]) & (row >= 0) & (row < ny[level])
            cells[left[inside]] = (offset[level] + row * nx[level] + col)[inside].astype(np.int64)
            left, level = left[~inside], level[~inside] + 1
            keep = level < len(self.grids)
            left, level = left[keep], level[keep]
        return cells

    def _measure(self, x, y, cells, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Measure points against `width` candidates of their cells."""
        first = self.starts[cells]
        if width == 1:
            slots = first[:, None]
        else:
            slots = np.minimum(first[:, None] + COLUMNS[:width], (first + self.counts[cells] - 1)[:, None])
        segments = self.candidates[slots]
        t, d2 = _project(x[:, None], y[:, None], *(column[segments] for column in self.segments))
        best = np.arange(0, d2.size, width) + (np.argmin(d2, axis=1) if width > 1 else 0)
        segment = segments.ravel()[best]
        return np.sqrt(d2.ravel()[best], dtype=float), self.along[segment] + t.ravel()[best] * self.length[segment]


def _project(px, py, sx, sy, dx, dy, length2):
    """Return where on each segment the nearest point to each point lies (0 to 1) and the squared distance."""
    ex, ey = px - sx, py - sy
    t = np.clip((ex * dx + ey * dy) / length2, 0, 1)
    ex, ey = ex - t * dx, ey - t * dy
    return t, ex * ex + ey * ey


def _cell_candidates(cx0, cy0, size, start, delta) -> np.ndarray:
    """For cells with lower-left corners (cx0, cy0), tell which segments can be nearest to a point inside.

    Two tests leave a segment out, each only when no point of the cell can have it nearest. First, its least
    distance to the cell exceeds the smallest, over all segments, of the greatest distance from the cell (a
    convex distance function peaks at a corner); the least distance is taken as 0 when the boxes overlap, else
    at a corner or an end point, which is exact for disjoint convex shapes. Second, it is farther from the
    cell's centre than the segment nearest the centre by more than their difference can change within the
    cell: seen from a point at least D away from two segments spanning a, the directions to them differ by at
    most a / D (as unit vectors), so the difference of the two distances changes by at most a / D per metre.
    Far from the line the first test keeps segments for tens of kilometres; the second keeps a few cells'
    width of them."""
    columns = (*start.T, *delta.T, _length2(delta))
    corners = [(cx0, cy0), (cx0 + size, cy0), (cx0, cy0 + size), (cx0 + size, cy0 + size)]
    corner_d = np.sqrt(np.stack([_project(px[:, None], py[:, None], *columns)[1] for px, py in corners]))
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
    centre_d = np.sqrt(_project((cx0 + size / 2)[:, None], (cy0 + size / 2)[:, None], *columns)[1])
    best = np.argmin(centre_d, axis=1)
    cells = np.arange(len(cx0))
    span = np.max([np.hypot(a[best, 0][:, None] - b[:, 0], a[best, 1][:, None] - b[:, 1])
                   for a in (start, end) for b in (start, end)], axis=0)
    near = np.minimum(lower, lower[cells, best][:, None])
    with np.errstate(divide="ignore"):
        slope = np.minimum(2.0, span / near)
    excess = centre_d - centre_d[cells, best][:, None]
    return (lower <= upper[:, None] + 1e-6) & (excess <= slope * size / np.sqrt(2) + TIE_M)


def _length2(delta: np.ndarray) -> np.ndarray:
    """Return each segment's squared length, 1 for a segment of length 0 (whose nearest point is its start)."""
    length2 = delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1]
    return np.where(length2 > 0, length2, 1)


def build_index(coords: np.ndarray) -> NearestIndex:
    """Index a polyline given as an (n, 2) array of metric coordinates."""
    coords = np.asarray(coords, dtype=float)
    start, delta = coords[:-1], np.diff(coords, axis=0)
    length = np.hypot(delta[:, 0], delta[:, 1])
    along = np.concatenate([[0.0], np.cumsum(length)[:-1]])
    (minx, miny), (maxx, maxy) = coords.min(axis=0), coords.max(axis=0)
    grids, keep, offset = [], [], 0
    for level in range(LEVELS):
        cell, margin = CELL_M * 2 ** level, MARGIN_M * 2 ** level
        x0, y0 = minx - margin, miny - margin
        nx, ny = int(np.ceil((maxx - minx + 2 * margin) / cell)), int(np.ceil((maxy - miny + 2 * margin) / cell))
        cols, rows = np.meshgrid(np.arange(nx), np.arange(ny))
        cx0, cy0 = x0 + cols.ravel() * cell, y0 + rows.ravel() * cell
        for first in range(0, len(cx0), CHUNK_CELLS):  # in chunks: each takes (cells, segments) arrays
            part = slice(first, first + CHUNK_CELLS)
            keep.append(_cell_candidates(cx0[part], cy0[part], cell, start, delta))
        grids.append(_Grid(x0, y0, cell, nx, ny, offset))
        offset += nx * ny
    keep.append(np.ones((1, len(start)), dtype=bool))  # for points beyond every grid
    keep = np.concatenate(keep)
    candidates = np.nonzero(keep)[1].astype(np.int16 if len(start) < 1 << 15 else np.int32)
    counts = keep.sum(axis=1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    local = np.column_stack([start - (minx, miny), delta]).astype(np.float32)
    columns = (*(np.ascontiguousarray(c) for c in local.T), _length2(local[:, 2:]))
    return NearestIndex((minx, miny), (minx, miny, maxx, maxy), columns, along, length, tuple(grids), candidates,
                        starts, counts)
