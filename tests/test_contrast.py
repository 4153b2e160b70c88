"""Colours as configured, against the map's background (WCAG 2.2 contrast ratios, computed in Python):
lines, borders and markers at least 3:1, text at least 4.5:1, and each event type its own shape."""
import json
import re
from pathlib import Path

import pytest

from webmap.core.vocabulary import load_vocabulary
from webmap.image.draw import BACKGROUND
from webmap.ingest.layers import STATUS_STYLES, layer_style

ROOT = Path(__file__).parent.parent
CSS = (ROOT / "webmap" / "static" / "css" / "webmap.css").read_text(encoding="utf-8")
LAYERS = json.loads((ROOT / "geodata" / "layers.json").read_text(encoding="utf-8"))["layers"]
LEAFLET_CSS = (ROOT / "node_modules" / "leaflet" / "dist" / "leaflet.css").read_text(encoding="utf-8")
JS_SHAPES = (ROOT / "webmap" / "static" / "js" / "incidents.js").read_text(encoding="utf-8")


def css_colour(selector: str, css: str = CSS) -> str | None:
    """Return the background colour a style sheet gives `selector` (#rgb, #rrggbb or rgba(...)), or None."""
    rule = re.search(re.escape(selector) + r" \{[^}]*?\bbackground: (#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|rgba\([^)]*\))", css)
    return rule.group(1) if rule else None


# With tiles off: webmap.css's background for the map, else Leaflet's own.
OFFLINE = css_colour(".leaflet-container") or css_colour(".leaflet-container", LEAFLET_CSS)
# With tiles on: OpenStreetMap's standard style (the default basemap): its land colour and its
# residential-area grey, the darkest of its large light fills.
BASEMAP = ("#f2efe9", "#e0dfdf")
BACKGROUNDS = (OFFLINE, *BASEMAP)
PANEL = "#ffffff"  # the legend's background, where the cluster symbols are shown too


def rgb(colour: str) -> tuple[float, float, float, float]:
    """Return (r, g, b, alpha) of a #rgb, #rrggbb or rgba(r, g, b, a) colour, channels 0-255."""
    if len(colour) == 4:  # #rgb
        colour = "#" + "".join(c * 2 for c in colour[1:])
    if colour.startswith("#"):
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), 1.0
    r, g, b, a = (float(part) for part in colour[colour.index("(") + 1:].rstrip(")").split(","))
    return r, g, b, a


def over(colour: str, background: str, opacity: float = 1.0) -> tuple[float, float, float]:
    """Return the colour seen when `colour`, at `opacity` times its own alpha, lies over `background`."""
    *front, alpha = rgb(colour)
    back = rgb(background)[:3]
    a = alpha * opacity
    return tuple(a * f + (1 - a) * b for f, b in zip(front, back))


def luminance(channels: tuple[float, float, float]) -> float:
    """Return the relative luminance of an sRGB colour."""
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(first: tuple, second: tuple) -> float:
    """Return the contrast ratio of two colours."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_map_background_is_the_image_background():
    """The live map with tiles off and /map.png share one paper colour, so one check covers both."""
    assert OFFLINE.lower() == BACKGROUND.lower()


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("layer", [layer for layer in LAYERS if layer.get("style")], ids=lambda layer: layer["id"])
def test_reference_lines_and_borders_stand_out(layer, background):
    """Every reference layer's line or border, at its opacity, is at least 3:1 against the map."""
    style = layer["style"]
    seen = over(style["color"], background, style.get("opacity", 1.0))
    assert ratio(seen, over(background, background)) >= 3, f"{layer['id']} {style['color']} on {background}"


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("status", STATUS_STYLES)
def test_editors_proposed_and_reported_lines_stand_out(status, background):
    """A layer an editor adds as proposed or reported is drawn in a style at least 3:1 against the map."""
    style = layer_style("line", status)
    seen = over(style["color"], background, style["opacity"])
    assert ratio(seen, over(background, background)) >= 3, f"{status} {style['color']} on {background}"


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("term", load_vocabulary().event_types, ids=lambda term: term.id)
def test_incident_markers_stand_out(term, background):
    """Every event type's marker colour (its fill, or its outline when hollow) is at least 3:1 against the map."""
    colour = term.attributes["color"]
    assert ratio(over(colour, background), over(background, background)) >= 3, f"{term.id} {colour} on {background}"


@pytest.mark.parametrize("background", (*BACKGROUNDS, PANEL))
@pytest.mark.parametrize("selector", [".webmap-cluster", ".webmap-cluster-approximate"])
def test_cluster_counts_are_readable(selector, background):
    """A cluster's white count is at least 4.5:1 against its body, on the map and in the legend, including
    the lighter body of clusters of mostly approximate locations."""
    body = over(css_colour(selector), background)
    assert ratio(over("#ffffff", background), body) >= 4.5, f"{selector} on {background}"


def test_each_event_type_has_its_own_shape():
    """Event types differ in shape, not only in colour, and the map's script draws every one of them."""
    shapes = [term.attributes["marker"] for term in load_vocabulary().event_types]
    assert len(set(shapes)) == len(shapes)
    for shape in shapes:
        assert re.search(rf"\b{shape}: \[", JS_SHAPES), shape


def css_fill(selector: str) -> str:
    """Return the fill webmap.css gives `selector`."""
    return re.search(re.escape(selector) + r" \{[^}]*?\bfill: (#[0-9a-fA-F]{6})\b", CSS).group(1)


# The timeline's bars lie on the chart's own light grey, inside the panel (white, also as the phone's sheet).
TIMELINE_BACKGROUNDS = (css_colour(".timeline-chart"), PANEL)


@pytest.mark.parametrize("background", TIMELINE_BACKGROUNDS)
@pytest.mark.parametrize("selector", [".timeline-bar", ".timeline-bar-selected"])
def test_timeline_bars_stand_out(selector, background):
    """Each timeline bar, chosen or not, is at least 3:1 against the chart and the panel around it."""
    assert ratio(over(css_fill(selector), background), over(background, background)) >= 3, f"{selector} on {background}"


def test_chosen_timeline_bars_stand_out_from_the_others():
    """The bars of the chosen dates differ from the others by at least 3:1, not by a faint shade."""
    assert ratio(over(css_fill(".timeline-bar-selected"), PANEL), over(css_fill(".timeline-bar"), PANEL)) >= 3
