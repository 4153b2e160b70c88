"""Column layouts: how the properties or columns of a file map onto webmap's canonical incident properties."""
from dataclasses import dataclass
from typing import Callable

from ..core.i18n import message
from ..core.model import CANONICAL_PROPERTIES

# ACLED `geo_precision`: 1 = the named town, 2 = near it / a part of a region, 3 = only a larger region.
ACLED_PRECISION = {"1": "town", "2": "area", "3": "region"}
# UCDP GED `where_prec`: 1 = the named village or town (coordinates of the place, not of the site, hence
# "town" rather than "exact"), 2 = within about 25 km, 3 = a second-order administrative division,
# 4 = a first-order division, 5 = a linear feature (road, river), 6 = the country, 7 = waters or airspace.
UCDP_PRECISION = {"1": "town", "2": "area", "3": "area", "4": "region", "5": "region", "6": "region", "7": "region"}
# UCDP GED `type_of_violence`: 1 = state-based conflict, 2 = non-state conflict, 3 = one-sided violence.
# The first two are armed clashes between organised parties; one-sided violence has no closer type.
UCDP_VIOLENCE = {"1": "clash", "2": "clash", "3": "other"}


_CANONICAL = frozenset(CANONICAL_PROPERTIES)


def _blank(value) -> bool:
    """Tell whether a cell or property holds nothing."""
    return value is None or (isinstance(value, str) and not value.strip())


def _combine_sources(sources, url):
    """Return the sources with a `source_url` added as one more item."""
    if _blank(url):
        return sources
    if _blank(sources):
        return [url]
    if isinstance(sources, str):  # one text of ';'-separated items, as validation would split it
        sources = sources.split(";")
    return [*sources, url] if isinstance(sources, list) else [sources, url]


def generic_values(properties: dict) -> tuple[dict, dict]:
    """Split properties named like webmap's own into canonical values and extra ones (`source_url` joins sources)."""
    values, extra = {}, {}
    for name, value in properties.items():  # one pass: this runs once per feature of an import
        if name in _CANONICAL:
            values[name] = value
        else:
            extra[name] = value
    if "source_url" in extra:
        values["sources"] = _combine_sources(values.get("sources"), extra.pop("source_url"))
    return values, extra


def _code(value) -> str:
    """Return a numeric code cell as plain text ('2.0' and 2 both become '2')."""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class ColumnLayout:
    """A known table layout: the columns that identify it and how one row becomes canonical values."""

    name: str
    marks: frozenset  # lower-case column names whose presence identifies the layout
    id_column: str | None
    id_prefix: str
    names: dict  # canonical property -> the column an error about it should name
    consumed: frozenset  # columns turned into canonical values (every other column is kept in `extra`)
    convert: Callable[[dict], tuple[dict, list]]  # row by lower-case column -> (values, problems)

    def split(self, row: dict, columns: dict) -> tuple[object, dict, dict, list]:
        """Return (source id, canonical values, extra, problems) for a row keyed by original column names."""
        lower = {key: row[name] for key, name in columns.items()}
        values, problems = self.convert(lower)
        extra = {name: row[name] for key, name in columns.items() if key not in self.consumed and not _blank(row[name])}
        source_id = lower.get(self.id_column) if self.id_column else None
        if self.id_prefix and not _blank(source_id):
            source_id = self.id_prefix + _code(source_id)
        return source_id, values, extra, problems


def _coded(row: dict, column: str, codes: dict, problems: list) -> str | None:
    """Translate a coded cell through `codes`, noting a problem for a code outside them."""
    value = row.get(column)
    if _blank(value):
        return None
    code = _code(value)
    if code not in codes:
        problems.append((column, message("field_errors.code_unknown", column=column, code=repr(code),
                                         codes=", ".join(codes))))
    return codes.get(code)


def _present(*values) -> list:
    """Return the values that are not blank, in order."""
    return [v for v in values if not _blank(v)]


def _acled(row: dict) -> tuple[dict, list]:
    """Map one ACLED export row; the sub-event type is more specific, so it is tried first."""
    problems = []
    values = {
        "date": row.get("event_date"),
        "event_type": tuple(_present(row.get("sub_event_type"), row.get("event_type"))),
        "description": row.get("notes"),
        "location_name": row.get("location"),
        "fatalities": row.get("fatalities"),
        "actors": _present(row.get("actor1"), row.get("actor2")),
        "sources": row.get("source"),
        "precision": _coded(row, "geo_precision", ACLED_PRECISION, problems),
    }
    return values, problems


def _ucdp(row: dict) -> tuple[dict, list]:
    """Map one UCDP GED row."""
    problems = []
    violence = row.get("type_of_violence")
    values = {
        "date": row.get("date_start"),
        "end_date": row.get("date_end"),
        "event_type": UCDP_VIOLENCE.get(_code(violence), violence) if not _blank(violence) else None,
        "fatalities": row.get("best"),
        "location_name": row.get("where_coordinates"),
        "actors": _present(row.get("side_a"), row.get("side_b")),
        "sources": row.get("source_article"),
        "precision": _coded(row, "where_prec", UCDP_PRECISION, problems),
    }
    return values, problems


def _generic(row: dict) -> tuple[dict, list]:
    """Map a row whose columns are named like webmap's properties."""
    values, _ = generic_values({key: value for key, value in row.items()
                                if key in CANONICAL_PROPERTIES or key == "source_url"})
    return values, []


ACLED = ColumnLayout(
    "ACLED", frozenset({"event_id_cnty", "event_date", "sub_event_type"}), "event_id_cnty", "",
    {"date": "event_date", "event_type": "sub_event_type", "description": "notes", "location_name": "location",
     "fatalities": "fatalities", "actors": "actor1", "sources": "source", "precision": "geo_precision"},
    frozenset({"event_id_cnty", "event_date", "event_type", "notes", "location", "fatalities", "actor1",
               "actor2", "source", "geo_precision"}),
    _acled,
)
UCDP_GED = ColumnLayout(
    "UCDP GED", frozenset({"id", "date_start", "type_of_violence", "where_prec"}), "id", "ucdp-",
    {"date": "date_start", "end_date": "date_end", "event_type": "type_of_violence", "fatalities": "best",
     "location_name": "where_coordinates", "actors": "side_a", "sources": "source_article",
     "precision": "where_prec"},
    frozenset({"id", "date_start", "date_end", "best", "where_coordinates", "side_a", "side_b",
               "source_article", "where_prec"}),
    _ucdp,
)
GENERIC = ColumnLayout(
    "webmap", frozenset(), "id", "", {}, frozenset({*CANONICAL_PROPERTIES, "id", "source_url"}), _generic,
)


def choose_layout(columns) -> ColumnLayout:
    """Return the layout whose identifying columns a table has (ACLED, UCDP GED), else webmap's own names."""
    present = {c.strip().lower() for c in columns}
    return next((layout for layout in (ACLED, UCDP_GED) if layout.marks <= present), GENERIC)
