"""The SQLite store: schema, upserts with history, queries by date, type and bbox, atomic writes."""
import json
import sqlite3
from dataclasses import replace

import pytest
from conftest import fixture_incidents
from store_fixtures import sqlite_only

from webmap.cli.synthetic import synthetic_incidents
from webmap.core.model import Incident
from webmap.store import BatchInfo, IncidentQuery, ProtectedIncidents
from webmap.store.sqlite import MIGRATIONS, SQLiteStore

BATCH = BatchInfo(user="test")
V1_INSERT = ("INSERT INTO incident (id, valid_from, batch_id, date, last_date, event_type, precision, verification,"
             " search_text, content_hash, feature, minx, miny, maxx, maxy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def ids(incidents):
    """Return the ids of incidents, in order."""
    return [i.id for i in incidents]


def retitled(incident: Incident, title: str) -> Incident:
    """Return a new version of an incident with another title."""
    return Incident.from_feature({**incident.to_feature(), "properties": {**incident.properties(), "title": title}})


@sqlite_only
def test_new_database_is_at_latest_schema_in_wal_mode(store):
    """A new file gets every migration, WAL journaling and the R*Tree table."""
    assert store.schema_version() == len(MIGRATIONS)
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'incident_rtree'").fetchone()[0] == 1


def test_initialize_twice_keeps_data(store):
    """Running the migrations again on a current database changes nothing."""
    store.add_incidents(fixture_incidents(), BATCH)
    store.initialize()
    assert store.count_incidents(IncidentQuery()) == 7


def test_round_trip_keeps_every_property(store):
    """What goes in comes back: canonical fields, extra fields, geometry."""
    store.add_incidents(fixture_incidents(), BATCH)
    got = store.get_incident("t-005")
    assert got == next(i for i in fixture_incidents() if i.id == "t-005")
    assert got.extra == {"custom_field": {"kept": True}}
    assert store.get_incident("missing") is None


def test_date_range_is_inclusive_and_uses_end_date(store):
    """start/end select incidents whose date span overlaps the range, ends included."""
    store.add_incidents(fixture_incidents(), BATCH)
    assert ids(store.query_incidents(IncidentQuery(start="2025-01-15", end="2025-01-15"))) == ["t-002"]
    # t-003 runs 2025-02-01..03, so a range starting on the 3rd still catches it.
    assert ids(store.query_incidents(IncidentQuery(start="2025-02-03", end="2025-03-01"))) == ["t-003"]
    assert store.count_incidents(IncidentQuery(end="2024-12-31")) == 1
    assert store.count_incidents(IncidentQuery(start="2025-04-01")) == 2


def test_event_type_and_bbox_filters(store):
    """Type lists and bounding boxes narrow the result; the bbox uses the R*Tree."""
    store.add_incidents(fixture_incidents(), BATCH)
    assert ids(store.query_incidents(IncidentQuery(event_types=("airstrike",)))) == ["t-003", "t-004"]
    quneitra = (35.7, 33.0, 35.95, 33.35)
    assert ids(store.query_incidents(IncidentQuery(bbox=quneitra))) == ["t-001", "t-002", "t-005", "t-006", "t-007"]
    both = IncidentQuery(bbox=quneitra, event_types=("incursion",), start="2025-01-01")
    assert ids(store.query_incidents(both)) == ["t-006"]


def test_limit_offset_and_count(store):
    """Paging returns slices in date order; count ignores the page."""
    store.add_incidents(fixture_incidents(), BATCH)
    page = store.query_incidents(IncidentQuery(limit=3, offset=2))
    assert ids(page) == ["t-003", "t-004", "t-005"]
    assert store.count_incidents(IncidentQuery(limit=3, offset=2)) == 7


def test_same_file_twice_changes_nothing(store):
    """The second identical write reports everything unchanged and keeps the data version."""
    first = store.add_incidents(fixture_incidents(), BATCH)
    version = store.data_version()
    second = store.add_incidents(fixture_incidents(), BATCH)
    assert len(first.inserted) == 7 and second.unchanged == ids(fixture_incidents())
    assert second.inserted == second.updated == []
    assert store.data_version() == version


def test_changed_feature_updates_and_keeps_history(store):
    """An edit replaces the live incident while the old version stays readable with as_of."""
    store.add_incidents(fixture_incidents(), BATCH)
    before = store.data_version()
    report = store.add_incidents([retitled(store.get_incident("t-001"), "Edited")], BATCH)
    assert report.updated == ["t-001"] and store.data_version() == before + 1
    assert store.get_incident("t-001").title == "Edited"
    assert store.get_incident("t-001", as_of=before).title == "Fixture incursion A"
    assert store.count_incidents(IncidentQuery()) == 7
    assert store.count_incidents(IncidentQuery(as_of=before)) == 7


def test_write_touching_protected_states_is_refused_inside_its_transaction(store):
    """A write told that verified and disputed incidents are protected changes none of them, and nothing else
    either; the same incidents unchanged, and an unverified one changed, go through."""
    store.add_incidents(fixture_incidents(), BATCH)
    version, protected = store.data_version(), ("verified", "disputed")
    live = {i.id: i for i in store.query_incidents(IncidentQuery())}
    changes = [retitled(live["t-001"], "Unverified, edited"), retitled(live["t-002"], "Verified, edited"),
               retitled(live["t-003"], "Disputed, edited")]
    for attempt in (store.plan_incidents, lambda incidents, p: store.add_incidents(incidents, BATCH, p)):
        with pytest.raises(ProtectedIncidents) as refused:
            attempt(changes, protected)
        assert refused.value.states == {"t-002": "verified", "t-003": "disputed"}
    assert store.data_version() == version and store.get_incident("t-001") == live["t-001"]
    report = store.add_incidents([changes[0], live["t-002"], live["t-003"]], BATCH, protected)
    assert (report.updated, report.unchanged) == (["t-001"], ["t-002", "t-003"])


def test_failed_write_leaves_nothing_behind(store):
    """A write that fails half-way (a duplicate id) rolls back every row and the version."""
    incidents = fixture_incidents()
    with pytest.raises(sqlite3.IntegrityError):
        store.add_incidents(incidents + [incidents[0]], BATCH)
    assert store.count_incidents(IncidentQuery()) == 0
    assert store.data_version() == 0


def index_definitions(store) -> list:
    """Return the name and SQL of every index on the incident table."""
    return store._connection().execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incident' ORDER BY name"
    ).fetchall()


def traced_statements(store) -> list[str]:
    """Start recording the SQL this thread's connection runs; return the list it fills."""
    statements = []
    store._connection().set_trace_callback(statements.append)
    return statements


@sqlite_only
def test_first_large_import_keeps_every_index_and_answers_queries(store):
    """A first import of many rows (indexes built after the rows) leaves the same indexes, all consistent."""
    indexes = index_definitions(store)
    incidents = list(synthetic_incidents(6000, seed=3))
    statements = traced_statements(store)
    report = store.add_incidents(incidents, BATCH)
    assert any(s.startswith("DROP INDEX") for s in statements)  # the bulk path ran
    assert len(report.inserted) == 6000 and index_definitions(store) == indexes
    conn = store._connection()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM incident_rtree").fetchone()[0] == 6000
    query = IncidentQuery(event_types=("airstrike",), bbox=(35.5, 32.5, 36.5, 33.5))
    expected = {i.id for i in incidents if i.event_type == "airstrike"
                and 35.5 <= i.geometry["coordinates"][0] <= 36.5 and 32.5 <= i.geometry["coordinates"][1] <= 33.5}
    assert expected and set(ids(store.query_incidents(query))) == expected
    assert store.add_incidents(incidents, BATCH).unchanged == report.inserted


@sqlite_only
def test_large_write_into_a_larger_table_updates_the_indexes_in_place(store):
    """A write smaller than the table keeps its indexes and updates them row by row, edits included."""
    incidents = list(synthetic_incidents(6000, seed=3))
    store.add_incidents(incidents, BATCH)
    edited = [replace(i, title=f"Edited {n}") for n, i in enumerate(incidents[:5000])]
    statements = traced_statements(store)
    report = store.add_incidents(edited, BATCH)
    assert not any(s.startswith("DROP INDEX") for s in statements)
    assert len(report.updated) == 5000 and store.count_incidents(IncidentQuery()) == 6000
    assert store._connection().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.get_incident(incidents[4999].id).title == "Edited 4999"
    assert store.get_incident(incidents[4999].id, as_of=1).title == incidents[4999].title
    airstrikes = IncidentQuery(event_types=("airstrike",))
    assert store.count_incidents(airstrikes) == sum(i.event_type == "airstrike" for i in incidents)


@sqlite_only
def test_failed_large_import_keeps_the_indexes(store):
    """A large import that fails after its rows are in (a repeated id) rolls back the rows and keeps the indexes."""
    indexes = index_definitions(store)
    incidents = list(synthetic_incidents(6000, seed=3))
    with pytest.raises(sqlite3.IntegrityError):
        store.add_incidents(incidents + [incidents[0]], BATCH)
    assert store.count_incidents(IncidentQuery()) == 0 and store.data_version() == 0
    assert index_definitions(store) == indexes


@sqlite_only
def test_large_write_is_copied_into_the_database_file_after_commit(store):
    """After a large write the WAL is checkpointed on another thread, and the automatic checkpoint that small
    writes rely on is turned back on."""
    store.add_incidents(list(synthetic_incidents(6000, seed=3)), BATCH)
    store.wait_for_checkpoints()
    assert store.path.stat().st_size > 1_000_000  # the rows reached the database file, not only the WAL
    assert store._connection().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


def test_reference_layers_keep_order(store):
    """Layers come back in the order they were put, with their metadata."""
    from webmap.ingest.geodata import read_reference_layers

    layers = read_reference_layers()
    assert store.put_reference_layers(layers, BATCH) is True
    got = store.list_reference_layers()
    assert [l.id for l in got] == [l.id for l in layers]
    assert got[0].meta == layers[0].meta and got[0].data == layers[0].data
    assert store.data_version() == 0 and store.list_batches(10) == []  # loading them is part of creating the database


def test_replacing_reference_layers_starts_a_data_version(store):
    """Different layers are a change cached pages must see: a batch at a new data version; the same ones are not."""
    from webmap.ingest.geodata import read_reference_layers

    layers = read_reference_layers()
    store.put_reference_layers(layers, BATCH)
    store.add_incidents(fixture_incidents(), BATCH)
    assert store.put_reference_layers(layers, BATCH) is False and store.data_version() == 1
    changed = [replace(layers[0], meta={**layers[0].meta, "title": {"en": "Alpha line (revised)"}}), *layers[1:]]
    assert store.put_reference_layers(changed, BatchInfo(user="webmap init", filename="geodata/layers.json"))
    assert store.data_version() == 2 and store.list_reference_layers()[0].meta["title"]["en"] == "Alpha line (revised)"
    latest = store.list_batches(1)[0]
    assert (latest.data_version, latest.filename, latest.changed) == (2, "geodata/layers.json", False)
    assert store.last_modified() == latest.created_at
    assert store.count_incidents(IncidentQuery()) == 7 and store.count_changed_since(1, IncidentQuery()) == 0


def test_delete_is_soft_and_versioned(store):
    """A deleted incident leaves the live view but stays visible as of earlier versions."""
    store.add_incidents(fixture_incidents(), BATCH)
    before = store.data_version()
    report = store.delete_incidents(["t-002", "nope"], BATCH)
    assert report.deleted == ["t-002"] and store.data_version() == before + 1
    assert store.get_incident("t-002") is None
    assert store.get_incident("t-002", as_of=before).title == "Fixture raid"
    assert store.count_incidents(IncidentQuery()) == 6
    assert store.count_incidents(IncidentQuery(as_of=before)) == 7
    assert store.delete_incidents(["nope"], BATCH).deleted == [] and store.data_version() == before + 1


def test_version_at_timestamp(store):
    """A timestamp maps to the data version current then."""
    assert store.version_at("2000-01-01T00:00:00+00:00") == 0
    store.add_incidents(fixture_incidents(), BATCH)
    assert store.version_at("2999-01-01T00:00:00+00:00") == store.data_version() == 1


def test_last_modified_follows_the_data_version(store):
    """last_modified is None on an empty store and set once incidents are written."""
    assert store.last_modified() is None
    store.add_incidents(fixture_incidents(), BATCH)
    assert store.last_modified().startswith("20")


@sqlite_only
def test_last_modified_stays_while_the_data_version_does(store, monkeypatch):
    """A later write that changes nothing records a batch at the same data version, but the data did not change
    then: Last-Modified (and so every server's validators) stays when the data version was reached."""
    import webmap.store.sqlite.connection as connection

    monkeypatch.setattr(connection, "_now", lambda: "2025-01-01T00:00:00+00:00")
    store.add_incidents(fixture_incidents(), BATCH)
    monkeypatch.setattr(connection, "_now", lambda: "2025-01-02T00:00:00+00:00")
    report = store.add_incidents(fixture_incidents(), BATCH)
    assert report.batch_id is not None and report.data_version == store.data_version() == 1
    assert store.last_modified() == "2025-01-01T00:00:00+00:00" == store.version_timestamp(1)


def test_verification_text_and_descending_order(store):
    """verification and free-text words narrow the result; sort_descending reverses the order exactly."""
    store.add_incidents(fixture_incidents(), BATCH)
    assert ids(store.query_incidents(IncidentQuery(verification=("verified", "disputed")))) == ["t-002", "t-003"]
    # Every word (one of its alternatives) must occur, in any case, in the title, description or location name.
    assert ids(store.query_incidents(IncidentQuery(search=(("fixture",), ("airstrike",))))) == ["t-003", "t-004"]
    assert ids(store.query_incidents(IncidentQuery(search=(("airstrike",), ("span",))))) == ["t-003"]
    assert ids(store.query_incidents(IncidentQuery(search=(("nowhere", "span"), ("airstrike",))))) == ["t-003"]
    assert store.count_incidents(IncidentQuery(search=())) == 7
    everything = ids(store.query_incidents(IncidentQuery()))
    assert ids(store.query_incidents(IncidentQuery(sort_descending=True))) == everything[::-1]
    assert ids(store.query_incidents(IncidentQuery(sort_descending=True, limit=2, offset=1))) == ["t-006", "t-005"]


def test_bbox_across_the_antimeridian(store):
    """A bbox with minx > maxx wraps around the antimeridian instead of selecting nothing."""
    far_east = Incident(id="e", geometry={"type": "Point", "coordinates": [179.5, 0.0]}, date="2025-01-01",
                        event_type="other")
    far_west = Incident(id="w", geometry={"type": "Point", "coordinates": [-179.5, 0.0]}, date="2025-01-01",
                        event_type="other")
    store.add_incidents(fixture_incidents() + [far_east, far_west], BATCH)
    assert ids(store.query_incidents(IncidentQuery(bbox=(179.0, -1.0, -179.0, 1.0)))) == ["e", "w"]
    assert store.count_incidents(IncidentQuery(bbox=(-179.0, -1.0, 179.0, 1.0))) == 0


def test_feature_json_is_the_stored_feature(store):
    """query_feature_json returns the same features as query_incidents, unparsed, in the same order."""
    import json

    store.add_incidents(fixture_incidents(), BATCH)
    query = IncidentQuery(event_types=("airstrike", "incursion"), sort_descending=True)
    raw = store.query_feature_json(query)
    assert [json.loads(f) for f in raw] == [i.to_feature() for i in store.query_incidents(query)]


def test_incident_extent(store):
    """The extent covers every live incident's geometry and date span, and is None when empty."""
    assert store.incident_extent() is None
    store.add_incidents(fixture_incidents(), BATCH)
    assert store.incident_extent() == ((35.7716, 32.6189, 36.5695, 33.3106), ("2024-12-08", "2025-07-16"))
    store.delete_incidents(["t-007", "t-004"], BATCH)
    assert store.incident_extent() == ((35.80, 32.6189, 36.1021, 33.3106), ("2024-12-08", "2025-04-02"))


def test_bbox_edges_are_exact_whichever_index_narrows(store):
    """A feature on the bbox edge is in, one a hair outside is out, with or without a type or date filter.

    The R*Tree rounds to 32-bit floats, which cannot tell these two points apart.
    """
    on_edge = Incident(id="on", geometry={"type": "Point", "coordinates": [35.95, 33.0]}, date="2025-01-02",
                       event_type="other")
    outside = Incident(id="out", geometry={"type": "Point", "coordinates": [35.9500001, 33.0]}, date="2025-01-02",
                       event_type="other")
    store.add_incidents([on_edge, outside], BATCH)
    box = (35.9, 32.9, 35.95, 33.1)
    for extra in ({}, {"event_types": ("other",)}, {"start": "2025-01-01"}, {"as_of": store.data_version()}):
        assert ids(store.query_incidents(IncidentQuery(bbox=box, **extra))) == ["on"], extra


def test_migrating_a_first_version_database_keeps_its_incidents(tmp_path):
    """A database made at schema version 1 gains the later tables and indexes and keeps every incident."""
    old = SQLiteStore(tmp_path / "old.db")
    conn = old._connection()
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    # Rows as a version-1 database holds them (today's add_incidents needs later columns).
    conn.execute("INSERT INTO batch (created_at, user, data_version, inserted, updated, unchanged)"
                 " VALUES ('2025-01-01T00:00:00+00:00', 'test', 1, 7, 0, 0)")
    incidents = fixture_incidents()
    changes = [(incident, json.dumps(incident.to_feature()), "old", None) for incident in incidents]
    for row in SQLiteStore._rows(changes, 1, 1, [None] * len(incidents), [(None,) * 3] * len(incidents)):
        conn.execute(V1_INSERT, row[:15])  # every column but the later `point`, position and fatalities
    conn.execute("INSERT INTO incident_rtree SELECT rowid, minx, maxx, miny, maxy FROM incident")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'data_version'")
    old.initialize()
    assert old.schema_version() == len(MIGRATIONS)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"incident_live_date_cover", "incident_live_type_cover"} <= names
    assert ids(old.query_incidents(IncidentQuery(event_types=("airstrike",), bbox=(36, 32, 37, 33)))) == ["t-003",
                                                                                                        "t-004"]
    assert old.delete_incidents(["t-001"], BATCH).deleted == ["t-001"]  # writes use the new batch columns
    old.close()


def test_migration_rewrites_search_text_in_search_form(tmp_path):
    """A database whose search text was only lower-cased finds its incidents under any hamza form once migrated."""
    old = SQLiteStore(tmp_path / "old.db")
    old.initialize()
    arabic = Incident(id="ar-1", geometry={"type": "Point", "coordinates": [36.25, 32.86]}, date="2025-02-25",
                      event_type="airstrike", title="غارة على إزرع", location_name="As-Suwayda")
    old.add_incidents([arabic], BATCH)
    conn = old._connection()
    conn.execute("UPDATE incident SET search_text = lower(json_extract(feature, '$.properties.title'))")
    conn.execute("DROP INDEX incident_search_text")  # as the database was before that migration
    assert "ازرع" not in conn.execute("SELECT search_text FROM incident").fetchone()[0]
    conn.executescript(next(step for step in MIGRATIONS if "CREATE INDEX incident_search_text" in step))
    assert ids(old.query_incidents(IncidentQuery(search=(("ازرع",), (" suwayda ",))))) == ["ar-1"]
    old.close()


def test_property_types_of_live_incidents(store):
    """Each property of the live incidents comes with the JSON types of its values; replaced versions do not count."""
    point = {"type": "Point", "coordinates": [35.9, 33.1]}
    first = Incident(id="p-1", geometry=point, date="2025-01-01", event_type="raid", fatalities=2,
                     extra={"wounded": 3, "note": None, "tags": ["a"]})
    second = Incident(id="p-2", geometry=point, date="2025-01-02", event_type="raid", extra={"wounded": 1.5})
    store.add_incidents([first, second], BATCH)
    store.add_incidents([replace(first, extra={"wounded": 3})], BATCH)
    types = store.property_types()
    assert types["wounded"] == {"integer", "real"} and types["fatalities"] == {"integer"}
    assert types["date"] == {"text"} and "note" not in types and "tags" not in types
