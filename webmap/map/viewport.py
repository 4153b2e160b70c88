"""Parsing what the live map's data requests add to the filters: the view (`bbox`, `zoom`) and list paging."""
from dataclasses import dataclass

from ..core.errors import FieldError, InvalidParameter, field_error
from ..core.numbers import collect_whole_number
from .aggregate import CELL_PX, Bbox, grid_shape
from .view import parse_bbox, parse_zoom

MAX_ZOOM = 22
MAX_GRID_CELLS = 40_000  # a 4K screen at 80-pixel cells needs about 1,400
LIST_PAGE = 100  # rows of the incident list sent at a time when the view holds more
SORTS = {"date": False, "-date": True}  # sort parameter: descending?


@dataclass(frozen=True)
class ListPage:
    """One page of the incident list: its order and where it starts."""

    descending: bool = True
    offset: int = 0
    limit: int = LIST_PAGE

    def sort(self) -> str:
        """Return the `sort` parameter value naming this order."""
        return "-date" if self.descending else "date"


def _required(args, name: str, errors: list[FieldError]) -> str | None:
    """Return a parameter's value, recording an error when it is missing or blank."""
    text = args.get(name, "").strip()
    if not text:
        errors.append(field_error(name, "required", name=name))
        return None
    return text


def _list_page(args, errors: list[FieldError]) -> ListPage:
    """Parse `sort` (date or -date, newest first by default) and `offset`."""
    sort = args.get("sort", "-date").strip() or "-date"
    if sort not in SORTS:
        errors.append(field_error("sort", "not_one_of", text=sort, allowed=", ".join(SORTS)))
    offset = collect_whole_number("offset", args.get("offset", "").strip() or "0", errors)
    return ListPage(SORTS.get(sort, True), offset or 0)


def parse_pin_version(args, latest: int) -> int | None:
    """Parse `as_of`, the data version a pinned embed shows (a whole number, at most `latest`), if given."""
    text = args.get("as_of", "").strip()
    if not text:
        return None
    errors: list[FieldError] = []
    version = collect_whole_number("as_of", text, errors)
    if version is not None and version > latest:
        errors.append(field_error("as_of", "version_latest", version=version, latest=latest))
    if errors:
        raise InvalidParameter("The pin is not valid.", errors)
    return version


def parse_list_switch(args) -> bool:
    """Parse `list=0|1`: whether a clustered view also sends the first page of its list (embeds have none)."""
    text = args.get("list", "1").strip() or "1"
    if text not in ("0", "1"):
        raise InvalidParameter("The view request is not valid.", [field_error("list", "zero_or_one", text=text)])
    return text == "1"


def parse_list_request(args) -> tuple[Bbox, ListPage]:
    """Parse the list endpoint's `bbox`, `sort` and `offset`."""
    errors: list[FieldError] = []
    text = _required(args, "bbox", errors)
    bbox = parse_bbox(text, errors, decimals=None) if text else None
    page = _list_page(args, errors)
    if errors:
        raise InvalidParameter("The list request is not valid.", errors)
    return bbox, page


def parse_view_request(args) -> tuple[Bbox, int, ListPage]:
    """Parse the view endpoint's `bbox` and `zoom` (whose grid must stay small), `sort` and `offset`."""
    errors: list[FieldError] = []
    bbox_text, zoom_text = _required(args, "bbox", errors), _required(args, "zoom", errors)
    bbox = parse_bbox(bbox_text, errors, decimals=None) if bbox_text else None
    zoom = parse_zoom(zoom_text, errors, MAX_ZOOM) if zoom_text else None
    page = _list_page(args, errors)
    if bbox and zoom is not None:
        columns, rows = grid_shape(bbox, zoom, CELL_PX)
        if columns * rows > MAX_GRID_CELLS:
            errors.append(field_error("bbox", "grid_too_big", count=columns * rows, zoom=zoom, most=MAX_GRID_CELLS))
    if errors:
        raise InvalidParameter("The view request is not valid.", errors)
    return bbox, zoom, page
