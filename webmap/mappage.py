"""Assembling a map page: query the store for the filters, build the map, count what is shown."""
from dataclasses import dataclass

from flask import current_app, url_for

from .filters import MapFilters
from .model import ReferenceLayer
from .mapbuild import AssetUrls, MapOptions, MapParts, build_map, render_map
from .mapview import MapView
from .store import Store
from .vocabulary import Vocabulary


@dataclass(frozen=True)
class MapPage:
    """A rendered map with the numbers the page states about it."""

    parts: MapParts
    layers: list[ReferenceLayer]
    matched: int
    drawn: int
    illustrative: int
    data_version: int  # the data version shown, which a share link can pin


def asset_urls() -> AssetUrls:
    """Return the app-origin URLs of Leaflet and webmap's incident script."""
    return AssetUrls(
        leaflet_js=url_for("assets.vendor", path="leaflet/dist/leaflet.js"),
        leaflet_css=url_for("assets.vendor", path="leaflet/dist/leaflet.css"),
        incidents_js=url_for("static", filename="js/incidents.js"),
    )


def initial_view(setting: str) -> tuple[tuple[float, float], int]:
    """Parse the `latitude,longitude,zoom` view setting."""
    lat, lon, zoom = (part.strip() for part in setting.split(","))
    return (float(lat), float(lon)), int(zoom)


def map_options(lang: str, view: MapView | None = None) -> MapOptions:
    """Return the map options the app's settings give, in language `lang`, looking where `view` says."""
    center, zoom = initial_view(current_app.config["INITIAL_VIEW"])
    view = view or MapView()
    return MapOptions(center=view.center or center, zoom=zoom if view.zoom is None else view.zoom,
                      tiles=current_app.config["TILE_SOURCE"], assets=asset_urls(), lang=lang,
                      visible_layers=None if view.layers is None else frozenset(view.layers),
                      fit_bounds=view.bbox)


def build_map_page(store: Store, vocabulary: Vocabulary, filters: MapFilters, options: MapOptions,
                   max_incidents: int, as_of: int | None = None) -> MapPage:
    """Query the incidents the filters select (at most `max_incidents`, as of a data version) and render the map."""
    data_version = store.data_version() if as_of is None else as_of
    matched = store.count_incidents(filters.to_query(as_of=as_of))
    incidents = store.query_incidents(filters.to_query(limit=max_incidents, as_of=as_of))
    layers = store.list_reference_layers()
    fmap = build_map(incidents, layers, vocabulary, options)
    illustrative = sum(1 for i in incidents if i.extra.get("illustrative") is True)
    return MapPage(render_map(fmap), layers, matched, len(incidents), illustrative, data_version)
