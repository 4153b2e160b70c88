"""Assembling a map page: count what the filters select, build the map that loads incidents by view."""
from dataclasses import dataclass

from flask import current_app, url_for

from .aggregate import Summary, summarize
from .filters import MapFilters
from .livemap import IncidentSource
from .model import ReferenceLayer
from .mapbuild import AssetUrls, MapOptions, MapParts, build_map, render_map
from .store import Store
from .viewport import LIST_PAGE
from .vocabulary import Vocabulary

LIVE_SCRIPTS = ("js/timeline.js", "js/incidentlist.js", "js/livemap.js")  # under static/, in load order


@dataclass(frozen=True)
class MapPage:
    """A rendered map with the numbers the page states about it."""

    parts: MapParts
    layers: list[ReferenceLayer]
    summary: Summary

    @property
    def matched(self) -> int:
        """Return how many incidents match the filters."""
        return self.summary.matched

    @property
    def illustrative(self) -> int:
        """Return how many of the matching incidents are illustrative (samples or synthetic)."""
        return self.summary.illustrative


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


def incident_source(filters: MapFilters, summary: Summary) -> IncidentSource:
    """Return the app's data endpoints and scripts that load incidents by view, starting at `filters`."""
    return IncidentSource(
        view_url=url_for("mapdata.view"), list_url=url_for("mapdata.incident_list"),
        summary_url=url_for("mapdata.summary"), filters=filters.to_args(), summary=summary.to_json(),
        list_page=LIST_PAGE, scripts=tuple(url_for("static", filename=f) for f in LIVE_SCRIPTS),
    )


def build_map_page(store: Store, vocabulary: Vocabulary, filters: MapFilters, options: MapOptions) -> MapPage:
    """Count the incidents the filters select and render the map, which loads them by view."""
    summary = summarize(store.incident_points(), filters, vocabulary)
    layers = store.list_reference_layers()
    fmap = build_map(incident_source(filters, summary), layers, vocabulary, options)
    return MapPage(render_map(fmap), layers, summary)
