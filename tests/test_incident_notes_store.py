"""The store keeps the notes of incident versions: a correction stays shown until the next one, a verification
note while its state lasts, a deletion keeps its reason; every version is in the history, and a pinned read keeps
the version it pinned."""
from dataclasses import replace

from conftest import fixture_incidents
from store_fixtures import sqlite_only

from webmap.core.model import NOTE_PROPERTIES
from webmap.store import BatchInfo
from webmap.store.sqlite import MIGRATIONS


def notes(store, incident_id: str, as_of: int | None = None) -> dict:
    """Return the notes a read of the incident carries."""
    extra = store.get_incident(incident_id, as_of=as_of).extra
    return {name: extra[name] for name in NOTE_PROPERTIES if name in extra}


def test_notes_follow_the_versions(store):
    first = fixture_incidents()[0]
    pinned = store.add_incidents([first], BatchInfo(user="ana")).data_version
    assert notes(store, "t-001") == {}
    store.add_incidents([replace(first, title="B", verification="verified")],
                        BatchInfo(user="ben", note="Title fixed", verification_note="Two outlets"))
    corrected = notes(store, "t-001")
    assert corrected == {"verification_note": "Two outlets", "correction_note": "Title fixed",
                         "corrected": corrected["corrected"]} and len(corrected["corrected"]) == 10
    # A later upload carries no note: the correction and the note of an unchanged state stay.
    store.add_incidents([replace(first, title="C", verification="verified")], BatchInfo(user="bot"))
    assert notes(store, "t-001") == corrected
    # A new state without a note drops the old state's note; notes sent in a file are not taken.
    store.add_incidents([replace(first, title="C", verification="disputed",
                                 extra={"correction_note": "forged", "corrected": "2020-01-01"})], BatchInfo(user="bot"))
    assert notes(store, "t-001") == {"correction_note": "Title fixed", "corrected": corrected["corrected"]}
    assert notes(store, "t-001", as_of=pinned) == {}  # a pinned read keeps its version


def test_the_history_lists_each_version_and_the_deletion_with_its_reason(store):
    first = fixture_incidents()[0]
    store.add_incidents(fixture_incidents()[:2], BatchInfo(user="ana"))
    store.add_incidents([replace(first, title="B")], BatchInfo(user="ben", note="Title fixed"))
    store.add_incidents([replace(first, title="B")], BatchInfo(user="nobody"))  # unchanged: no version
    deletion = store.delete_incidents(["t-001"], BatchInfo(user="ben", note="A duplicate"))
    store.delete_incidents(["t-404"], BatchInfo(user="nobody"))  # deletes nothing at the same data version
    history = store.incident_history("t-001")
    assert [(v.user, v.note, v.incident.title if v.incident else None) for v in history] == [
        ("ana", None, "Fixture incursion A"), ("ben", "Title fixed", "B"), ("ben", "A duplicate", None)]
    assert [v.data_version for v in history] == [1, 2, 3]
    store.undo_batch(deletion.batch_id, BatchInfo(user="ben"))
    restored = store.incident_history("t-001")[-1]
    assert restored.incident.title == "B" and restored.data_version == 4
    assert store.incident_history("t-404") == []


@sqlite_only
def test_migration_adds_the_note_columns_to_an_older_database(store):
    store.add_incidents(fixture_incidents(), BatchInfo(user="test"))
    conn = store._connection()
    for table, column in (("batch", "note"), ("batch", "verification_note"), ("incident", "verification_note"),
                          ("incident", "corrected"), ("incident", "correction_note"), ("submission", "note")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    # Later migrations cannot run twice, so this one is run alone, as initialize() runs it.
    conn.executescript(next(script for script in MIGRATIONS if "ADD COLUMN correction_note" in script))
    assert notes(store, "t-001") == {} and len(store.incident_history("t-005")) == 1
