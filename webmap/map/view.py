"""Parsing the map's view parameters (`bbox` or `lat`/`lon`/`zoom`, and `layers`) into a view, or exact errors."""
import math
from dataclasses import dataclass

from ..core import bbox
from ..core.errors import FieldError, InvalidParameter, field_error, problem_error
from ..core.numbers import collect_whole_number

MAX_ZOOM = 18
COORDINATE_DECIMALS = 5  # about a metre: more would only make URLs and cache keys differ for nothing
FIT_MARGIN = 0.02  # degrees (about 2 km) kept around incidents a view is fitted to


@dataclass(frozen=True)
class MapView:
    """Where the map looks and which reference layers it shows; None everywhere means the defaults."""

    center: tuple[float, float] | None = None  # lat, lon
    zoom: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # minx, miny, maxx, maxy (lon/lat)
    layers: tuple[str, ...] | None = None  # visible reference layers, in draw order

    def to_args(self) -> dict:
        """Return the query-string arguments that reproduce this view, in a fixed order."""
        args = {}
        if self.layers is not None:
            args["layers"] = ",".join(self.layers)
        if self.bbox:
            args["bbox"] = ",".join(_number(v) for v in self.bbox)
        if self.center:
            args["lat"], args["lon"] = (_number(v) for v in self.center)
        if self.zoom is not None:
            args["zoom"] = str(self.zoom)
        return args


def fitted_bbox(extent: tuple[float, float, float, float], margin: float = FIT_MARGIN) -> tuple[float, ...]:
    """Return a view box around `extent` with a margin of a tenth of its size and at least `margin` degrees on
    each side (so a single point opens at town scale), rounded outwards and kept within the world."""
    minx, miny, maxx, maxy = extent
    pad_x, pad_y = max((maxx - minx) / 10, margin), max((maxy - miny) / 10, margin)
    scale = 10 ** COORDINATE_DECIMALS
    return (max(math.floor((minx - pad_x) * scale) / scale, -180), max(math.floor((miny - pad_y) * scale) / scale, -90),
            min(math.ceil((maxx + pad_x) * scale) / scale, 180), min(math.ceil((maxy + pad_y) * scale) / scale, 90))


def _number(value: float) -> str:
    """Format a coordinate briefly (no trailing zeros)."""
    return f"{value:.{COORDINATE_DECIMALS}f}".rstrip("0").rstrip(".")


def parse_number(name: str, text: str, low: float, high: float, errors: list[FieldError],
                 decimals: int | None = COORDINATE_DECIMALS) -> float | None:
    """Return `text` as a number within [low, high] (rounded to `decimals`, if given), else record an error."""
    try:
        value = bbox.parse_coordinate(text, low, high)
    except bbox.BboxError as error:
        errors.append(problem_error(name, error))
        return None
    return value if decimals is None else round(value, decimals)


def parse_bbox(text: str, errors: list[FieldError],
               decimals: int | None = COORDINATE_DECIMALS) -> tuple[float, float, float, float] | None:
    """Parse `minx,miny,maxx,maxy` in degrees of longitude and latitude (rounded to `decimals`, if given)."""
    try:
        box = bbox.parse_bbox(text)
    except bbox.BboxError as error:
        errors.append(problem_error("bbox", error))
        return None
    return box if decimals is None else tuple(round(value, decimals) for value in box)


def parse_zoom(text: str, errors: list[FieldError], max_zoom: int = MAX_ZOOM) -> int | None:
    """Parse a whole zoom level from 0 to `max_zoom`."""
    return collect_whole_number("zoom", text, errors, max_zoom)


def _parse_layers(text: str, layer_ids: list[str], errors: list[FieldError]) -> tuple[str, ...]:
    """Split comma-separated layer ids, keeping draw order and recording unknown ones."""
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - set(layer_ids))
    if unknown:
        errors.append(field_error("layers", "layers_unknown", unknown=", ".join(repr(u) for u in unknown),
                                  known=", ".join(layer_ids)))
    return tuple(i for i in layer_ids if i in wanted)


def parse_map_view(args, layer_ids: list[str]) -> MapView:
    """Parse `layers`, and `bbox` or `lat`/`lon`/`zoom`, from request args (`layers=` alone shows none)."""
    errors: list[FieldError] = []
    layers = _parse_layers(args["layers"], layer_ids, errors) if "layers" in args else None
    bbox = center = zoom = None
    has = {name: bool(args.get(name, "").strip()) for name in ("bbox", "lat", "lon", "zoom")}
    if has["bbox"] and (has["lat"] or has["lon"] or has["zoom"]):
        errors.append(field_error("bbox", "bbox_or_center"))
    elif has["bbox"]:
        bbox = parse_bbox(args["bbox"], errors)
    if has["lat"] != has["lon"]:
        errors.append(field_error("lat" if has["lon"] else "lon", "lat_lon_together"))
    elif has["lat"] and not has["bbox"]:
        lat = parse_number("lat", args["lat"].strip(), -90, 90, errors)
        lon = parse_number("lon", args["lon"].strip(), -180, 180, errors)
        center = (lat, lon) if lat is not None and lon is not None else None
    if has["zoom"] and not has["bbox"]:
        zoom = parse_zoom(args["zoom"], errors)
    if errors:
        raise InvalidParameter("The map view is not valid.", errors)
    return MapView(center, zoom, bbox, layers)
