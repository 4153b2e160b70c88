"""Parsing the read API's query parameters into store queries, or exact errors: pure, no request."""
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from werkzeug.datastructures import MIMEAccept, MultiDict

from ..core import bbox
from ..core.bbox import Bbox
from ..core.errors import FieldError, InvalidParameter, field_error, problem_error
from ..core.numbers import SQL_INTEGER_MAX, collect_whole_number
from ..core.vocabulary import Vocabulary
from ..map.filters import DISTANCE_PARAMS, MapFilters, parse_batches, parse_position_filter, parse_terms, parse_text
from ..store import IncidentQuery

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10000
MAX_OFFSET = 2**53  # far beyond any collection; keeps SQLite's 64-bit OFFSET from overflowing

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})", re.IGNORECASE
)
_OPEN_END = ("", "..")

# The parameters each kind of request accepts; any other parameter is answered with a 400 naming it.
# crs and bbox-crs may only name CRS84, the one CRS served, but clients such as GDAL send them anyway.
DOCUMENT_PARAMS = ("f",)
FEATURE_PARAMS = ("f", "crs")
REFERENCE_FILTER_PARAMS = ("f", "bbox", "bbox-crs", "crs")
INCIDENT_FILTER_PARAMS = ("f", "bbox", "bbox-crs", "crs", "datetime", "event_type", "verification", "batch", "q",
                          "sortby", "version", "zone", "governorate", *DISTANCE_PARAMS, "within")
PAGE_PARAMS = ("limit", "offset")
FILE_PARAMS = ("bom",)  # items and exports: how a CSV file is written
BOOLEANS = ("true", "false")


@dataclass(frozen=True)
class Page:
    """Which slice of the selected features a response holds."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0


def invalid(errors: list[FieldError]) -> InvalidParameter:
    """Return the one error raised for a request whose parameters are not valid."""
    return InvalidParameter("The query parameters are not valid.", errors)


def unknown_parameters(args: MultiDict, allowed: tuple[str, ...]) -> list[FieldError]:
    """Return an error for each parameter this request does not accept, and for a CRS other than CRS84."""
    errors = [
        field_error(name, "unknown_parameter", allowed=", ".join(allowed))
        for name in args if name not in allowed
    ]
    errors += [
        field_error(name, "crs_only", crs=CRS84)
        for name in ("crs", "bbox-crs") if name in allowed and args.get(name, CRS84).strip() != CRS84
    ]
    return errors


def check_parameters(args: MultiDict, allowed: tuple[str, ...]) -> None:
    """Raise a 400 naming every parameter outside `allowed`."""
    errors = unknown_parameters(args, allowed)
    if errors:
        raise invalid(errors)


def negotiate(requested: str | None, accept: MIMEAccept, offered: dict[str, tuple[str, ...]]) -> str:
    """Pick the format: `f` if given, else the best match for the Accept header, else the first offered."""
    if requested is not None:
        name = requested.strip().lower()
        if name not in offered:
            raise invalid([field_error("f", "format_unknown", text=requested, allowed=", ".join(offered))])
        return name
    by_type = {mimetype: name for name, mimetypes in offered.items() for mimetype in mimetypes}
    best = accept.best_match(list(by_type))
    return by_type[best] if best else next(iter(offered))


def parse_bbox(text: str | None, errors: list[FieldError]) -> Bbox | None:
    """Parse `minx,miny,maxx,maxy` (or the 6-number form with heights) in CRS84 longitude/latitude; minx > maxx
    crosses the antimeridian, as OGC API - Features allows."""
    if text is None:
        return None
    try:
        return bbox.parse_bbox(text, heights=True, wraps=True)
    except bbox.BboxError as error:
        errors.append(problem_error("bbox", error))
        return None


def parse_bom(args: MultiDict, fmt: str, errors: list[FieldError]) -> bool:
    """Parse `bom` (true or false): whether a CSV file starts with a UTF-8 byte order mark, as Excel needs."""
    text = args.get("bom")
    if text is None:
        return False
    if text.strip().lower() not in BOOLEANS:
        errors.append(field_error("bom", "not_one_of", text=text, allowed=", ".join(BOOLEANS)))
        return False
    if fmt != "csv":
        errors.append(field_error("bom", "csv_only", format=fmt))
        return False
    return text.strip().lower() == "true"


def _instant_date(text: str) -> date | None:
    """Return the calendar day of a date or an RFC 3339 date-time (taken in UTC), or None."""
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
        if _DATE_TIME.fullmatch(text):
            return datetime.fromisoformat(text.upper()).astimezone(timezone.utc).date()
    except (ValueError, OverflowError):  # no such day, or one that leaves the calendar once taken to UTC
        return None
    return None


def parse_datetime(text: str | None, errors: list[FieldError]) -> tuple[str | None, str | None]:
    """Parse an instant, `a/b`, `a/..` or `../b` into the inclusive first and last day it touches."""
    if text is None:
        return None, None
    parts = text.strip().split("/")
    if len(parts) > 2 or (len(parts) == 1 and parts[0] in _OPEN_END):
        parts = None
    else:
        days = [None if part in _OPEN_END else _instant_date(part) for part in parts]
        if any(day is None and part not in _OPEN_END for day, part in zip(days, parts)):
            parts = None
    if parts is None:
        errors.append(field_error("datetime", "datetime_invalid", text=text))
        return None, None
    start, end = days[0], days[-1]
    if start and end and start > end:
        errors.append(field_error("datetime", "interval_reversed", end=end, start=start))
        return None, None
    return (start.isoformat() if start else None), (end.isoformat() if end else None)


def datetime_interval(start: str | None, end: str | None) -> str | None:
    """Write inclusive first and last days as the `datetime` value that selects them (inverse of parse_datetime)."""
    if not start and not end:
        return None
    if start == end:
        return start
    return f"{start or '..'}/{end or '..'}"


def _natural(name: str, text: str | None, errors: list[FieldError], maximum: int = SQL_INTEGER_MAX) -> int | None:
    """Parse a non-negative integer parameter, or record why it is not one."""
    return None if text is None else collect_whole_number(name, text, errors, maximum)


def parse_page(args: MultiDict, errors: list[FieldError]) -> Page:
    """Parse `limit` (1 or more; above the maximum it is lowered to it) and `offset`."""
    limit = _natural("limit", args.get("limit"), errors)
    offset = _natural("offset", args.get("offset"), errors, MAX_OFFSET)
    if limit is not None and limit < 1:
        errors.append(field_error("limit", "at_least_one"))
    limit = DEFAULT_LIMIT if limit is None else min(max(limit, 1), MAX_LIMIT)
    return Page(limit, offset or 0)


def _parse_sortby(text: str | None, errors: list[FieldError]) -> bool:
    """Parse `sortby` (`date`, `+date` or `-date`); return True for newest first."""
    value = (text or "").strip()
    if value in ("", "date", "+date"):
        return False
    if value == "-date":
        return True
    errors.append(field_error("sortby", "sortby_invalid", text=text))
    return False


def _parse_version(text: str | None, current: int, errors: list[FieldError]) -> int | None:
    """Parse `version`, a past data version to read; the current one reads live data."""
    version = _natural("version", text, errors)
    if version is not None and version > current:
        errors.append(field_error("version", "version_future", version=version, current=current))
        return None
    return None if version == current else version


def parse_incident_filters(args: MultiDict, vocabulary: Vocabulary, current_version: int,
                           errors: list[FieldError]) -> IncidentQuery:
    """Parse the incident selection (everything but paging) into a store query, recording errors."""
    start, end = parse_datetime(args.get("datetime"), errors)
    event_types = parse_terms("event_type", "event type", args.getlist("event_type"),
                              vocabulary.event_type_ids(), errors)
    verification = parse_terms("verification", "verification state", args.getlist("verification"),
                               vocabulary.verification_ids(), errors)
    # The map page's start/end/type/verification/batch/position/q go through the same MapFilters, so both select
    # the same incidents.
    batches = parse_batches(args.getlist("batch"), errors)
    position = parse_position_filter(args, errors)
    text = parse_text(args.get("q"), errors)
    return MapFilters(start, end, event_types, verification, batches=batches, position=position,
                      text=text).to_query(
        bbox=parse_bbox(args.get("bbox"), errors),
        sort_descending=_parse_sortby(args.get("sortby"), errors),
        as_of=_parse_version(args.get("version"), current_version, errors),
    )
