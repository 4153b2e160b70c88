"""The SQLite store's submissions waiting for review: a table of their own, which no query of published
incidents reads, so nothing public can show one; publishing writes one as an incident version."""
import json
import sqlite3

from ...core.model import Incident
from ...core.review import PUBLISHED, REJECTED, WAITING, Submission
from ..batches import BatchInfo, WriteReport
from ..incidents import POSITION_COLUMNS
from ..review import MAX_LISTED_SUBMISSIONS, ReviewStore, SubmissionOutdated
from .connection import _now
from .incidents import SQLiteIncidents, _feature_text

_SUBMISSION_COLUMNS = ("incident_id, upload, author, submitted_at, feature, position, state, reason, reviewer,"
                       " reviewed_at, replaces, based_on, filename, note")
def _submission(row: tuple) -> Submission:
    """Return the Submission a row of _SUBMISSION_COLUMNS holds, its position put back into its properties."""
    _, upload, author, submitted_at, feature, position, state, reason, reviewer, reviewed_at, replaces, based_on, \
        filename, note = row
    data = json.loads(feature)
    if position:
        data["properties"].update(json.loads(position))
    return Submission(Incident.from_feature(data), upload, author, submitted_at, state, reason, reviewer,
                      reviewed_at, bool(replaces), based_on, filename, note)


class SQLiteReview(SQLiteIncidents, ReviewStore):
    """Submissions kept in the `submission` table, checked and placed as incident writes are."""

    def submit_incidents(self, incidents: list[Incident], batch: BatchInfo,
                         protected: tuple[str, ...] = ()) -> WriteReport:
        """Hold new and changed incidents as one upload of waiting submissions, in one transaction."""
        report = WriteReport()
        with self._transaction() as conn:
            changes = list(self._changes(conn, incidents, report, protected))
            upload = conn.execute("SELECT coalesce(max(upload), 0) + 1 FROM submission").fetchone()[0]
            positions = self._positions(conn, [incident for incident, _, _, _ in changes])
            now = _now()
            rows = []
            for (incident, feature, _, previous), position in zip(changes, positions):
                placed = json.dumps(dict(zip(POSITION_COLUMNS, position)), ensure_ascii=False) if position else None
                rows.append((incident.id, upload, batch.user, now, feature, placed, int(previous is not None),
                             previous[0] if previous else None, batch.filename, batch.note))
            # What an editor reviews is the newest version submitted: it replaces one still waiting.
            conn.executemany("DELETE FROM submission WHERE incident_id = ? AND state = ?",
                             [(row[0], WAITING) for row in rows])
            conn.executemany("INSERT INTO submission (incident_id, upload, author, submitted_at, feature, position,"
                             " replaces, based_on, filename, note, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting')",
                             rows)
        report.batch_id = upload if rows else None
        return report

    def list_submissions(self, states: tuple[str, ...], author: str | None = None,
                         limit: int = MAX_LISTED_SUBMISSIONS) -> list[Submission]:
        """Return submissions in these states (by `author` only, if given), newest first."""
        sql = f"SELECT {_SUBMISSION_COLUMNS} FROM submission WHERE state IN ({','.join('?' * len(states))})"
        params: list = list(states)
        if author is not None:
            sql += " AND author = ?"
            params.append(author)
        rows = self._connection().execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [_submission(row) for row in rows]

    def get_submission(self, incident_id: str) -> Submission | None:
        """Return the latest submission of an incident, or None."""
        row = self._connection().execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submission WHERE incident_id = ? ORDER BY id DESC LIMIT 1",
            (incident_id,)).fetchone()
        return _submission(row) if row else None

    def stored_submissions(self) -> list[Submission]:
        """Return every submission, oldest first."""
        rows = self._connection().execute(f"SELECT {_SUBMISSION_COLUMNS} FROM submission ORDER BY id")
        return [_submission(row) for row in rows]

    def restore_submissions(self, submissions: list[Submission]) -> None:
        """Record submissions as another store holds them, oldest first, in one transaction."""
        rows = []
        for s in submissions:
            position = {k: s.incident.extra[k] for k in POSITION_COLUMNS if k in s.incident.extra}
            rows.append((s.incident_id, s.upload, s.author, s.submitted_at, _feature_text(s.incident),
                         json.dumps(position, ensure_ascii=False) if position else None, s.state, s.reason,
                         s.reviewer, s.reviewed_at, int(s.replaces), s.based_on, s.filename, s.note))
        with self._transaction() as conn:
            conn.executemany(f"INSERT INTO submission ({_SUBMISSION_COLUMNS}) VALUES ({', '.join('?' * 14)})", rows)

    @staticmethod
    def _waiting(conn: sqlite3.Connection, incident_id: str) -> tuple[int, Submission] | None:
        """Return the row id and the submission of an incident's waiting submission, or None."""
        row = conn.execute(f"SELECT id, {_SUBMISSION_COLUMNS} FROM submission WHERE incident_id = ? AND state = ?",
                           (incident_id, WAITING)).fetchone()
        return (row[0], _submission(row[1:])) if row else None

    def publish_submission(self, incident_id: str, reviewer: str, edited: Incident | None = None,
                           note: str | None = None, verification_note: str | None = None) -> WriteReport | None:
        """Write an incident's waiting submission (or the reviewer's edit of it) as its published version, with
        its notes, in one transaction."""
        with self._transaction() as conn:
            row = self._waiting(conn, incident_id)
            if row is None:
                return None
            submission_id, submission = row
            live = self._live_columns(conn, [incident_id], "rowid").get(incident_id)
            if (live[0] if live else None) != submission.based_on:
                raise SubmissionOutdated(incident_id)
            # Written as submitted; the store leaves out the position it carries and places it again now.
            batch = BatchInfo(user=reviewer, filename=submission.filename, note=note or submission.note,
                              verification_note=verification_note)
            report = self._write_incidents(conn, [edited or submission.incident], batch, ())
            conn.execute("UPDATE submission SET state = ?, reviewer = ?, reviewed_at = ? WHERE id = ?",
                         (PUBLISHED, reviewer, _now(), submission_id))
        return report

    def reject_submission(self, incident_id: str, reviewer: str, reason: str) -> Submission | None:
        """Mark an incident's waiting submission rejected, with the reason and who decided it when."""
        with self._transaction() as conn:
            row = self._waiting(conn, incident_id)
            if row is None:
                return None
            conn.execute("UPDATE submission SET state = ?, reason = ?, reviewer = ?, reviewed_at = ? WHERE id = ?",
                         (REJECTED, reason, reviewer, _now(), row[0]))
        return self.get_submission(incident_id)

