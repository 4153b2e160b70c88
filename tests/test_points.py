"""Incidents as columns: the store's packed records, their migration, the cache per data version, and the
`webmap demo --synthetic N` command that fills a database for trying the map at scale."""
import sqlite3
from dataclasses import replace

import numpy as np
import pytest
from conftest import fixture_incidents, make_app, without_positions

from webmap.core.points import ILLUSTRATIVE, RECORD, SYNTHETIC, day_number, pack_point, pack_points, value_code
from webmap.store import BatchInfo, IncidentQuery, get_store
from webmap.store.sqlite import MIGRATIONS, SQLiteStore

BATCH = BatchInfo(user="test")


@pytest.fixture
def store(store):
    """An initialised store holding the fixture incidents."""
    store.add_incidents(fixture_incidents(), BATCH)
    return store


def by_id(store, points) -> dict:
    """Map incident ids to their packed records."""
    incidents = store.incidents_by_key(points.keys.tolist())
    return {incident.id: record for incident, record in zip(incidents, points.records)}


def test_packed_record_reads_back_through_the_array_layout():
    """A record packed for one row reads back field by field through RECORD, flags included."""
    packed = pack_point(35.5, 32.9, 35.75, 33.0, "1969-12-31", "2025-03-01", "raid", None, "verified", True, True)
    record = np.frombuffer(packed, RECORD)[0]
    assert len(packed) == RECORD.itemsize
    assert (record["minx"], record["miny"], record["maxx"], record["maxy"]) == (35.5, 32.9, 35.75, 33.0)
    assert (record["first_day"], record["last_day"]) == (-1, day_number("2025-03-01"))
    assert (record["event_type"], record["precision"]) == (value_code("raid"), value_code(""))
    assert record["verification"] == value_code("verified") and record["flags"] == ILLUSTRATIVE | SYNTHETIC


def test_packing_many_records_at_once_gives_the_bytes_of_packing_each():
    """The bulk path of large writes packs exactly what pack_point packs, placed or not, with every flag."""
    rows = [((35.8, 33.1, 35.8, 33.1), "2025-03-01", "2025-03-01", "airstrike", "exact", "verified", ILLUSTRATIVE,
             ("separation", "SY14", 1.25, -0.5)),
            ((35.5, 32.9, 35.9, 33.3), "2024-12-31", "2025-01-02", "raid", None, "unverified", 0,
             (None, None, None, None)),
            ((36.1, 32.7, 36.1, 32.7), "2025-06-30", "2025-07-01", "other", "approximate", "disputed",
             ILLUSTRATIVE | SYNTHETIC, ("bravo_beyond", "SY13", 30.5, 20.0))]
    one_by_one = [pack_point(*box, first, last, kind, precision, verification, flags & ILLUSTRATIVE,
                             flags & SYNTHETIC, position)
                  for box, first, last, kind, precision, verification, flags, position in rows]
    assert pack_points(*(list(column) for column in zip(*rows))) == one_by_one
    assert pack_points([], [], [], [], [], [], [], []) == []


def test_points_hold_each_live_incident_once_with_its_values(store):
    """Every live incident is one record with its bounds, days and coded categories."""
    points = store.incident_points()
    assert points.data_version == store.data_version() and len(points) == 7
    records = by_id(store, points)
    route = records["t-006"]
    assert (route["minx"], route["miny"], route["maxx"], route["maxy"]) == (35.80, 33.20, 35.86, 33.25)
    span = records["t-003"]
    assert (span["first_day"], span["last_day"]) == (day_number("2025-02-01"), day_number("2025-02-03"))
    assert span["event_type"] == value_code("airstrike") and span["precision"] == value_code("area")
    assert span["verification"] == value_code("disputed") and span["flags"] == 0


def test_points_follow_writes_and_stay_cached_between_them(store):
    """The columns are read once per data version; edits and deletions show in the next version."""
    first = store.incident_points()
    assert store.incident_points() is first
    edited = next(i for i in fixture_incidents() if i.id == "t-001")
    store.add_incidents([replace(edited, event_type="raid")], BATCH)
    store.delete_incidents(["t-002"], BATCH)
    second = store.incident_points()
    assert second.data_version == first.data_version + 2 and len(second) == 6
    assert by_id(store, second)["t-001"]["event_type"] == value_code("raid")
    old = store.incident_points(as_of=first.data_version)
    assert len(old) == 7 and by_id(store, old)["t-001"]["event_type"] == value_code("incursion")


def test_incidents_by_key_keeps_the_order_asked_for(store):
    """Incidents come back in the order of the keys given."""
    keys = store.incident_points().keys.tolist()
    forwards = [i.id for i in store.incidents_by_key(keys)]
    assert [i.id for i in store.incidents_by_key(keys[::-1])] == forwards[::-1]
    assert sorted(forwards) == [f"t-00{n}" for n in range(1, 8)]


def test_migration_packs_the_rows_of_an_older_database(tmp_path):
    """A database at schema 1 gets a packed record for every row, flags read from the stored properties."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO batch VALUES (1, '2025-01-01T00:00:00+00:00', 'old', NULL, 1, 2, 0, 0, 0)")
    for rowid, (ident, flag) in enumerate((("old-1", "true"), ("old-2", "false")), start=1):
        feature = ('{"type":"Feature","id":"%s","geometry":{"type":"Point","coordinates":[36.1,33.2]},'
                   '"properties":{"date":"2025-01-05","event_type":"raid","synthetic":%s}}' % (ident, flag))
        conn.execute(
            "INSERT INTO incident (rowid, id, valid_from, batch_id, date, last_date, event_type, precision,"
            " verification, search_text, content_hash, feature, minx, miny, maxx, maxy)"
            " VALUES (?, ?, 1, 1, '2025-01-05', '2025-01-05', 'raid', NULL, 'unverified', '', 'x', ?,"
            " 36.1, 33.2, 36.1, 33.2)", (rowid, ident, feature))
        conn.execute("INSERT INTO incident_rtree VALUES (?, 36.1, 36.1, 33.2, 33.2)", (rowid,))
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'data_version'")
    conn.close()
    store = SQLiteStore(path)
    store.initialize()
    points = store.incident_points()
    assert store.schema_version() == len(MIGRATIONS) and len(points) == 2
    records = by_id(store, points)
    assert records["old-1"]["flags"] == SYNTHETIC and records["old-2"]["flags"] == 0
    assert records["old-1"]["first_day"] == day_number("2025-01-05")
    assert store.count_incidents(IncidentQuery(precision=("town",))) == 0
    store.close()


def test_demo_loads_synthetic_incidents_once(tmp_path):
    """`webmap demo --synthetic N` loads N incidents marked synthetic and illustrative; a rerun adds none."""
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--synthetic", "120"])
    assert first.exit_code == 0 and "120 new" in first.output
    again = runner.invoke(args=["demo", "--synthetic", "120"])
    assert again.exit_code == 0 and "0 new, 120 already there" in again.output
    with app.app_context():
        store = get_store()
        assert store.count_incidents(IncidentQuery()) == 120
        incidents = store.query_incidents(IncidentQuery(limit=5))
        assert all(without_positions(i.extra) == {"illustrative": True, "synthetic": True} for i in incidents)
        assert np.all(store.incident_points().records["flags"] & SYNTHETIC)
        store.close()


def test_demo_needs_a_positive_count(tmp_path):
    """A missing or non-positive N is refused with a message."""
    runner = make_app(tmp_path).test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 2
    refused = runner.invoke(args=["demo", "--synthetic", "0"])
    assert refused.exit_code == 2 and "0" in refused.output
