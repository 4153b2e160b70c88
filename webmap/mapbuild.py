"""Building the Folium map from its incident source, reference layers and options: pure, no request, no I/O."""
from dataclasses import dataclass

import folium
from folium.elements import JSCSSMixin
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import escape

from .i18n import localized, messages
from .livemap import IncidentSource, LiveIncidentLayer
from .model import Incident, ReferenceLayer
from .tiles import TileSource
from .vocabulary import Vocabulary

TOOLTIP_FIELDS = ("name", "name_ar", "band", "note")


@dataclass(frozen=True)
class AssetUrls:
    """Where the page loads Leaflet and webmap's own script from (all on the app's origin)."""

    leaflet_js: str
    leaflet_css: str
    incidents_js: str


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
    """A rendered map split into what goes in <head>, in <body>, and in the closing <script>."""

    header: str
    body: str
    script: str


class Attribution(folium.MacroElement):
    """Adds the data sources' attributions to the map's attribution control."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.prefix }});"
        "{% for text in this.texts %}"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution({{ text }});"
        "{% endfor %}"
        "{% endmacro %}"
    )

    def __init__(self, texts: list[str]):
        super().__init__()
        self._name = "Attribution"
        self.texts = [htmlsafe_json_dumps(str(escape(t))) for t in texts]
        # Leaflet's default prefix carries a national flag; a map of a contested front keeps it plain.
        self.prefix = htmlsafe_json_dumps('<a href="https://leafletjs.com">Leaflet</a>')


class SnapshotIncidentLayer(JSCSSMixin, folium.MacroElement):
    """Draws a fixed set of incidents (an embed, an API page) with webmap's script, all at once."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "webmapIncidents.draw({{ this.group.get_name() }}, {{ this.data }}, {{ this.config }});"
        "webmapIncidents.fillLegend({{ this.config }});"
        "{% endmacro %}"
    )

    def __init__(self, group: folium.FeatureGroup, collection: dict, config: dict, script_url: str):
        super().__init__()
        self._name = "SnapshotIncidentLayer"
        self.group = group
        # htmlsafe: a title containing "</script>" cannot end the script block early.
        self.data = htmlsafe_json_dumps(collection)
        self.config = htmlsafe_json_dumps(config)
        self.default_js = [("webmap_incidents", script_url)]


class ViewRegistry(folium.MacroElement):
    """Publishes the Leaflet map and its reference layers by id as `window.webmapView`, for page scripts."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.webmapView = {map: {{ this._parent.get_name() }}, layers: { "
        "{% for key, name in this.layers %}{{ key }}: {{ name }}, {% endfor %}"
        "} };"
        "{% endmacro %}"
    )

    def __init__(self, layers: dict[str, folium.GeoJson]):
        super().__init__()
        self._name = "ViewRegistry"
        self.layers = [(htmlsafe_json_dumps(key), layer.get_name()) for key, layer in layers.items()]


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
            "fatalities", "actors", "illustrative", "synthetic")},
    }


def _layer_title(layer: ReferenceLayer, lang: str) -> str:
    """Return the layer's title, saying 'approximate' when its geometry is."""
    title = layer.title(lang)
    word = messages(lang)["approximate"]
    if layer.meta.get("approximate") and word not in title.lower():
        title = f"{title} ({word})"
    return title


def _reference_layer(layer: ReferenceLayer, lang: str, show: bool) -> folium.GeoJson:
    """Return one reference layer styled from its descriptor, with a tooltip of its names and notes."""
    style = dict(layer.meta.get("style", {}))
    features = layer.data.get("features", [])
    fields = [f for f in TOOLTIP_FIELDS if features and all(f in feat["properties"] for feat in features)]
    marker = None
    if layer.meta.get("geometry_kind") == "point":
        marker = folium.CircleMarker(radius=3, **style)
    return folium.GeoJson(
        layer.data,
        name=_layer_title(layer, lang),
        show=show,
        style_function=lambda _feature: style,
        tooltip=folium.GeoJsonTooltip(fields=fields, labels=False) if fields else None,
        marker=marker,
    )


def layer_shown(layer: ReferenceLayer, options: MapOptions) -> bool:
    """Tell whether a reference layer starts visible: as the options say, else as its descriptor says."""
    if options.visible_layers is not None:
        return layer.id in options.visible_layers
    return layer.meta.get("shown_by_default", True)


def build_map(
    incidents: IncidentSource | list[Incident], layers: list[ReferenceLayer], vocabulary: Vocabulary,
    options: MapOptions,
) -> folium.Map:
    """Return a Folium map: reference layers under the incidents (loaded by view from an IncidentSource,
    or a fixed list drawn as it is), a layer control, scale and attributions."""
    fmap = folium.Map(location=options.center, zoom_start=options.zoom, tiles=None, control_scale=True)
    fmap.default_js = [("leaflet", options.assets.leaflet_js)]
    fmap.default_css = [("leaflet_css", options.assets.leaflet_css)]
    if options.tiles:
        folium.TileLayer(
            options.tiles.url, attr=options.tiles.attribution, name="Basemap",
            max_zoom=options.tiles.max_zoom, control=False,
        ).add_to(fmap)
    group = folium.FeatureGroup(name=messages(options.lang)["incidents"]).add_to(fmap)
    config = incident_config(vocabulary, options.lang)
    if isinstance(incidents, IncidentSource):
        # Live incidents before the reference layers: their script starts loading the view while those
        # are drawn, and draws into a map pane of its own above them.
        config["live"] = incidents.config(messages(options.lang))
        LiveIncidentLayer(group, [options.assets.incidents_js, *incidents.scripts], config).add_to(fmap)
    drawn = {}
    for layer in layers:
        drawn[layer.id] = _reference_layer(layer, options.lang, layer_shown(layer, options)).add_to(fmap)
    if not isinstance(incidents, IncidentSource):
        collection = {"type": "FeatureCollection", "features": [i.to_feature() for i in incidents]}
        SnapshotIncidentLayer(group, collection, config, options.assets.incidents_js).add_to(fmap)
    attributions = sorted({layer.meta["attribution"] for layer in layers if layer.meta.get("attribution")})
    Attribution(attributions).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    ViewRegistry(drawn).add_to(fmap)
    if options.fit_bounds:
        minx, miny, maxx, maxy = options.fit_bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def render_map(fmap: folium.Map) -> MapParts:
    """Render a Folium map into the pieces a page template places."""
    root = fmap.get_root()
    root.render()
    return MapParts(root.header.render(), root.html.render(), root.script.render())
