"""Assembling a map page: query the store for the filters, build the map, count what is shown."""
from dataclasses import dataclass

from flask import current_app, url_for

from .filters import MapFilters
from .model import ReferenceLayer
from .mapbuild import AssetUrls, MapOptions, MapParts, build_map, render_map
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


def map_options(lang: str) -> MapOptions:
    """Return the map options the app's settings give, in language `lang`."""
    center, zoom = initial_view(current_app.config["INITIAL_VIEW"])
    return MapOptions(center=center, zoom=zoom, tiles=current_app.config["TILE_SOURCE"],
                      assets=asset_urls(), lang=lang)


def build_map_page(store: Store, vocabulary: Vocabulary, filters: MapFilters, options: MapOptions,
                   max_incidents: int) -> MapPage:
    """Query the incidents the filters select (at most `max_incidents`) and render the map."""
    matched = store.count_incidents(filters.to_query())
    incidents = store.query_incidents(filters.to_query(limit=max_incidents))
    layers = store.list_reference_layers()
    fmap = build_map(incidents, layers, vocabulary, options)
    illustrative = sum(1 for i in incidents if i.extra.get("illustrative") is True)
    return MapPage(render_map(fmap), layers, matched, len(incidents), illustrative)
