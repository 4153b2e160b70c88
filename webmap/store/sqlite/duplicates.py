"""Possible duplicates in SQLite: flagged inside the transaction that writes incidents, kept in `duplicate_pair`."""
import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ...core.duplicates import Sightings, duplicate_pairs
from ...core.model import Incident, geometry_bounds
from ...core.points import day_number, iso_day, value_code
from ..batches import BatchInfo, WriteReport
from ..duplicates import DuplicatePair, PairGone, StoredPair
from .connection import SQLiteConnection, _now
from .incidents import _INSERT_INCIDENT, _notes

# Open pairs whose incidents are both live, with both incidents' stored Features (without positions).
_OPEN_PAIRS = ("FROM duplicate_pair p JOIN incident a ON a.id = p.first_id AND a.valid_to IS NULL"
               " JOIN incident b ON b.id = p.second_id AND b.valid_to IS NULL WHERE p.distinct_by IS NULL")


def _centres(bounds) -> tuple[np.ndarray, np.ndarray]:
    """Return the centres (lon, lat) of bounding boxes given as rows of minx, miny, maxx, maxy."""
    box = np.asarray(bounds, dtype=float).reshape(-1, 4)
    return (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2


def _pair(row: tuple) -> DuplicatePair:
    """Build a pair from its id, when it was flagged and both stored Features."""
    pair_id, flagged_at, first, second = row
    return DuplicatePair(pair_id, Incident.from_feature(json.loads(first)), Incident.from_feature(json.loads(second)),
                         flagged_at)


class SQLiteDuplicates(SQLiteConnection):
    """The duplicates part of the SQLite store."""

    def _flag_duplicates(self, conn: sqlite3.Connection, incidents: list[Incident], version: int,
                         replaced: tuple[str, ...] = (), leaving: tuple[str, ...] = ()) -> int:
        """Flag the pairs that `incidents`, written at `version`, make with each other and with the other live
        incidents (except those `leaving`), inside the transaction that writes them. The open pairs of the
        `replaced` incidents are dropped first: they are looked for again as the incidents now are. Return how
        many pairs were flagged."""
        if replaced:
            conn.execute("DELETE FROM duplicate_pair WHERE distinct_by IS NULL AND (first_id IN"
                         " (SELECT value FROM json_each(?1)) OR second_id IN (SELECT value FROM json_each(?1)))",
                         (json.dumps(list(replaced)),))
        return self._flag_rows(conn, [(i.id, i.event_type, i.date, i.last_date, *geometry_bounds(i.geometry))
                                      for i in incidents], version, leaving)

    def _flag_rows(self, conn: sqlite3.Connection, rows: list[tuple], version: int,
                   leaving: tuple[str, ...] = ()) -> int:
        """Flag the pairs that incidents given as (id, event type, date, last date, minx, miny, maxx, maxy) make
        with each other and with the other live incidents (except those `leaving`); return how many."""
        rule = self.duplicate_rule
        if not rule.active or not rows:
            return 0
        types = sorted({row[1] for row in rows})
        skip = {row[0] for row in rows} | set(leaving)
        first = [day_number(row[2]) for row in rows]
        last = [day_number(row[3]) for row in rows]
        # Only live incidents of these types whose days come close enough can pair with them.
        rows = rows + [row for row in conn.execute(
            "SELECT id, event_type, date, last_date, minx, miny, maxx, maxy FROM incident WHERE valid_to IS NULL"
            f" AND event_type IN ({','.join('?' * len(types))}) AND last_date >= ? AND date <= ?",
            [*types, iso_day(min(first) - rule.days), iso_day(max(last) + rule.days)]) if row[0] not in skip]
        new = np.arange(len(rows)) < len(first)
        first += [day_number(row[2]) for row in rows[len(first):]]
        last += [day_number(row[3]) for row in rows[len(last):]]
        lon, lat = _centres([row[4:] for row in rows])
        kinds = np.array([value_code(row[1]) for row in rows], dtype=np.int64)
        pairs = duplicate_pairs(Sightings(kinds, np.array(first), np.array(last), lon, lat, new), rule)
        now = _now()
        conn.executemany(
            "INSERT OR IGNORE INTO duplicate_pair (first_id, second_id, flagged_at, flagged_version)"
            " VALUES (?, ?, ?, ?)",
            [(*sorted((rows[a][0], rows[b][0])), now, version) for a, b in pairs.tolist()])
        return len(pairs)

    def list_duplicate_pairs(self, limit: int, before: int | None = None) -> list[DuplicatePair]:
        """Return up to `limit` open pairs of live incidents, newest flagged first, with ids below `before`."""
        rows = self._connection().execute(
            f"SELECT p.id, p.flagged_at, a.feature, b.feature {_OPEN_PAIRS} AND p.id < ? ORDER BY p.id DESC LIMIT ?",
            (before if before is not None else 2 ** 63 - 1, limit))
        return [_pair(row) for row in rows]

    def count_duplicate_pairs(self) -> int:
        """Return how many open pairs of live incidents there are."""
        return self._connection().execute(f"SELECT count(*) {_OPEN_PAIRS}").fetchone()[0]

    def get_duplicate_pair(self, pair_id: int) -> DuplicatePair | None:
        """Return one open pair of live incidents, or None."""
        return self._open_pair(self._connection(), pair_id)

    @staticmethod
    def _open_pair(conn: sqlite3.Connection, pair_id: int) -> DuplicatePair | None:
        """Return one open pair of live incidents as this connection sees it, or None."""
        row = conn.execute(f"SELECT p.id, p.flagged_at, a.feature, b.feature {_OPEN_PAIRS} AND p.id = ?",
                           (pair_id,)).fetchone()
        return _pair(row) if row else None

    def mark_pair_distinct(self, pair_id: int, user: str) -> bool:
        """Record that an open pair reports two events; return False if it is not open."""
        with self._transaction() as conn:
            if self._open_pair(conn, pair_id) is None:
                return False
            conn.execute("UPDATE duplicate_pair SET distinct_by = ?, distinct_at = ? WHERE id = ?",
                         (user, _now(), pair_id))
        return True

    def merge_duplicate_pair(self, pair_id: int, merge: Callable[[Incident, Incident], Incident],
                             batch: BatchInfo) -> WriteReport:
        """Write the merge of an open pair and delete the other incident, as one batch, in one transaction; the
        batch's note is the deleted incident's reason, not a correction of the merged one."""
        report = WriteReport()
        with self._transaction() as conn:
            pair = self._open_pair(conn, pair_id)
            if pair is None:
                raise PairGone(f"There is no open pair {pair_id}.")
            merged = merge(pair.first, pair.second)
            gone = pair.second.id if merged.id == pair.first.id else pair.first.id
            version, batch_id = self._open_batch(conn, batch)
            changes = list(self._changes(conn, [merged], report, ()))
            # The merged incident may be close to others still: flagged with them, never with the one it absorbs.
            self._flag_duplicates(conn, [incident for incident, _, _, _ in changes], version, leaving=(gone,))
            rows = self._rows(changes, version, batch_id, self._positions(conn, [merged] if changes else []),
                              _notes(changes, replace(batch, note=None)))
            closed = [previous[0] for _, _, _, previous in changes] + [self._live_hashes(conn, [gone])[gone][0]]
            conn.executemany("UPDATE incident SET valid_to = ? WHERE rowid = ?", [(version, r) for r in closed])
            conn.executemany(_INSERT_INCIDENT, rows)
            self._index_batch(conn, batch_id)
            self._set_data_version(conn, version)
            report.deleted = [gone]
            conn.execute("UPDATE batch SET data_version = ?, updated = ?, deleted = 1 WHERE id = ?",
                         (version, len(report.updated), batch_id))
        report.batch_id, report.data_version = batch_id, version
        return report

    def stored_duplicate_pairs(self) -> list[StoredPair]:
        """Return every flagged pair, open or settled, by id."""
        rows = self._connection().execute(
            "SELECT id, first_id, second_id, flagged_at, flagged_version, distinct_by, distinct_at"
            " FROM duplicate_pair ORDER BY id")
        return [StoredPair(*row) for row in rows]

    def restore_duplicate_pairs(self, pairs: list[StoredPair]) -> None:
        """Store flagged pairs exactly as another store holds them, in one transaction."""
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO duplicate_pair (id, first_id, second_id, flagged_at, flagged_version, distinct_by,"
                " distinct_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(p.id, p.first_id, p.second_id, p.flagged_at, p.flagged_version, p.distinct_by, p.distinct_at)
                 for p in pairs])
