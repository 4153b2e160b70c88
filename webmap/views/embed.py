"""Embeddable maps (`/embed`) for news articles, and their oEmbed description (`/oembed`)."""
import gzip
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.wrappers import Request

from ..core.caching import cache_for_version, validator_headers, version_etag
from ..core.errors import FormatNotImplemented, InvalidParameter, NotFound, WebmapError, field_error
from ..core.i18n import messages
from ..core.lru import SizedLRU
from ..core.security import allow_framing, allow_inline_scripts, security_headers
from ..core.vocabulary import load_vocabulary
from ..embed.params import (CHART_PATHS, EmbedParams, caption_text, describe, map_url_args, oembed_response,
                            oembed_size, params_digest, parse_embed_params, parse_embed_query, resolve_pin)
from ..map.build import layer_shown
from ..map.filters import MapFilters
from ..map.page import build_embed_page, map_options
from ..map.view import MapView
from ..stats.charts import chart_title
from ..stats.gather import gather_statistics
from ..stats.params import parse_stats_params
from ..store import Store, get_store
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
    state.app.extensions["webmap.embed_cache"] = SizedLRU(state.app.config["EMBED_CACHE_MB"])


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


@dataclass(frozen=True)
class RenderedEmbed:
    """An embed page as sent (plain or gzipped) and the hashes of the inline scripts it may run."""

    body: bytes
    script_hashes: tuple[str, ...]

    def __len__(self) -> int:
        """Return the page's size, which the cache counts."""
        return len(self.body)


def _render_embed(params: EmbedParams) -> RenderedEmbed:
    """Build the map for these parameters and render the chromeless embed page."""
    store = get_store()
    context = page_context(params.lang)
    options = map_options(params.lang, params.view)
    page = build_embed_page(store, context["vocabulary"], params.filters, options, as_of=params.as_of)
    pin = None
    if params.as_of is not None:
        pin = {"version": params.as_of, "written": store.version_timestamp(params.as_of),
               "changed": store.count_changed_since(params.as_of, params.filters.to_query())}
    html = render_template(
        "embed.html", page=page, params=params, pin=pin,
        title=describe(params, context["vocabulary"], context["t"]),
        caption=caption_text(params, context["vocabulary"], urlsplit(url_for("pages.map_page", _external=True)).netloc,
                             page.data_version),
        visible_layers=[layer for layer in page.layers if layer_shown(layer, options)],
        full_map_url=url_for("pages.map_page", _external=True, **params.map_args()),
        oembed_url=url_for("embed.embed", _external=True, **params.to_args()),
        **context,
    )
    return RenderedEmbed(html.encode(), page.parts.script_hashes)


@bp.get("/embed")
@allow_framing
def embed():
    """Show a chromeless map for an iframe (revalidations never get here: EmbedRevalidation answers them)."""
    revision = embed_revision(get_store(), request)
    params, gzipped = revision.params, revision.gzipped
    key = (revision.site, urlencode(params.to_args()), revision.data_version)
    page = _cached_page(key, params, gzipped)
    allow_inline_scripts(page.script_hashes)
    response = Response(page.body, mimetype="text/html")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response = cache_for_version(response, revision.etag, get_store().last_modified(), revision.max_age,
                                 revision.shared_max_age)
    response.headers["Vary"] = "Accept-Encoding"
    return response


@dataclass(frozen=True)
class EmbedRevision:
    """What names the embed a request asks for: its parameters at a data version, and so its ETag."""

    params: EmbedParams
    data_version: int
    site: str
    gzipped: bool

    @property
    def etag(self) -> str:
        """Return the strong ETag: data version, parameters and site, and the content coding."""
        return version_etag(self.data_version, params_digest(self.params, self.site),
                            *(["gz"] if self.gzipped else []))

    @property
    def max_age(self) -> int:
        """Return how long browsers may keep the page (a day when pinned)."""
        return PINNED_MAX_AGE if self.params.as_of is not None else LIVE_MAX_AGE

    @property
    def shared_max_age(self) -> int:
        """Return how long shared caches may keep the page (a day when pinned)."""
        return PINNED_MAX_AGE if self.params.as_of is not None else LIVE_SHARED_MAX_AGE

    def not_modified_headers(self) -> list[tuple[str, str]]:
        """Return the headers of the 304 for a client whose copy is current (no Last-Modified: Werkzeug
        drops it from 304s anyway)."""
        return [*validator_headers(self.etag, self.max_age, self.shared_max_age), ("Vary", "Accept-Encoding")]


def embed_revision(store: Store, req: Request) -> EmbedRevision:
    """Parse an embed request (memoised per query string) and resolve it against the store's data version."""
    params = parse_embed_query(req.query_string.decode("utf-8", "replace"), tuple(store.reference_layer_ids()))
    data_version = store.data_version()
    # The page holds absolute links, so it varies with the address it was asked for (not req.host_url:
    # building that IRI costs more than the rest of a revalidation).
    site = f"{req.scheme}://{req.host}{req.script_root}"
    # Each content coding is its own representation, so it gets its own strong ETag.
    return EmbedRevision(resolve_pin(params, store, data_version), data_version, site,
                         req.accept_encodings["gzip"] > 0)


class EmbedRevalidation:
    """WSGI middleware answering a current If-None-Match for /embed before Flask runs: a revalidation needs
    only the parsed parameters and the data version, and skipping the framework triples its rate."""

    def __init__(self, app: Flask):
        self.app = app
        self.next_app = app.wsgi_app
        self._framing_headers = None  # built on first use: the app's config is complete by then

    def __call__(self, environ, start_response):
        """Send the 304 when the client's copy is current; hand everything else to the app."""
        if (environ.get("PATH_INFO") == "/embed" and environ.get("REQUEST_METHOD") == "GET"
                and environ.get("HTTP_IF_NONE_MATCH")):
            req = Request(environ)
            try:
                revision = embed_revision(self.app.extensions["webmap.store"], req)
            except WebmapError:
                revision = None  # the app answers with the reason
            if revision is not None and req.if_none_match.contains_weak(revision.etag):
                if self._framing_headers is None:
                    headers = security_headers(self.app, frameable=True)
                    # The browser's stored copy keeps its own policy, with the hashes of its scripts.
                    del headers["Content-Security-Policy"]
                    self._framing_headers = list(headers.items())
                start_response("304 NOT MODIFIED", [*revision.not_modified_headers(), *self._framing_headers])
                return []
        return self.next_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Put the revalidation shortcut in front of the app."""
    app.wsgi_app = EmbedRevalidation(app)


def _cached_page(key: tuple, params: EmbedParams, gzipped: bool) -> RenderedEmbed:
    """Return the embed page from this process's cache, rendering (and compressing) it only when missing."""
    cache: SizedLRU = current_app.extensions["webmap.embed_cache"]

    def html() -> RenderedEmbed:
        return cache.get_or_make(key, lambda: _render_embed(params))

    def compressed() -> RenderedEmbed:
        page = html()
        return RenderedEmbed(gzip.compress(page.body, GZIP_LEVEL, mtime=0), page.script_hashes)

    # Compressed once per cached page: about a sixth of the size, so far less to send per request.
    return cache.get_or_make((*key, "gzip"), compressed) if gzipped else html()


@bp.get("/oembed")
def oembed():
    """Describe a map URL of this site as an oEmbed `rich` answer whose html is the embed's iframe."""
    fmt = request.args.get("format", "json").strip().lower() or "json"
    if fmt != "json":
        raise FormatNotImplemented(f"oEmbed answers are available as JSON only, not {fmt!r}.",
                                   [field_error("format", "oembed_json_only")])
    url = request.args.get("url", "").strip()
    if not url:
        raise InvalidParameter("Which map?", [field_error("url", "oembed_url_missing")])
    args = map_url_args(url, request.host)
    chart_args = map_url_args(url, request.host, CHART_PATHS)
    if args is None and chart_args is None:
        raise NotFound("That address is not a map or a chart of this site.", [field_error("url", "oembed_url_foreign",
                                                                                             site=request.host_url)])
    width, height = oembed_size(request.args.get("maxwidth"), request.args.get("maxheight"))
    if args is None:
        return jsonify(_chart_oembed(chart_args, width, height))
    params, _ = _resolved(parse_embed_params(args, load_vocabulary(), get_store().reference_layer_ids()))
    src = url_for("embed.embed", _external=True, **params.to_args())
    title = describe(params, load_vocabulary(), messages(params.lang))
    return jsonify(oembed_response(src, title, width, height, url_for("pages.map_page", _external=True)))


def _chart_oembed(args, width: int, height: int) -> dict:
    """Describe a chart (a statistics page names its first chart) as an oEmbed answer whose html is the chart
    embed's iframe."""
    if not args.get("chart"):
        args = args.copy()
        args["chart"] = "timeline"
    params = parse_stats_params(args, load_vocabulary(), need_chart=True)
    unit = gather_statistics(get_store(), load_vocabulary(), params).statistics.unit
    src = url_for("stats.embed_chart", _external=True, **params.chart_args())
    title = chart_title(params.chart, unit, messages(params.lang))
    return oembed_response(src, title, width, height, url_for("stats.stats_page", _external=True))
