"""The store's submissions waiting for review: held apart from the published incidents (no public read, count or
data version sees them), published as a batch, or rejected with a reason; once per backend."""
import pytest
from conftest import fixture_incidents

from webmap.core.model import Incident
from webmap.core.review import PUBLISHED, REJECTED, WAITING
from webmap.store import BatchInfo, IncidentQuery, ProtectedIncidents, SubmissionOutdated
from webmap.store.sqlite import MIGRATIONS, SQLiteStore

BATCH = BatchInfo(user="test")


def incident(incident_id: str, title: str = "Submitted", **properties) -> Incident:
    """Return an incident near Quneitra."""
    return Incident.from_feature({"type": "Feature", "id": incident_id,
                                  "geometry": {"type": "Point", "coordinates": [35.82, 33.12]},
                                  "properties": {"date": "2025-01-10", "event_type": "raid", "title": title,
                                                 **properties}})


def test_a_submission_changes_nothing_a_reader_can_query(store):
    store.add_incidents(fixture_incidents(), BATCH)
    version, points = store.data_version(), store.incident_points()
    report = store.submit_incidents([incident("s-1"), incident("s-2")], BatchInfo(user="rania", filename="a.csv"))
    assert report.inserted == ["s-1", "s-2"] and report.batch_id == 1 and report.data_version is None
    assert store.data_version() == version and store.last_modified() is not None
    assert store.count_incidents(IncidentQuery()) == 7 and store.get_incident("s-1") is None
    assert len(store.incident_points().keys) == len(points.keys)
    assert store.count_changed_since(version, IncidentQuery()) == 0
    assert [s.incident_id for s in store.list_submissions((WAITING,))] == ["s-2", "s-1"]
    assert store.list_submissions((WAITING,), author="omar") == []
    first = store.get_submission("s-1")
    assert (first.state, first.author, first.upload, first.replaces) == (WAITING, "rania", 1, False)


def test_publishing_writes_the_incident_as_a_batch_and_rejecting_keeps_the_reason(store):
    store.submit_incidents([incident("s-1"), incident("s-2")], BatchInfo(user="rania"))
    report = store.publish_submission("s-1", "lina")
    assert report.inserted == ["s-1"] and report.data_version == store.data_version() == 1
    assert store.get_batch(report.batch_id).user == "lina"
    assert store.get_incident("s-1").title == "Submitted"
    assert store.get_submission("s-1").state == PUBLISHED and store.get_submission("s-1").reviewer == "lina"
    rejected = store.reject_submission("s-2", "lina", "No source")
    assert (rejected.state, rejected.reason, rejected.reviewer) == (REJECTED, "No source", "lina")
    assert rejected.reviewed_at and store.get_incident("s-2") is None
    assert store.publish_submission("s-2", "lina") is None and store.reject_submission("s-1", "lina", "x") is None
    assert store.publish_submission("nothing", "lina") is None
    assert [s.incident_id for s in store.list_submissions((PUBLISHED, REJECTED), author="rania")] == ["s-2", "s-1"]


def test_a_change_to_a_published_incident_waits_and_the_published_version_stays(store):
    store.add_incidents([incident("s-1", "First")], BATCH)
    report = store.submit_incidents([incident("s-1", "Second")], BatchInfo(user="rania"))
    assert report.updated == ["s-1"] and store.get_submission("s-1").replaces
    assert store.get_incident("s-1").title == "First"
    assert store.publish_submission("s-1", "lina").updated == ["s-1"]
    assert store.get_incident("s-1").title == "Second"


def test_unchanged_incidents_are_not_held_and_a_newer_submission_replaces_a_waiting_one(store):
    store.add_incidents([incident("s-1")], BATCH)
    assert store.submit_incidents([incident("s-1")], BatchInfo(user="rania")).unchanged == ["s-1"]
    assert store.list_submissions((WAITING,)) == []
    store.submit_incidents([incident("s-2", "One")], BatchInfo(user="rania"))
    store.submit_incidents([incident("s-2", "Two")], BatchInfo(user="rania"))
    waiting = store.list_submissions((WAITING,))
    assert [(s.incident.title, s.upload) for s in waiting] == [("Two", 2)]


def test_a_submission_is_refused_whole_like_a_write_when_it_would_change_a_protected_incident(store):
    store.add_incidents([incident("s-1", verification="verified")], BATCH)
    with pytest.raises(ProtectedIncidents):
        store.submit_incidents([incident("s-2"), incident("s-1", "Changed", verification="verified")],
                               BatchInfo(user="rania"), protected=("verified", "disputed"))
    assert store.list_submissions((WAITING,)) == []


def test_the_submissions_migration_adds_their_table_to_an_older_database(tmp_path):
    """An older file, from before submissions, gets their table (its migration picked by what it creates) and keeps
    its incidents."""
    old = SQLiteStore(tmp_path / "webmap.db")
    old.initialize()
    old.add_incidents([incident("t-1")], BATCH)
    # Back to the schema before submissions: their table goes, and so do the columns later migrations added.
    conn = old._connection()
    for table, column in (("batch", "note"), ("batch", "verification_note"), ("incident", "verification_note"),
                          ("incident", "corrected"), ("incident", "correction_note")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("DROP TABLE submission")
    before = next(n for n, script in enumerate(MIGRATIONS) if "CREATE TABLE submission" in script)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    old.close()
    store = SQLiteStore(tmp_path / "webmap.db")
    store.initialize()
    assert store.schema_version() == len(MIGRATIONS) and store.get_incident("t-1") is not None
    store.submit_incidents([incident("s-1")], BatchInfo(user="rania"))
    assert store.get_submission("s-1").state == WAITING
    store.close()


def test_a_submission_outdated_by_a_later_change_is_not_published(store):
    """Publishing what was submitted before an editor changed (or deleted) the incident would undo that change."""
    store.add_incidents([incident("s-1", "First")], BATCH)
    store.submit_incidents([incident("s-1", "Second")], BatchInfo(user="rania"))
    store.add_incidents([incident("s-1", "Corrected")], BatchInfo(user="lina"))
    with pytest.raises(SubmissionOutdated):
        store.publish_submission("s-1", "lina")
    assert store.get_incident("s-1").title == "Corrected" and store.get_submission("s-1").state == WAITING
    store.submit_incidents([incident("s-2")], BatchInfo(user="rania"))
    store.add_incidents([incident("s-2", "Published first")], BatchInfo(user="lina"))
    with pytest.raises(SubmissionOutdated):
        store.publish_submission("s-2", "lina")
    assert store.reject_submission("s-1", "lina", "Corrected meanwhile").state == REJECTED
