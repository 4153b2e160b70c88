"""Embeds: parsing their parameters, pinning, the iframe snippet and oEmbed answers; no request objects."""
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from markupsafe import escape
from werkzeug.datastructures import MultiDict

from ..core.errors import FieldError, InvalidParameter, field_error
from ..core.i18n import messages
from ..core.numbers import whole_number_parameter
from ..core.vocabulary import Vocabulary, load_vocabulary
from ..map.filters import MapFilters, parse_lang, parse_map_filters
from ..map.view import MapView, parse_map_view
from ..store import Store

MAP_PATHS = ("/", "/embed")
CHART_PATHS = ("/stats", "/embed/chart")
OEMBED_WIDTH, OEMBED_HEIGHT = 640, 480
SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox"
TITLE_MAX, CAPTION_MAX = 120, 300  # characters: a headline and a couple of lines under a small frame
AUTO_CAPTION = "auto"  # caption=auto: the dates, the filters in words and the source, written by the site
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


@dataclass(frozen=True)
class EmbedParams:
    """Everything an embed URL says: filters, view, language, legend and the data version it is pinned to."""

    filters: MapFilters
    view: MapView
    lang: str = "en"
    legend: bool = True
    as_of: int | str | None = None  # a data version, or a UTC timestamp not yet resolved with the store
    title: str = ""  # shown above the map
    caption: str = ""  # shown under the map; AUTO_CAPTION for the site's own

    def map_args(self) -> dict:
        """Return the arguments that open the same view on the full map (live data, so no pin)."""
        args = {**self.filters.to_args(), **self.view.to_args()}
        if self.lang != "en":
            args["lang"] = self.lang
        return args

    def to_args(self) -> dict:
        """Return the canonical embed arguments: equal embeds give equal arguments, in a fixed order."""
        args = self.map_args()
        if not self.legend:
            args["legend"] = "0"
        if self.as_of is not None:
            args["as_of"] = str(self.as_of)
        if self.title:
            args["title"] = self.title
        if self.caption:
            args["caption"] = self.caption
        return args


def collect_errors(errors: list[FieldError], parse, *args):
    """Run one parser, moving its field errors into `errors` so all problems are reported together."""
    try:
        return parse(*args)
    except InvalidParameter as error:
        errors.extend(error.errors)
        return None


def parse_pin(text: str) -> int | str:
    """Parse `as_of`: a data version number, or an ISO 8601 time turned into the store's UTC form."""
    text = text.strip()
    if text.isdigit():
        return whole_number_parameter("as_of", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidParameter("The pin is not valid.", [field_error("as_of", "pin_invalid", text=text)]) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _parse_legend(text: str) -> bool:
    """Parse `legend=0|1`."""
    if text.strip() not in ("0", "1"):
        raise InvalidParameter("The legend switch is not valid.", [field_error("legend", "zero_or_one", text=text)])
    return text.strip() == "1"


def parse_text(name: str, text: str, most: int) -> str:
    """Parse a line of reader-facing text (a title or caption): control and direction-override characters
    become spaces, runs of space one space, and more than `most` characters is an error."""
    line = " ".join(_CONTROL.sub(" ", text).split())
    if len(line) > most:
        raise InvalidParameter("The embed text is too long.", [field_error(name, "text_too_long", count=len(line),
                                                                       most=most)])
    return line


def parse_embed_params(args, vocabulary: Vocabulary, layer_ids: list[str]) -> EmbedParams:
    """Parse every embed parameter from request args, reporting all invalid ones in one error."""
    errors: list[FieldError] = []
    filters = collect_errors(errors, parse_map_filters, args, vocabulary)
    view = collect_errors(errors, parse_map_view, args, layer_ids)
    lang = collect_errors(errors, parse_lang, args)
    legend = collect_errors(errors, _parse_legend, args.get("legend", "1"))
    as_of = collect_errors(errors, parse_pin, args["as_of"]) if args.get("as_of", "").strip() else None
    title = collect_errors(errors, parse_text, "title", args.get("title", ""), TITLE_MAX)
    caption = collect_errors(errors, parse_text, "caption", args.get("caption", ""), CAPTION_MAX)
    if errors:
        raise InvalidParameter("The embed parameters are not valid.", errors)
    return EmbedParams(filters, view, lang, legend, as_of, title, caption)


@lru_cache(maxsize=1024)
def parse_embed_query(query: str, layer_ids: tuple[str, ...]) -> EmbedParams:
    """Parse a raw embed query string; memoised, so a busy embed URL is parsed once per process."""
    args = MultiDict(parse_qsl(query, keep_blank_values=True))
    return parse_embed_params(args, load_vocabulary(), list(layer_ids))


def resolve_pin(params: EmbedParams, store: Store, data_version: int) -> EmbedParams:
    """Turn a pinned time into the data version current then; refuse versions and times not reached yet."""
    if params.as_of is None:
        return params
    if isinstance(params.as_of, str):
        if params.as_of > datetime.now(timezone.utc).isoformat(timespec="seconds"):
            raise InvalidParameter("The pin is not valid.", [field_error("as_of", "pin_future", time=params.as_of)])
        return replace(params, as_of=store.version_at(params.as_of))
    if params.as_of > data_version:
        raise InvalidParameter("The pin is not valid.", [field_error("as_of", "version_latest", version=params.as_of,
                                                                     latest=data_version)])
    return params


@lru_cache(maxsize=1024)
def params_digest(params: EmbedParams, site: str) -> str:
    """Return a short hash of the canonical arguments and the site address (pages hold absolute links to it)."""
    text = site + "?" + urlencode(params.to_args())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def describe(params: EmbedParams, vocabulary: Vocabulary, text: dict) -> str:
    """Return a one-line description of what the map shows, for iframe titles and oEmbed (the embed's own
    title, when it has one)."""
    if params.title:
        return params.title
    parts = [text["embed_title"]]
    if params.filters.event_types:
        parts.append(", ".join(vocabulary.event_type(t).label_in(params.lang) for t in params.filters.event_types))
    start, end = params.filters.start, params.filters.end
    if start or end:
        parts.append(f"{start or '…'} – {end or '…'}")
    if params.filters.batches:
        parts.append(", ".join(text["batch_number"].format(batch=b) for b in params.filters.batches))
    if params.as_of is not None:
        parts.append(text["embed_pinned_title"].format(version=params.as_of))
    return " · ".join(parts)


def filters_in_words(filters: MapFilters, vocabulary: Vocabulary, lang: str) -> str:
    """Return the filters as a line of text: dates, event types, verification, precision and batches."""
    text = messages(lang)
    comma = "، " if lang == "ar" else ", "
    if filters.start and filters.end:
        dates = f"{filters.start} – {filters.end}"
    elif filters.start or filters.end:
        dates = f"{text['start']} {filters.start}" if filters.start else f"{text['end']} {filters.end}"
    else:
        dates = text["all_dates"]
    parts = [dates, comma.join(vocabulary.event_type(t).label_in(lang) for t in filters.event_types)
             or text["all_event_types"]]
    for key, chosen, terms in (("verification", filters.verification, vocabulary.verification),
                               ("precision", filters.precision, vocabulary.precision)):
        if chosen:
            parts.append(f"{text[key]}: " + comma.join(t.label_in(lang) for t in terms if t.id in chosen))
    if filters.batches:
        parts.append(comma.join(text["batch_number"].format(batch=b) for b in filters.batches))
    return " · ".join(parts)


def caption_text(params: EmbedParams, vocabulary: Vocabulary, site: str, data_version: int) -> str:
    """Return the caption the embed shows: its own, or with caption=auto the dates and filters in words and
    the source (the site and the data version shown)."""
    if params.caption != AUTO_CAPTION:
        return params.caption
    source = messages(params.lang)["embed_caption_source"].format(site=site, version=data_version)
    return f"{filters_in_words(params.filters, vocabulary, params.lang)} · {source}"


def iframe_html(src: str, title: str, width: int | str, height: int | str) -> str:
    """Return the iframe snippet for an embed URL, sandboxed to what the embed needs."""
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="{escape(width)}" height="{escape(height)}"'
        f' style="border:0" loading="lazy" allowfullscreen sandbox="{SANDBOX}"></iframe>'
    )


def _positive(name: str, text: str | None) -> int | None:
    """Parse an optional positive whole number of pixels."""
    if text is None or text.strip() == "":
        return None
    pixels = whole_number_parameter(name, text)
    if pixels == 0:
        raise InvalidParameter("The oEmbed size is not valid.", [field_error(name, "one_pixel")])
    return pixels


def oembed_size(maxwidth: str | None, maxheight: str | None) -> tuple[int, int]:
    """Return the embed's width and height: 4:3 by default, never above `maxwidth` or `maxheight`."""
    max_w, max_h = _positive("maxwidth", maxwidth), _positive("maxheight", maxheight)
    width = min(OEMBED_WIDTH, max_w or OEMBED_WIDTH)
    height = width * OEMBED_HEIGHT // OEMBED_WIDTH
    if max_h is not None and height > max_h:
        height = max_h
    return width, height


def oembed_response(src: str, title: str, width: int, height: int, provider_url: str) -> dict:
    """Return the oEmbed `rich` answer whose html is the iframe."""
    return {
        "version": "1.0", "type": "rich", "provider_name": "webmap", "provider_url": provider_url,
        "title": title, "width": width, "height": height, "html": iframe_html(src, title, width, height),
        "cache_age": 3600,
    }


def map_url_args(url: str, host: str, paths: tuple[str, ...] = MAP_PATHS) -> MultiDict | None:
    """Return the query arguments of `url` if it is a page of this host at one of `paths` (by default a map),
    else None."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        return None
    if (parts.path or "/") not in paths:
        return None
    # Blank values are kept: `layers=` means "no reference layers", not "the default ones".
    return MultiDict(parse_qsl(parts.query, keep_blank_values=True))
