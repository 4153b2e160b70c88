"""The SQLite store's batches: listing what each write did, and undoing one as a new batch."""
import sqlite3

from ..batches import BatchInfo, BatchRecord, UndoRefused, WriteReport
from .connection import _INCIDENT_COLUMNS, SQLiteConnection

_BATCH_COLUMNS = ("b.id, b.created_at, b.user, b.filename, b.data_version, b.inserted, b.updated, b.unchanged,"
                  " b.deleted, b.undoes, (SELECT u.id FROM batch u WHERE u.undoes = b.id), b.note, b.verification_note")


class SQLiteBatches(SQLiteConnection):
    """Batches in SQLite: every write records one; undo closes what a batch wrote and restores what it closed."""

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

    def restore_batches(self, records: list[BatchRecord]) -> None:
        """Insert batches as another store holds them, oldest first (an undo names an earlier batch)."""
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO batch (id, created_at, user, filename, data_version, inserted, updated, unchanged,"
                " deleted, undoes, note, verification_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.id, r.created_at, r.user, r.filename, r.data_version, r.inserted, r.updated, r.unchanged,
                  r.deleted, r.undoes, r.note, r.verification_note) for r in sorted(records, key=lambda r: r.id)])

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
            # What comes back is flagged again with what is near it (a pair it had is still there, unless settled).
            self._flag_rows(conn, conn.execute("SELECT id, event_type, date, last_date, minx, miny, maxx, maxy"
                                               " FROM incident WHERE batch_id = ?", (new_batch,)).fetchall(), version)
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
