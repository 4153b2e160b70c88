"""What the live map shows for a filter and a view, computed from incident columns: counts per category,
a timeline, grid clusters by zoom, and which incidents to send one by one. Pure functions, no I/O."""
import math
from dataclasses import dataclass

import numpy as np

from ..analysis.zones import ZONES
from ..core.points import ILLUSTRATIVE, SYNTHETIC, IncidentPoints, day_number, iso_day, mercator, value_code
from ..core.vocabulary import Vocabulary
from .filters import MapFilters

WEEKLY_MAX_DAYS = 731  # data spanning up to two years is binned by week, longer by month
TILE_PX = 256
CELL_PX = 80  # grid cells are this many screen pixels square: a cluster marker (at most 50) fits in each
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday; weeks start on Monday
_KEY_BITS = 40  # row keys below 2**40 leave room for the day in one sortable int64
_DAY_OFFSET = 1 << 20  # keeps days before 1970 positive in that combined sort key

Bbox = tuple[float, float, float, float]  # minx, miny, maxx, maxy in degrees


def _in(codes: np.ndarray, values: tuple[str, ...]) -> np.ndarray:
    """Return where a coded column holds one of `values`."""
    return np.isin(codes, np.array([value_code(v) for v in values], dtype=codes.dtype))


def filter_mask(points: IncidentPoints, filters: MapFilters, bbox: Bbox | None = None,
                ignore: str | None = None) -> np.ndarray:
    """Return which incidents match the filters (all but the `ignore` facet) and intersect `bbox`."""
    records = points.records
    mask = np.ones(len(points), dtype=bool)
    if ignore != "date":
        if filters.start:
            mask &= records["last_day"] >= day_number(filters.start)
        if filters.end:
            mask &= records["first_day"] <= day_number(filters.end)
    for facet, column, values in (("type", "event_type", filters.event_types),
                                  ("verification", "verification", filters.verification),
                                  ("precision", "precision", filters.precision),
                                  ("zone", "zone", filters.position.zones),
                                  ("governorate", "governorate", filters.position.governorates)):
        if ignore != facet and values:
            mask &= _in(records[column], values)
    for column, low, high in filters.position.ranges():  # NaN (not placed) is in no range
        if low is not None:
            mask &= records[column] >= low
        if high is not None:
            mask &= records[column] <= high
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        mask &= ((records["minx"] <= maxx) & (records["maxx"] >= minx)
                 & (records["miny"] <= maxy) & (records["maxy"] >= miny))
    return mask


def category_index(codes: np.ndarray, values: tuple[str, ...]) -> np.ndarray:
    """Return where in `values` each entry of a coded column is, or len(values) for one holding none of them."""
    if not values:
        return np.zeros(len(codes), dtype=np.int64)
    wanted = np.array([value_code(v) for v in values], dtype=codes.dtype)
    order = np.argsort(wanted)
    found = order[np.clip(np.searchsorted(wanted[order], codes), 0, len(values) - 1)]
    return np.where(wanted[found] == codes, found, len(values))


def category_counts(codes: np.ndarray, ids: list[str]) -> dict[str, int]:
    """Count how many entries of a coded column hold each of `ids`."""
    return {i: int(np.count_nonzero(codes == value_code(i))) for i in ids}


@dataclass(frozen=True)
class Timeline:
    """Incidents per week or month over the whole span of the data, by the day each incident began."""

    unit: str  # "week" or "month"
    bins: list[tuple[str, str, int]]  # first day, last day, count

    def to_json(self) -> dict:
        """Return the timeline as the data endpoints send it."""
        return {"unit": self.unit, "bins": [{"start": s, "end": e, "count": n} for s, e, n in self.bins]}


def _bin_index(days: np.ndarray, unit: str) -> np.ndarray:
    """Return the week or month number (since 1970) of each day."""
    if unit == "week":
        return (days.astype(np.int64) + _EPOCH_WEEKDAY) // 7
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _bin_first_day(index: int, unit: str) -> int:
    """Return the first day of a week or month number."""
    if unit == "week":
        return index * 7 - _EPOCH_WEEKDAY
    return int(np.datetime64(index, "M").astype("datetime64[D]").astype(np.int64))


def timeline(points: IncidentPoints, mask: np.ndarray) -> Timeline:
    """Count matching incidents per bin; the bins cover every incident's first day, matching or not."""
    days = points.records["first_day"]
    if len(days) == 0:
        return Timeline("week", [])
    first, last = int(days.min()), int(days.max())
    unit = "week" if last - first <= WEEKLY_MAX_DAYS else "month"
    start_bin = int(_bin_index(np.array([first]), unit)[0])
    end_bin = int(_bin_index(np.array([last]), unit)[0])
    counts = np.bincount(_bin_index(days[mask], unit) - start_bin, minlength=end_bin - start_bin + 1)
    bins = []
    for n, count in enumerate(counts):
        begin = _bin_first_day(start_bin + n, unit)
        bins.append((iso_day(begin), iso_day(_bin_first_day(start_bin + n + 1, unit) - 1), int(count)))
    return Timeline(unit, bins)


@dataclass(frozen=True)
class Summary:
    """How many incidents match the filters, and how many each choice of one filter would give."""

    matched: int
    illustrative: int  # illustrative samples of reported events
    synthetic: int  # generated incidents, not real events
    event_types: dict[str, int]  # ignoring the type filter
    verification: dict[str, int]  # ignoring the verification filter
    precision: dict[str, int]  # ignoring the precision filter
    timeline: Timeline  # ignoring the date range
    zones: dict[str, int]  # ignoring the zone filter
    governorates: dict[str, int]  # ignoring the governorate filter
    bounds: Bbox | None = None  # of the matching incidents' extents; None when none match

    def to_json(self) -> dict:
        """Return the summary as the data endpoints send it."""
        return {"matched": self.matched, "illustrative": self.illustrative, "synthetic": self.synthetic,
                "event_types": self.event_types,
                "verification": self.verification, "precision": self.precision,
                "timeline": self.timeline.to_json(), "zones": self.zones, "governorates": self.governorates,
                "bounds": None if self.bounds is None else outward(self.bounds)}


def outward(box: Bbox, decimals: int = 5) -> list[float]:
    """Round a box to `decimals` (5: about a metre) outwards, so it still holds everything it held."""
    scale = 10 ** decimals
    # The slack keeps a value already at `decimals` as it is despite binary fractions (32.709 * 1e5).
    low = [math.floor(v * scale + 1e-6) / scale for v in box[:2]]
    high = [math.ceil(v * scale - 1e-6) / scale for v in box[2:]]
    return [*low, *high]


def extent(points: IncidentPoints, mask: np.ndarray) -> Bbox | None:
    """Return the box holding every masked incident's extent, or None when the mask selects none."""
    if not mask.any():
        return None
    records = points.records[mask]
    return (float(records["minx"].min()), float(records["miny"].min()), float(records["maxx"].max()),
            float(records["maxy"].max()))


def summarize(points: IncidentPoints, filters: MapFilters, vocabulary: Vocabulary,
              governorates: tuple[str, ...] = ()) -> Summary:
    """Count the matching incidents, with each filter's counts computed as if that filter were unset (per
    governorate: for the P-codes `governorates`)."""
    records = points.records
    matched = filter_mask(points, filters)
    flags = records["flags"][matched]
    synthetic = (flags & SYNTHETIC) != 0

    def facet(name: str, column: str, ids: list[str]) -> dict[str, int]:
        return category_counts(records[column][filter_mask(points, filters, ignore=name)], ids)

    return Summary(
        matched=int(np.count_nonzero(matched)),
        illustrative=int(np.count_nonzero(((flags & ILLUSTRATIVE) != 0) & ~synthetic)),
        synthetic=int(np.count_nonzero(synthetic)),
        event_types=facet("type", "event_type", vocabulary.event_type_ids()),
        verification=facet("verification", "verification", vocabulary.verification_ids()),
        precision=facet("precision", "precision", vocabulary.precision_ids()),
        timeline=timeline(points, filter_mask(points, filters, ignore="date")),
        zones=facet("zone", "zone", list(ZONES)),
        governorates=facet("governorate", "governorate", list(governorates)),
        bounds=extent(points, matched),
    )


def approximate_precision(vocabulary: Vocabulary) -> tuple[str, ...]:
    """Return the precision levels drawn hollow, with an uncertainty circle: the approximate ones."""
    return tuple(t.id for t in vocabulary.precision if t.attributes.get("hollow"))


def world_pixels(lon: np.ndarray, lat: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Project degrees to Web Mercator pixel coordinates at `zoom`, as Leaflet places map tiles."""
    x, y = mercator(lon, lat)
    size = TILE_PX * 2.0 ** zoom
    return x * size, y * size


def grid_shape(bbox: Bbox, zoom: int, cell_px: int) -> tuple[int, int]:
    """Return how many grid columns and rows of `cell_px` pixels cover `bbox` at `zoom`."""
    (x0, x1), (y1, y0) = (world_pixels(np.array(bbox[0::2]), np.array(bbox[1::2]), zoom))
    return (int(math.floor(x1 / cell_px) - math.floor(x0 / cell_px)) + 1,
            int(math.floor(y1 / cell_px) - math.floor(y0 / cell_px)) + 1)


@dataclass(frozen=True)
class Cluster:
    """Incidents sharing one grid cell: how many, their mean position, extent, how many are approximate and
    how many there are of each event type."""

    count: int
    lon: float
    lat: float
    bounds: Bbox  # of the incidents' centres
    approximate: int  # how many have a low location precision (drawn hollow when shown one by one)
    event_types: dict[str, int]  # the types present, in vocabulary order

    def to_json(self) -> dict:
        """Return the cluster as the data endpoints send it (5 decimals: about a metre)."""
        return {"count": self.count, "lon": round(self.lon, 5), "lat": round(self.lat, 5),
                "bounds": [round(v, 5) for v in self.bounds], "approximate": self.approximate,
                "event_types": self.event_types}


def grid(points: IncidentPoints, mask: np.ndarray, bbox: Bbox, zoom: int, cell_px: int,
         approximate: tuple[str, ...], event_types: tuple[str, ...]) -> tuple[list[Cluster], np.ndarray]:
    """Group the masked incidents into square cells of `cell_px` screen pixels at `zoom`, aligned to the
    world grid so cells do not shift as the map pans; return the cells holding two or more incidents (with
    their counts of each of `event_types`), and the keys of incidents alone in their cell."""
    index = np.flatnonzero(mask)
    lon, lat = points.lon[index], points.lat[index]
    columns, rows = grid_shape(bbox, zoom, cell_px)
    x0, y0 = world_pixels(np.array([bbox[0]]), np.array([bbox[3]]), zoom)
    size = TILE_PX * 2.0 ** zoom
    px, py = points.mercator[0][index] * size, points.mercator[1][index] * size
    # A line or area can intersect the view with its centre outside it: it joins the nearest edge cell.
    ix = np.clip(np.floor(px / cell_px) - math.floor(x0[0] / cell_px), 0, columns - 1).astype(np.int64)
    iy = np.clip(np.floor(py / cell_px) - math.floor(y0[0] / cell_px), 0, rows - 1).astype(np.int64)
    cell = ix * rows + iy
    size = columns * rows
    counts = np.bincount(cell, minlength=size)
    sum_lon = np.bincount(cell, weights=lon, minlength=size)
    sum_lat = np.bincount(cell, weights=lat, minlength=size)
    approximate_counts = np.bincount(cell, weights=_in(points.records["precision"][index], approximate),
                                     minlength=size)
    # One count per cell and type (plus a last column for types outside the vocabulary), in one bincount.
    kinds = len(event_types) + 1
    by_type = np.bincount(cell * kinds + category_index(points.records["event_type"][index], event_types),
                          minlength=size * kinds).reshape(size, kinds)
    low_x, low_y, high_x, high_y = (np.full(size, fill) for fill in (np.inf, np.inf, -np.inf, -np.inf))
    np.minimum.at(low_x, cell, lon)
    np.minimum.at(low_y, cell, lat)
    np.maximum.at(high_x, cell, lon)
    np.maximum.at(high_y, cell, lat)
    clusters = [
        Cluster(int(counts[c]), float(sum_lon[c] / counts[c]), float(sum_lat[c] / counts[c]),
                (float(low_x[c]), float(low_y[c]), float(high_x[c]), float(high_y[c])), int(approximate_counts[c]),
                {t: int(n) for t, n in zip(event_types, by_type[c]) if n})
        for c in np.flatnonzero(counts >= 2)
    ]
    alone = counts[cell] == 1
    return clusters, points.keys[index[alone]]


@dataclass(frozen=True)
class ViewData:
    """What the map draws for one view: clusters, and the incidents drawn one by one."""

    in_view: int
    clustered: bool  # False: every matching incident in the view is in `keys`
    clusters: list[Cluster]
    keys: np.ndarray


def view_data(points: IncidentPoints, mask: np.ndarray, bbox: Bbox, zoom: int, individual_limit: int,
              cell_px: int, approximate: tuple[str, ...], event_types: tuple[str, ...]) -> ViewData:
    """Send the view's incidents (`mask`: those matching the filters in `bbox`) one by one when there are
    at most `individual_limit`, else grid clusters (with incidents alone in their cell still sent one by
    one, up to the same limit)."""
    in_view = int(np.count_nonzero(mask))
    if in_view <= individual_limit:
        return ViewData(in_view, False, [], points.keys[mask])
    clusters, alone = grid(points, mask, bbox, zoom, cell_px, approximate, event_types)
    return ViewData(in_view, True, clusters, alone[:individual_limit])


def list_keys(points: IncidentPoints, mask: np.ndarray, descending: bool, offset: int, limit: int) -> np.ndarray:
    """Return the keys of one page of the masked incidents ordered by first day (then key), without
    sorting more than the page needs."""
    index = np.flatnonzero(mask)
    order = ((points.records["first_day"][index].astype(np.int64) + _DAY_OFFSET) << _KEY_BITS) + points.keys[index]
    if descending:
        order = -order
    wanted = min(offset + limit, len(index))
    if wanted <= 0:
        return points.keys[:0]
    if wanted < len(index):
        part = np.argpartition(order, wanted - 1)[:wanted]
    else:
        part = np.arange(len(index))
    part = part[np.argsort(order[part], kind="stable")]
    return points.keys[index[part[offset:wanted]]]
