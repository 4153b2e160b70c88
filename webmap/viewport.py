"""Parsing what the live map's data requests add to the filters: the view (`bbox`, `zoom`) and list paging."""
from dataclasses import dataclass

from .aggregate import CELL_PX, Bbox, grid_shape
from .errors import FieldError, InvalidParameter

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


def _number(name: str, text: str, low: float, high: float, errors: list[FieldError]) -> float | None:
    """Return `text` as a number within [low, high], else record an error."""
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:  # NaN fails the range test too
        errors.append(FieldError(name, f"'{text}' is not a number from {low:g} to {high:g}"))
        return None
    return value


def _bbox(text: str, errors: list[FieldError]) -> Bbox | None:
    """Parse `minx,miny,maxx,maxy` in degrees of longitude and latitude."""
    parts = text.split(",")
    if len(parts) != 4:
        errors.append(FieldError("bbox", f"'{text}' is not four numbers minx,miny,maxx,maxy (longitude, latitude)"))
        return None
    found: list[FieldError] = []
    values = [_number("bbox", part.strip(), -180 if n % 2 == 0 else -90, 180 if n % 2 == 0 else 90, found)
              for n, part in enumerate(parts)]
    errors.extend(found)
    if found:
        return None
    minx, miny, maxx, maxy = values
    if minx >= maxx or miny >= maxy:
        errors.append(FieldError("bbox", f"'{text}' is empty: minx must be below maxx and miny below maxy"))
        return None
    return minx, miny, maxx, maxy


def _zoom(text: str, errors: list[FieldError]) -> int | None:
    """Parse a whole zoom level from 0 to MAX_ZOOM."""
    if text.strip().isdigit() and int(text) <= MAX_ZOOM:
        return int(text)
    errors.append(FieldError("zoom", f"'{text}' is not a whole number from 0 to {MAX_ZOOM}"))
    return None


def _required(args, name: str, errors: list[FieldError]) -> str | None:
    """Return a parameter's value, recording an error when it is missing or blank."""
    text = args.get(name, "").strip()
    if not text:
        errors.append(FieldError(name, f"{name} is required"))
        return None
    return text


def _list_page(args, errors: list[FieldError]) -> ListPage:
    """Parse `sort` (date or -date, newest first by default) and `offset`."""
    sort = args.get("sort", "-date").strip() or "-date"
    if sort not in SORTS:
        errors.append(FieldError("sort", f"'{sort}' is not one of: {', '.join(SORTS)}"))
    offset_text = args.get("offset", "0").strip() or "0"
    if not offset_text.isdigit():
        errors.append(FieldError("offset", f"'{offset_text}' is not a whole number of rows to skip"))
        offset_text = "0"
    return ListPage(SORTS.get(sort, True), int(offset_text))


def parse_list_request(args) -> tuple[Bbox, ListPage]:
    """Parse the list endpoint's `bbox`, `sort` and `offset`."""
    errors: list[FieldError] = []
    text = _required(args, "bbox", errors)
    bbox = _bbox(text, errors) if text else None
    page = _list_page(args, errors)
    if errors:
        raise InvalidParameter("The list request is not valid.", errors)
    return bbox, page


def parse_view_request(args) -> tuple[Bbox, int, ListPage]:
    """Parse the view endpoint's `bbox` and `zoom` (whose grid must stay small), `sort` and `offset`."""
    errors: list[FieldError] = []
    bbox_text, zoom_text = _required(args, "bbox", errors), _required(args, "zoom", errors)
    bbox = _bbox(bbox_text, errors) if bbox_text else None
    zoom = _zoom(zoom_text, errors) if zoom_text else None
    page = _list_page(args, errors)
    if bbox and zoom is not None:
        columns, rows = grid_shape(bbox, zoom, CELL_PX)
        if columns * rows > MAX_GRID_CELLS:
            errors.append(FieldError(
                "bbox", f"covers {columns * rows} grid cells at zoom {zoom}, more than {MAX_GRID_CELLS}; "
                        "send the map's visible bounds"))
    if errors:
        raise InvalidParameter("The view request is not valid.", errors)
    return bbox, zoom, page
