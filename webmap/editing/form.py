"""The edit form of one incident: its fields from the stored incident, and back through the upload's checks."""
from dataclasses import dataclass

from ..core.i18n import message, text_of
from ..core.model import Incident
from ..ingest.record import FileLayout, Record
from ..ingest.upload import MAX_NOTE_LENGTH
from ..ingest.validate import Rules, check_record

# The form's field for each canonical property; the location is two fields, `latitude` and `longitude`.
TEXT_FIELDS = ("date", "end_date", "title", "description", "location_name", "fatalities", "actors")
CHOICE_FIELDS = ("event_type", "precision", "verification")
LOCATION = "location"  # where problems with the location are shown: beside the coordinates
_LAYOUT = FileLayout(properties={}, geometry=LOCATION)


@dataclass(frozen=True)
class EditedIncident:
    """What the form sent: the checked incident (None if a field is wrong), every field's problem, and the notes."""

    incident: Incident | None
    errors: dict[str, str]  # form field -> validation's message, as an upload gets it
    missing: dict[str, str]  # note field -> key of the catalogue's `edit_errors` saying what is wrong with it
    verification_note: str
    correction_note: str


def is_point(incident: Incident) -> bool:
    """Tell whether the incident's location can be edited as one point (lines and areas keep their geometry)."""
    return incident.geometry.get("type") == "Point"


def form_values(incident: Incident) -> dict:
    """Return the form's fields filled in from a stored incident (sources as a list, one row each)."""
    values = {name: "" if getattr(incident, name) is None else str(getattr(incident, name))
              for name in (*TEXT_FIELDS, *CHOICE_FIELDS) if name != "actors"}
    values["actors"] = "; ".join(incident.actors)
    values["sources"] = list(incident.sources)
    if is_point(incident):
        lon, lat = incident.geometry["coordinates"][:2]
        values["latitude"], values["longitude"] = repr(lat), repr(lon)
    return values


def submitted_values(form) -> dict:
    """Return the fields a posted form holds, in the shape `form_values` gives (blank source rows dropped)."""
    values = {name: form.get(name, "") for name in (*TEXT_FIELDS, *CHOICE_FIELDS, "latitude", "longitude")}
    values["sources"] = [text for text in form.getlist("sources") if text.strip()]
    return values


def _point(values: dict, problems: list) -> dict | None:
    """Return the Point the coordinate fields give, noting each that is not a number as a CSV upload does."""
    coordinates = []
    for name in ("longitude", "latitude"):
        try:
            coordinates.append(float(values[name]))
        except ValueError:
            problems.append((LOCATION, message("field_errors.coordinate_not_number", name=name,
                                               value=repr(values[name]))))
    return {"type": "Point", "coordinates": coordinates} if len(coordinates) == 2 else None


def _record(current: Incident, values: dict) -> Record:
    """Build the record validation checks: the form's values, and the stored id and extra properties."""
    problems = []
    geometry = _point(values, problems) if is_point(current) else current.geometry
    canonical = {name: values[name] for name in (*TEXT_FIELDS, *CHOICE_FIELDS)}
    canonical["sources"] = values["sources"]
    return Record(0, geometry, canonical, dict(current.extra), _LAYOUT, source_id=current.id, problems=problems)


def _note(form, name: str, problems: dict) -> str:
    """Return a note's text, trimmed, noting one that is too long."""
    text = form.get(name, "").strip()
    if len(text) > MAX_NOTE_LENGTH:
        problems[name] = "note_too_long"
    return text


def field_messages(errors: list, lang: str) -> dict[str, str]:
    """Return the first problem of each field, written in `lang` when it comes from the catalogue."""
    return {error.field: text_of(error.text, lang) if error.text else error.message for error in reversed(errors)}


def check_edit(current: Incident, form, rules: Rules, correction_required: bool, lang: str = "en") -> EditedIncident:
    """Check a posted edit form with the rules uploads follow (same messages); say which notes are missing.

    Field problems are validation's own messages, keyed by form field; note problems are keys of the
    catalogue's `edit_errors`, for the page to write in its language."""
    values = submitted_values(form)
    incident, errors = check_record(_record(current, values), rules)
    problems = field_messages(errors, lang)
    notes = {}
    verification_note = _note(form, "verification_note", notes)
    correction_note = _note(form, "correction_note", notes)
    if incident is not None:
        if incident.verification != current.verification and not verification_note:
            notes.setdefault("verification_note", "verification_note_missing")
        if not content_changed(current, incident):
            correction_note = ""  # a new state alone corrects nothing
        elif correction_required and not correction_note:
            notes.setdefault("correction_note", "correction_note_missing")
    return EditedIncident(None if problems or notes else incident, problems, notes, verification_note,
                          correction_note)


def content_changed(before: Incident, after: Incident) -> bool:
    """Tell whether anything but the verification state differs: what a correction note must explain."""
    ignore = {"verification"}
    return any(getattr(before, name) != getattr(after, name) for name in Incident.__slots__ if name not in ignore)
