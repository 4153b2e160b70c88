"""Incidents as numeric columns (bounds, days, coded categories): what counting and gridding need, packed small.

Each stored incident version carries a fixed-size packed record of these values, so a store can hand over a
whole data version as a few arrays in one read instead of building a million Python objects.
"""
import math
import struct
import zlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

import numpy as np

# One packed record: bounds (4 x float64), first and last day (2 x int32, days since 1970-01-01),
# codes of event type, precision and verification (3 x uint32), flags (uint8, see below), then the position
# against the 1974 lines: codes of zone and governorate (2 x uint32) and the signed distances to the Alpha and
# Bravo lines in km (2 x float64, NaN while unplaced); little-endian.
RECORD = np.dtype([
    ("minx", "<f8"), ("miny", "<f8"), ("maxx", "<f8"), ("maxy", "<f8"),
    ("first_day", "<i4"), ("last_day", "<i4"),
    ("event_type", "<u4"), ("precision", "<u4"), ("verification", "<u4"),
    ("flags", "u1"),
    ("zone", "<u4"), ("governorate", "<u4"), ("distance_alpha_km", "<f8"), ("distance_bravo_km", "<f8"),
])
# The same layout for struct, which packs one record without building an array (imports pack one per row).
_RECORD_STRUCT = struct.Struct("<4d2i3IB")
_POSITION_STRUCT = struct.Struct("<2I2d")
UNPLACED = (None, None, None, None)  # zone, governorate and distances of an incident not placed yet
ILLUSTRATIVE = 1  # flag: an illustrative sample, not a reported incident
SYNTHETIC = 2  # flag: generated for trying the map at scale, not a real event
_EPOCH = date(1970, 1, 1).toordinal()
MAX_LATITUDE = 85.05112878  # where Web Mercator ends


@lru_cache(maxsize=4096)  # a file repeats a few types, precisions and days thousands of times
def value_code(value: str | None) -> int:
    """Return the stable numeric code a category value is stored as (CRC-32 of its text; None is '')."""
    return zlib.crc32((value or "").encode("utf-8"))


@lru_cache(maxsize=4096)
def day_number(iso_date: str) -> int:
    """Return the day of an ISO date (time of day ignored) as days since 1970-01-01."""
    return date.fromisoformat(iso_date[:10]).toordinal() - _EPOCH


def iso_day(day: int) -> str:
    """Return the ISO date of a day number."""
    return date.fromordinal(int(day) + _EPOCH).isoformat()


def pack_point(minx: float, miny: float, maxx: float, maxy: float, first_date: str, last_date: str,
               event_type: str, precision: str | None, verification: str, illustrative, synthetic,
               position: tuple = UNPLACED) -> bytes:
    """Pack one incident's bounds, days, categories, illustrative/synthetic flags and position (zone,
    governorate, distance to Alpha, distance to Bravo) into a RECORD."""
    flags = (ILLUSTRATIVE if illustrative else 0) | (SYNTHETIC if synthetic else 0)
    return _RECORD_STRUCT.pack(minx, miny, maxx, maxy, day_number(first_date), day_number(last_date),
                               value_code(event_type), value_code(precision), value_code(verification),
                               flags) + _pack_position(position)


def _pack_position(position: tuple) -> bytes:
    """Pack the position part of a RECORD."""
    zone, governorate, alpha, bravo = position
    return _POSITION_STRUCT.pack(value_code(zone), value_code(governorate), math.nan if alpha is None else alpha,
                                 math.nan if bravo is None else bravo)


def pack_points(bounds: list[tuple], first_dates: list[str], last_dates: list[str], event_types: list[str],
                precisions: list, verifications: list[str], flags: list[int], positions: list[tuple]) -> list[bytes]:
    """Pack many incidents into RECORDs at once, as pack_point would one by one (flags already combined; each
    position is zone, governorate, distance to Alpha, distance to Bravo): one array filled by column, then cut
    into rows, which for a large import costs a fraction of a struct call per row."""
    records = np.empty(len(bounds), dtype=RECORD)
    if not len(records):
        return []
    for name, column in zip(("minx", "miny", "maxx", "maxy"), np.array(bounds, dtype=float).T):
        records[name] = column
    for name, dates in (("first_day", first_dates), ("last_day", last_dates)):
        records[name] = [day_number(d) for d in dates]
    for name, values in (("event_type", event_types), ("precision", precisions), ("verification", verifications)):
        records[name] = [value_code(v) for v in values]
    records["flags"] = flags
    zones, governorates, alpha, bravo = zip(*positions)
    records["zone"] = [value_code(v) for v in zones]
    records["governorate"] = [value_code(v) for v in governorates]
    records["distance_alpha_km"] = np.array(alpha, dtype=float)  # None becomes NaN
    records["distance_bravo_km"] = np.array(bravo, dtype=float)
    data, size = records.tobytes(), RECORD.itemsize
    return [data[start:start + size] for start in range(0, len(data), size)]


def with_position(point: bytes, position: tuple) -> bytes:
    """Return a packed RECORD with its position part replaced."""
    return point[:_RECORD_STRUCT.size] + _pack_position(position)


@dataclass(frozen=True, eq=False)
class IncidentPoints:
    """Every incident of one data version as parallel arrays; `keys` name rows for `Store.incidents_by_key`."""

    data_version: int
    keys: np.ndarray  # int64
    records: np.ndarray  # RECORD

    def __len__(self) -> int:
        return len(self.keys)

    def subset(self, keys) -> "IncidentPoints":
        """Return the same data version holding only the incidents whose row keys are among `keys`."""
        kept = np.isin(self.keys, np.asarray(keys, dtype=np.int64))
        return IncidentPoints(self.data_version, self.keys[kept], self.records[kept])

    # Derived columns are computed once per data version, on first use.
    @cached_property
    def lon(self) -> np.ndarray:
        """Return the longitude of each incident's bounding-box centre."""
        return (self.records["minx"] + self.records["maxx"]) / 2

    @cached_property
    def lat(self) -> np.ndarray:
        """Return the latitude of each incident's bounding-box centre."""
        return (self.records["miny"] + self.records["maxy"]) / 2

    @cached_property
    def mercator(self) -> tuple[np.ndarray, np.ndarray]:
        """Return each centre in Web Mercator as fractions of the world's width and height (any zoom)."""
        return mercator(self.lon, self.lat)


def mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project degrees to Web Mercator as fractions of the world (0 to 1 from the west and the north)."""
    phi = np.radians(np.clip(lat, -MAX_LATITUDE, MAX_LATITUDE))
    return (np.asarray(lon) + 180.0) / 360.0, 0.5 - np.log(np.tan(np.pi / 4 + phi / 2)) / (2 * np.pi)


def points_from_packed(data_version: int, keys: np.ndarray, packed: bytes) -> IncidentPoints:
    """Build the columns from the concatenated packed records of rows `keys`, in the same order."""
    records = np.frombuffer(packed, dtype=RECORD)
    if len(records) != len(keys):
        raise ValueError(f"{len(keys)} keys but {len(records)} packed records")
    return IncidentPoints(data_version, np.asarray(keys, dtype=np.int64), records)
