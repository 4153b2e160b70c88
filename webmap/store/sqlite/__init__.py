"""The embedded default store: one SQLite file in WAL mode, with an R*Tree index on bounding boxes, one module
per concern over a shared connection."""
from ..base import Store
from .accounts import SQLiteAccounts
from .batches import SQLiteBatches
from .connection import MIGRATIONS, sqlite_path_from_url
from .duplicates import SQLiteDuplicates
from .incidents import SQLiteIncidents
from .layers import SQLiteLayers
from .review import SQLiteReview

__all__ = ["MIGRATIONS", "SQLiteStore", "sqlite_path_from_url"]


class SQLiteStore(SQLiteReview, SQLiteIncidents, SQLiteBatches, SQLiteAccounts, SQLiteLayers, SQLiteDuplicates,
                  Store):
    """Store backed by one SQLite file; each thread gets its own connection."""
