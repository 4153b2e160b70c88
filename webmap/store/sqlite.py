"""The embedded default store: one SQLite file in WAL mode, with an R*Tree index on bounding boxes."""
import hashlib
import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..model import Incident, ReferenceLayer, geometry_bounds
from ..points import IncidentPoints, pack_point, points_from_packed
from .base import BatchInfo, IncidentQuery, Store, WriteReport

# Each entry migrates the schema from version N to N+1; `PRAGMA user_version` records N.
# Incident rows are versions: a row is live while `valid_to` is NULL, and an edit or a
# deletion closes it at the data version that replaced it, so older views stay reproducible.
MIGRATIONS = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta (key, value) VALUES ('data_version', '0');
    CREATE TABLE batch (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        user TEXT NOT NULL,
        filename TEXT,
        data_version INTEGER NOT NULL,
        inserted INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        unchanged INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE incident (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        valid_from INTEGER NOT NULL,
        valid_to INTEGER,
        batch_id INTEGER REFERENCES batch(id),
        date TEXT NOT NULL,
        last_date TEXT NOT NULL,
        event_type TEXT NOT NULL,
        precision TEXT,
        verification TEXT NOT NULL,
        search_text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        feature TEXT NOT NULL,
        minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL, maxy REAL NOT NULL
    );
    CREATE UNIQUE INDEX incident_live_id ON incident (id) WHERE valid_to IS NULL;
    CREATE INDEX incident_live_date ON incident (date, last_date) WHERE valid_to IS NULL;
    CREATE INDEX incident_live_type ON incident (event_type, date) WHERE valid_to IS NULL;
    CREATE INDEX incident_history ON incident (id, valid_from);
    CREATE VIRTUAL TABLE incident_rtree USING rtree (rowid, minx, maxx, miny, maxy);
    CREATE TABLE reference_layer (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        meta TEXT NOT NULL,
        data TEXT NOT NULL
    );
    """,
    # Packed numeric record per row (webmap.points), indexed for live rows: the map reads a whole data
    # version from this small index instead of the rows' GeoJSON text.
    """
    ALTER TABLE incident ADD COLUMN point BLOB;
    UPDATE incident SET point = webmap_point(minx, miny, maxx, maxy, date, last_date, event_type, precision,
        verification, json_type(feature, '$.properties.illustrative') = 'true',
        json_type(feature, '$.properties.synthetic') = 'true');
    CREATE INDEX incident_live_point ON incident (point) WHERE valid_to IS NULL;
    """,
)
POINT_CACHE_SIZE = 1  # data versions whose columns a store keeps in memory (about 90 bytes per incident)

_INSERT_INCIDENT = """
    INSERT INTO incident (id, valid_from, batch_id, date, last_date, event_type, precision,
                          verification, search_text, content_hash, feature, minx, miny, maxx, maxy, point)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def sqlite_path_from_url(url: str) -> Path:
    """Turn `sqlite:////abs/path.db` (or `sqlite:///relative.db`) into a filesystem path."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError(f"not a SQLite URL: {url!r} (expected sqlite:////absolute/path.db)")
    return Path(url[len(prefix):])


def _dumps(value) -> str:
    """Serialise JSON compactly, keeping non-ASCII text (Arabic names) readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _search_text(incident: Incident) -> str:
    """Return the lower-cased text that free-text search looks in."""
    parts = (incident.title, incident.description, incident.location_name)
    return " ".join(p for p in parts if p).casefold()


def _where(query: IncidentQuery) -> tuple[str, list]:
    """Build the WHERE clause and its parameters for an incident query."""
    clauses, params = [], []
    if query.as_of is None:
        clauses.append("valid_to IS NULL")
    else:
        clauses.append("valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)")
        params += [query.as_of, query.as_of]
    if query.start:
        clauses.append("last_date >= ?")
        params.append(query.start)
    if query.end:
        clauses.append("date <= ?")
        params.append(query.end)
    for column, values in (("event_type", query.event_types), ("verification", query.verification),
                           ("precision", query.precision)):
        if values:
            clauses.append(f"{column} IN ({','.join('?' * len(values))})")
            params += list(values)
    if query.bbox:
        minx, miny, maxx, maxy = query.bbox
        clauses.append(
            "rowid IN (SELECT rowid FROM incident_rtree"
            " WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)"
        )
        params += [maxx, minx, maxy, miny]
    return " AND ".join(clauses), params


class SQLiteStore(Store):
    """Store backed by one SQLite file; each thread gets its own connection."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._points: dict[int, IncidentPoints] = {}
        self._points_lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        """Return this thread's connection, opening it on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: writes open their own BEGIN IMMEDIATE transaction. Each connection
            # is used by its own thread only; close() may run elsewhere, hence check_same_thread.
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.create_function("webmap_point", 11, pack_point, deterministic=True)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _transaction(self):
        """Run a block as one write transaction: committed whole or rolled back whole."""
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def initialize(self) -> None:
        """Create the schema, or apply the migrations an older database lacks."""
        with self._transaction() as conn:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version}")

    def schema_version(self) -> int:
        """Return the schema version recorded in the database file."""
        return self._connection().execute("PRAGMA user_version").fetchone()[0]

    def data_version(self) -> int:
        """Return the number of the last write that changed incidents."""
        row = self._connection().execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return int(row[0])

    def add_incidents(self, incidents: list[Incident], batch: BatchInfo) -> WriteReport:
        """Insert new incidents, replace changed ones and skip identical ones, in one transaction."""
        report = WriteReport()
        with self._transaction() as conn:
            version, batch_id = self._open_batch(conn, batch)
            live = self._live_hashes(conn, [i.id for i in incidents])
            rows, superseded = [], []
            for incident in incidents:
                feature = _dumps(incident.to_feature())
                digest = hashlib.sha1(feature.encode()).hexdigest()
                previous = live.get(incident.id)
                if previous and previous[1] == digest:
                    report.unchanged.append(incident.id)
                    continue
                if previous:
                    superseded.append((version, previous[0]))
                    report.updated.append(incident.id)
                else:
                    report.inserted.append(incident.id)
                rows.append(self._row(incident, version, batch_id, digest, feature))
            if rows:
                conn.executemany("UPDATE incident SET valid_to = ? WHERE rowid = ?", superseded)
                conn.executemany(_INSERT_INCIDENT, rows)
                conn.execute(
                    "INSERT INTO incident_rtree SELECT rowid, minx, maxx, miny, maxy FROM incident"
                    " WHERE batch_id = ?",
                    (batch_id,),
                )
                self._set_data_version(conn, version)
            else:
                version -= 1
            conn.execute(
                "UPDATE batch SET data_version = ?, inserted = ?, updated = ?, unchanged = ? WHERE id = ?",
                (version, len(report.inserted), len(report.updated), len(report.unchanged), batch_id),
            )
        report.batch_id, report.data_version = batch_id, version
        return report

    def delete_incidents(self, incident_ids: list[str], batch: BatchInfo) -> WriteReport:
        """Close the live versions of these incidents (history keeps them) in one transaction."""
        report = WriteReport()
        with self._transaction() as conn:
            version, batch_id = self._open_batch(conn, batch)
            live = self._live_hashes(conn, incident_ids)
            report.deleted = [i for i in incident_ids if i in live]
            conn.executemany("UPDATE incident SET valid_to = ? WHERE rowid = ?",
                             [(version, live[i][0]) for i in report.deleted])
            if not report.deleted:
                version -= 1
            else:
                self._set_data_version(conn, version)
            conn.execute("UPDATE batch SET data_version = ?, deleted = ? WHERE id = ?",
                         (version, len(report.deleted), batch_id))
        report.batch_id, report.data_version = batch_id, version
        return report

    def last_modified(self) -> str | None:
        """Return when the current data version was written (ISO 8601 UTC), or None if never."""
        row = self._connection().execute(
            "SELECT max(created_at) FROM batch WHERE data_version = "
            "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'data_version')"
        ).fetchone()
        return row[0]

    def version_at(self, timestamp: str) -> int:
        """Return the data version that was current at an ISO 8601 UTC timestamp."""
        row = self._connection().execute(
            "SELECT max(data_version) FROM batch WHERE created_at <= ?", (timestamp,)
        ).fetchone()
        return row[0] or 0

    @staticmethod
    def _open_batch(conn: sqlite3.Connection, batch: BatchInfo) -> tuple[int, int]:
        """Record a new batch at the next data version; return that version and the batch id."""
        version = int(conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]) + 1
        batch_id = conn.execute(
            "INSERT INTO batch (created_at, user, filename, data_version, inserted, updated, unchanged)"
            " VALUES (?, ?, ?, ?, 0, 0, 0)",
            (datetime.now(timezone.utc).isoformat(timespec="seconds"), batch.user, batch.filename, version),
        ).lastrowid
        return version, batch_id

    @staticmethod
    def _set_data_version(conn: sqlite3.Connection, version: int) -> None:
        """Record the data version a committed write reached."""
        conn.execute("UPDATE meta SET value = ? WHERE key = 'data_version'", (str(version),))

    @staticmethod
    def _live_hashes(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
        """Return rowid and content hash of the live rows among `ids`."""
        found = {}
        chunk = 900  # stays under SQLite's limit on bound parameters
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            sql = (
                "SELECT id, rowid, content_hash FROM incident"
                f" WHERE valid_to IS NULL AND id IN ({','.join('?' * len(part))})"
            )
            found.update((row[0], (row[1], row[2])) for row in conn.execute(sql, part))
        return found

    @staticmethod
    def _row(incident: Incident, version: int, batch_id: int, digest: str, feature: str) -> tuple:
        """Return the column values stored for one incident version."""
        minx, miny, maxx, maxy = geometry_bounds(incident.geometry)
        point = pack_point(minx, miny, maxx, maxy, incident.date, incident.last_date, incident.event_type,
                           incident.precision, incident.verification, incident.extra.get("illustrative") is True,
                           incident.extra.get("synthetic") is True)
        return (
            incident.id, version, batch_id, incident.date, incident.last_date, incident.event_type,
            incident.precision, incident.verification, _search_text(incident), digest, feature,
            minx, miny, maxx, maxy, point,
        )

    def query_incidents(self, query: IncidentQuery) -> list[Incident]:
        """Return the matching incidents, ordered by date then id, honouring limit and offset."""
        where, params = _where(query)
        sql = f"SELECT feature FROM incident WHERE {where} ORDER BY date, id"
        if query.limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [query.limit, query.offset]
        rows = self._connection().execute(sql, params)
        return [Incident.from_feature(json.loads(row[0])) for row in rows]

    def count_incidents(self, query: IncidentQuery) -> int:
        """Return how many incidents match, ignoring limit and offset."""
        where, params = _where(query)
        return self._connection().execute(f"SELECT count(*) FROM incident WHERE {where}", params).fetchone()[0]

    def incident_points(self, as_of: int | None = None) -> IncidentPoints:
        """Return the incidents of the current (or `as_of`) data version as columns, cached per version."""
        with self._points_lock:
            points = self._points.get(self.data_version() if as_of is None else as_of)
            if points is None:
                points = self._read_points(as_of)
                if len(self._points) >= POINT_CACHE_SIZE:
                    self._points.pop(min(self._points))
                self._points[points.data_version] = points
        return points

    def _read_points(self, as_of: int | None) -> IncidentPoints:
        """Read the packed records of one data version in a single pass, inside one read transaction."""
        conn = self._connection()
        conn.execute("BEGIN")  # the version number and the rows come from the same snapshot
        try:
            current = self.data_version()
            if as_of is None or as_of >= current:
                version, params = current, []
                source = "incident INDEXED BY incident_live_point WHERE valid_to IS NULL"
            else:
                version = as_of
                where, params = _where(IncidentQuery(as_of=as_of))
                source = f"incident WHERE {where}"
            # Two aggregates over one scan see the rows in the same order, so keys and records line up.
            # Concatenating inside SQLite, and the records as raw bytes, keeps Python out of the per-row
            # work: that is what makes reading a million rows take a fraction of a second.
            keys, packed = conn.execute(
                f"SELECT group_concat(rowid), CAST(group_concat(point, '') AS BLOB) FROM {source}", params
            ).fetchone()
        finally:
            conn.execute("COMMIT")
        return points_from_packed(version, np.fromstring(keys or "", dtype=np.int64, sep=","), packed or b"")

    def incidents_by_key(self, keys: list[int]) -> list[Incident]:
        """Return the incident versions with these row keys, in the order given."""
        found = {}
        chunk = 900  # stays under SQLite's limit on bound parameters
        for start in range(0, len(keys), chunk):
            part = [int(k) for k in keys[start:start + chunk]]
            rows = self._connection().execute(
                f"SELECT rowid, feature FROM incident WHERE rowid IN ({','.join('?' * len(part))})", part
            )
            found.update((row[0], row[1]) for row in rows)
        return [Incident.from_feature(json.loads(found[int(k)])) for k in keys if int(k) in found]

    def get_incident(self, incident_id: str, as_of: int | None = None) -> Incident | None:
        """Return one incident by id, live or as it was at data version `as_of`."""
        where, params = _where(IncidentQuery(as_of=as_of))
        row = self._connection().execute(
            f"SELECT feature FROM incident WHERE {where} AND id = ?", [*params, incident_id]
        ).fetchone()
        return Incident.from_feature(json.loads(row[0])) if row else None

    def put_reference_layers(self, layers: list[ReferenceLayer]) -> None:
        """Replace the reference layers in one transaction."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM reference_layer")
            conn.executemany(
                "INSERT INTO reference_layer (id, position, meta, data) VALUES (?, ?, ?, ?)",
                [(layer.id, n, _dumps(layer.meta), _dumps(layer.data)) for n, layer in enumerate(layers)],
            )

    def list_reference_layers(self) -> list[ReferenceLayer]:
        """Return the reference layers, bottom layer first."""
        rows = self._connection().execute("SELECT id, meta, data FROM reference_layer ORDER BY position")
        return [ReferenceLayer(row[0], json.loads(row[1]), json.loads(row[2])) for row in rows]

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
