"""Permanent map labels for the reference layers: where each goes, its text in the page language, and its
rank when labels collide (the browser hides the lower-ranked of two overlapping labels). Pure, no I/O."""
import math
import re
from dataclasses import dataclass

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, polylabel

from ..core.i18n import messages
from ..core.model import ReferenceLayer

# Higher ranks are placed first: the 1974 lines, then governorates, the Area of Separation, the Areas of
# Limitation and the towns, larger towns first.
LINE_RANK, REGION_RANK, SEPARATION_RANK, LIMITATION_RANK, TOWN_RANK = 50, 40, 30, 20, 10
# Each line is labelled at these fractions of its length, on its own side: Alpha to the west, Bravo to the east.
LINE_POSITIONS = (0.15, 0.85)
LINE_LABELS = {"alpha_line": ("label_alpha", "left"), "bravo_line": ("label_bravo", "right")}
# Towns appear from a zoom that falls with their population: the largest at every zoom, the smallest close in.
TOWN_ZOOMS = ((50_000, 0), (10_000, 9))
SMALL_TOWN_ZOOM = 11
LIMITATION_ZOOM = 10  # the six bands' labels would crowd the overview
POLYLABEL_TOLERANCE = 0.001  # degrees: about 100 m, far finer than any label


@dataclass(frozen=True)
class Label:
    """One label: its text, where it is anchored, which side of the anchor it sits on, and when it shows."""

    text: str
    lon: float
    lat: float
    rank: float
    kind: str  # "line", "region", "zone" or "town": how it is styled
    place: str = "center"  # "center", "left" or "right" of the anchor
    min_zoom: int = 0

    def to_json(self) -> dict:
        """Return the label as the page's data block carries it (5 decimals: about a metre)."""
        return {"text": self.text, "lon": round(self.lon, 5), "lat": round(self.lat, 5), "rank": self.rank,
                "kind": self.kind, "place": self.place, "min_zoom": self.min_zoom}


def feature_name(properties: dict, lang: str) -> str:
    """Return a feature's name in `lang` (its `name_<lang>` property), else its `name`."""
    return properties.get(f"name_{lang}") or properties.get("name") or ""


def label_point(geometry: BaseGeometry) -> tuple[float, float]:
    """Return a point well inside an area (the pole of inaccessibility of its largest part) for its label."""
    largest = max(getattr(geometry, "geoms", [geometry]), key=lambda part: part.area)
    point = polylabel(largest, tolerance=POLYLABEL_TOLERANCE)
    return point.x, point.y


def _area_labels(layer: ReferenceLayer, text, rank: float, kind: str, min_zoom: int = 0) -> list[Label]:
    """Label each area of a layer at a point inside it, with the text `text(properties)` gives."""
    labels = []
    for feature in layer.data.get("features", []):
        lon, lat = label_point(shape(feature["geometry"]))
        labels.append(Label(text(feature["properties"]), lon, lat, rank, kind, min_zoom=min_zoom))
    return labels


def _line_labels(layer: ReferenceLayer, text: str, place: str) -> list[Label]:
    """Label a line at a few points along its longest stretch, beside it on `place`'s side."""
    lines = [shape(f["geometry"]) for f in layer.data.get("features", [])]
    if not lines:
        return []
    merged = linemerge(lines)
    longest = max(getattr(merged, "geoms", [merged]), key=lambda part: part.length)
    points = [longest.interpolate(fraction, normalized=True) for fraction in LINE_POSITIONS]
    return [Label(text, p.x, p.y, LINE_RANK, "line", place) for p in points]


def town_min_zoom(population: int | None) -> int:
    """Return the zoom from which a town of this population is labelled."""
    return next((zoom for least, zoom in TOWN_ZOOMS if (population or 0) >= least), SMALL_TOWN_ZOOM)


def _town_labels(layer: ReferenceLayer, lang: str) -> list[Label]:
    """Label each town beside its point, larger towns ranked first and shown from further out."""
    labels = []
    for feature in layer.data.get("features", []):
        properties = feature["properties"]
        population = properties.get("population") or 0
        lon, lat = feature["geometry"]["coordinates"][:2]
        # log10 keeps every town's rank below the next kind's (populations are below 10**9).
        rank = TOWN_RANK + math.log10(population + 1)
        labels.append(Label(feature_name(properties, lang), lon, lat, rank, "town", "right",
                            town_min_zoom(properties.get("population"))))
    return labels


def layer_labels(layer: ReferenceLayer, lang: str) -> list[Label]:
    """Return the permanent labels of a reference layer in `lang` (none for layers without labels)."""
    text = messages(lang)
    if layer.id in LINE_LABELS:
        key, place = LINE_LABELS[layer.id]
        return _line_labels(layer, text[key], place)
    if layer.id == "governorates":
        return _area_labels(layer, lambda p: feature_name(p, lang), REGION_RANK, "region")
    if layer.id == "area_of_separation":
        return _area_labels(layer, lambda p: text["label_separation"], SEPARATION_RANK, "zone")
    if layer.id == "areas_of_limitation":
        # The band's numbers ("0-10" of "0-10 km") in the page language's wording.
        return _area_labels(layer, lambda p: text["label_limitation"].format(band=re.sub(r"[^0-9-]", "", p["band"])),
                            LIMITATION_RANK, "zone", LIMITATION_ZOOM)
    if layer.id == "towns":
        return _town_labels(layer, lang)
    return []
