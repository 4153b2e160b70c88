"""Parsing statistics requests: the map's own filters (by the map's parser, so every map filter applies here
too), the language, the counting unit, which chart and an image size."""
import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from ..core.errors import FieldError, InvalidParameter, field_error
from ..core.vocabulary import Vocabulary
from ..embed.params import collect_errors
from ..image.params import parse_side
from ..map.filters import MapFilters, parse_lang, parse_map_filters
from .compute import CHARTS
from .periods import UNITS

DEFAULT_WIDTH, DEFAULT_HEIGHT = 800, 450
MIN_WIDTH, MIN_HEIGHT = 320, 240  # room for the title, the axes and the key
MAX_WIDTH, MAX_HEIGHT = 2400, 1600  # print size at 300 dpi for a page's width, a few MB of pixels at most


@dataclass(frozen=True)
class StatsParams:
    """What a statistics request asks for: the map's filters, language, unit, chart and image size."""

    filters: MapFilters
    lang: str = "en"
    unit: str | None = None  # None: by week for up to about three months, else by month
    chart: str | None = None
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT

    def page_args(self) -> dict:
        """Return the arguments of the statistics page showing the same selection."""
        args = dict(self.filters.to_args())
        if self.unit:
            args["unit"] = self.unit
        if self.lang != "en":
            args["lang"] = self.lang
        return args

    def chart_args(self, chart: str | None = None) -> dict:
        """Return the canonical arguments of one chart (this one unless named) in a fixed order."""
        return {"chart": chart or self.chart, **self.page_args()}

    def image_args(self, chart: str | None = None) -> dict:
        """Return the canonical arguments of one chart's image, with its size when not the default."""
        args = self.chart_args(chart)
        if (self.width, self.height) != (DEFAULT_WIDTH, DEFAULT_HEIGHT):
            args.update(width=str(self.width), height=str(self.height))
        return args

    def digest(self, site: str) -> str:
        """Return a short hash of the canonical image arguments and the site's address (pages link to it),
        for ETags."""
        return hashlib.sha256(f"{site}?{urlencode(self.image_args())}".encode()).hexdigest()[:16]


def _choice(name: str, text: str | None, allowed: tuple[str, ...], errors: list[FieldError]) -> str | None:
    """Return `text` if it is one of `allowed` (blank: None), else record an error."""
    value = (text or "").strip().lower()
    if value and value not in allowed:
        errors.append(field_error(name, "not_one_of", text=text, allowed=", ".join(allowed)))
        return None
    return value or None


def parse_stats_params(args, vocabulary: Vocabulary, need_chart: bool = False) -> StatsParams:
    """Parse the map filters, `lang`, `unit`, `chart` (required when `need_chart`), `width` and `height`,
    reporting every invalid one in one error."""
    errors: list[FieldError] = []
    filters = collect_errors(errors, parse_map_filters, args, vocabulary)
    lang = collect_errors(errors, parse_lang, args)
    unit = _choice("unit", args.get("unit"), UNITS, errors)
    chart = _choice("chart", args.get("chart"), CHARTS, errors)
    if need_chart and chart is None and not any(e.field == "chart" for e in errors):
        errors.append(field_error("chart", "chart_missing", allowed=", ".join(CHARTS)))
    width = parse_side("width", args.get("width"), DEFAULT_WIDTH, MIN_WIDTH, errors, MAX_WIDTH)
    height = parse_side("height", args.get("height"), DEFAULT_HEIGHT, MIN_HEIGHT, errors, MAX_HEIGHT)
    if errors:
        raise InvalidParameter("The statistics parameters are not valid.", errors)
    return StatsParams(filters, lang, unit, chart, width, height)
