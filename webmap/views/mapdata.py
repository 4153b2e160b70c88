"""The live map's data (`/map-data/...`): counts for the filters, and the incidents or clusters of a view."""
import gzip
import hashlib
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from ..core.caching import cache_for_version, version_etag
from ..core.i18n import messages
from ..core.points import IncidentPoints
from ..core.vocabulary import load_vocabulary
from ..embed.params import EmbedParams, describe
from ..map.aggregate import CELL_PX, approximate_precision, filter_mask, list_keys, summarize, view_data
from ..map.filters import MapFilters, governorate_choices, parse_lang, parse_map_filters
from ..map.scope import filtered_points
from ..map.simplify import simplify_incidents, zoom_for_bbox
from ..map.view import MapView
from ..map.viewport import ListPage, parse_list_request, parse_list_switch, parse_pin_version, parse_view_request
from ..places.localnames import with_arabic_location
from ..store import get_store

bp = Blueprint("mapdata", __name__, url_prefix="/map-data")
GZIP_MIN_BYTES = 1400  # smaller answers fit one packet anyway
GZIP_LEVEL = 5
PINNED_MAX_AGE = 24 * 3600  # a pinned version's answers never change


@bp.after_request
def _readable_from_embeds(response: Response) -> Response:
    """Let any page read the answers: embeds run in sandboxed frames, whose origin is opaque ("null"), and the
    data are the public map's (no cookie is read or sent, so nobody else's view can leak)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _json(payload: dict, points: IncidentPoints) -> Response:
    """Send `payload` (gzipped when the client accepts it), tagged with the data version and the query, so an
    unchanged answer is a 304."""
    query = urlencode(sorted(request.args.items(multi=True)))
    variant = [hashlib.sha1(query.encode()).hexdigest()[:16]]
    response = jsonify({"data_version": points.data_version, **payload})
    response.vary.add("Accept-Encoding")
    if "gzip" in request.accept_encodings and response.content_length > GZIP_MIN_BYTES:
        response.set_data(gzip.compress(response.get_data(), GZIP_LEVEL))
        response.content_encoding = "gzip"
        variant.append("gzip")  # a strong ETag differs for each encoding of the same answer
    if request.args.get("as_of", "").strip():
        return cache_for_version(response, version_etag(points.data_version, *variant), None, PINNED_MAX_AGE,
                                 PINNED_MAX_AGE)
    # max-age 0: the browser asks again each time, and gets a 304 until the data change.
    return cache_for_version(response, version_etag(points.data_version, *variant), get_store().last_modified(),
                             max_age=0)


def _points(filters: MapFilters) -> IncidentPoints:
    """Return the incident columns of the current data version, or of the version `as_of` pins, narrowed to
    the filters' batches."""
    store = get_store()
    return filtered_points(store, filters, parse_pin_version(request.args, store.data_version()))


def _features(keys, zoom: int) -> list[dict]:
    """Return the incidents with these row keys as GeoJSON Features, lines and areas simplified for `zoom`, each
    with its place's Arabic name where the gazetteer knows it (for Arabic pages; one answer serves both
    languages)."""
    return [with_arabic_location(i.to_feature())
            for i in simplify_incidents(get_store().incidents_by_key(keys.tolist()), zoom)]


def _list(points: IncidentPoints, mask, page: ListPage, zoom: int) -> dict:
    """Return one page of the incident list: its order, where it starts, the total and the incidents."""
    keys = list_keys(points, mask, page.descending, page.offset, page.limit)
    return {"sort": page.sort(), "offset": page.offset, "total": int(mask.sum()), "features": _features(keys, zoom)}


@bp.get("/summary")
def summary():
    """Count the incidents the filters select, per event type, verification, precision and week or month, and
    describe them in a line (in `lang`) that the share dialog uses as its frame's title."""
    vocabulary = load_vocabulary()
    filters = parse_map_filters(request.args, vocabulary)
    lang = parse_lang(request.args)
    points = _points(filters)
    governorates = tuple(term.id for term in governorate_choices(get_store().list_reference_layers()))
    title = describe(EmbedParams(filters, MapView(), lang), vocabulary, messages(lang))
    return _json({**summarize(points, filters, vocabulary, governorates).to_json(), "title": title}, points)


@bp.get("/view")
def view():
    """Return the view's incidents one by one when few, else clusters plus the first page of the list."""
    vocabulary = load_vocabulary()
    filters = parse_map_filters(request.args, vocabulary)
    bbox, zoom, page = parse_view_request(request.args)
    with_list = parse_list_switch(request.args)
    points = _points(filters)
    mask = filter_mask(points, filters, bbox)
    data = view_data(points, mask, bbox, zoom, current_app.config["MAX_PAGE_INCIDENTS"], CELL_PX,
                     approximate_precision(vocabulary), tuple(vocabulary.event_type_ids()))
    return _json({
        "in_view": data.in_view,
        "clustered": data.clustered,
        "clusters": [c.to_json() for c in data.clusters],
        "features": _features(data.keys, zoom),
        "list": _list(points, mask, page, zoom) if data.clustered and with_list else None,
    }, points)


@bp.get("/list")
def incident_list():
    """Return one page of the incidents in a view, by date."""
    filters = parse_map_filters(request.args, load_vocabulary())
    bbox, page = parse_list_request(request.args)
    points = _points(filters)
    return _json(_list(points, filter_mask(points, filters, bbox), page, zoom_for_bbox(bbox)), points)
