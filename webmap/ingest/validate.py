"""The rules every incoming incident must pass, whatever format it came in; all problems are collected."""
import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date

from ..errors import FieldError, InvalidContent
from ..model import Incident, geometry_bounds
from ..vocabulary import Vocabulary
from .dates import latest_date_today, parse_date
from .geometry import GeometryProblem, normalize_geometry, region_problem
from .record import Record

# Beyond this many, an error report helps nobody and only grows the response.
MAX_REPORTED_ERRORS = 1000
_DATE_FORMS = "use ISO 8601 (2025-01-05) or the form 05 January 2025"


class ValueProblem(Exception):
    """A property value breaks a rule; the message says how."""


@dataclass
class Rules:
    """What incoming incidents are checked against: the vocabulary, the region and today's date."""

    vocabulary: Vocabulary
    region: tuple[float, float, float, float]
    today: date
    _event_types: dict = field(default_factory=dict)  # memo: the same few texts recur in every file

    def event_type(self, text: str) -> str | None:
        """Return the event type id a text names (id, label or synonym), or None."""
        if text not in self._event_types:
            self._event_types[text] = self.vocabulary.resolve_event_type(text)
        return self._event_types[text]


def make_rules(vocabulary: Vocabulary, region_bbox, today: date | None = None) -> Rules:
    """Build the rules for one upload."""
    return Rules(vocabulary, tuple(float(v) for v in region_bbox), today or latest_date_today())


def _blank(value) -> bool:
    """Tell whether a value counts as not given (null, or empty text)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value, rules: Rules) -> str | None:
    """Return a text value with surrounding space trimmed."""
    if _blank(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if type(value) in (int, float):
        return str(value)
    raise ValueProblem(f"must be text, got {json.dumps(value)[:40]}")


def _text_list(value, rules: Rules) -> tuple[str, ...]:
    """Return a list of texts: a JSON array of strings, or one text of items separated by ';'."""
    if _blank(value):
        return ()
    if isinstance(value, str):
        items = value.split(";")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise ValueProblem("must be an array of strings, or one text with items separated by ';'")
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))


def _day(value, required: bool, rules: Rules) -> str | None:
    """Return an ISO date from a date text, refusing unreadable and future dates."""
    if _blank(value):
        if required:
            raise ValueProblem(f"missing date: every incident needs the day it happened; {_DATE_FORMS}")
        return None
    day = parse_date(value)
    if day is None:
        raise ValueProblem(f"{json.dumps(value, ensure_ascii=False)[:60]} is not a date; {_DATE_FORMS}")
    if day > rules.today:
        raise ValueProblem(f"{day.isoformat()} is in the future")
    return day.isoformat()


def _event_type(value, rules: Rules) -> str:
    """Return the event type id for a type text (or the first of several alternatives that is known)."""
    candidates = [c for c in (value if isinstance(value, tuple) else (value,)) if not _blank(c)]
    allowed = ", ".join(rules.vocabulary.event_type_ids())
    if not candidates:
        raise ValueProblem(f"missing event type; use one of: {allowed}")
    for candidate in candidates:
        found = rules.event_type(str(candidate))
        if found:
            return found
    shown = " / ".join(json.dumps(c, ensure_ascii=False) for c in candidates)
    raise ValueProblem(f"unknown event type {shown}; use one of: {allowed}")


def _count(value, rules: Rules) -> int | None:
    """Return a whole, non-negative number of people killed."""
    if _blank(value):
        return None
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if type(number) in (int, float) and number == number and number >= 0 and float(number).is_integer():
        return int(number)
    raise ValueProblem(f"must be a whole number of people, 0 or more, got {json.dumps(value)[:40]}")


def _choice(ids_of: str, default: str | None):
    """Return a converter accepting one of a vocabulary's ids (any case), or the default when blank."""
    def convert(value, rules: Rules) -> str | None:
        if _blank(value):
            return default
        allowed = getattr(rules.vocabulary, ids_of)()
        wanted = str(value).strip().casefold()
        if wanted in allowed:
            return wanted
        raise ValueProblem(f"unknown value {json.dumps(value, ensure_ascii=False)}; use one of: {', '.join(allowed)}")
    return convert


_CONVERTERS = {
    "date": lambda v, rules: _day(v, True, rules),
    "end_date": lambda v, rules: _day(v, False, rules),
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


def _source_id(value) -> str | None:
    """Return the id a feature or row brings, as text (RFC 7946 ids are strings or numbers)."""
    if _blank(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if type(value) is int or (type(value) is float and value.is_integer()):
        return str(int(value))
    if type(value) is float:
        return repr(value)
    raise ValueProblem(f"must be a string or a number, got {json.dumps(value)[:40]}")


def content_id(incident: Incident) -> str:
    """Return an id derived from an incident's content, so the same feature always gets the same id."""
    content = {"geometry": incident.geometry, "properties": incident.properties()}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "auto-" + hashlib.sha1(text.encode()).hexdigest()[:20]


def _field_errors(record: Record, problems: list[tuple[str, str]]) -> list[FieldError]:
    """Turn (field, message) pairs into FieldErrors that say which feature or row they are about."""
    prefix = record.layout.prefix(record.index)
    return [FieldError(name, prefix + message, record.index) for name, message in problems]


def check_record(record: Record, rules: Rules) -> tuple[Incident | None, list[FieldError]]:
    """Return the record as an Incident, or None and every problem it has."""
    layout = record.layout
    problems = list(record.problems)
    if not record.readable:
        return None, _field_errors(record, problems)
    values = {}
    for name, convert in _CONVERTERS.items():
        try:
            values[name] = convert(record.values.get(name), rules)
        except ValueProblem as problem:
            problems.append((layout.of(name), str(problem)))
    if values.get("end_date") and values.get("date"):
        if values["end_date"] < values["date"]:
            problems.append((layout.of("end_date"), f"{values['end_date']} is before the date {values['date']}"))
        elif values["end_date"] == values["date"]:  # a one-day incident has no end date of its own
            values["end_date"] = None
    # A reader that could not build the geometry has already said why.
    if not any(name == layout.geometry for name, _ in record.problems):
        try:
            geometry = normalize_geometry(record.geometry, layout.transform)
            outside = region_problem(geometry_bounds(geometry), rules.region)
            if outside:
                problems.append((layout.geometry, outside))
        except GeometryProblem as problem:
            problems.append((layout.geometry, str(problem)))
    try:
        incident_id = _source_id(record.source_id)
    except ValueProblem as problem:
        problems.append((layout.id, str(problem)))
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
    first_seen, errors = {}, []
    for record, incident in zip(records, incidents):
        incident_id = _known_id(record, incident)
        if incident_id is None:
            continue
        first = first_seen.setdefault(incident_id, record.index)
        if first == record.index:
            continue
        layout = record.layout
        where = f"{layout.row_label} {first + 1}" if layout.row_label else f"feature {first}"
        if _blank(record.source_id):
            message = f"has no id and the same content as {where}; remove the repeat or give each an id"
        else:
            message = f"duplicate id {incident_id!r}: {where} has the same id"
        errors += _field_errors(record, [(layout.id, message)])
    return errors


def validate_records(records: list[Record], rules: Rules) -> list[Incident]:
    """Check every record and return the incidents, or raise InvalidContent listing every problem."""
    results = [check_record(record, rules) for record in records]
    incidents = [incident for incident, _ in results]
    errors = [error for _, problems in results for error in problems]
    errors += _duplicate_errors(records, incidents)
    if errors:
        errors.sort(key=lambda e: e.feature)
        failing = len({e.feature for e in errors})
        listed = "" if len(errors) <= MAX_REPORTED_ERRORS else f"; the first {MAX_REPORTED_ERRORS} are listed"
        raise InvalidContent(
            f"{len(errors)} problem(s) in {failing} of {len(records)} features{listed}; nothing was imported.",
            errors[:MAX_REPORTED_ERRORS],
        )
    return incidents
