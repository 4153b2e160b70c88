"""The connection every part of the SQLite store shares: one file in WAL mode, a connection per thread, write
transactions, the schema migrations, background checkpoints and the data version every write moves on."""
import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ...core.model import NOTE_PROPERTIES
from ...core.points import pack_point
from ...core.searchtext import searchable
from ..batches import BatchInfo
from ..incidents import POSITION_COLUMNS

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
    # Possible duplicates: pairs of incidents flagged when written (the lower id first), open until an editor
    # marks them as two events (`distinct_by`); a merge needs no mark, since it leaves one of the two deleted.
    """
    CREATE TABLE duplicate_pair (
        id INTEGER PRIMARY KEY,
        first_id TEXT NOT NULL,
        second_id TEXT NOT NULL,
        flagged_at TEXT NOT NULL,
        flagged_version INTEGER NOT NULL,
        distinct_by TEXT,
        distinct_at TEXT,
        UNIQUE (first_id, second_id)
    );
    CREATE INDEX duplicate_pair_second ON duplicate_pair (second_id);
    """,
    # Review before publishing: contributors' incident versions held apart from the published incidents, which
    # every public read comes from, until an editor publishes (or rejects) them.
    """
    CREATE TABLE submission (
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL,
        upload INTEGER NOT NULL,
        author TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        filename TEXT,
        feature TEXT NOT NULL,
        position TEXT,
        replaces INTEGER NOT NULL DEFAULT 0,
        based_on INTEGER,
        state TEXT NOT NULL,
        reason TEXT,
        reviewer TEXT,
        reviewed_at TEXT
    );
    CREATE UNIQUE INDEX submission_waiting ON submission (incident_id) WHERE state = 'waiting';
    CREATE INDEX submission_state ON submission (state, author, id);
    CREATE INDEX submission_incident ON submission (incident_id, id);
    """,
    # Notes of incident versions: the batch keeps what its author wrote (a correction note or a deletion's
    # reason, and a verification note); each row the verification note of its state and its latest correction.
    """
    ALTER TABLE batch ADD COLUMN note TEXT;
    ALTER TABLE batch ADD COLUMN verification_note TEXT;
    ALTER TABLE incident ADD COLUMN verification_note TEXT;
    ALTER TABLE incident ADD COLUMN corrected TEXT;
    ALTER TABLE incident ADD COLUMN correction_note TEXT;
    ALTER TABLE submission ADD COLUMN note TEXT;
    """,
)

# An incident row version's columns besides its id, valid_from and batch: written by incident writes, copied by undo.
_INCIDENT_COLUMNS = ("date, last_date, event_type, precision, verification, search_text, content_hash, feature,"
                     " minx, miny, maxx, maxy, point, " + ", ".join(POSITION_COLUMNS) + ", fatalities, "
                     + ", ".join(NOTE_PROPERTIES))


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


def _now() -> str:
    """Return the current time as ISO 8601 UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _text_or_none(value) -> str | None:
    """Return `value` if it is text: a migration reads properties straight from stored JSON."""
    return value if isinstance(value, str) else None


def _searchable(title, description, location_name) -> str:
    """Return the text that free-text search looks in (see `webmap.core.searchtext.searchable`)."""
    return searchable(*map(_text_or_none, (title, description, location_name)))


class SQLiteConnection:
    """One SQLite file's connections (one per thread), its schema and its data version: what the store's parts
    (incidents, batches, accounts, layers) share."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
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

    def restore_data_version(self, version: int) -> None:
        """Set the data version to another store's, once a copy of its contents is written."""
        with self._transaction() as conn:
            self._set_data_version(conn, version)

    def last_modified(self) -> str | None:
        """Return when the current data version was written (ISO 8601 UTC), or None if never: its first batch, since
        a later write that changed nothing records a batch at the same version, and the data did not change then."""
        row = self._connection().execute(
            "SELECT min(created_at) FROM batch WHERE data_version = "
            "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'data_version')"
        ).fetchone()
        return row[0]

    @staticmethod
    def _current_version(conn: sqlite3.Connection) -> int:
        """Return the data version the database is at."""
        return int(conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])

    @staticmethod
    def _open_batch(conn: sqlite3.Connection, batch: BatchInfo, undoes: int | None = None) -> tuple[int, int]:
        """Record a new batch at the next data version; return that version and the batch id."""
        version = SQLiteConnection._current_version(conn) + 1
        batch_id = conn.execute(
            "INSERT INTO batch (created_at, user, filename, data_version, inserted, updated, unchanged, undoes, note,"
            " verification_note) VALUES (?, ?, ?, ?, 0, 0, 0, ?, ?, ?)",
            (_now(), batch.user, batch.filename, version, undoes, batch.note, batch.verification_note),
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

    def close(self) -> None:
        """Close every connection this store opened, once its background checkpoints are done."""
        self.wait_for_checkpoints()
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
