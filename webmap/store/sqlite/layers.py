"""The SQLite store's reference layers: the layers in draw order and every version of each."""
import json
import sqlite3

from ...core.model import ReferenceLayer
from ..batches import BatchInfo
from ..layers import LayerConflict, LayerVersion, StoredLayerVersion
from .connection import SQLiteConnection, _dumps, _now


class SQLiteLayers(SQLiteConnection):
    """Reference layers and their history in SQLite. A layer change places the incidents again, through the
    incident part's positioner (`_snapshot`, `_place_all`, `_positions_key`, `_follow_layer_change`)."""

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

    def stored_layer_versions(self) -> list[StoredLayerVersion]:
        """Return every version of every layer with its features, in the order written."""
        rows = self._connection().execute("SELECT layer_id, data_version, created_at, user, action, meta, data"
                                          " FROM reference_layer_history ORDER BY rowid")
        numbers, found = {}, []
        for layer_id, data_version, created_at, user, action, meta, data in rows:
            numbers[layer_id] = numbers.get(layer_id, 0) + 1
            features = json.loads(data)
            found.append(StoredLayerVersion(LayerVersion(layer_id, numbers[layer_id], data_version, created_at, user,
                                                         action, json.loads(meta), len(features.get("features", []))),
                                            features))
        return found

    def restore_reference_layers(self, layers: list[ReferenceLayer], history: list[StoredLayerVersion]) -> None:
        """Insert the layers in draw order and their versions in the order written."""
        with self._transaction() as conn:
            conn.executemany("INSERT INTO reference_layer (id, position, meta, data) VALUES (?, ?, ?, ?)",
                             [(layer.id, n, _dumps(layer.meta), _dumps(layer.data)) for n, layer in enumerate(layers)])
            conn.executemany(
                "INSERT INTO reference_layer_history (layer_id, data_version, created_at, user, action, meta, data)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(s.version.layer_id, s.version.data_version, s.version.created_at, s.version.user, s.version.action,
                  _dumps(s.version.meta), _dumps(s.data)) for s in history])
