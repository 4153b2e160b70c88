"""The rules every incoming incident must pass, whatever format it came in; all problems are collected."""
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date

from ..core.errors import FieldError, InvalidContent, Problem, said
from ..core.i18n import Message, message
from ..core.model import Incident, geometry_bounds
from ..core.settings import setting_default
from ..core.vocabulary import Vocabulary
from .dates import latest_date_today, parse_date
from .geometry import GeometryProblem, normalize_geometry, region_problem
from .record import Record

# Beyond this many, an error report helps nobody and only grows the response.
MAX_REPORTED_ERRORS = 1000


# An id is the last segment of its item's URL (/api/collections/incidents/items/{id}). Every other character
# travels percent-encoded (`%` as %25), but `/` splits the path even when encoded (servers decode it before
# routing), browsers turn a `\` into `/` unless it is encoded (and some proxies decode %5C), control
# characters are dropped or refused on the way, and `.` and `..` are resolved away.
_NOT_IN_PATHS = re.compile(r"[/\\\x00-\x1f\x7f-\x9f]")
_DOT_SEGMENTS = (".", "..")


class ValueProblem(Problem):
    """A property value breaks a rule; the catalogue message says how."""


@dataclass
class Rules:
    """What incoming incidents are checked against: the vocabulary, the region, today's date and the most
    vertices a geometry may have."""

    vocabulary: Vocabulary
    region: tuple[float, float, float, float]
    today: date
    max_vertices: int
    # Memos: a file repeats the same few event types and dates thousands of times.
    _event_types: dict = field(default_factory=dict)
    _days: dict = field(default_factory=dict)

    def __post_init__(self):
        self.event_type_ids = tuple(self.vocabulary.event_type_ids())
        self.precision_ids = tuple(self.vocabulary.precision_ids())
        self.verification_ids = tuple(self.vocabulary.verification_ids())

    def event_type(self, text: str) -> str | None:
        """Return the event type id a text names (id, label or synonym), or None."""
        if text not in self._event_types:
            self._event_types[text] = self.vocabulary.resolve_event_type(text)
        return self._event_types[text]

    def day(self, text: str) -> str | ValueProblem:
        """Return the ISO date a text names, or the problem with it."""
        if text not in self._days:
            self._days[text] = _check_day(text, self.today)
        return self._days[text]


def make_rules(vocabulary: Vocabulary, region_bbox, today: date | None = None,
               max_vertices: int = setting_default("MAX_VERTICES")) -> Rules:
    """Build the rules for one upload."""
    return Rules(vocabulary, tuple(float(v) for v in region_bbox), today or latest_date_today(), max_vertices)


def _blank(value) -> bool:
    """Tell whether a value counts as not given (null, or empty text)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value, limit: int = 60) -> str:
    """Return a value as JSON for a message, cut to a readable length."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _text(value, rules: Rules) -> str | None:
    """Return a text value with surrounding space trimmed."""
    if isinstance(value, str):
        return value.strip() or None
    if type(value) in (int, float):
        return str(value)
    raise ValueProblem("must_be_text", value=_shown(value))


def _text_list(value, rules: Rules) -> tuple[str, ...]:
    """Return a list of texts: a JSON array of strings, or one text of items separated by ';'."""
    if isinstance(value, str):
        items = value.split(";")
    elif type(value) is list and len(value) == 1 and type(value[0]) is str:  # the usual single source
        item = value[0].strip()
        return (item,) if item else ()
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise ValueProblem("text_list")
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))


def _check_day(text: str, today: date) -> str | ValueProblem:
    """Return the ISO date a text names, or the problem: unreadable, or in the future."""
    day = parse_date(text)
    if day is None:
        return ValueProblem("date_unreadable", value=_shown(text))
    if day > today:
        return ValueProblem("date_future", day=day.isoformat())
    return day.isoformat()


def _day(value, rules: Rules) -> str | None:
    """Return an ISO date from a date text, refusing unreadable and future dates."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueProblem("date_unreadable", value=_shown(value))
    if not value.strip():
        return None
    day = rules.day(value)
    if isinstance(day, ValueProblem):
        raise day
    return day


def _required_day(value, rules: Rules) -> str:
    """Return the ISO date an incident happened on, which every incident needs."""
    day = _day(value, rules)
    if day is None:
        raise ValueProblem("date_missing")
    return day


def _event_type(value, rules: Rules) -> str:
    """Return the event type id for a type text (or the first of several alternatives that is known)."""
    if type(value) is str:
        found = rules.event_type(value)
        if found:
            return found
    candidates = [c for c in (value if isinstance(value, tuple) else (value,)) if not _blank(c)]
    for candidate in candidates:
        found = rules.event_type(str(candidate))
        if found:
            return found
    allowed = ", ".join(rules.event_type_ids)
    if not candidates:
        raise ValueProblem("event_type_missing", allowed=allowed)
    raise ValueProblem("event_type_unknown", value=" / ".join(_shown(c) for c in candidates), allowed=allowed)


def _count(value, rules: Rules) -> int | None:
    """Return a whole, non-negative number of people killed."""
    number = value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            number = float(value)
        except ValueError:
            number = None
    if type(number) is int and number >= 0:
        return number
    if type(number) is float and number >= 0 and number.is_integer():
        return int(number)
    raise ValueProblem("people_count", value=_shown(value))


def _choice(ids_of: str, default: str | None):
    """Return a converter accepting one of a vocabulary's ids (any case), or the default when blank."""
    def convert(value, rules: Rules) -> str | None:
        allowed = getattr(rules, ids_of)
        if value in allowed:
            return value
        if _blank(value):
            return default
        wanted = str(value).strip().casefold()
        if wanted in allowed:
            return wanted
        raise ValueProblem("value_unknown", value=_shown(value), allowed=", ".join(allowed))
    return convert


# Converters get the raw value of a property; _MISSING says what an absent optional one means.
_CONVERTERS = {
    "date": _required_day,
    "end_date": _day,
    "event_type": _event_type,
    "title": _text,
    "description": _text,
    "location_name": _text,
    "fatalities": _count,
    "actors": _text_list,
    "sources": _text_list,
    "precision": _choice("precision_ids", None),
    "verification": _choice("verification_ids", "unverified"),
}
_MISSING = {"end_date": None, "title": None, "description": None, "location_name": None, "fatalities": None,
            "actors": (), "sources": (), "precision": None, "verification": "unverified"}
_REQUIRED = {name: None for name in _CONVERTERS if name not in _MISSING}


def _path_segment(text: str) -> str:
    """Return an id if it can be the last segment of an item's URL, else raise ValueProblem saying why."""
    if text in _DOT_SEGMENTS:
        raise ValueProblem("id_dot_segment", value=_shown(text))
    found = _NOT_IN_PATHS.search(text)
    if found:
        raise ValueProblem("id_character", value=_shown(text), character=_shown(found.group()))
    return text


def _source_id(value) -> str | None:
    """Return the id a feature or row brings, as text (RFC 7946 ids are strings or numbers)."""
    if isinstance(value, str):
        return _path_segment(value.strip()) or None
    if value is None:
        return None
    if type(value) is int or (type(value) is float and value.is_integer()):
        return str(int(value))
    if type(value) is float:
        return repr(value)
    raise ValueProblem("id_type", value=_shown(value, 40))


def content_id(incident: Incident) -> str:
    """Return an id derived from an incident's content, so the same feature always gets the same id."""
    content = {"geometry": incident.geometry, "properties": incident.properties()}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "auto-" + hashlib.sha1(text.encode()).hexdigest()[:20]


def _field_errors(record: Record, problems: list[tuple[str, Message]]) -> list[FieldError]:
    """Turn (field, message) pairs into FieldErrors that say which feature or row they are about."""
    row = record.layout.row(record.index)
    return [said(name, message("field_errors.row_problem", row=row, problem=problem) if row else problem,
                 record.index) for name, problem in problems]


def _values(record: Record, rules: Rules, problems: list) -> dict:
    """Convert the record's canonical values, noting each problem under the file's name for the field."""
    given, values = record.values, dict(_MISSING)
    if not _REQUIRED.keys() <= given.keys():
        given = {**_REQUIRED, **given}  # absent required values get converted too, to say they are missing
    for name, raw in given.items():
        if raw is None and name in _MISSING:
            continue
        try:
            values[name] = _CONVERTERS[name](raw, rules)
        except ValueProblem as problem:
            problems.append((record.layout.of(name), problem.text))
    start, end = values.get("date"), values["end_date"]
    if start and end:
        if end < start:
            problems.append((record.layout.of("end_date"), message("field_errors.end_before_date", end=end,
                                                                    start=start)))
        elif end == start:  # a one-day incident has no end date of its own
            values["end_date"] = None
    return values


def _geometry(record: Record, rules: Rules, problems: list) -> dict | None:
    """Return the record's clean geometry, noting a problem if it is broken or outside the region."""
    layout = record.layout
    if record.problems and any(name == layout.geometry for name, _ in record.problems):
        return None  # the reader could not build the geometry and has already said why
    try:
        geometry = normalize_geometry(record.geometry, layout.transform, rules.max_vertices)
    except GeometryProblem as problem:
        problems.append((layout.geometry, problem.text))
        return None
    outside = region_problem(geometry_bounds(geometry), rules.region)
    if outside:
        problems.append((layout.geometry, outside))
    return geometry


def check_record(record: Record, rules: Rules) -> tuple[Incident | None, list[FieldError]]:
    """Return the record as an Incident, or None and every problem it has."""
    problems = list(record.problems)
    if not record.readable:
        return None, _field_errors(record, problems)
    values = _values(record, rules, problems)
    geometry = _geometry(record, rules, problems)
    try:
        incident_id = _source_id(record.source_id)
    except ValueProblem as problem:
        problems.append((record.layout.id, problem.text))
    if problems:
        return None, _field_errors(record, problems)
    incident = Incident(id=incident_id or "", geometry=geometry, extra=record.extra, **values)
    return (incident if incident_id else replace(incident, id=content_id(incident))), []


def _known_id(record: Record, incident: Incident | None) -> str | None:
    """Return the id a record ends up with, if it can be known despite other problems."""
    if incident:
        return incident.id
    try:
        return _source_id(record.source_id)
    except ValueProblem:
        return None


def _duplicate_errors(records: list[Record], incidents: list[Incident | None]) -> list[FieldError]:
    """Return an error for every record whose id an earlier record in the same file already has."""
    known = [_known_id(record, incident) for record, incident in zip(records, incidents)]
    present = [incident_id for incident_id in known if incident_id is not None]
    if len(set(present)) == len(present):
        return []
    first_seen, errors = {}, []
    for record, incident_id in zip(records, known):
        if incident_id is None:
            continue
        first = first_seen.setdefault(incident_id, record.index)
        if first == record.index:
            continue
        layout = record.layout
        where = layout.row(first) or message("field_errors.where_feature", number=first)
        if _blank(record.source_id):
            problem = message("field_errors.duplicate_content", where=where)
        else:
            problem = message("field_errors.duplicate_id", id=repr(incident_id), where=where)
        errors += _field_errors(record, [(layout.id, problem)])
    return errors


def validate_records(records: list[Record], rules: Rules) -> list[Incident]:
    """Check every record and return the incidents, or raise InvalidContent listing every problem."""
    incidents, errors = [], []
    for record in records:
        incident, problems = check_record(record, rules)
        incidents.append(incident)
        errors += problems
    errors += _duplicate_errors(records, incidents)
    if errors:
        errors.sort(key=lambda e: e.feature)
        failing = len({e.feature for e in errors})
        listed = "" if len(errors) <= MAX_REPORTED_ERRORS else message("error_texts.first_listed",
                                                                       most=MAX_REPORTED_ERRORS)
        raise InvalidContent(message("error_texts.upload_refused",
                                     problems=message("error_texts.problems", count=len(errors)),
                                     failing=message("error_texts.failing", count=failing),
                                     features=message("error_texts.of_features", count=len(records)),
                                     listed=listed), errors[:MAX_REPORTED_ERRORS])
    return incidents
