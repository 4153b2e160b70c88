"""Assembling map pages: the live map and embeds, which both load their incidents by view."""
from dataclasses import dataclass

from flask import current_app, url_for

from ..core.model import ReferenceLayer
from ..core.vocabulary import Term, Vocabulary
from ..store import Store
from .aggregate import Summary, summarize
from .build import AssetUrls, MapOptions, MapParts, build_map, render_map
from .filters import MapFilters, governorate_choices, zone_choices
from .live import IncidentSource
from .scope import filtered_points
from .view import MapView, fitted_bbox
from .viewport import LIST_PAGE

# Under static/, in load order: the full map's scripts, and the embed's (no filters, timeline chart or list).
LIVE_SCRIPTS = ("js/timeline.js", "js/viewdata.js", "js/incidentlist.js", "js/livemap.js")
EMBED_SCRIPTS = ("js/timeline.js", "js/viewdata.js", "js/embedlive.js")


@dataclass(frozen=True)
class MapPage:
    """A rendered map with the numbers the page states about it."""

    parts: MapParts
    layers: list[ReferenceLayer]
    summary: Summary
    data_version: int  # the data version shown, which a share link can pin
    zones: list[Term]  # the zone and governorate choices of the filter panel
    governorates: list[Term]

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
        map_data_js=url_for("static", filename="js/mapdata.js"),
        labels_js=url_for("static", filename="js/labels.js"),
    )


def map_options(lang: str, view: MapView | None = None) -> MapOptions:
    """Return the map options the app's settings give, in language `lang`, looking where `view` says."""
    lat, lon, zoom = current_app.config["INITIAL_VIEW"]
    view = view or MapView()
    return MapOptions(center=view.center or (lat, lon), zoom=zoom if view.zoom is None else view.zoom,
                      tiles=current_app.config["TILE_SOURCE"], assets=asset_urls(), lang=lang,
                      visible_layers=None if view.layers is None else frozenset(view.layers),
                      fit_bounds=view.bbox)


def incident_source(filters: MapFilters, summary: Summary, scripts: tuple[str, ...] = LIVE_SCRIPTS,
                    fixed: dict | None = None) -> IncidentSource:
    """Return the app's data endpoints and `scripts` that load incidents by view, starting at `filters`
    (every request also carries the `fixed` arguments)."""
    return IncidentSource(
        view_url=url_for("mapdata.view"), list_url=url_for("mapdata.incident_list"),
        summary_url=url_for("mapdata.summary"), filters={**filters.to_args(), **(fixed or {})},
        summary=summary.to_json(), list_page=LIST_PAGE, scripts=tuple(url_for("static", filename=f) for f in scripts),
    )


def _page(store: Store, vocabulary: Vocabulary, filters: MapFilters, options: MapOptions, as_of: int | None = None,
          scripts: tuple[str, ...] = LIVE_SCRIPTS, fixed: dict | None = None) -> MapPage:
    """Count the incidents the filters select (as of a data version) and render a map whose `scripts` load them
    by view, every request carrying the `fixed` arguments too."""
    points = filtered_points(store, filters, as_of)
    layers = store.list_reference_layers()
    governorates = governorate_choices(layers)
    summary = summarize(points, filters, vocabulary, tuple(term.id for term in governorates))
    built = build_map(incident_source(filters, summary, scripts, fixed), layers, vocabulary, options)
    return MapPage(render_map(built), layers, summary, points.data_version, zone_choices(), governorates)


def build_map_page(store: Store, vocabulary: Vocabulary, filters: MapFilters, options: MapOptions) -> MapPage:
    """Count the incidents the filters select and render the map, which loads them by view."""
    return _page(store, vocabulary, filters, options)


def build_embed_page(store: Store, vocabulary: Vocabulary, filters: MapFilters, options: MapOptions,
                     as_of: int | None = None) -> MapPage:
    """Count the incidents the filters select (as of a data version) and render the embed's map, which loads
    them by view as the full map does: the page weighs the same at any number of incidents."""
    # Embeds have no list; a pinned one asks for its own version.
    fixed = {"list": "0", **({} if as_of is None else {"as_of": str(as_of)})}
    return _page(store, vocabulary, filters, options, as_of, EMBED_SCRIPTS, fixed)


def batch_map_args(store: Store, batch_id: int) -> dict | None:
    """Return the map's arguments that show the incidents a batch wrote (as they are now), fitted to them; None
    when none of them is left."""
    filters = MapFilters(batches=(batch_id,))
    extent = store.incident_extent(filters.to_query())
    if extent is None:
        return None
    return {**filters.to_args(), **MapView(bbox=fitted_bbox(extent[0])).to_args()}
