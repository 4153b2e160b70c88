"""The edit form checks what it is sent with the upload's rules and messages, and says which notes are missing;
the history's diff names each changed field and how far a location moved."""
import json
from dataclasses import replace
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from webmap.core.errors import InvalidContent
from webmap.core.model import Incident, IncidentRevision
from webmap.core.vocabulary import load_vocabulary
from webmap.editing.diff import FieldChange, field_changes, moved
from webmap.editing.form import LOCATION, check_edit, form_values
from webmap.editing.history import history_entries, tombstone
from webmap.ingest import read_incidents
from webmap.ingest.validate import make_rules

REGION = (34.0, 29.0, 43.0, 38.0)
RULES = make_rules(load_vocabulary(), REGION, today=date(2026, 12, 1))
STORED = Incident(id="e-1", geometry={"type": "Point", "coordinates": [35.82, 33.12]}, date="2025-03-01",
                  event_type="raid", title="A raid", sources=("Outlet A", "https://example.org/b"), precision="town",
                  extra={"custom": "kept"})


def form(incident: Incident = STORED, **changes) -> MultiDict:
    """Return the form as the page fills it in for `incident`, with `changes` typed over it."""
    values = form_values(incident)
    sources = changes.pop("sources", values.pop("sources"))
    values.update(changes)
    return MultiDict([*values.items(), *(("sources", s) for s in sources)])


def upload_message(**properties) -> str:
    """Return the message an upload of STORED with these properties gets."""
    feature = {"type": "Feature", "id": "e-1", "geometry": STORED.geometry,
               "properties": {**STORED.properties(), **properties}}
    with pytest.raises(InvalidContent) as refused:
        read_incidents(json.dumps(feature).encode(), None, "application/geo+json",
                       vocabulary=load_vocabulary(), region_bbox=REGION, today=date(2026, 12, 1))
    return refused.value.errors[0].message


def test_an_unchanged_form_gives_back_the_stored_incident():
    edited = check_edit(STORED, form(), RULES, correction_required=True)
    assert edited.errors == {} and edited.missing == {}
    assert edited.incident == STORED


def test_each_field_is_checked_with_the_uploads_message():
    for name, value in (("date", "2025-02-30"), ("event_type", "strike"), ("fatalities", "-2"),
                        ("precision", "street"), ("end_date", "2025-01-01")):
        edited = check_edit(STORED, form(**{name: value}), RULES, correction_required=True)
        assert edited.incident is None
        assert edited.errors == {name: upload_message(**{name: value})}


def test_a_location_outside_the_region_or_not_a_number_is_shown_beside_the_coordinates():
    swapped = check_edit(STORED, form(latitude="35.82", longitude="33.12"), RULES, correction_required=True)
    assert "did you swap latitude and longitude?" in swapped.errors[LOCATION]
    typo = check_edit(STORED, form(latitude="33,12"), RULES, correction_required=True)
    assert typo.errors == {LOCATION: "latitude '33,12' is not a number"} and typo.incident is None


def test_a_changed_incident_needs_a_correction_note_and_a_new_state_a_verification_note():
    edited = check_edit(STORED, form(title="A raid, corrected", verification="debunked"), RULES,
                        correction_required=True)
    assert edited.incident is None
    assert edited.missing == {"correction_note": "correction_note_missing",
                              "verification_note": "verification_note_missing"}
    noted = check_edit(STORED, form(title="A raid, corrected", verification="debunked", correction_note="Title fixed",
                                    verification_note="Footage is from 2019"), RULES, correction_required=True)
    assert noted.incident == replace(STORED, title="A raid, corrected", verification="debunked")
    assert (noted.correction_note, noted.verification_note) == ("Title fixed", "Footage is from 2019")
    only_state = check_edit(STORED, form(verification="verified", verification_note="Two outlets",
                                         correction_note="Nothing"), RULES, correction_required=True)
    assert only_state.incident is not None and only_state.missing == {}
    assert only_state.correction_note == ""  # a new state alone is no correction


def test_sources_come_as_rows_and_blank_rows_are_dropped():
    edited = check_edit(STORED, form(sources=["Outlet A", "", "  ", "Outlet C"], correction_note="Source added"),
                        RULES, correction_required=True)
    assert edited.incident.sources == ("Outlet A", "Outlet C")


def test_a_line_keeps_its_geometry():
    route = replace(STORED, geometry={"type": "LineString", "coordinates": [[35.8, 33.2], [35.86, 33.25]]})
    assert "latitude" not in form_values(route)
    edited = check_edit(route, form(route, title="Route", correction_note="Renamed"), RULES, correction_required=True)
    assert edited.incident.geometry == route.geometry


def test_the_diff_names_each_changed_field_and_the_move():
    after = replace(STORED, title="A raid, corrected", sources=("Outlet A",), verification="verified",
                    geometry={"type": "Point", "coordinates": [35.83, 33.12]}, extra={"custom": "changed"})
    assert field_changes(STORED, after) == [
        FieldChange("title", "A raid", "A raid, corrected"),
        FieldChange("sources", "Outlet A; https://example.org/b", "Outlet A"),
        FieldChange("verification", "unverified", "verified"),
        FieldChange("location", "33.12000, 35.82000", "33.12000, 35.83000"),
        FieldChange("custom", "kept", "changed"),
    ]
    move = moved(STORED, after)
    assert move.before == (35.82, 33.12) and move.after == (35.83, 33.12) and 0.9 < move.km < 0.95
    assert moved(STORED, replace(STORED, title="x")) is None


def test_the_history_reads_newest_first_and_a_deletion_is_a_tombstone():
    versions = [IncidentRevision(1, "2026-01-01T00:00:00+00:00", "ana", STORED),
                IncidentRevision(2, "2026-01-02T00:00:00+00:00", "ben", replace(STORED, title="B"), note="Fixed"),
                IncidentRevision(3, "2026-01-03T00:00:00+00:00", "ben", None, note="A duplicate")]
    entries = history_entries(versions)
    assert [e.action for e in entries] == ["deleted", "edited", "created"]
    assert entries[1].changes == [FieldChange("title", "A raid", "B")]
    assert tombstone(versions).note == "A duplicate" and tombstone(versions[:2]) is None
