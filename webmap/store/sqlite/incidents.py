"""The SQLite store's incidents: versioned rows with an R*Tree on their bounding boxes, writes, queries by
date, type, box, text and position, history (`as_of`), the packed columns the map reads, and their positions."""
import hashlib
import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import orjson

from ...core.cycles import no_cycle_collection
from ...core.lru import SizedLRU
from ...core.model import (NOTE_PROPERTIES, Incident, IncidentRevision, ReferenceLayer, geometry_bounds,
                           representative_point)
from ...core.points import (ILLUSTRATIVE, RECORD, SYNTHETIC, IncidentPoints, pack_points, points_from_packed,
                            with_position)
from ..batches import BatchInfo, WriteReport
from ..incidents import (COUNTABLE_COLUMNS, POSITION_COLUMNS, TALLY_UNITS, IncidentQuery, IncidentVersion,
                         ProtectedIncidents, Tally)
from ..layers import LayerSnapshot
from .connection import _BULK_ROWS, _INCIDENT_COLUMNS, SQLiteConnection, _dumps, _now, _searchable

# Data versions whose columns a store keeps in memory (about 90 bytes per incident): the live one and the last
# one a pinned embed asked for, so readers of a pinned embed do not make every live request read again.
POINT_CACHE_SIZE = 2
KEY_CACHE_BYTES = 16 * 2**20  # keys of past searches at a fixed data version (8 bytes per incident found)

# A row's Feature as read: the stored text with the stored position added to its properties, and its notes
# (json_patch leaves out those that are null).
_PLACED = ("CASE WHEN zone IS NULL THEN feature ELSE json_set(feature, '$.properties.zone', zone,"
           " '$.properties.near_line', json(CASE WHEN near_line THEN 'true' ELSE 'false' END),"
           " '$.properties.distance_alpha_km', distance_alpha_km, '$.properties.distance_bravo_km', distance_bravo_km,"
           " '$.properties.line_margin_km', line_margin_km, '$.properties.governorate', governorate,"
           " '$.properties.governorate_name', governorate_name) END")
_FEATURE = (f"CASE WHEN verification_note IS NULL AND corrected IS NULL THEN {_PLACED} ELSE json_patch({_PLACED},"
            " json_object('properties', json_object(" + ", ".join(f"'{n}', {n}" for n in NOTE_PROPERTIES)
            + "))) END")

# The first day of the week (Monday) or month holding an incident's first day, as SQLite computes it (months by
# text, which is twice as fast as date()).
_PERIOD_START = {"week": "date(date, 'weekday 0', '-6 days')", "month": "substr(date, 1, 8) || '01'"}

_INSERT_INCIDENT = f"""
    INSERT INTO incident (id, valid_from, batch_id, {_INCIDENT_COLUMNS})
    VALUES ({", ".join("?" * (17 + len(POSITION_COLUMNS) + len(NOTE_PROPERTIES)))})
"""
_RESTORE_INCIDENT = f"""
    INSERT INTO incident (rowid, id, valid_from, valid_to, batch_id, {_INCIDENT_COLUMNS})
    VALUES ({", ".join("?" * (19 + len(POSITION_COLUMNS) + len(NOTE_PROPERTIES)))})
"""
_PLACE_INCIDENT = f"UPDATE incident SET {', '.join(c + ' = ?' for c in POSITION_COLUMNS)}, point = ? WHERE rowid = ?"
_PLACE_BATCH = 20_000  # rows placed at once when the layers change: bounded memory


def _feature_text(incident: Incident) -> str:
    """Serialise an incident as stored: compact UTF-8 JSON, by orjson, ten times faster than _dumps. A position
    it carries (read back from an export) is left out, and so are its notes: the store places every incident
    itself and keeps its notes in columns."""
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


_POSITION_SET = frozenset((*POSITION_COLUMNS, *NOTE_PROPERTIES))  # what a read adds, never taken from input


def _notes(changes: list[tuple], batch: BatchInfo) -> list[tuple]:
    """Return the notes (NOTE_PROPERTIES) each written version keeps: the batch's verification note, else the
    superseded version's while the state stays; the batch's note as a correction of an incident that existed,
    else the superseded version's latest correction."""
    today = _now()[:10]
    notes = []
    for incident, _, _, previous in changes:
        if previous is None:
            notes.append((batch.verification_note, None, None))
            continue
        state, verification_note, corrected, correction_note = previous[2:]
        kept = verification_note if incident.verification == state else None
        notes.append((batch.verification_note or kept,
                      *((today, batch.note) if batch.note else (corrected, correction_note))))
    return notes


def _packed_position(position: tuple) -> tuple:
    """Return the part of a position (POSITION_COLUMNS) that the packed record holds."""
    zone, _, alpha, bravo, _, governorate, _ = position
    return zone, governorate, alpha, bravo


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


class SQLiteIncidents(SQLiteConnection):
    """Incidents in SQLite, each edit a new row version; the columns of recent data versions are kept in memory."""

    def __init__(self, path: Path | str):
        super().__init__(path)
        self._points: dict[int, IncidentPoints] = {}
        self._points_lock = threading.Lock()
        self._keys = SizedLRU(KEY_CACHE_BYTES)

    def add_incidents(self, incidents: list[Incident], batch: BatchInfo,
                      protected: tuple[str, ...] = ()) -> WriteReport:
        """Insert new incidents, replace changed ones and skip identical ones, in one transaction; refuse the whole
        write if it would change an incident in a `protected` verification state."""
        with no_cycle_collection(), self._bulk_write(len(incidents)), self._transaction() as conn:
            return self._write_incidents(conn, incidents, batch, protected)

    def _write_incidents(self, conn: sqlite3.Connection, incidents: list[Incident], batch: BatchInfo,
                         protected: tuple[str, ...]) -> WriteReport:
        """Write incidents as `add_incidents` does, inside the caller's transaction (publishing a submission
        writes its incident in the transaction that marks it published)."""
        report = WriteReport()
        version, batch_id = self._open_batch(conn, batch)
        changes = list(self._changes(conn, incidents, report, protected))
        superseded = [(version, previous[0]) for _, _, _, previous in changes if previous]
        self._flag_duplicates(conn, [incident for incident, _, _, _ in changes], version, tuple(report.updated))
        positions = self._positions(conn, [incident for incident, _, _, _ in changes])
        rows = self._rows(changes, version, batch_id, positions, _notes(changes, batch))
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
        """Record each incident in the report; yield (incident, feature, digest, the live row it supersedes as
        _live_hashes gives it, or None) for writes.

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
            yield incident, feature, digest, previous
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
    def _live_hashes(cls, conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple]:
        """Return rowid, content hash, verification state and notes (NOTE_PROPERTIES) of the live rows among `ids`."""
        return cls._live_columns(conn, ids, "rowid, content_hash, verification, " + ", ".join(NOTE_PROPERTIES))

    def verification_states(self, incident_ids: list[str]) -> dict[str, str]:
        """Return the verification state of each live incident among these ids."""
        found = self._live_columns(self._connection(), incident_ids, "verification")
        return {incident_id: row[0] for incident_id, row in found.items()}

    @staticmethod
    def _rows(changes: list[tuple], version: int, batch_id: int, positions: list[tuple | None],
              notes: list[tuple]) -> list[tuple]:
        """Return the column values stored for each incident version written (changes as _changes yields them),
        placed at its position (POSITION_COLUMNS), with its notes (NOTE_PROPERTIES) and the packed records of all
        of them built at once."""
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
                 *position, incident.fatalities, *note)
                for (incident, feature, digest, _), box, point, position, note
                in zip(changes, bounds, points, positions, notes)]

    def version_at(self, timestamp: str) -> int:
        """Return the data version that was current at an ISO 8601 UTC timestamp."""
        row = self._connection().execute(
            "SELECT max(data_version) FROM batch WHERE created_at <= ?", (timestamp,)
        ).fetchone()
        return row[0] or 0

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

    def incident_history(self, incident_id: str) -> list[IncidentRevision]:
        """Return every version of an incident and each deletion, oldest first, with who wrote it and their notes."""
        conn = self._connection()
        rows = conn.execute(f"SELECT valid_from, valid_to, batch_id, {_FEATURE} FROM incident WHERE id = ?"
                            " ORDER BY valid_from", (incident_id,)).fetchall()
        if not rows:
            return []
        starts = {valid_from for valid_from, *_ in rows}
        # A version closed where no other starts was deleted, by the batch that made that data version (the
        # first with it: a later one that changed nothing keeps the version it found).
        deleted = sorted({valid_to for _, valid_to, *_ in rows if valid_to is not None and valid_to not in starts})
        batches = {row[0]: row[1:] for row in conn.execute(
            "SELECT id, created_at, user, note, verification_note FROM batch WHERE id IN"
            f" ({','.join('?' * len(rows))})", [batch_id for _, _, batch_id, _ in rows])}
        closers = {version: conn.execute(
            "SELECT created_at, user, note, verification_note FROM batch WHERE data_version = ? ORDER BY id LIMIT 1",
            (version,)).fetchone() for version in deleted}
        versions = [IncidentRevision(valid_from, *batches[batch_id][:2], Incident.from_feature(json.loads(feature)),
                                    *batches[batch_id][2:]) for valid_from, _, batch_id, feature in rows]
        versions += [IncidentRevision(version, *closers[version][:2], None, *closers[version][2:])
                     for version in deleted]
        return sorted(versions, key=lambda version: version.data_version)

    def incident_versions(self, after: int = 0, limit: int = 10_000) -> list[IncidentVersion]:
        """Return up to `limit` stored incident versions with row keys above `after`, in key order."""
        rows = self._connection().execute(
            f"SELECT rowid, {_FEATURE}, valid_from, valid_to, batch_id FROM incident WHERE rowid > ? ORDER BY rowid"
            " LIMIT ?", (after, limit))
        return [IncidentVersion(key, Incident.from_feature(json.loads(feature)), valid_from, valid_to, batch_id)
                for key, feature, valid_from, valid_to, batch_id in rows]

    def restore_incident_versions(self, versions: list[IncidentVersion]) -> None:
        """Insert incident versions with their row keys, data versions and batches, unplaced, and index them."""
        if not versions:
            return
        changes = []
        for version in versions:
            feature = _feature_text(version.incident)
            changes.append((version.incident, feature, hashlib.sha1(feature.encode()).hexdigest(), None))
        # The notes travel as the properties a read adds (the position is placed again afterwards).
        notes = [tuple(version.incident.extra.get(name) for name in NOTE_PROPERTIES) for version in versions]
        rows = self._rows(changes, 0, None, [None] * len(changes), notes)
        keys = [version.key for version in versions]
        with self._bulk_write(len(rows)), self._transaction() as conn:
            with _rebuilt_indexes(conn, len(rows)):
                conn.executemany(_RESTORE_INCIDENT, [
                    (v.key, row[0], v.valid_from, v.valid_to, v.batch_id, *row[3:]) for v, row in zip(versions, rows)])
            conn.execute("INSERT INTO incident_rtree SELECT rowid, minx, maxx, miny, maxy FROM incident"
                         " WHERE rowid BETWEEN ? AND ?", (min(keys), max(keys)))

    def get_incident(self, incident_id: str, as_of: int | None = None) -> Incident | None:
        """Return one incident by id, live or as it was at data version `as_of`."""
        where, params = _where(IncidentQuery(as_of=as_of))
        row = self._connection().execute(
            f"SELECT {_FEATURE} FROM incident WHERE {where} AND id = ?", [*params, incident_id]
        ).fetchone()
        return Incident.from_feature(json.loads(row[0])) if row else None

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
