"""Parsing `/map.png` parameters: the map's filters, view and language, and the image's size in pixels."""
import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from ..core.errors import FieldError, InvalidParameter, field_error
from ..core.numbers import collect_whole_number
from ..core.vocabulary import Vocabulary
from ..embed.params import TITLE_MAX, EmbedParams, collect_errors, parse_text
from ..map.filters import parse_lang, parse_map_filters
from ..map.view import parse_map_view

DEFAULT_WIDTH, DEFAULT_HEIGHT = 1200, 630  # the social-card size (Open Graph, X/Twitter large image)
PRINT_WIDTH, PRINT_HEIGHT = 3508, 2480  # A4 landscape at 300 dpi: what a PDF is unless asked otherwise
MAX_SIDE = 4000  # 64 MB of pixels while drawing: enough for print, small enough for one request
MIN_WIDTH, MIN_HEIGHT = 320, 240  # room for the title, the legend and the credits


@dataclass(frozen=True)
class ImageParams:
    """What a map image shows (the map parameters, as an embed has them) and its size in pixels."""

    map: EmbedParams
    width: int = DEFAULT_WIDTH
    height: int = DEFAULT_HEIGHT

    def to_args(self) -> dict:
        """Return the canonical arguments: equal images give equal arguments, in a fixed order."""
        args = self.map.map_args()
        if self.map.title:
            args["title"] = self.map.title
        args.update(width=str(self.width), height=str(self.height))
        return args

    def digest(self, site: str) -> str:
        """Return a short hash of the canonical arguments and the site address the image names."""
        return hashlib.sha256(f"{site}?{urlencode(self.to_args())}".encode()).hexdigest()[:16]


def parse_side(name: str, text: str | None, default: int, low: int, errors: list[FieldError],
               high: int = MAX_SIDE) -> int | None:
    """Parse one side of an image, in pixels, from `low` to `high`."""
    if text is None or not text.strip():
        return default
    pixels = collect_whole_number(name, text, errors)
    if pixels is not None and not low <= pixels <= high:
        errors.append(field_error(name, "pixels_outside", count=pixels, low=low, high=high))
        return None
    return pixels


def parse_image_params(args, vocabulary: Vocabulary, layer_ids: list[str],
                       size: tuple[int, int] = (DEFAULT_WIDTH, DEFAULT_HEIGHT)) -> ImageParams:
    """Parse the map parameters of `/`, `title` and `width`/`height` (default `size`), reporting every invalid
    one in one error."""
    errors: list[FieldError] = []
    filters = collect_errors(errors, parse_map_filters, args, vocabulary)
    view = collect_errors(errors, parse_map_view, args, layer_ids)
    lang = collect_errors(errors, parse_lang, args)
    title = collect_errors(errors, parse_text, "title", args.get("title", ""), TITLE_MAX)
    width = parse_side("width", args.get("width"), size[0], MIN_WIDTH, errors)
    height = parse_side("height", args.get("height"), size[1], MIN_HEIGHT, errors)
    if errors:
        raise InvalidParameter("The image parameters are not valid.", errors)
    return ImageParams(EmbedParams(filters, view, lang, title=title), width, height)
