"""A `webmap import` of 100,000 incidents killed (`kill -9`) in the middle of its write leaves no trace: the count,
the batches and the data version are as before, and the app serves and imports again."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

import orjson
import pytest
from conftest import fixture_incidents, make_app
from ingest_helpers import UPLOADS
from store_fixtures import DATABASE_URL_FACTORIES

from webmap.cli.synthetic import synthetic_incidents
from webmap.ingest.geodata import prepare_database
from webmap.store import BatchInfo, IncidentQuery, open_store

SIZE = 100_000
WRITE_SECONDS = 120  # how long the import may take to reach its write, on a loaded machine
HELD_SECONDS = 0.5  # a write lock held this long is the import's one big transaction, not the short set-up ones


def _sqlite_path(url: str) -> str:
    """Return the file an sqlite:/// URL names."""
    return url.removeprefix("sqlite:///")


def _sqlite_writing(url: str) -> bool:
    """Tell whether another connection holds the database's write lock (probing it takes the lock for a moment
    when it is free, which a writer waits out)."""
    probe = sqlite3.connect(_sqlite_path(url), timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        return True
    finally:
        probe.close()


def _sqlite_intact(url: str) -> bool:
    """Tell whether SQLite finds the file consistent."""
    with closing(sqlite3.connect(_sqlite_path(url))) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@dataclass(frozen=True)
class Backend:
    """What the test asks of one kind of database besides its URL: whether a writer is inside its transaction,
    and whether the database itself is consistent."""

    writing: Callable[[str], bool]
    intact: Callable[[str], bool]


# Keyed like DATABASE_URL_FACTORIES; the PostgreSQL entry will ask pg_stat_activity for another backend in a
# transaction that has written (backend_xid set).
BACKENDS = {"sqlite": Backend(_sqlite_writing, _sqlite_intact)}


@pytest.fixture(scope="module")
def large_file(tmp_path_factory):
    """A GeoJSON file of 100,000 synthetic incidents."""
    path = tmp_path_factory.mktemp("large") / "large.geojson"
    path.write_bytes(orjson.dumps({"type": "FeatureCollection",
                                   "features": [i.to_feature() for i in synthetic_incidents(SIZE)]}))
    return path


def _state(url: str) -> tuple[int, list[int], int]:
    """Return what a partial write would change: the live incidents, the batches and the data version."""
    store = open_store(url)
    try:
        return (store.count_incidents(IncidentQuery()), [b.id for b in store.list_batches(limit=1000)],
                store.data_version())
    finally:
        store.close()


def _import(url: str, path) -> subprocess.Popen:
    """Start `webmap import` of the file into the database at `url`, as an operator would."""
    env = {**os.environ, "DATABASE_URL": url, "WEBMAP_SECRET_KEY": "test", "WEBMAP_TILES": "none"}
    return subprocess.Popen([sys.executable, "-m", "webmap", "import", str(path), "--user", "bulk"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_for_write(backend: Backend, url: str, importer: subprocess.Popen) -> None:
    """Return once the importer has been inside one write transaction for HELD_SECONDS."""
    deadline, since = time.monotonic() + WRITE_SECONDS, None
    while True:
        assert importer.poll() is None, f"the import ended before it was killed:\n{importer.stdout.read().decode()}"
        assert time.monotonic() < deadline, f"the import did not start writing within {WRITE_SECONDS} s"
        if not backend.writing(url):
            since = None
        elif since is None:
            since = time.monotonic()
        elif time.monotonic() - since >= HELD_SECONDS:
            return
        time.sleep(0.05)  # polling another process's state: there is nothing to wait on


@pytest.mark.parametrize("backend_name", list(BACKENDS))
def test_killed_import_leaves_no_partial_batch(request, backend_name, large_file, tmp_path):
    backend, url = BACKENDS[backend_name], DATABASE_URL_FACTORIES[backend_name](request)
    app = make_app(tmp_path, DATABASE_URL=url)
    with app.app_context():
        prepare_database(with_samples=False)
    app.extensions["webmap.store"].add_incidents(fixture_incidents(), BatchInfo(user="before"))
    before = _state(url)

    importer = _import(url, large_file)
    try:
        _wait_for_write(backend, url, importer)
        os.kill(importer.pid, signal.SIGKILL)
    finally:
        importer.kill()
        importer.wait(timeout=30)
        importer.stdout.close()
    assert importer.returncode == -signal.SIGKILL

    assert _state(url) == before
    assert backend.intact(url)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/map-data/summary").json["matched"] == before[0]

    again = _import(url, UPLOADS / "acled_layout.csv")
    output = again.communicate(timeout=WRITE_SECONDS)[0].decode()
    assert again.returncode == 0, output
    assert "inserted 4, updated 0, unchanged 0" in output
    count, batches, version = _state(url)
    assert (count, batches[1:], version) == (before[0] + 4, before[1], before[2] + 1)
    assert client.get("/map-data/summary").json["matched"] == before[0] + 4
