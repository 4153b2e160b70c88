"""Map images (`/map.png`, `/map.pdf`): the map drawn on the server, cached by data version like live embeds."""
from flask import Blueprint, Response, current_app, request, url_for

from ..core.caching import cache_for_version, version_etag
from ..core.lru import SizedLRU
from ..core.vocabulary import load_vocabulary
from ..embed.params import EmbedParams
from ..image.compose import ImageOptions
from ..image.draw import render_map_image
from ..image.params import DEFAULT_HEIGHT, DEFAULT_WIDTH, PRINT_HEIGHT, PRINT_WIDTH, ImageParams, parse_image_params
from ..map.filters import MapFilters
from ..map.scope import filtered_points
from ..map.view import MapView
from ..store import get_store
from .embed import LIVE_MAX_AGE, LIVE_SHARED_MAX_AGE

bp = Blueprint("image", __name__)


@bp.record_once
def _create_cache(state) -> None:
    """Give each app (so each server process) its own cache of rendered images."""
    state.app.extensions["webmap.image_cache"] = SizedLRU(state.app.config["EMBED_CACHE_MB"])


@bp.app_context_processor
def _image_helpers() -> dict:
    """Let map pages name the image of the map they show (for og:image and twitter:image)."""

    def map_image_url(filters: MapFilters, view: MapView, lang: str) -> str:
        return url_for("image.map_image", _external=True, **EmbedParams(filters, view, lang).map_args())

    return {"map_image_url": map_image_url}


def _options(params: ImageParams, site: str) -> ImageOptions:
    """Return the drawing options for these parameters and the app's settings."""
    lat, lon, zoom = current_app.config["INITIAL_VIEW"]
    view = params.map.view
    return ImageOptions(
        width=params.width, height=params.height, center=view.center or (lat, lon),
        zoom=zoom if view.zoom is None else view.zoom, lang=params.map.lang, filters=params.map.filters,
        bbox=view.bbox, visible_layers=None if view.layers is None else frozenset(view.layers),
        individual_limit=current_app.config["MAX_PAGE_INCIDENTS"], site=site, title=params.map.title,
    )


# Per format: the default size, and the media type.
FORMATS = {"png": ((DEFAULT_WIDTH, DEFAULT_HEIGHT), "image/png"),
           "pdf": ((PRINT_WIDTH, PRINT_HEIGHT), "application/pdf")}


def _map_image(image_format: str) -> Response:
    """Draw the map the parameters of `/` describe, in `image_format`, cached by data version."""
    size, mimetype = FORMATS[image_format]
    store = get_store()
    params = parse_image_params(request.args, load_vocabulary(), store.reference_layer_ids(), size)
    points = filtered_points(store, params.map.filters)
    site = url_for("pages.map_page", _external=True)
    etag = version_etag(points.data_version, params.digest(site), image_format)
    body = b""
    if not request.if_none_match.contains_weak(etag):  # a current copy gets its 304 without drawing
        cache: SizedLRU = current_app.extensions["webmap.image_cache"]
        body = cache.get_or_make((site, params, points.data_version, image_format), lambda: render_map_image(
            points, store.list_reference_layers(), load_vocabulary(), _options(params, site), image_format))
    response = Response(body, mimetype=mimetype)
    return cache_for_version(response, etag, store.last_modified(), LIVE_MAX_AGE, LIVE_SHARED_MAX_AGE)


@bp.get("/map.png")
def map_image():
    """Draw the map as a PNG of `width` by `height` pixels (a social card unless asked otherwise)."""
    return _map_image("png")


@bp.get("/map.pdf")
def map_pdf():
    """Draw the map as a one-page PDF for print (A4 landscape at 300 dpi unless asked otherwise)."""
    return _map_image("pdf")
