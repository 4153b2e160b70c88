"""Where incidents lie against the 1974 lines: zone, signed distances, nearness to a line and governorate.

Pure and vectorised: `prepare` turns the reference layers into indexed geometry once, `classify` then takes
arrays of points. Distances are measured in UTM zone 36N (EPSG:32636), in which the lines lie.
"""
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from ..core.model import ReferenceLayer
from .areagrid import NONE, AreaGrid, build_area_grid
from .nearest import NearestIndex, build_index

METRIC_CRS = "EPSG:32636"
LINES = ("alpha", "bravo")
BANDS = ("0-10 km", "10-20 km", "20-25 km")  # the areas_of_limitation layer's `band` values, nearest first
ZONES = ("alpha_beyond", "alpha_20_25", "alpha_10_20", "alpha_0_10", "separation",
         "bravo_0_10", "bravo_10_20", "bravo_20_25", "bravo_beyond")
FAR_M = 5_000_000.0  # how far the lines are extended north and south to tell the sides apart
WEST_GRID_M = 150_000.0  # how far around each line a grid tells its sides apart without GEOS
SAMPLE_BIN_M = 250.0  # bins along a line for finding its nearest uncertainty sample: a few samples a kilometre


@dataclass(frozen=True)
class Line:
    """One 1974 line: its nearest-segment index, the side polygon west of it, and its uncertainty samples."""

    index: NearestIndex
    west: AreaGrid  # metric: the Israeli-held side of the line, extended due north and south
    sample_along: np.ndarray  # where each uncertainty sample lies along the line (m), sorted, then BIN_SAMPLES
    # times infinity
    sample_uncertainty: np.ndarray  # the line's uncertainty there (m)
    below: np.ndarray  # per SAMPLE_BIN_M along the line: how many samples lie before the bin's start
    bin_samples: int  # the most samples any bin holds

    def uncertainty_at(self, along: np.ndarray) -> np.ndarray:
        """Return the uncertainty of the sample nearest each position along the line."""
        # How many samples lie before each position (as searchsorted would say): those before its bin, plus
        # those of its bin before it.
        right = self.below[np.minimum(along / SAMPLE_BIN_M, len(self.below) - 1).astype(np.intp)]
        for _ in range(self.bin_samples):
            right += self.sample_along[right] < along
        right = np.clip(right, 1, len(self.sample_uncertainty) - 1)
        left = right - 1
        nearer = np.where(along - self.sample_along[left] <= self.sample_along[right] - along, left, right)
        return self.sample_uncertainty[nearer]


@dataclass(frozen=True)
class PreparedReference:
    """The reference layers made ready for classifying: lines, zones and governorates."""

    lines: dict  # "alpha" / "bravo" -> Line
    zones: AreaGrid  # the Area of Separation, then each band, nearest the lines first
    zone_numbers: np.ndarray  # the number in ZONES of each of those areas
    governorates: AreaGrid
    governorate_codes: tuple[str, ...]  # the P-code of each of those areas
    governorate_names: dict  # P-code -> {"en": ..., "ar": ...}


@dataclass(frozen=True)
class Positions:
    """Per incident: zone, signed distances (km, negative on the Israeli-held side), near_line, governorate."""

    zone_number: np.ndarray  # int: the zone's place in ZONES
    distance_alpha_km: np.ndarray
    distance_bravo_km: np.ndarray
    near_line: np.ndarray  # bool
    margin_km: np.ndarray  # location radius plus the nearer line's uncertainty there
    governorate_number: np.ndarray  # int: the place in `governorate_codes`, or NONE
    governorate_codes: tuple[str, ...]

    @property
    def zone(self) -> np.ndarray:
        """Return each incident's zone name."""
        return np.array(ZONES)[self.zone_number]

    @property
    def governorate(self) -> np.ndarray:
        """Return each incident's governorate P-code, or None."""
        return np.array([*self.governorate_codes, None], dtype=object)[self.governorate_number]


_TRANSFORMERS = threading.local()


def _to_metric() -> Transformer:
    """Return this thread's transformer from CRS84 longitude/latitude to the metric CRS: building one costs
    about 8 ms, more than classifying a page of incidents, and a transformer is not shared across threads."""
    transformer = getattr(_TRANSFORMERS, "to_metric", None)
    if transformer is None:
        transformer = _TRANSFORMERS.to_metric = Transformer.from_crs("OGC:CRS84", METRIC_CRS, always_xy=True)
    return transformer


def _west_side(coords: np.ndarray) -> AreaGrid:
    """Return the polygon west of a north-south line, which is extended due north and due south, gridded
    over the line's surroundings."""
    line = coords if coords[0, 1] >= coords[-1, 1] else coords[::-1]  # north to south
    (nx, ny), (sx, sy) = line[0], line[-1]
    ring = [(nx, ny + FAR_M), *map(tuple, line), (sx, sy - FAR_M), (sx - FAR_M, sy - FAR_M), (nx - FAR_M, ny + FAR_M)]
    polygon = shapely.make_valid(shapely.Polygon(ring))
    (minx, miny), (maxx, maxy) = coords.min(axis=0), coords.max(axis=0)
    return build_area_grid([polygon], (minx - WEST_GRID_M, miny - WEST_GRID_M, maxx + WEST_GRID_M, maxy + WEST_GRID_M))


def _line(layer: ReferenceLayer, samples: list[dict], metric: Transformer) -> Line:
    """Prepare one line layer and its uncertainty samples."""
    lon, lat = np.asarray(shape(layer.data["features"][0]["geometry"]).coords).T
    coords = np.column_stack(metric.transform(lon, lat))
    mine = [s for s in samples if s["properties"]["line"] == layer.id]
    sx, sy = metric.transform(*np.array([s["geometry"]["coordinates"] for s in mine]).T)
    along = shapely.line_locate_point(shapely.LineString(coords), shapely.points(sx, sy))
    uncertainty = np.array([s["properties"]["uncertainty_km"] for s in mine]) * 1000.0
    order = np.argsort(along)
    along = along[order]
    starts = np.arange(int(along[-1] // SAMPLE_BIN_M) + 2) * SAMPLE_BIN_M
    below = np.searchsorted(along, starts)
    bin_samples = int(np.diff(np.searchsorted(along, np.append(starts, np.inf))).max())
    return Line(build_index(coords), _west_side(coords), np.append(along, np.full(bin_samples, np.inf)),
                uncertainty[order], below, bin_samples)


def prepare(layers: list[ReferenceLayer], uncertainty_file: Path) -> PreparedReference:
    """Index the Alpha and Bravo lines, the zones and the governorates of these reference layers."""
    by_id = {layer.id: layer for layer in layers}
    samples = json.loads(Path(uncertainty_file).read_text(encoding="utf-8"))["features"]
    metric = _to_metric()
    lines = {name: _line(by_id[f"{name}_line"], samples, metric) for name in LINES}
    zones = [("separation", f["geometry"]) for f in by_id["area_of_separation"].data["features"]]
    bands = by_id["areas_of_limitation"].data["features"]
    for band in BANDS:
        zones += [(f"{f['properties']['side']}_{band.split()[0].replace('-', '_')}", f["geometry"])
                  for f in bands if f["properties"]["band"] == band]
    governorates = by_id["governorates"].data["features"]
    return PreparedReference(
        lines, build_area_grid([shape(geometry) for _, geometry in zones]),
        np.array([ZONES.index(key) for key, _ in zones] + [NONE], dtype=np.int16),
        build_area_grid([shape(f["geometry"]) for f in governorates]),
        tuple(f["properties"]["pcode"] for f in governorates),
        {f["properties"]["pcode"]: {"en": f["properties"]["name"], "ar": f["properties"]["name_ar"]}
         for f in governorates},
    )


def classify(lon, lat, radius_m, reference: PreparedReference) -> Positions:
    """Place points (degrees) with location radii (metres) against the 1974 lines and the governorates.

    Zone: the Area of Separation or a band of the Areas of Limitation that contains the point; otherwise
    `<side>_beyond`, where the side is alpha west of the Alpha line, bravo east of the Bravo line (each
    extended due north and south beyond its ends), and between the two extensions, the nearer line's side.
    """
    lon, lat, radius_m = (np.asarray(v, dtype=float) for v in (lon, lat, radius_m))
    x, y = _to_metric().transform(lon, lat)
    signed, margin = {}, {}
    for name, line in reference.lines.items():
        distance, along = line.index.measure(x, y)
        west = line.west.first_containing(x, y) == 0
        signed[name] = np.where(west, -distance, distance)
        margin[name] = radius_m + line.uncertainty_at(along)
    alpha, bravo = signed["alpha"], signed["bravo"]
    near = (np.abs(alpha) <= margin["alpha"]) | (np.abs(bravo) <= margin["bravo"])
    alpha_side = (alpha < 0) | ((bravo <= 0) & (np.abs(alpha) < np.abs(bravo)))
    zone = reference.zone_numbers[reference.zones.first_containing(lon, lat)]
    zone = np.where(zone == NONE, np.where(alpha_side, 0, len(ZONES) - 1), zone)
    nearer_margin = np.where(np.abs(alpha) <= np.abs(bravo), margin["alpha"], margin["bravo"])
    return Positions(zone, np.round(alpha / 1000, 2), np.round(bravo / 1000, 2), near,
                     np.round(nearer_margin / 1000, 1), reference.governorates.first_containing(lon, lat),
                     reference.governorate_codes)
