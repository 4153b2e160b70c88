"""Choosing and opening the store named by DATABASE_URL, and attaching it to the app."""
from pathlib import Path

from flask import Flask, current_app

from ..core.duplicates import DuplicateRule
from .accounts import Account, AccountExists, AccountStore, AuditEntry, LastAdmin, StoredAccount, StoredToken, TokenInfo
from .base import Store
from .batches import BatchInfo, BatchRecord, BatchStore, UndoRefused, WriteReport
from .duplicates import DuplicatePair, DuplicateStore, PairGone, StoredPair
from .incidents import (COUNTABLE_COLUMNS, POSITION_COLUMNS, TALLY_UNITS, IncidentQuery, IncidentStore, IncidentVersion,
                        Positioner, PositionFilter, ProtectedIncidents, Tally)
from .layers import LayerConflict, LayerSnapshot, LayerStore, LayerVersion, StoredLayerVersion
from .review import ReviewStore, SubmissionOutdated
from .sqlite import SQLiteStore, sqlite_path_from_url

__all__ = ["COUNTABLE_COLUMNS", "POSITION_COLUMNS", "Account", "AccountExists", "AccountStore", "AuditEntry",
           "BatchInfo", "BatchRecord", "BatchStore", "DuplicatePair", "DuplicateStore", "IncidentQuery",
           "IncidentStore", "IncidentVersion", "LastAdmin", "LayerConflict", "LayerSnapshot", "LayerStore",
           "LayerVersion", "PairGone", "PositionFilter", "Positioner", "ProtectedIncidents", "ReviewStore", "Store",
           "StoredAccount", "StoredLayerVersion", "StoredPair", "StoredToken", "SubmissionOutdated", "Tally",
           "TALLY_UNITS", "TokenInfo", "UndoRefused", "WriteReport", "open_store", "get_store", "init_app"]


def open_store(url: str) -> Store:
    """Open the store a database URL names."""
    if url.startswith("sqlite:"):
        return SQLiteStore(sqlite_path_from_url(url))
    if url.startswith(("postgresql:", "postgres:")):
        raise ValueError(
            "DATABASE_URL names PostgreSQL, but this version of webmap stores data only in SQLite; "
            "use sqlite:////absolute/path.db"
        )
    raise ValueError(f"unsupported DATABASE_URL {url!r}: use sqlite:////absolute/path.db")


def default_database_url(instance_path: str) -> str:
    """Return the URL of the default SQLite file in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "webmap.db")


def init_app(app: Flask) -> None:
    """Open the configured store once for the app, flagging duplicates by the app's thresholds."""
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = default_database_url(app.instance_path)
    store = open_store(app.config["DATABASE_URL"])
    store.set_duplicate_rule(DuplicateRule(app.config["DUPLICATE_DAYS"], app.config["DUPLICATE_KM"]))
    app.extensions["webmap.store"] = store


def get_store() -> Store:
    """Return the current app's store."""
    return current_app.extensions["webmap.store"]
