"""Building the Folium map from its incident source, reference layers and options: pure, no request, no I/O."""
import base64
import hashlib
import re
from dataclasses import dataclass

import folium
from branca.element import Element
from folium.elements import JSCSSMixin
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps

from ..analysis.zones import ZONES
from ..core.i18n import localized, messages, month_names
from ..core.model import Incident, ReferenceLayer
from ..core.tiles import TileSource
from ..core.vocabulary import Vocabulary
from .labels import layer_labels
from .live import IncidentSource, LiveIncidentLayer

TOOLTIP_FIELDS = ("name", "name_ar", "band", "note")
# The words of Leaflet's own controls (buttons' titles and names, the scale's units), in the page's language.
CONTROL_TEXT_KEYS = ("zoom_in", "zoom_out", "layers_control", "close_popup", "scale_km", "scale_m")
# Folium's own inline scripts in the page head (its set-up flags); scripts with a `src` are not inline.
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# Folium's own viewport tag forbids zooming the page (user-scalable=no); the page template has one that allows it.
FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\s*')


@dataclass(frozen=True)
class AssetUrls:
    """Where the page loads Leaflet and webmap's own script from (all on the app's origin)."""

    leaflet_js: str
    leaflet_css: str
    incidents_js: str
    map_data_js: str
    labels_js: str


@dataclass(frozen=True)
class MapOptions:
    """Everything about how the map looks that is not data."""

    center: tuple[float, float]
    zoom: int
    tiles: TileSource | None
    assets: AssetUrls
    lang: str = "en"
    visible_layers: frozenset[str] | None = None  # None: each layer's own default
    fit_bounds: tuple[float, float, float, float] | None = None  # minx, miny, maxx, maxy; overrides center/zoom


@dataclass(frozen=True)
class MapParts:
    """A rendered map: what goes in <head>, in <body>, in the closing <script>, and its data as JSON.

    Stored text (incidents, layer names, attributions) is only ever in `data`, which the page places in a
    `<script type="application/json">` block: Folium renders its elements as Jinja templates, twice, so
    text inside them would be evaluated as template source.
    """

    header: str
    body: str
    script: str
    data: str  # HTML-safe JSON: no "<", ">" or "&" that could end its block
    script_hashes: tuple[str, ...]  # CSP hashes of the inline scripts in `header` and of `script`


class PageDataScripts(JSCSSMixin, folium.MacroElement):
    """Loads the scripts that read the page's JSON data block and draw the reference layers and their labels."""

    _template = Template("")

    def __init__(self, script_url: str, labels_url: str):
        super().__init__()
        self._name = "PageDataScripts"
        self.default_js = [("webmap_labels", labels_url), ("webmap_map_data", script_url)]


class ReferenceLayers(folium.MacroElement):
    """Draws the reference layers, their layer control and attributions from the page's data block."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "webmapMapData.drawReference({{ this._parent.get_name() }}, {{ this.group.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, group: folium.FeatureGroup):
        super().__init__()
        self._name = "ReferenceLayers"
        self.group = group


class SnapshotIncidentLayer(JSCSSMixin, folium.MacroElement):
    """Draws a fixed set of incidents (an embed, an API page) from the page's data block, all at once."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "webmapIncidents.draw({{ this.group.get_name() }}, webmapMapData.pageData().incidents, "
        "webmapMapData.pageData().config);"
        "webmapIncidents.fillLegend(webmapMapData.pageData().config);"
        "{% endmacro %}"
    )

    def __init__(self, group: folium.FeatureGroup, script_url: str):
        super().__init__()
        self._name = "SnapshotIncidentLayer"
        self.group = group
        self.default_js = [("webmap_incidents", script_url)]


def incident_config(vocabulary: Vocabulary, lang: str) -> dict:
    """Return the labels, colours and marker styles the browser script needs."""
    text = messages(lang)
    return {
        "types": {
            t.id: {"label": t.label_in(lang), "color": t.attributes["color"], "marker": t.attributes["marker"]}
            for t in vocabulary.event_types
        },
        "precision": {
            t.id: {"label": t.label_in(lang), "explain": localized(t.attributes["explain"], lang),
                   "radius_m": t.attributes["radius_m"], "hollow": t.attributes["hollow"]}
            for t in vocabulary.precision
        },
        "verification": {t.id: t.label_in(lang) for t in vocabulary.verification},
        "text": {k: text[k] for k in (
            "date", "to", "type", "location", "sources", "precision", "verification",
            "fatalities", "actors", "illustrative", "synthetic", "position", "governorate", "line_distances",
            "near_alpha", "near_bravo", "corrected_on")},
        "zones": {zone: text[f"zone_{zone}"] for zone in ZONES},
    }


def _governorate_names(layers: list[ReferenceLayer], lang: str) -> dict:
    """Return each governorate's name in `lang` by P-code, for popups (the incidents carry English)."""
    features = next((layer.data["features"] for layer in layers if layer.id == "governorates"), [])
    return {f["properties"]["pcode"]: localized({"en": f["properties"]["name"], "ar": f["properties"].get("name_ar")},
                                                lang) for f in features}


def _reference_layer_data(layer: ReferenceLayer, lang: str, show: bool) -> dict:
    """Return what the browser needs to draw one reference layer: its data, style, title, tooltip fields and
    permanent labels."""
    features = layer.data.get("features", [])
    fields = [f for f in TOOLTIP_FIELDS if features and all(f in feat["properties"] for feat in features)]
    return {"id": layer.id, "title": layer.display_title(lang), "shown": show,
            "style": dict(layer.meta.get("style", {})), "tooltip_fields": fields, "data": layer.data,
            "labels": [label.to_json() for label in layer_labels(layer, lang)]}


def layer_shown(layer: ReferenceLayer, options: MapOptions) -> bool:
    """Tell whether a reference layer starts visible: as the options say, else as its descriptor says."""
    if options.visible_layers is not None:
        return layer.id in options.visible_layers
    return layer.meta.get("shown_by_default", True)


@dataclass(frozen=True)
class BuiltMap:
    """A Folium map of code only, and the data (incidents, layers, their text) it draws from."""

    fmap: folium.Map
    data: dict


def build_map(
    incidents: IncidentSource | list[Incident], layers: list[ReferenceLayer], vocabulary: Vocabulary,
    options: MapOptions,
) -> BuiltMap:
    """Return a Folium map (reference layers under the incidents, loaded by view from an IncidentSource or a
    fixed list drawn as it is, a layer control, a metric scale and attributions) and the data it draws."""
    fmap = folium.Map(location=options.center, zoom_start=options.zoom, tiles=None, control_scale=False)
    fmap.default_js = [("leaflet", options.assets.leaflet_js)]
    fmap.default_css = [("leaflet_css", options.assets.leaflet_css)]
    if options.tiles:
        folium.TileLayer(
            options.tiles.url, attr=options.tiles.attribution, name="Basemap",
            max_zoom=options.tiles.max_zoom, control=False,
        ).add_to(fmap)
    text = messages(options.lang)
    group = folium.FeatureGroup(name="incidents", control=False).add_to(fmap)
    PageDataScripts(options.assets.map_data_js, options.assets.labels_js).add_to(fmap)
    data = {
        "config": {**incident_config(vocabulary, options.lang), "governorates": _governorate_names(layers, options.lang)},
        "incidents_name": text["incidents"],
        "controls": {key: text[key] for key in CONTROL_TEXT_KEYS},
        "months": month_names(options.lang),
        "months_short": month_names(options.lang, "abbreviated"),
        "credits_name": text["credits"],
        "layers": [_reference_layer_data(layer, options.lang, layer_shown(layer, options)) for layer in layers],
        "attributions": sorted({layer.meta["attribution"] for layer in layers if layer.meta.get("attribution")}),
    }
    if isinstance(incidents, IncidentSource):
        # Live incidents before the reference layers: their script starts loading the view while those
        # are drawn, and draws into a map pane of its own above them.
        data["config"]["live"] = incidents.config(text)
        LiveIncidentLayer(group, [options.assets.incidents_js, *incidents.scripts]).add_to(fmap)
    ReferenceLayers(group).add_to(fmap)
    if not isinstance(incidents, IncidentSource):
        data["incidents"] = {"type": "FeatureCollection", "features": [i.to_feature() for i in incidents]}
        SnapshotIncidentLayer(group, options.assets.incidents_js).add_to(fmap)
    if options.fit_bounds:
        minx, miny, maxx, maxy = options.fit_bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return BuiltMap(fmap, data)


def _script_hash(script: str) -> str:
    """Return the CSP source expression that lets exactly this inline script run."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _number_elements(root: Element) -> None:
    """Name the map's elements by their place in the tree instead of Folium's random ids, so a map renders to the
    same bytes in every server process: a strong ETag promises that, whichever server answers."""
    pending, number = [root], 0
    while pending:
        element = pending.pop()
        number += 1
        element._id = f"{number:032x}"
        pending.extend(reversed(element._children.values()))


def render_map(built: BuiltMap) -> MapParts:
    """Render a built map into the pieces a page template places, with the hashes of its inline scripts."""
    root = built.fmap.get_root()
    _number_elements(root)
    root.render()
    header, body, script = FOLIUM_VIEWPORT.sub("", root.header.render()), root.html.render(), root.script.render()
    inline = [*INLINE_SCRIPT.findall(header), script]
    return MapParts(header, body, script, htmlsafe_json_dumps(built.data),
                    tuple(dict.fromkeys(_script_hash(s) for s in inline)))
