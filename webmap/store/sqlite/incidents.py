"""The embedded default store: one SQLite file in WAL mode, with an R*Tree index on bounding boxes."""
import hashlib
import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import orjson

from ...core.cycles import no_cycle_collection
from ...core.lru import SizedLRU
from ...core.model import Incident, ReferenceLayer, geometry_bounds, representative_point
from ...core.points import (ILLUSTRATIVE, RECORD, SYNTHETIC, IncidentPoints, pack_point, pack_points,
                            points_from_packed, with_position)
from ...core.searchtext import searchable
from ..incidents import (COUNTABLE_COLUMNS, POSITION_COLUMNS, TALLY_UNITS, Account, AccountExists, AuditEntry,
                         BatchInfo, BatchRecord, IncidentQuery, LastAdmin, LayerConflict, LayerSnapshot, LayerVersion,
                         ProtectedIncidents, Store, Tally, TokenInfo, UndoRefused, WriteReport)

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
    # Accounts, hashed API tokens, and undo links between batches. Undo finds a batch's rows by
    # batch_id (the versions it wrote) and by valid_to (the versions it closed), hence the indexes.
    """
    CREATE TABLE account (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE api_token (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    ALTER TABLE batch ADD COLUMN undoes INTEGER REFERENCES batch(id);
    CREATE UNIQUE INDEX batch_undoes ON batch (undoes) WHERE undoes IS NOT NULL;
    CREATE INDEX incident_batch ON incident (batch_id);
    CREATE INDEX incident_closed ON incident (valid_to) WHERE valid_to IS NOT NULL;
    """,
    # Covering indexes for the read API: filtering live incidents by date or type plus a bounding box,
    # counting them and ordering them by (date, id) read only index entries, not the large rows.
    """
    DROP INDEX incident_live_date;
    DROP INDEX incident_live_type;
    CREATE INDEX incident_live_date_cover
        ON incident (date, last_date, minx, maxx, miny, maxy, event_type, id, valid_to) WHERE valid_to IS NULL;
    CREATE INDEX incident_live_type_cover
        ON incident (event_type, date, last_date, minx, maxx, miny, maxy, id, valid_to) WHERE valid_to IS NULL;
    """,
    # Packed numeric record per row (webmap.core.points), indexed for live rows: the map reads a whole data
    # version from this small index instead of the rows' GeoJSON text.
    """
    ALTER TABLE incident ADD COLUMN point BLOB;
    UPDATE incident SET point = webmap_point(minx, miny, maxx, maxy, date, last_date, event_type, precision,
        verification, json_type(feature, '$.properties.illustrative') = 'true',
        json_type(feature, '$.properties.synthetic') = 'true');
    CREATE INDEX incident_live_point ON incident (point) WHERE valid_to IS NULL;
    """,
    # Failed log-ins per account name, kept in the database so every server process sees the same count.
    """
    CREATE TABLE login_failure (name TEXT NOT NULL, at TEXT NOT NULL);
    CREATE INDEX login_failure_name ON login_failure (name, at);
    """,
    # A number each session cookie carries: raising it (log-out, a role change) ends every session of the
    # account on the server, which the signed cookie alone cannot do.
    """
    ALTER TABLE account ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
    """,
    # The ids each batch wrote, from the index alone: the `batch` filter and undo list them without reading
    # the large rows.
    """
    DROP INDEX incident_batch;
    CREATE INDEX incident_batch ON incident (batch_id, id);
    """,
    # Each incident version's position against the 1974 lines, kept from its write (and placed again when the
    # reference layers change) instead of computed on every read; the packed record grows to carry it. The
    # rows are placed after migrating, by refresh_positions, which needs the reference layers.
    """
    ALTER TABLE incident ADD COLUMN zone TEXT;
    ALTER TABLE incident ADD COLUMN near_line INTEGER;
    ALTER TABLE incident ADD COLUMN distance_alpha_km REAL;
    ALTER TABLE incident ADD COLUMN distance_bravo_km REAL;
    ALTER TABLE incident ADD COLUMN line_margin_km REAL;
    ALTER TABLE incident ADD COLUMN governorate TEXT;
    ALTER TABLE incident ADD COLUMN governorate_name TEXT;
    UPDATE incident SET point = webmap_point(minx, miny, maxx, maxy, date, last_date, event_type, precision,
        verification, json_type(feature, '$.properties.illustrative') = 'true',
        json_type(feature, '$.properties.synthetic') = 'true');
    """,
    # Every version of every reference layer, with who wrote it and when, so an editor's replacement never
    # loses the layer it replaced. The layers stored before this version become their first versions.
    """
    CREATE TABLE reference_layer_history (
        rowid INTEGER PRIMARY KEY,
        layer_id TEXT NOT NULL,
        data_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        meta TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX reference_layer_history_layer ON reference_layer_history (layer_id, rowid);
    INSERT INTO reference_layer_history (layer_id, data_version, created_at, user, action, meta, data)
        SELECT id, (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'data_version'),
               strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), 'webmap init', 'bundled', meta, data
        FROM reference_layer ORDER BY position;
    """,
    # Search text in search form (webmap.core.searchtext): hamza forms, taa marbuta, alef maqsura, harakat,
    # accents and transliterated articles no longer decide whether a spelling of a name is found. The index
    # holds only the search text (and the row id): scanning it reads a tenth of what scanning the rows would.
    """
    UPDATE incident SET search_text = webmap_searchable(json_extract(feature, '$.properties.title'),
        json_extract(feature, '$.properties.description'), json_extract(feature, '$.properties.location_name'));
    CREATE INDEX incident_search_text ON incident (search_text);
    """,
    # The `zone` and `governorate` filters (and counts per zone or governorate) find their live rows from these
    # narrow indexes instead of scanning every row; one index each, since a filter often names only one of them.
    # The dates let a filter that also has a date range (the statistics of one month) be counted in the index.
    """
    CREATE INDEX incident_live_zone ON incident (zone, date, last_date) WHERE valid_to IS NULL;
    CREATE INDEX incident_live_governorate ON incident (governorate, date, last_date) WHERE valid_to IS NULL;
    """,
    # Each incident version's reported fatalities as a column of its own, so the statistics sum them in their
    # GROUP BY without parsing every row's stored Feature (which took most of the time at 100,000 incidents).
    """
    ALTER TABLE incident ADD COLUMN fatalities INTEGER;
    UPDATE incident SET fatalities = json_extract(feature, '$.properties.fatalities');
    """,
    # Accounts managed on the web: disabling an account, named tokens with when they were last used, and the
    # audit log of every account change (who, when, what, on whom; never a password or a token).
    """
    ALTER TABLE account ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE api_token ADD COLUMN name TEXT NOT NULL DEFAULT '';
    ALTER TABLE api_token ADD COLUMN last_used_at TEXT;
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    """,
)

# Data versions whose columns a store keeps in memory (about 90 bytes per incident): the live one and the last
# one a pinned embed asked for, so readers of a pinned embed do not make every live request read again.
POINT_CACHE_SIZE = 2
KEY_CACHE_BYTES = 16 * 2**20  # keys of past searches at a fixed data version (8 bytes per incident found)

_INCIDENT_COLUMNS = ("date, last_date, event_type, precision, verification, search_text, content_hash, feature,"
                     " minx, miny, maxx, maxy, point, " + ", ".join(POSITION_COLUMNS) + ", fatalities")

# A row's Feature as read: the stored text with the stored position added to its properties.
_FEATURE = ("CASE WHEN zone IS NULL THEN feature ELSE json_set(feature, '$.properties.zone', zone,"
            " '$.properties.near_line', json(CASE WHEN near_line THEN 'true' ELSE 'false' END),"
            " '$.properties.distance_alpha_km', distance_alpha_km, '$.properties.distance_bravo_km', distance_bravo_km,"
            " '$.properties.line_margin_km', line_margin_km, '$.properties.governorate', governorate,"
            " '$.properties.governorate_name', governorate_name) END")

# The first day of the week (Monday) or month holding an incident's first day, as SQLite computes it (months by
# text, which is twice as fast as date()).
_PERIOD_START = {"week": "date(date, 'weekday 0', '-6 days')", "month": "substr(date, 1, 8) || '01'"}

_ACCOUNT_COLUMNS = "a.name, a.role, a.password_hash, a.session_generation, a.disabled"
_TOKEN_COLUMNS = "t.id, t.name, t.created_at, t.last_used_at"

_BATCH_COLUMNS = ("b.id, b.created_at, b.user, b.filename, b.data_version, b.inserted, b.updated, b.unchanged,"
                  " b.deleted, b.undoes, (SELECT u.id FROM batch u WHERE u.undoes = b.id)")

_INSERT_INCIDENT = f"""
    INSERT INTO incident (id, valid_from, batch_id, {_INCIDENT_COLUMNS})
    VALUES ({", ".join("?" * (17 + len(POSITION_COLUMNS)))})
"""
_PLACE_INCIDENT = f"UPDATE incident SET {', '.join(c + ' = ?' for c in POSITION_COLUMNS)}, point = ? WHERE rowid = ?"
_PLACE_BATCH = 20_000  # rows placed at once when the layers change: bounded memory


def sqlite_path_from_url(url: str) -> Path:
    """Turn `sqlite:////abs/path.db` (or `sqlite:///relative.db`) into a filesystem path."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError(f"not a SQLite URL: {url!r} (expected sqlite:////absolute/path.db)")
    return Path(url[len(prefix):])


# Page cache (KiB) for a large write's index and R*Tree updates; the default 2 MB makes them re-read pages.
_BULK_CACHE_KIB = 64 * 1024
_BULK_ROWS = 5000


def _dumps(value) -> str:
    """Serialise JSON compactly, keeping non-ASCII text (Arabic names) readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _feature_text(incident: Incident) -> str:
    """Serialise an incident as stored: compact UTF-8 JSON, by orjson, ten times faster than _dumps. A position
    it carries (read back from an export) is left out: the store places every incident itself."""
    feature = incident.to_feature()
    if not _POSITION_SET.isdisjoint(incident.extra):
        feature["properties"] = {k: v for k, v in feature["properties"].items() if k not in _POSITION_SET}
    try:
        # The text matches _dumps except for tiny floats (0.00001, not 1e-05); the content hash is
        # taken from it, so such an incident stored before counts as updated once.
        return orjson.dumps(feature).decode()
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, which only the standard encoder writes
        return _dumps(feature)


@contextmanager
def _rebuilt_indexes(conn: sqlite3.Connection, rows: int):
    """Around an insert larger than the table so far, drop the table's indexes and build them again after.

    Building an index sorts its entries once, while keeping it up to date puts them into a b-tree one
    by one; for a first import of 100,000 incidents the builds take about two thirds of the time. It
    all happens inside the write's transaction, so readers never see the table without its indexes.
    """
    if rows < _BULK_ROWS or rows < (conn.execute("SELECT max(rowid) FROM incident").fetchone()[0] or 0):
        yield
        return
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incident' AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


_POSITION_SET = frozenset(POSITION_COLUMNS)


def _packed_position(position: tuple) -> tuple:
    """Return the part of a position (POSITION_COLUMNS) that the packed record holds."""
    zone, _, alpha, bravo, _, governorate, _ = position
    return zone, governorate, alpha, bravo


def _now() -> str:
    """Return the current time as ISO 8601 UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _text_or_none(value) -> str | None:
    """Return `value` if it is text: a migration reads properties straight from stored JSON."""
    return value if isinstance(value, str) else None


def _searchable(title, description, location_name) -> str:
    """Return the text that free-text search looks in (see `webmap.core.searchtext.searchable`)."""
    return searchable(*map(_text_or_none, (title, description, location_name)))


def _where(query: IncidentQuery) -> tuple[str, list]:
    """Build the WHERE clause and its parameters for an incident query."""
    if query.as_of is None:
        clauses, params = ["valid_to IS NULL"], []
    else:
        clauses, params = ["valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"], [query.as_of, query.as_of]
    filter_clauses, filter_params = _filter_clauses(query)
    return " AND ".join(clauses + filter_clauses), params + filter_params


def _filter_clauses(query: IncidentQuery) -> tuple[list[str], list]:
    """Build the conditions on what a query selects, whichever row versions it looks at."""
    clauses, params = [], []
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
    if query.batches:
        # Every version of an incident shares its id, so this selects the incidents a batch wrote as they are now.
        clauses.append(f"id IN (SELECT id FROM incident WHERE batch_id IN ({','.join('?' * len(query.batches))}))")
        params += list(query.batches)
    position = query.position
    for column, values in (("zone", position.zones), ("governorate", position.governorates)):
        if values:
            clauses.append(f"{column} IN ({','.join('?' * len(values))})")
            params += list(values)
    for column, low, high in position.ranges():
        for bound, operator in ((low, ">="), (high, "<=")):
            if bound is not None:
                clauses.append(f"{column} {operator} ?")
                params.append(bound)
    if query.search:
        # Text has no index that narrows a substring test, so every search scans: the search text index,
        # which holds nothing else, rather than the large rows.
        tests = " AND ".join("(" + " OR ".join(["instr(search_text, ?) > 0"] * len(alternatives)) + ")"
                             for alternatives in query.search)
        clauses.append(f"rowid IN (SELECT rowid FROM incident INDEXED BY incident_search_text WHERE {tests})")
        params += [term for alternatives in query.search for term in alternatives]
    if query.keys is not None:
        clauses.append("rowid IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(query.keys)))
    if query.bbox:
        minx, miny, maxx, maxy = query.bbox
        # A box whose west edge is east of its east edge crosses the antimeridian.
        x_test = "minx <= ? AND maxx >= ?" if minx <= maxx else "(minx <= ? OR maxx >= ?)"
        box_test, box_params = f"{x_test} AND miny <= ? AND maxy >= ?", [maxx, minx, maxy, miny]
        if query.as_of is not None or not (query.event_types or query.start or query.end):
            # Only the R*Tree can narrow this query (the other indexes hold live rows only). Its boxes are
            # rounded outwards to 32-bit floats, so the exact test below still decides. With a type or a
            # date the covering indexes narrow first and hold the bounds, which beats listing every row
            # of a large box.
            clauses.append(f"rowid IN (SELECT rowid FROM incident_rtree WHERE {box_test})")
            params += box_params
        clauses.append(box_test)
        params += box_params
    return clauses, params


def _order(query: IncidentQuery) -> str:
    """Return the ORDER BY clause: by date then id, newest first if asked."""
    return "ORDER BY date DESC, id DESC" if query.sort_descending else "ORDER BY date, id"


class SQLiteStore(Store):
    """Store backed by one SQLite file; each thread gets its own connection."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._points: dict[int, IncidentPoints] = {}
        self._points_lock = threading.Lock()
        self._keys = SizedLRU(KEY_CACHE_BYTES)
        self._checkpoints: list[threading.Thread] = []

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
            conn.create_function("webmap_searchable", 3, _searchable, deterministic=True)
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

    @contextmanager
    def _bulk_write(self, rows: int):
        """Prepare this thread's connection for a write of many rows, and restore it afterwards.

        A larger page cache keeps the index and R*Tree pages in memory. The checkpoint that copies the
        write from the WAL into the database file runs afterwards on another thread, instead of inside
        COMMIT, so the writer can answer as soon as the data is committed.
        """
        if rows < _BULK_ROWS:
            yield
            return
        conn = self._connection()
        cache, autocheckpoint = (conn.execute(f"PRAGMA {name}").fetchone()[0]
                                 for name in ("cache_size", "wal_autocheckpoint"))
        conn.execute(f"PRAGMA cache_size = -{_BULK_CACHE_KIB}")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA cache_size = {cache}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {autocheckpoint}")
        self._checkpoint_in_background()

    def _checkpoint_in_background(self) -> None:
        """Copy committed pages from the WAL into the database file on a thread of its own."""
        def checkpoint():
            conn = sqlite3.connect(self.path, timeout=30)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                conn.close()
        # Not a daemon: a command that exits right after its write lets the checkpoint finish first.
        thread = threading.Thread(target=checkpoint, name="webmap-checkpoint")
        with self._lock:
            self._checkpoints = [t for t in self._checkpoints if t.is_alive()] + [thread]
        thread.start()

    def wait_for_checkpoints(self) -> None:
        """Wait until every background checkpoint started so far has finished."""
        with self._lock:
            pending = list(self._checkpoints)
        for thread in pending:
            thread.join()

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

    def add_incidents(self, incidents: list[Incident], batch: BatchInfo,
                      protected: tuple[str, ...] = ()) -> WriteReport:
        """Insert new incidents, replace changed ones and skip identical ones, in one transaction; refuse the whole
        write if it would change an incident in a `protected` verification state."""
        report = WriteReport()
        with no_cycle_collection(), self._bulk_write(len(incidents)), self._transaction() as conn:
            version, batch_id = self._open_batch(conn, batch)
            changes = list(self._changes(conn, incidents, report, protected))
            superseded = [(version, previous) for _, _, _, previous in changes if previous]
            positions = self._positions(conn, [incident for incident, _, _, _ in changes])
            rows = self._rows(changes, version, batch_id, positions)
            if rows:
                conn.executemany("UPDATE incident SET valid_to = ? WHERE rowid = ?", superseded)
                with _rebuilt_indexes(conn, len(rows)):
                    conn.executemany(_INSERT_INCIDENT, rows)
                self._index_batch(conn, batch_id)
                self._set_data_version(conn, version)
            else:
                version -= 1
            conn.execute(
                "UPDATE batch SET data_version = ?, inserted = ?, updated = ?, unchanged = ? WHERE id = ?",
                (version, len(report.inserted), len(report.updated), len(report.unchanged), batch_id),
            )
        report.batch_id, report.data_version = batch_id, version
        return report

    def plan_incidents(self, incidents: list[Incident], protected: tuple[str, ...] = ()) -> WriteReport:
        """Sort incidents into inserted, updated and unchanged as `add_incidents` would, writing nothing."""
        report = WriteReport(data_version=self.data_version())
        for _ in self._changes(self._connection(), incidents, report, protected):
            pass
        return report

    def _changes(self, conn: sqlite3.Connection, incidents: list[Incident], report: WriteReport,
                 protected: tuple[str, ...]):
        """Record each incident in the report; yield (incident, feature, digest, superseded rowid) for writes.

        Raises ProtectedIncidents after the last one if any would change a live incident in a `protected` state;
        the caller writes its rows only after the last one, so nothing is written then."""
        live = self._live_hashes(conn, [i.id for i in incidents])
        refused = {}
        for incident in incidents:
            feature = _feature_text(incident)
            digest = hashlib.sha1(feature.encode()).hexdigest()
            previous = live.get(incident.id)
            if previous and previous[1] == digest:
                report.unchanged.append(incident.id)
                continue
            if previous and previous[2] in protected:
                refused[incident.id] = previous[2]
            (report.updated if previous else report.inserted).append(incident.id)
            yield incident, feature, digest, previous[0] if previous else None
        if refused:
            raise ProtectedIncidents(refused)

    def delete_incidents(self, incident_ids: list[str], batch: BatchInfo) -> WriteReport:
        """Close the live versions of these incidents (history keeps them) in one transaction."""
        with self._transaction() as conn:
            live = self._live_hashes(conn, incident_ids)
            return self._close_live(conn, batch, [(i, live[i][0]) for i in incident_ids if i in live])

    def delete_demo_incidents(self, batch: BatchInfo) -> WriteReport:
        """Close the live versions of every illustrative or synthetic incident as one batch, in one transaction."""
        with self._transaction() as conn:
            # The flags are one byte of the packed record (webmap.core.points), read from the live-point index.
            rows = conn.execute(
                "SELECT id, rowid FROM incident INDEXED BY incident_live_point"
                " WHERE valid_to IS NULL AND (unicode(substr(point, ?, 1)) & ?) != 0 ORDER BY id",
                (RECORD.fields["flags"][1] + 1, ILLUSTRATIVE | SYNTHETIC),
            ).fetchall()
            return self._close_live(conn, batch, rows) if rows else WriteReport(data_version=self.data_version())

    def _close_live(self, conn: sqlite3.Connection, batch: BatchInfo, rows: list[tuple[str, int]]) -> WriteReport:
        """Close the live rows given as (id, rowid) at a new batch, which records them as deleted."""
        version, batch_id = self._open_batch(conn, batch)
        conn.executemany("UPDATE incident SET valid_to = ? WHERE rowid = ?", [(version, row) for _, row in rows])
        if not rows:
            version -= 1
        else:
            self._set_data_version(conn, version)
        conn.execute("UPDATE batch SET data_version = ?, deleted = ? WHERE id = ?", (version, len(rows), batch_id))
        return WriteReport(batch_id=batch_id, data_version=version, deleted=[incident_id for incident_id, _ in rows])

    def list_batches(self, limit: int, before: int | None = None) -> list[BatchRecord]:
        """Return up to `limit` batches, newest first, with ids below `before` if given."""
        rows = self._connection().execute(
            f"SELECT {_BATCH_COLUMNS} FROM batch b WHERE b.id < ? ORDER BY b.id DESC LIMIT ?",
            (before if before is not None else 2 ** 62, limit),
        )
        return [BatchRecord(*row) for row in rows]

    def get_batch(self, batch_id: int) -> BatchRecord | None:
        """Return one batch by id, or None."""
        row = self._connection().execute(f"SELECT {_BATCH_COLUMNS} FROM batch b WHERE b.id = ?",
                                         (batch_id,)).fetchone()
        return BatchRecord(*row) if row else None

    def undo_batch(self, batch_id: int, batch: BatchInfo) -> WriteReport:
        """Close the versions a batch wrote and bring back the ones it closed, as a new batch."""
        report = WriteReport()
        with self._transaction() as conn:
            target = self._undoable(conn, batch_id)
            # Only a batch that changed something owns its data version, so valid_to = that
            # version selects exactly the rows this batch replaced or deleted.
            written = [row[0] for row in conn.execute("SELECT id FROM incident WHERE batch_id = ?", (batch_id,))]
            closed = [row[0] for row in conn.execute("SELECT id FROM incident WHERE valid_to = ?",
                                                     (target.data_version,))]
            version, new_batch = self._open_batch(conn, batch, undoes=batch_id)
            conn.execute("UPDATE incident SET valid_to = ? WHERE batch_id = ? AND valid_to IS NULL",
                         (version, batch_id))
            conn.execute(
                f"INSERT INTO incident (id, valid_from, batch_id, {_INCIDENT_COLUMNS})"
                f" SELECT id, ?, ?, {_INCIDENT_COLUMNS} FROM incident WHERE valid_to = ?",
                (version, new_batch, target.data_version),
            )
            self._index_batch(conn, new_batch)
            self._set_data_version(conn, version)
            restored, rewritten = set(closed), set(written)
            report.inserted = [i for i in closed if i not in rewritten]
            report.updated = [i for i in written if i in restored]
            report.deleted = [i for i in written if i not in restored]
            conn.execute("UPDATE batch SET inserted = ?, updated = ?, deleted = ? WHERE id = ?",
                         (len(report.inserted), len(report.updated), len(report.deleted), new_batch))
        report.batch_id, report.data_version = new_batch, version
        return report

    def _undoable(self, conn: sqlite3.Connection, batch_id: int) -> BatchRecord:
        """Return the batch if undoing it would only revert its own changes; else raise UndoRefused."""
        row = conn.execute(f"SELECT {_BATCH_COLUMNS} FROM batch b WHERE b.id = ?", (batch_id,)).fetchone()
        if row is None:
            raise UndoRefused(f"There is no batch {batch_id}.")
        target = BatchRecord(*row)
        if target.undone_by is not None:
            raise UndoRefused(f"Batch {batch_id} was already undone by batch {target.undone_by}.")
        if not target.changed:
            raise UndoRefused(f"Batch {batch_id} changed nothing, so there is nothing to undo.")
        # Undoing must not throw away later work: every version the batch wrote must still be live,
        # and nothing it deleted may have come back since.
        later = conn.execute(
            "SELECT id FROM incident WHERE batch_id = ? AND valid_to IS NOT NULL"
            " UNION SELECT gone.id FROM incident gone JOIN incident now"
            " ON now.id = gone.id AND now.valid_to IS NULL"
            " WHERE gone.valid_to = ? AND NOT EXISTS"
            " (SELECT 1 FROM incident mine WHERE mine.batch_id = ? AND mine.id = gone.id)"
            " ORDER BY 1",
            (batch_id, target.data_version, batch_id),
        ).fetchall()
        if later:
            ids = [row[0] for row in later]
            raise UndoRefused(
                f"Batch {batch_id} cannot be undone: {len(ids)} of its incidents changed in later batches "
                "(undo those first).", ids)
        return target

    def add_account(self, name: str, role: str, password_hash: str) -> None:
        """Create an account; raise AccountExists if the name is taken."""
        try:
            with self._transaction() as conn:
                conn.execute("INSERT INTO account (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                             (name, role, password_hash, _now()))
        except sqlite3.IntegrityError:
            raise AccountExists(f"an account named {name!r} already exists") from None

    def get_account(self, name: str) -> Account | None:
        """Return the account with this name, or None."""
        row = self._connection().execute(f"SELECT {_ACCOUNT_COLUMNS} FROM account a WHERE name = ?",
                                         (name,)).fetchone()
        return Account(*row) if row else None

    def list_accounts(self) -> list[Account]:
        """Return every account, by name."""
        rows = self._connection().execute(f"SELECT {_ACCOUNT_COLUMNS} FROM account a ORDER BY name")
        return [Account(*row) for row in rows]

    def _update_account(self, name: str, assignments: str, values: tuple) -> bool:
        """Apply `assignments` to one account and end its sessions, refusing (with LastAdmin, changing nothing)
        a change that leaves no enabled admin; return False if there is no such account."""
        with self._transaction() as conn:
            admins_before = self._active_admins(conn)
            changed = conn.execute(f"UPDATE account SET {assignments}, session_generation = session_generation + 1"
                                   " WHERE name = ?", (*values, name)).rowcount > 0
            if admins_before and not self._active_admins(conn):
                raise LastAdmin(f"{name!r} is the last active admin: make another account admin first")
            return changed

    @staticmethod
    def _active_admins(conn: sqlite3.Connection) -> int:
        """Count the enabled admin accounts."""
        return conn.execute("SELECT count(*) FROM account WHERE role = 'admin' AND NOT disabled").fetchone()[0]

    def set_account_role(self, name: str, role: str) -> bool:
        """Change an account's role and end its sessions; return False if there is no such account; raise
        LastAdmin (changing nothing) if it would leave no active admin."""
        return self._update_account(name, "role = ?", (role,))

    def set_account_disabled(self, name: str, disabled: bool) -> bool:
        """Disable or enable an account and end its sessions; return False if there is no such account; raise
        LastAdmin (changing nothing) if it would leave no active admin."""
        return self._update_account(name, "disabled = ?", (int(disabled),))

    def set_account_password(self, name: str, password_hash: str) -> bool:
        """Replace an account's password hash and end its sessions; return False if there is no such account."""
        return self._update_account(name, "password_hash = ?", (password_hash,))

    def end_sessions(self, name: str) -> bool:
        """End every session of an account; return False if there is no such account."""
        with self._transaction() as conn:
            return conn.execute("UPDATE account SET session_generation = session_generation + 1 WHERE name = ?",
                                (name,)).rowcount > 0

    def add_token(self, account_name: str, token_hash: str, name: str = "") -> int:
        """Record the hash of a new, named API token for an existing account; return the token's id."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO api_token (account_id, token_hash, name, created_at)"
                " SELECT id, ?, ?, ? FROM account WHERE name = ?",
                (token_hash, name, _now(), account_name),
            )
        if not cursor.rowcount:
            raise KeyError(account_name)
        return cursor.lastrowid

    def account_for_token(self, token_hash: str) -> Account | None:
        """Return the enabled account an API token hash belongs to (noting when the token was used), or None."""
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT {_ACCOUNT_COLUMNS} FROM api_token t JOIN account a ON a.id = t.account_id"
                " WHERE t.token_hash = ? AND NOT a.disabled",
                (token_hash,),
            ).fetchone()
            if row:
                # Written only when the minute changes, so scripts' bursts of requests do not each write.
                conn.execute("UPDATE api_token SET last_used_at = ?1 WHERE token_hash = ?2"
                             " AND (last_used_at IS NULL OR substr(last_used_at, 1, 16) < substr(?1, 1, 16))",
                             (_now(), token_hash))
        return Account(*row) if row else None

    def list_tokens(self, account_name: str) -> list[TokenInfo]:
        """Return an account's API tokens, newest first."""
        rows = self._connection().execute(
            f"SELECT {_TOKEN_COLUMNS} FROM api_token t JOIN account a ON a.id = t.account_id WHERE a.name = ?"
            " ORDER BY t.id DESC", (account_name,))
        return [TokenInfo(*row) for row in rows]

    def revoke_token(self, account_name: str, token_id: int) -> TokenInfo | None:
        """Delete one API token of an account; return what it was, or None if the account has no such token."""
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM api_token t JOIN account a ON a.id = t.account_id"
                " WHERE a.name = ? AND t.id = ?", (account_name, token_id)).fetchone()
            if row:
                conn.execute("DELETE FROM api_token WHERE id = ?", (token_id,))
        return TokenInfo(*row) if row else None

    def revoke_tokens(self, account_name: str) -> int:
        """Delete every API token of an account; return how many there were."""
        with self._transaction() as conn:
            return conn.execute(
                "DELETE FROM api_token WHERE account_id = (SELECT id FROM account WHERE name = ?)",
                (account_name,),
            ).rowcount

    def add_audit(self, entry: AuditEntry) -> None:
        """Record an account change in the audit log, stamped with the current time."""
        with self._transaction() as conn:
            conn.execute("INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                         (_now(), entry.actor, entry.action, entry.target, entry.detail))

    def list_audit(self, limit: int, before: int | None = None) -> list[AuditEntry]:
        """Return up to `limit` audit entries, newest first, only those older than entry `before` if given."""
        rows = self._connection().execute(
            "SELECT actor, action, target, detail, at, id FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
            (before if before is not None else 2 ** 63 - 1, limit))
        return [AuditEntry(*row) for row in rows]

    def reserve_login_attempt(self, name: str, at: str, since: str, limit: int) -> list[str]:
        """Return when log-ins under `name` failed since `since` (ISO 8601 UTC), oldest first; if fewer than
        `limit` (or `limit` is 0), also count this attempt, made `at`, as failed until it is cleared."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM login_failure WHERE at < ?", (since,))
            failures = [row[0] for row in conn.execute(
                "SELECT at FROM login_failure WHERE name = ? ORDER BY at", (name,))]
            if not limit or len(failures) < limit:
                conn.execute("INSERT INTO login_failure (name, at) VALUES (?, ?)", (name, at))
        return failures

    def clear_login_failures(self, name: str) -> None:
        """Forget the failed log-ins under a name (after a successful one)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM login_failure WHERE name = ?", (name,))

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
    def _open_batch(conn: sqlite3.Connection, batch: BatchInfo, undoes: int | None = None) -> tuple[int, int]:
        """Record a new batch at the next data version; return that version and the batch id."""
        version = SQLiteStore._current_version(conn) + 1
        batch_id = conn.execute(
            "INSERT INTO batch (created_at, user, filename, data_version, inserted, updated, unchanged, undoes)"
            " VALUES (?, ?, ?, ?, 0, 0, 0, ?)",
            (_now(), batch.user, batch.filename, version, undoes),
        ).lastrowid
        return version, batch_id

    @staticmethod
    def _index_batch(conn: sqlite3.Connection, batch_id: int) -> None:
        """Add the bounding boxes of the rows a batch wrote to the spatial index."""
        conn.execute(
            "INSERT INTO incident_rtree SELECT rowid, minx, maxx, miny, maxy FROM incident WHERE batch_id = ?",
            (batch_id,),
        )

    @staticmethod
    def _set_data_version(conn: sqlite3.Connection, version: int) -> None:
        """Record the data version a committed write reached."""
        conn.execute("UPDATE meta SET value = ? WHERE key = 'data_version'", (str(version),))

    @staticmethod
    def _live_columns(conn: sqlite3.Connection, ids: list[str], columns: str) -> dict[str, tuple]:
        """Return the given columns of the live rows among `ids`, by id."""
        found = {}
        chunk = 900  # stays under SQLite's limit on bound parameters
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            sql = f"SELECT id, {columns} FROM incident WHERE valid_to IS NULL AND id IN ({','.join('?' * len(part))})"
            found.update((row[0], row[1:]) for row in conn.execute(sql, part))
        return found

    @classmethod
    def _live_hashes(cls, conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, str, str]]:
        """Return rowid, content hash and verification state of the live rows among `ids`."""
        return cls._live_columns(conn, ids, "rowid, content_hash, verification")

    def verification_states(self, incident_ids: list[str]) -> dict[str, str]:
        """Return the verification state of each live incident among these ids."""
        found = self._live_columns(self._connection(), incident_ids, "verification")
        return {incident_id: row[0] for incident_id, row in found.items()}

    @staticmethod
    def _rows(changes: list[tuple], version: int, batch_id: int, positions: list[tuple | None]) -> list[tuple]:
        """Return the column values stored for each incident version written (changes as _changes yields them),
        placed at its position (POSITION_COLUMNS), with the packed records of all of them built at once."""
        empty = (None,) * len(POSITION_COLUMNS)
        positions = [position or empty for position in positions]
        incidents = [incident for incident, _, _, _ in changes]
        bounds = [geometry_bounds(incident.geometry) for incident in incidents]
        points = pack_points(
            bounds, [i.date for i in incidents], [i.last_date for i in incidents], [i.event_type for i in incidents],
            [i.precision for i in incidents], [i.verification for i in incidents],
            [(ILLUSTRATIVE if i.extra.get("illustrative") is True else 0)
             | (SYNTHETIC if i.extra.get("synthetic") is True else 0) for i in incidents],
            [_packed_position(position) for position in positions])
        return [(incident.id, version, batch_id, incident.date, incident.last_date, incident.event_type,
                 incident.precision, incident.verification, _searchable(incident.title, incident.description, incident.location_name), digest, feature, *box, point,
                 *position, incident.fatalities)
                for (incident, feature, digest, _), box, point, position in zip(changes, bounds, points, positions)]

    def _snapshot(self, conn: sqlite3.Connection) -> LayerSnapshot:
        """Return the stored reference layers as this transaction sees them."""
        rows = conn.execute("SELECT id, meta, data FROM reference_layer ORDER BY position").fetchall()
        digest = hashlib.sha1("\n".join(f"{i}\t{data}" for i, _, data in rows).encode()).hexdigest()
        return LayerSnapshot(digest, lambda: [ReferenceLayer(i, json.loads(meta), json.loads(data))
                                              for i, meta, data in rows])

    def _positions_key(self, snapshot: LayerSnapshot) -> str:
        """Return what the stored positions depend on: the layers and the positioner."""
        return f"{snapshot.digest}:{self.positioner.version()}"

    def _positions(self, conn: sqlite3.Connection, incidents: list[Incident]) -> list[tuple | None]:
        """Place incidents against the stored layers (None for each without a positioner)."""
        if self.positioner is None or not incidents:
            return [None] * len(incidents)
        lon, lat = np.array([representative_point(i.geometry) for i in incidents], dtype=float).reshape(-1, 2).T
        return self.positioner.place(self._snapshot(conn), lon, lat, [i.precision for i in incidents])

    def _place_all(self, conn: sqlite3.Connection) -> int:
        """Place every incident version again against the stored layers, a slice of rows at a time; record
        what they were placed with."""
        snapshot = self._snapshot(conn)
        placed, last = 0, 0
        while True:
            rows = conn.execute(
                "SELECT rowid, precision, minx, miny, point, CASE WHEN minx = maxx AND miny = maxy THEN NULL"
                " ELSE json_extract(feature, '$.geometry') END FROM incident WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, _PLACE_BATCH)).fetchall()
            if not rows:
                break
            points = np.array([(x, y) if geometry is None else representative_point(json.loads(geometry))
                               for _, _, x, y, _, geometry in rows], dtype=float)
            positions = self.positioner.place(snapshot, points[:, 0], points[:, 1], [row[1] for row in rows])
            empty = (None,) * len(POSITION_COLUMNS)
            conn.executemany(_PLACE_INCIDENT, [
                (*(position or empty), with_position(row[4], _packed_position(position or empty)), row[0])
                for row, position in zip(rows, positions)])
            placed, last = placed + len(rows), rows[-1][0]
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('positions', ?)",
                     (self._positions_key(snapshot),))
        with self._points_lock:
            self._points.clear()
        return placed

    def refresh_positions(self) -> int | None:
        """Place every incident version again if the layers or the positioner changed since they were placed."""
        if self.positioner is None:
            return None
        with self._transaction() as conn:
            recorded = conn.execute("SELECT value FROM meta WHERE key = 'positions'").fetchone()
            if recorded and recorded[0] == self._positions_key(self._snapshot(conn)):
                return None
            return self._place_all(conn)

    def count_incidents_by(self, query: IncidentQuery, column: str) -> dict:
        """Return how many incidents match, per value of `column` (one of COUNTABLE_COLUMNS)."""
        if column not in COUNTABLE_COLUMNS:
            raise ValueError(f"cannot count by {column!r}; one of: {', '.join(COUNTABLE_COLUMNS)}")
        where, params = _where(query)
        rows = self._connection().execute(
            f"SELECT {column}, count(*) FROM incident WHERE {where} GROUP BY {column}", params)
        return dict(rows.fetchall())

    def tally_incidents(self, query: IncidentQuery, unit: str) -> list[Tally]:
        """Return the matching incidents counted per period of `unit`, event type, zone, governorate and near_line,
        with their reported fatalities summed, in one GROUP BY."""
        if unit not in TALLY_UNITS:
            raise ValueError(f"cannot count by {unit!r}; one of: {', '.join(TALLY_UNITS)}")
        where, params = _where(query)
        rows = self._connection().execute(
            f"SELECT {_PERIOD_START[unit]}, event_type, zone, governorate, coalesce(near_line, 0), count(*),"
            f" count(fatalities), coalesce(sum(fatalities), 0) FROM incident WHERE {where} GROUP BY 1, 2, 3, 4, 5",
            params)
        return [Tally(period, event_type, zone, governorate, bool(near), *counts)
                for period, event_type, zone, governorate, near, *counts in rows]

    def version_timestamp(self, version: int) -> str | None:
        """Return when data version `version` was first reached (ISO 8601 UTC), or None."""
        row = self._connection().execute(
            "SELECT min(created_at) FROM batch WHERE data_version = ?", (version,)
        ).fetchone()
        return row[0]

    def count_changed_since(self, version: int, query: IncidentQuery) -> int:
        """Count incidents with a matching row version written or closed after `version`."""
        clauses, params = _filter_clauses(query)
        # A row written after `version` is an insert or an edit; a row closed after it, an edit or a deletion.
        where = " AND ".join(["(valid_from > ? OR valid_to > ?)", *clauses])
        return self._connection().execute(
            f"SELECT count(DISTINCT id) FROM incident WHERE {where}", [version, version, *params]
        ).fetchone()[0]

    def query_incidents(self, query: IncidentQuery) -> list[Incident]:
        """Return the matching incidents in query order, honouring limit and offset."""
        return [Incident.from_feature(json.loads(feature)) for feature in self.query_feature_json(query)]

    def query_feature_json(self, query: IncidentQuery) -> list[str]:
        """Return the stored Feature JSON of the matching incidents, without parsing it."""
        where, params = _where(query)
        sql = f"SELECT {_FEATURE} FROM incident WHERE {where} {_order(query)}"
        if query.limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [query.limit, query.offset]
        return [row[0] for row in self._connection().execute(sql, params)]

    def count_incidents(self, query: IncidentQuery) -> int:
        """Return how many incidents match, ignoring limit and offset."""
        where, params = _where(query)
        return self._connection().execute(f"SELECT count(*) FROM incident WHERE {where}", params).fetchone()[0]

    def incident_extent(self, query: IncidentQuery = IncidentQuery()
                        ) -> tuple[tuple[float, float, float, float], tuple[str, str]] | None:
        """Return the bounding box and date range of the matching incidents, or None if there are none."""
        where, params = _where(query)
        row = self._connection().execute(
            f"SELECT min(minx), min(miny), max(maxx), max(maxy), min(date), max(last_date) FROM incident WHERE {where}",
            params,
        ).fetchone()
        return None if row[0] is None else (tuple(row[:4]), tuple(row[4:]))

    def property_types(self) -> dict[str, set[str]]:
        """Return every property name of the live incidents with the JSON types of its values."""
        found = {}
        rows = self._connection().execute(
            "SELECT p.key, p.type FROM incident, json_each(incident.feature, '$.properties') AS p"
            " WHERE incident.valid_to IS NULL GROUP BY p.key, p.type")
        for name, kind in rows:
            found.setdefault(name, set()).add(kind)
        return found

    def incident_points(self, as_of: int | None = None) -> IncidentPoints:
        """Return the incidents of the current (or `as_of`) data version as columns, cached per version."""
        with self._points_lock:
            points = self._points.pop(self.data_version() if as_of is None else as_of, None)
            if points is None:
                points = self._read_points(as_of)
                if len(self._points) >= POINT_CACHE_SIZE:
                    self._points.pop(next(iter(self._points)))  # the least recently used
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

    def incident_keys(self, query: IncidentQuery) -> np.ndarray:
        """Return the keys (row ids) of the incident versions that match, in key order.

        At a fixed data version (`as_of`) the answer never changes, so it is kept: a map that pans with a
        search or a batch filter asks the same question for every view.
        """
        if query.as_of is None:
            return self._read_keys(query)
        return np.frombuffer(self._keys.get_or_make(query, lambda: self._read_keys(query).tobytes()), np.int64)

    def _read_keys(self, query: IncidentQuery) -> np.ndarray:
        """Read the keys of the incident versions that match."""
        where, params = _where(query)
        rows = self._connection().execute(f"SELECT rowid FROM incident WHERE {where} ORDER BY rowid", params)
        return np.fromiter((row[0] for row in rows), dtype=np.int64)

    def incidents_by_key(self, keys: list[int]) -> list[Incident]:
        """Return the incident versions with these row keys, in the order given."""
        found = {}
        chunk = 900  # stays under SQLite's limit on bound parameters
        for start in range(0, len(keys), chunk):
            part = [int(k) for k in keys[start:start + chunk]]
            rows = self._connection().execute(
                f"SELECT rowid, {_FEATURE} FROM incident WHERE rowid IN ({','.join('?' * len(part))})", part
            )
            found.update((row[0], row[1]) for row in rows)
        return [Incident.from_feature(json.loads(found[int(k)])) for k in keys if int(k) in found]

    def get_incident(self, incident_id: str, as_of: int | None = None) -> Incident | None:
        """Return one incident by id, live or as it was at data version `as_of`."""
        where, params = _where(IncidentQuery(as_of=as_of))
        row = self._connection().execute(
            f"SELECT {_FEATURE} FROM incident WHERE {where} AND id = ?", [*params, incident_id]
        ).fetchone()
        return Incident.from_feature(json.loads(row[0])) if row else None

    def put_reference_layers(self, layers: list[ReferenceLayer], batch: BatchInfo) -> bool:
        """Replace the bundled reference layers in one transaction, keeping editors' own layers above them;
        return whether anything changed."""
        ids = {layer.id for layer in layers}
        rows = [(layer.id, n, _dumps(layer.meta), _dumps(layer.data)) for n, layer in enumerate(layers)]
        with self._transaction() as conn:
            before = conn.execute("SELECT id, position, meta, data FROM reference_layer ORDER BY position").fetchall()
            kept = [row for row in before if row[0] not in ids and json.loads(row[2]).get("origin") == "editor"]
            rows += [(layer_id, len(rows) + n, meta, data) for n, (layer_id, _, meta, data) in enumerate(kept)]
            if before == rows:
                return False
            stored = {row[0]: row[2:] for row in before}
            conn.execute("DELETE FROM reference_layer")
            conn.executemany("INSERT INTO reference_layer (id, position, meta, data) VALUES (?, ?, ?, ?)", rows)
            version = self._current_version(conn)
            if self.positioner is not None:
                self._place_all(conn)
            if before:
                version, _ = self._open_batch(conn, batch)
                self._set_data_version(conn, version)
            for layer_id, _, meta, data in rows:
                if stored.get(layer_id) != (meta, data):
                    self._record_layer_version(conn, layer_id, version, batch.user, "bundled", meta, data)
        return True

    def put_reference_layer(self, layer: ReferenceLayer, batch: BatchInfo, replace: bool) -> LayerVersion:
        """Add a layer on top, or replace one in place, at a new data version recorded in its history."""
        meta, data = _dumps(layer.meta), _dumps(layer.data)
        with self._transaction() as conn:
            exists = conn.execute("SELECT 1 FROM reference_layer WHERE id = ?", (layer.id,)).fetchone() is not None
            if replace and not exists:
                raise LayerConflict(f"There is no reference layer '{layer.id}' to replace.")
            if exists and not replace:
                raise LayerConflict(f"A reference layer '{layer.id}' exists already; replace it instead.")
            version, _ = self._open_batch(conn, batch)
            self._set_data_version(conn, version)
            placed_with = self._positions_key(self._snapshot(conn)) if self.positioner is not None else None
            if exists:
                conn.execute("UPDATE reference_layer SET meta = ?, data = ? WHERE id = ?", (meta, data, layer.id))
            else:
                conn.execute("INSERT INTO reference_layer (id, position, meta, data)"
                             " SELECT ?, coalesce(max(position) + 1, 0), ?, ? FROM reference_layer",
                             (layer.id, meta, data))
            self._record_layer_version(conn, layer.id, version, batch.user, "replaced" if exists else "added",
                                       meta, data)
            if self.positioner is not None:
                self._follow_layer_change(conn, layer.id, placed_with)
        return self.reference_layer_history(layer.id)[0]

    def _follow_layer_change(self, conn: sqlite3.Connection, layer_id: str, placed_with: str) -> None:
        """Keep stored positions current after one layer changed: place every incident again if positions depend
        on it; otherwise, if they were current, record that they still are, so no later start places them again."""
        if self.positioner.uses(layer_id):
            self._place_all(conn)
            return
        recorded = conn.execute("SELECT value FROM meta WHERE key = 'positions'").fetchone()
        if recorded and recorded[0] == placed_with:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'positions'",
                         (self._positions_key(self._snapshot(conn)),))

    @staticmethod
    def _current_version(conn: sqlite3.Connection) -> int:
        """Return the data version the database is at."""
        return int(conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])

    @staticmethod
    def _record_layer_version(conn: sqlite3.Connection, layer_id: str, version: int, user: str, action: str,
                              meta: str, data: str) -> None:
        """Keep a version of a layer in its history."""
        conn.execute("INSERT INTO reference_layer_history (layer_id, data_version, created_at, user, action, meta,"
                     " data) VALUES (?, ?, ?, ?, ?, ?, ?)", (layer_id, version, _now(), user, action, meta, data))

    def get_reference_layer(self, layer_id: str) -> ReferenceLayer | None:
        """Return one stored reference layer, or None."""
        row = self._connection().execute("SELECT id, meta, data FROM reference_layer WHERE id = ?",
                                         (layer_id,)).fetchone()
        return ReferenceLayer(row[0], json.loads(row[1]), json.loads(row[2])) if row else None

    def reference_layer_history(self, layer_id: str) -> list[LayerVersion]:
        """Return a layer's versions, newest first, numbered from 1 for the oldest."""
        rows = self._connection().execute(
            "SELECT data_version, created_at, user, action, meta, json_array_length(data, '$.features')"
            " FROM reference_layer_history WHERE layer_id = ? ORDER BY rowid", (layer_id,)).fetchall()
        versions = [LayerVersion(layer_id, n, row[0], row[1], row[2], row[3], json.loads(row[4]), row[5] or 0)
                    for n, row in enumerate(rows, start=1)]
        return versions[::-1]

    def list_reference_layers(self) -> list[ReferenceLayer]:
        """Return the reference layers, bottom layer first."""
        rows = self._connection().execute("SELECT id, meta, data FROM reference_layer ORDER BY position")
        return [ReferenceLayer(row[0], json.loads(row[1]), json.loads(row[2])) for row in rows]

    def reference_layer_ids(self) -> list[str]:
        """Return the reference layer ids, bottom layer first."""
        return [row[0] for row in self._connection().execute("SELECT id FROM reference_layer ORDER BY position")]

    def close(self) -> None:
        """Close every connection this store opened, once its background checkpoints are done."""
        self.wait_for_checkpoints()
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
