"""Which incidents may report the same event: the same event type, days and places close together. Pure and
vectorised (numpy only), so a store can flag the pairs inside the transaction that writes the incidents."""
import math
from dataclasses import dataclass

import numpy as np

# Neighbouring cells in (x, time bin) around a cell, and its own with the four after it.
_AROUND = tuple((dx, dt) for dx in (-1, 0, 1) for dt in (-1, 0, 1))
_FORWARD = ((0, 0), (0, 1), (1, -1), (1, 0), (1, 1))
EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG), as haversine distances use it
KM_PER_DEGREE = EARTH_RADIUS_KM * np.pi / 180


@dataclass(frozen=True)
class DuplicateRule:
    """How close two incidents of one event type must be to be flagged: days between their spans (0: the same
    day) and kilometres between their locations; `km` 0 flags nothing."""

    days: int = 1
    km: float = 2.0

    @property
    def active(self) -> bool:
        """Tell whether the rule flags anything at all."""
        return self.km > 0


@dataclass(frozen=True)
class Sightings:
    """Incidents as columns: event type (as integer codes, `webmap.core.points.value_code`), first and last day
    (day numbers), location (degrees) and whether each was just written (only pairs with a new one are looked
    for)."""

    event_type: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    new: np.ndarray


def distance_km(lon1, lat1, lon2, lat2):
    """Return the great-circle distance in km between points in degrees (haversine, on the mean radius)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def days_apart(first_a, last_a, first_b, last_b):
    """Return the days between two spans of days (0 when they share a day or touch)."""
    return np.maximum(0, np.maximum(np.asarray(first_b) - np.asarray(last_a), np.asarray(first_a) - np.asarray(last_b)))


def duplicate_pairs(sightings: Sightings, rule: DuplicateRule) -> np.ndarray:
    """Return the pairs (i, j), i < j, of sightings of one event type whose spans are at most `rule.days` apart
    and whose locations at most `rule.km` apart, at least one of each pair new; as an (n, 2) array, sorted."""
    count = len(sightings.new)
    if not rule.active or count < 2 or not sightings.new.any():
        return np.empty((0, 2), dtype=np.int64)
    owner, keys, (step_x, step_t) = _cell_entries(sightings, rule)
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_owner = keys[order], owner[order]
    # Two sightings within the rule are at most one cell apart in x, in y and in time bins. The key ends with y,
    # so three cells next to each other in y are one range of keys, and nine ranges around each entry of the new
    # sightings find every pair. When most sightings are new, probing from every entry finds each pair of
    # neighbouring cells from either side, so five of the nine (the cell's own and four forward) are enough.
    probing = sightings.new[sorted_owner]
    if 5 * len(probing) < 9 * int(probing.sum()):
        probing[:], offsets = True, _FORWARD
    else:
        offsets = _AROUND
    # Probes in ascending order: numpy's binary search then starts each one where the last ended.
    probe_keys, probe_owner = sorted_keys[probing], sorted_owner[probing]
    found = []
    for dx, dt in offsets:
        centre = probe_keys + dx * step_x + dt * step_t
        start = np.searchsorted(sorted_keys, centre - 1, side="left")
        stop = np.searchsorted(sorted_keys, centre + 1, side="right")
        a, b = _expand(probe_owner, start, stop, sorted_owner)
        keep = _within(sightings, a, b, rule)
        found.append(np.minimum(a[keep], b[keep]) * count + np.maximum(a[keep], b[keep]))
    codes = np.unique(np.concatenate(found))
    return np.column_stack((codes // count, codes % count))


def _cell_entries(sightings: Sightings, rule: DuplicateRule) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Put each sighting in its grid cell (event type, x, y) and in every time bin its span touches; return the
    owner of each entry, its key as one integer (type, x, time bin, y), and the key's step for one cell in x and
    for one time bin."""
    types, type_number = np.unique(sightings.event_type, return_inverse=True)
    width = rule.days + 1  # spans at most `days` apart lie in the same or neighbouring bins
    first_bin = np.floor_divide(np.asarray(sightings.first_day, dtype=np.int64), width)
    last_bin = np.floor_divide(np.asarray(sightings.last_day, dtype=np.int64), width)
    bins = last_bin - first_bin + 1
    owner = np.repeat(np.arange(len(bins)), bins)
    time_bin = first_bin[owner] + _ranks(bins)
    time_bin = time_bin - time_bin.min() + 1  # from 1, so the bin before the first has a key too
    span_t = int(time_bin.max()) + 2
    lat = np.asarray(sightings.lat, dtype=float)
    # Scaled by the cosine of the latitude farthest from the equator, a degree of longitude is never longer here
    # than on the ground, so two points within `km` are never more than one cell apart.
    x = np.asarray(sightings.lon, dtype=float) * KM_PER_DEGREE * np.cos(np.radians(np.abs(lat).max()))
    y = lat * KM_PER_DEGREE
    # Cells larger than `km` where the keys would not fit 64 bits: more candidates, the same pairs.
    most = max(1, math.isqrt(2 ** 62 // (len(types) * span_t)) - 3)
    cell = max(rule.km, np.ptp(x) / most, np.ptp(y) / most)
    cx = np.floor((x - x.min()) / cell).astype(np.int64) + 1
    cy = np.floor((y - y.min()) / cell).astype(np.int64) + 1
    span_y, span_x = int(cy.max()) + 2, int(cx.max()) + 2
    key = ((type_number[owner].astype(np.int64) * span_x + cx[owner]) * span_t + time_bin) * span_y + cy[owner]
    return owner, key, (span_t * span_y, span_y)


def _ranks(counts: np.ndarray) -> np.ndarray:
    """Return 0, 1, … counts[0]-1, 0, 1, … counts[1]-1, … as one array."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(int(counts.sum())) - starts


def _expand(probe_owner: np.ndarray, start: np.ndarray, stop: np.ndarray,
            sorted_owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (prober, found) for every entry in each probe's [start, stop) range of the sorted entries."""
    counts = stop - start
    hits = np.repeat(start, counts) + _ranks(counts)
    return np.repeat(probe_owner, counts), sorted_owner[hits]


def _within(sightings: Sightings, a: np.ndarray, b: np.ndarray, rule: DuplicateRule) -> np.ndarray:
    """Tell for each candidate pair whether it is two sightings, one of them new, of one event type within the
    rule's days and kilometres."""
    first, last, kind = sightings.first_day, sightings.last_day, sightings.event_type
    keep = ((a != b) & (sightings.new[a] | sightings.new[b]) & (kind[a] == kind[b])
            & (days_apart(first[a], last[a], first[b], last[b]) <= rule.days))
    close = keep.nonzero()[0]  # the distance, the dearest test, only for pairs that pass the others
    a, b = a[close], b[close]
    keep[close] = distance_km(sightings.lon[a], sightings.lat[a], sightings.lon[b], sightings.lat[b]) <= rule.km
    return keep
