"""Statistics that follow the map's filters: the page (`/stats`), its numbers as JSON and CSV, each chart as
SVG or PNG for print, and embeddable charts (`/embed/chart`)."""
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from ..core.caching import cache_for_version, version_etag
from ..core.errors import InvalidParameter, translate_error
from ..core.lru import SizedLRU
from ..core.security import allow_framing
from ..core.vocabulary import load_vocabulary
from ..embed.params import OEMBED_HEIGHT, iframe_html
from ..map.filters import MapFilters, parse_lang
from ..stats.charts import chart_series, chart_title, period_labels, table_csv
from ..stats.compute import CHARTS
from ..stats.gather import StatsResult, gather_statistics
from ..stats.params import StatsParams, parse_stats_params
from ..stats.render import chart_scene, scene_png, scene_svg
from ..store import get_store
from .embed import LIVE_MAX_AGE, LIVE_SHARED_MAX_AGE
from .pages import page_context

bp = Blueprint("stats", __name__)
EMBED_HEIGHT = OEMBED_HEIGHT


@bp.record_once
def _create_cache(state) -> None:
    """Give each app (so each server process) its own cache of computed statistics."""
    state.app.extensions["webmap.stats_cache"] = SizedLRU(state.app.config["EMBED_CACHE_MB"])


def _gather(params: StatsParams) -> StatsResult:
    """Return the statistics the parameters select, computed from the store (positions included) once
    per data version: the page, its CSV, images and embeds share them."""
    store = get_store()
    key = (urlencode(params.page_args()), store.data_version())
    cache: SizedLRU = current_app.extensions["webmap.stats_cache"]
    return cache.get_or_make(key, lambda: gather_statistics(store, load_vocabulary(), params))


def _answer(params: StatsParams, fmt: str, mimetype: str, body: Callable[[], str | bytes]) -> Response:
    """Answer with `body()` tagged with the data version, the parameters and the site, so an unchanged answer
    is a 304 (sent without computing anything)."""
    store = get_store()
    etag = version_etag(store.data_version(), params.digest(request.host_url), fmt)
    content = b"" if request.if_none_match.contains_weak(etag) else body()
    return cache_for_version(Response(content, mimetype=mimetype), etag, store.last_modified(), LIVE_MAX_AGE,
                             LIVE_SHARED_MAX_AGE)


def _chart_view(result: StatsResult, params: StatsParams, chart: str, text: dict) -> dict:
    """Return what the page, the embed and the browser's charts need of one chart."""
    table = result.statistics.tables[chart]
    unit = result.statistics.unit
    args = params.chart_args(chart)
    title = chart_title(chart, unit, text)
    embed_src = url_for("stats.embed_chart", _external=True, **args)
    return {
        "chart": chart, "title": title, "unit": unit, "columns": list(table.columns), "rows": table.to_json()["rows"],
        "period_labels": period_labels(table, unit, params.lang),
        "headers": [text[f"stats_col_{column}"] for column in table.columns],
        "series": [s.to_json() for s in chart_series(table, load_vocabulary(), text, params.lang)],
        "links": {fmt: url_for(f"stats.stats_{fmt}", **args) for fmt in ("csv", "svg", "png")},
        "snippet": iframe_html(embed_src, title, "100%", EMBED_HEIGHT),
    }


def _page_data(result: StatsResult, params: StatsParams, charts: tuple[str, ...], text: dict) -> dict:
    """Return the page's JSON data block: the summary and every chart shown."""
    return {"summary": result.summary, "unit": result.statistics.unit,
            "y_label": text["stats_col_incidents"], "no_governorate": text["stats_no_governorate"],
            "charts": [_chart_view(result, params, chart, text) for chart in charts]}


@bp.get("/stats")
def stats_page():
    """Show the statistics of the incidents the map's filters select, with every chart and its numbers."""
    context = page_context(parse_lang(request.args))
    try:
        params = parse_stats_params(request.args, context["vocabulary"])
    except InvalidParameter as error:
        form = MapFilters(request.args.get("start"), request.args.get("end"))
        return render_template("stats.html", error=translate_error(error, context["lang"]), filters=form,
                               params=None, data=None, **context), 400
    result = _gather(params)
    data = _page_data(result, params, CHARTS, context["t"])
    return render_template("stats.html", error=None, filters=params.filters, params=params, data=data,
                           result=result, **context)


@bp.get("/stats.json")
def stats_json():
    """Send the statistics the filters select: summary, counts and every chart's table."""
    params = parse_stats_params(request.args, load_vocabulary())
    return _answer(params, "json", "application/json", lambda: jsonify(_gather(params).to_json()).get_data())


@bp.get("/stats.csv")
def stats_csv():
    """Send one chart's numbers as CSV, the header first."""
    params = parse_stats_params(request.args, load_vocabulary(), need_chart=True)
    response = _answer(params, "csv", "text/csv",
                       lambda: table_csv(_gather(params).statistics.tables[params.chart]))
    response.headers["Content-Disposition"] = f'attachment; filename="webmap-{params.chart}.csv"'
    return response


def _scene(params: StatsParams):
    """Lay out the chart the parameters name, in their language and size."""
    context = page_context(params.lang)
    statistics = _gather(params).statistics
    return chart_scene(statistics.tables[params.chart], statistics.unit, context["vocabulary"], context["t"],
                       params.lang, context["dir"], params.width, params.height)


@bp.get("/stats.svg")
def stats_svg():
    """Draw one chart as SVG for print (`width` and `height` in pixels)."""
    params = parse_stats_params(request.args, load_vocabulary(), need_chart=True)
    return _answer(params, "svg", "image/svg+xml", lambda: scene_svg(_scene(params)))


@bp.get("/stats.png")
def stats_png():
    """Draw one chart as a PNG of `width` by `height` pixels."""
    params = parse_stats_params(request.args, load_vocabulary(), need_chart=True)
    return _answer(params, "png", "image/png", lambda: scene_png(_scene(params)))


@bp.get("/embed/chart")
@allow_framing
def embed_chart():
    """Show one chart, chromeless, for an iframe: the chart, its table for screen readers and the summary."""
    context = page_context(parse_lang(request.args))
    params = parse_stats_params(request.args, context["vocabulary"], need_chart=True)

    def page() -> str:
        data = _page_data(_gather(params), params, (params.chart,), context["t"])
        return render_template("embed_chart.html", params=params, data=data, chart=data["charts"][0],
                               stats_url=url_for("stats.stats_page", _external=True, **params.page_args()),
                               **context)

    return _answer(params, "embed", "text/html", page)
