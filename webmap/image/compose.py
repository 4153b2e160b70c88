"""What a map image shows, as plain data: reference layers and incidents in image pixels, labels, the title,
the filters in words, the legend and the credits. Pure: no request, no I/O, nothing drawn yet."""
from dataclasses import dataclass

import numpy as np
from shapely.geometry import shape

from ..core.i18n import messages, plural, text_direction
from ..core.model import ReferenceLayer
from ..core.points import ILLUSTRATIVE, SYNTHETIC, IncidentPoints, value_code
from ..core.vocabulary import Vocabulary
from ..embed.params import filters_in_words
from ..map.aggregate import CELL_PX, Bbox, approximate_precision, category_counts, filter_mask, view_data
from ..map.filters import MapFilters
from .frame import Frame, fit_frame

AGREEMENT_GROUP = "agreement_1974"  # the lines and zones the map is about: always in the legend when drawn
# Editors' proposed or reported layers are in the legend when drawn too, labelled so.
LEGEND_GROUPS = (AGREEMENT_GROUP, "editor")
MAX_TOWN_LABELS = 20
CLUSTER_COLOR = "#34495e"


@dataclass(frozen=True)
class ImageOptions:
    """Everything about an image that is not data: size, view, language, filters and the site it names."""

    width: int
    height: int
    center: tuple[float, float]  # lat, lon; used when there is no bbox
    zoom: int
    lang: str = "en"
    filters: MapFilters = MapFilters()
    bbox: Bbox | None = None
    visible_layers: frozenset[str] | None = None  # None: each layer's own default
    individual_limit: int = 500  # more incidents than this in the image are drawn as clusters
    site: str = ""  # the address credited at the bottom
    title: str = ""  # the heading; empty: the site's own


@dataclass(frozen=True)
class LayerShapes:
    """One reference layer projected to image pixels, with its style from geodata/layers.json."""

    id: str
    style: dict
    polygons: list[list[np.ndarray]]  # each: exterior ring, then holes; arrays of (x, y) rows
    lines: list[np.ndarray]
    points: np.ndarray


@dataclass(frozen=True)
class Marker:
    """One incident, drawn in its event type's colour and shape (hollow when its location is approximate)."""

    x: float
    y: float
    color: str
    shape: str
    hollow: bool


@dataclass(frozen=True)
class ClusterMark:
    """Incidents sharing a grid cell, as /map-data/view groups them."""

    x: float
    y: float
    count: int
    approximate: bool  # most of them have an approximate location


@dataclass(frozen=True)
class Label:
    """A place or line name to draw if it does not cover another (earlier labels win)."""

    text: str
    x: float
    y: float
    color: str
    size: int  # map pixels
    anchor: str  # Pillow's text anchor
    bold: bool = False


@dataclass(frozen=True)
class LegendEntry:
    """A legend row: its symbol (`marker`, `cluster`, `line` or `area`), colour and text."""

    symbol: str
    color: str
    text: str
    shape: str = "circle"
    dashed: bool = False


@dataclass(frozen=True)
class Composition:
    """Everything a map image draws, in drawing order, in image pixels."""

    frame: Frame
    direction: str  # "ltr" or "rtl"
    layers: list[LayerShapes]
    markers: list[Marker]
    clusters: list[ClusterMark]
    labels: list[Label]
    title: str
    subtitle: list[str]  # the filters and counts in words
    legend_heading: str
    legend: list[LegendEntry]
    credits: list[str]  # every reference layer's attribution, and that no map tiles are drawn
    notes: list[str]


def _pixels(frame: Frame, coordinates) -> np.ndarray:
    """Project a list of [lon, lat] positions to an array of image pixel rows."""
    array = np.asarray(coordinates, dtype=float)[:, :2]
    x, y = frame.project(array[:, 0], array[:, 1])
    return np.column_stack([x, y])


def _parts(geometry: dict) -> tuple[list, list, list]:
    """Split a GeoJSON geometry into polygons (lists of rings), lines and points, each as coordinates."""
    kind, coordinates = geometry["type"], geometry.get("coordinates")
    if kind == "GeometryCollection":
        found = [_parts(g) for g in geometry["geometries"]]
        return tuple([part for parts in found for part in parts[i]] for i in range(3))
    return {
        "Polygon": ([coordinates], [], []), "MultiPolygon": (coordinates, [], []),
        "LineString": ([], [coordinates], []), "MultiLineString": ([], coordinates, []),
        "Point": ([], [], [coordinates]), "MultiPoint": ([], [], coordinates),
    }[kind]


def _layer_shapes(layer: ReferenceLayer, frame: Frame) -> LayerShapes:
    """Project a layer's features to image pixels (every vertex: drawing them costs less than simplifying)."""
    polygons, lines, points = [], [], []
    for feature in layer.data.get("features", []):
        found = _parts(feature["geometry"])
        polygons += [[_pixels(frame, ring) for ring in polygon] for polygon in found[0]]
        lines += [_pixels(frame, line) for line in found[1]]
        points += found[2]
    return LayerShapes(layer.id, dict(layer.meta.get("style", {})), polygons, lines,
                       _pixels(frame, points) if points else np.zeros((0, 2)))


def _inside(frame: Frame, x: float, y: float) -> bool:
    """Tell whether an image position is inside the image."""
    return 0 <= x < frame.width and 0 <= y < frame.height


def _name(properties: dict, lang: str) -> str:
    """Return a place's name in `lang` (Arabic names are in `name_ar`)."""
    return (properties.get("name_ar") if lang == "ar" else None) or properties.get("name", "")


def _line_labels(layers: list[ReferenceLayer], shapes: dict[str, LayerShapes], frame: Frame, lang: str) -> list[Label]:
    """Name each drawn line where it crosses the image's middle height: the westernmost on its west side,
    the others on their east side, so neighbouring lines (Alpha, Bravo) keep their names apart."""
    placed = []
    for layer in layers:
        rows = [row for line in shapes[layer.id].lines for row in line if _inside(frame, *row)]
        if layer.meta.get("geometry_kind") == "line" and rows:
            rows = np.array(rows)
            placed.append((float(rows[:, 0].mean()), layer, rows[np.argmin(np.abs(rows[:, 1] - frame.height / 2))]))
    placed.sort(key=lambda item: item[0])
    gap = 6 * frame.scale
    return [Label(layer.display_title(lang), x - gap if n == 0 else x + gap, y, layer.meta["style"]["color"], 13,
                  "rm" if n == 0 else "lm", bold=True)
            for n, (_, layer, (x, y)) in enumerate(placed)]


def _place_labels(layer: ReferenceLayer, frame: Frame, lang: str) -> list[Label]:
    """Name governorates at a point inside each, and the most populous towns at their position."""
    labels = []
    features = layer.data.get("features", [])
    if layer.meta.get("geometry_kind") == "point":
        features = sorted(features, key=lambda f: -(f["properties"].get("population") or 0))[:MAX_TOWN_LABELS]
    for feature in features:
        point = shape(feature["geometry"]).representative_point()
        (x,), (y,) = frame.project([point.x], [point.y])
        if not _inside(frame, x, y):
            continue
        if layer.meta.get("geometry_kind") == "point":
            labels.append(Label(_name(feature["properties"], lang), x + 5 * frame.scale, y, "#222222", 12, "lm"))
        else:
            labels.append(Label(_name(feature["properties"], lang), x, y, "#6b6b6b", 13, "mm"))
    return labels


def _shown(layer: ReferenceLayer, options: ImageOptions) -> bool:
    """Tell whether a reference layer is drawn: as the options say, else as its descriptor says."""
    if options.visible_layers is not None:
        return layer.id in options.visible_layers
    return layer.meta.get("shown_by_default", True)


def compose(points: IncidentPoints, layers: list[ReferenceLayer], vocabulary: Vocabulary,
            options: ImageOptions) -> Composition:
    """Decide everything the image shows for these incident columns, reference layers and options."""
    text = messages(options.lang)
    frame = fit_frame(options.width, options.height, options.center, options.zoom, options.bbox)
    shown = [layer for layer in layers if _shown(layer, options)]
    shapes = {layer.id: _layer_shapes(layer, frame) for layer in shown}

    bbox = frame.bbox()
    approximate = approximate_precision(vocabulary)
    mask = filter_mask(points, options.filters, bbox)
    view = view_data(points, mask, bbox, frame.zoom, options.individual_limit, CELL_PX, approximate,
                     tuple(vocabulary.event_type_ids()))
    index = np.flatnonzero(np.isin(points.keys, view.keys))
    xs, ys = frame.project(points.lon[index], points.lat[index])
    types = {value_code(t.id): t for t in vocabulary.event_types}
    hollow = {value_code(p) for p in approximate}
    markers = [Marker(float(x), float(y), types[code].attributes["color"], types[code].attributes["marker"],
                      int(precision) in hollow)
               for x, y, code, precision in zip(xs, ys, points.records["event_type"][index],
                                                points.records["precision"][index])
               if int(code) in types]
    cx, cy = frame.project([c.lon for c in view.clusters], [c.lat for c in view.clusters])
    clusters = [ClusterMark(float(x), float(y), c.count, 2 * c.approximate > c.count)
                for x, y, c in zip(cx, cy, view.clusters)]

    labels = _line_labels(shown, shapes, frame, options.lang)
    for layer in shown:
        if layer.meta.get("geometry_kind") in ("polygon", "point") and layer.meta.get("group") in ("admin", "towns"):
            labels += _place_labels(layer, frame, options.lang)

    counts = category_counts(points.records["event_type"][mask], vocabulary.event_type_ids())
    legend = [LegendEntry("marker", t.attributes["color"], f"{t.label_in(options.lang)} ({counts[t.id]})",
                          t.attributes["marker"]) for t in vocabulary.event_types if counts[t.id]]
    if clusters:
        legend.append(LegendEntry("cluster", CLUSTER_COLOR, text["image_cluster_legend"]))
    legend += [LegendEntry("line" if layer.meta.get("geometry_kind") == "line" else "area",
                           layer.meta["style"]["color"], layer.display_title(options.lang),
                           dashed=bool(layer.meta["style"].get("dashArray")))
               for layer in shown if layer.meta.get("group") in LEGEND_GROUPS]

    matched = int(np.count_nonzero(filter_mask(points, options.filters)))
    counted = plural(options.lang, text["matches"], matched) + " · " + plural(options.lang, text["in_view"], view.in_view)
    # Samples and generated incidents are not reported events: the image says how many it shows, as the map does.
    flags = points.records["flags"][mask]
    synthetic = (flags & SYNTHETIC) != 0
    for key, count in (("illustrative", np.count_nonzero(((flags & ILLUSTRATIVE) != 0) & ~synthetic)),
                       ("synthetic", np.count_nonzero(synthetic))):
        counted += f" · {text[key]} ({count})" if count else ""
    attributions = sorted({layer.meta["attribution"] for layer in layers if layer.meta.get("attribution")})
    notes = [text["approximate_note"]] if any(layer.meta.get("approximate") for layer in shown) else []
    return Composition(
        frame=frame, direction=text_direction(options.lang), layers=list(shapes.values()), markers=markers,
        clusters=clusters, labels=labels, title=options.title or text["embed_title"],
        subtitle=[filters_in_words(options.filters, vocabulary, options.lang), counted], legend_heading=text["legend"],
        legend=legend,
        credits=[*([options.site] if options.site else []), *attributions, text["image_no_tiles"]], notes=notes,
    )
