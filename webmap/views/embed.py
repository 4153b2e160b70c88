"""Embeddable maps (`/embed`) for news articles, and their oEmbed description (`/oembed`)."""
import gzip
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from ..caching import cache_for_version, client_has, not_modified, version_etag
from ..embed import (EmbedParams, describe, map_url_args, oembed_response, oembed_size, params_digest,
                     parse_embed_params, parse_embed_query, resolve_pin)
from ..errors import FieldError, FormatNotImplemented, InvalidParameter, NotFound
from ..filters import MapFilters
from ..i18n import messages
from ..lru import ByteLRU
from ..mapbuild import layer_shown
from ..mappage import build_snapshot_page, map_options
from ..mapview import MapView
from ..security import allow_framing
from ..store import get_store
from ..vocabulary import load_vocabulary
from .pages import page_context

bp = Blueprint("embed", __name__)

# Live embeds may be a few minutes behind in shared caches; pinned ones change only in their
# "changed since" note, so caches may keep them for a day.
LIVE_MAX_AGE, LIVE_SHARED_MAX_AGE = 60, 300
PINNED_MAX_AGE = 24 * 3600
GZIP_LEVEL = 6


@bp.record_once
def _create_cache(state) -> None:
    """Give each app (so each server process) its own cache of rendered embeds."""
    state.app.extensions["webmap.embed_cache"] = ByteLRU(state.app.config["EMBED_CACHE_MB"])


@bp.app_context_processor
def _share_helpers() -> dict:
    """Let the full map's share dialog describe the map it would embed."""

    def embed_title(filters: MapFilters, lang: str, as_of: int | None = None) -> str:
        params = EmbedParams(filters, MapView(), lang, as_of=as_of)
        return describe(params, load_vocabulary(), messages(lang))

    return {"embed_title": embed_title}


def _resolved(params: EmbedParams) -> tuple[EmbedParams, int]:
    """Resolve any pin against the store; return the parameters and the current data version."""
    store = get_store()
    data_version = store.data_version()
    return resolve_pin(params, store, data_version), data_version


def _render_embed(params: EmbedParams) -> str:
    """Build the map for these parameters and render the chromeless embed page."""
    store = get_store()
    context = page_context(params.lang)
    options = map_options(params.lang, params.view)
    page = build_snapshot_page(store, context["vocabulary"], params.filters, options,
                               current_app.config["EMBED_MAX_INCIDENTS"], as_of=params.as_of)
    pin = None
    if params.as_of is not None:
        pin = {"version": params.as_of, "written": store.version_timestamp(params.as_of),
               "changed": store.count_changed_since(params.as_of, params.filters.to_query())}
    return render_template(
        "embed.html", page=page, params=params, pin=pin,
        title=describe(params, context["vocabulary"], context["t"]),
        visible_layers=[layer for layer in page.layers if layer_shown(layer, options)],
        full_map_url=url_for("pages.map_page", _external=True, **params.map_args()),
        oembed_url=url_for("embed.embed", _external=True, **params.to_args()),
        **context,
    )


@bp.get("/embed")
@allow_framing
def embed():
    """Show a chromeless map for an iframe, answering revalidations without rendering anything."""
    layer_ids = tuple(get_store().reference_layer_ids())
    params, data_version = _resolved(parse_embed_query(request.query_string.decode("utf-8", "replace"), layer_ids))
    gzipped = request.accept_encodings["gzip"] > 0
    # Each content coding is its own representation, so it gets its own strong ETag.
    # The page holds absolute links, so it varies with the address it was asked for (not request.host_url:
    # building that IRI costs more than the rest of a revalidation).
    site = f"{request.scheme}://{request.host}{request.script_root}"
    etag = version_etag(data_version, params_digest(params, site), *(["gz"] if gzipped else []))
    pinned = params.as_of is not None
    max_age, shared_max_age = (PINNED_MAX_AGE, PINNED_MAX_AGE) if pinned else (LIVE_MAX_AGE, LIVE_SHARED_MAX_AGE)
    if client_has(etag):
        # No Last-Modified: Werkzeug drops it from 304s, so reading it would be wasted work.
        response = not_modified(etag, None, max_age, shared_max_age)
    else:
        key = (site, urlencode(params.to_args()), data_version)
        response = Response(_page_bytes(key, params, gzipped), mimetype="text/html")
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        last_modified = get_store().last_modified()
        response = cache_for_version(response, etag, last_modified, max_age, shared_max_age)
    response.headers["Vary"] = "Accept-Encoding"
    return response


def _page_bytes(key: tuple, params: EmbedParams, gzipped: bool) -> bytes:
    """Return the embed page from this process's cache, rendering (and compressing) it only when missing."""
    cache: ByteLRU = current_app.extensions["webmap.embed_cache"]

    def html() -> bytes:
        return cache.get_or_make(key, lambda: _render_embed(params).encode())

    if not gzipped:
        return html()
    # Compressed once per cached page: about a sixth of the size, so far less to send per request.
    return cache.get_or_make((*key, "gzip"), lambda: gzip.compress(html(), GZIP_LEVEL, mtime=0))


@bp.get("/oembed")
def oembed():
    """Describe a map URL of this site as an oEmbed `rich` answer whose html is the embed's iframe."""
    fmt = request.args.get("format", "json").strip().lower() or "json"
    if fmt != "json":
        raise FormatNotImplemented(f"oEmbed answers are available as JSON only, not {fmt!r}.",
                                   [FieldError("format", "use format=json")])
    url = request.args.get("url", "").strip()
    if not url:
        raise InvalidParameter("Which map?", [FieldError("url", "give the address of a map of this site")])
    args = map_url_args(url, request.host)
    if args is None:
        raise NotFound("That address is not a map of this site.", [FieldError(
            "url", f"expected {request.host_url} or {request.host_url}embed with map parameters")])
    width, height = oembed_size(request.args.get("maxwidth"), request.args.get("maxheight"))
    params, _ = _resolved(parse_embed_params(args, load_vocabulary(), get_store().reference_layer_ids()))
    src = url_for("embed.embed", _external=True, **params.to_args())
    title = describe(params, load_vocabulary(), messages(params.lang))
    return jsonify(oembed_response(src, title, width, height, url_for("pages.map_page", _external=True)))
