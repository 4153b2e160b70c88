"""Assembling map pages: the live map, which loads incidents by view, and snapshots drawn in the page (embeds)."""
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
from .simplify import simplify_incidents, zoom_for_bbox
from .view import MapView, fitted_bbox
from .viewport import LIST_PAGE

LIVE_SCRIPTS = ("js/timeline.js", "js/incidentlist.js", "js/livemap.js")  # under static/, in load order
# A snapshot cannot load more detail as its reader zooms in, so its lines and areas keep about a pixel of
# detail this many zoom levels beyond the one it opens at.
EMBED_DETAIL_ZOOMS = 2


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


@dataclass(frozen=True)
class SnapshotPage:
    """A rendered map with its incidents drawn in the page (embeds), and the numbers it states."""

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


def incident_source(filters: MapFilters, summary: Summary) -> IncidentSource:
    """Return the app's data endpoints and scripts that load incidents by view, starting at `filters`."""
    return IncidentSource(
        view_url=url_for("mapdata.view"), list_url=url_for("mapdata.incident_list"),
        summary_url=url_for("mapdata.summary"), filters=filters.to_args(), summary=summary.to_json(),
        list_page=LIST_PAGE, scripts=tuple(url_for("static", filename=f) for f in LIVE_SCRIPTS),
    )


def build_map_page(store: Store, vocabulary: Vocabulary, filters: MapFilters, options: MapOptions) -> MapPage:
    """Count the incidents the filters select and render the map, which loads them by view."""
    points = filtered_points(store, filters)
    layers = store.list_reference_layers()
    governorates = governorate_choices(layers)
    summary = summarize(points, filters, vocabulary, tuple(term.id for term in governorates))
    built = build_map(incident_source(filters, summary), layers, vocabulary, options)
    return MapPage(render_map(built), layers, summary, points.data_version, zone_choices(), governorates)


def build_snapshot_page(store: Store, vocabulary: Vocabulary, filters: MapFilters, options: MapOptions,
                        max_incidents: int, as_of: int | None = None) -> SnapshotPage:
    """Render a map with the selected incidents (at most `max_incidents`, as of a data version) in the page."""
    data_version = store.data_version() if as_of is None else as_of
    matched = store.count_incidents(filters.to_query(as_of=as_of))
    incidents = store.query_incidents(filters.to_query(limit=max_incidents, as_of=as_of))
    zoom = zoom_for_bbox(options.fit_bounds) if options.fit_bounds else options.zoom
    incidents = simplify_incidents(incidents, zoom + EMBED_DETAIL_ZOOMS)
    layers = store.list_reference_layers()
    built = build_map(incidents, layers, vocabulary, options)
    illustrative = sum(1 for i in incidents if i.extra.get("illustrative") is True)
    return SnapshotPage(render_map(built), layers, matched, len(incidents), illustrative, data_version)


def batch_map_args(store: Store, batch_id: int) -> dict | None:
    """Return the map's arguments that show the incidents a batch wrote (as they are now), fitted to them; None
    when none of them is left."""
    filters = MapFilters(batches=(batch_id,))
    extent = store.incident_extent(filters.to_query())
    if extent is None:
        return None
    return {**filters.to_args(), **MapView(bbox=fitted_bbox(extent[0])).to_args()}
