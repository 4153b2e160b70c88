"""The embedded default store: one SQLite file in WAL mode, with an R*Tree index on bounding boxes."""
from .incidents import MIGRATIONS, SQLiteStore, _where, sqlite_path_from_url

__all__ = ["MIGRATIONS", "SQLiteStore", "_where", "sqlite_path_from_url"]
