"""What the store contract tests share: a fresh, initialised store for each test, once per backend."""
import pytest

from webmap.store.sqlite import MIGRATIONS, SQLiteStore

# Each backend's factory opens a new, empty store for one test, asking the test's `request` for what it needs
# (a temporary folder; a database such as `postgis_url` gives); every contract test runs once per entry.
STORE_FACTORIES = {
    "sqlite": lambda request: SQLiteStore(request.getfixturevalue("tmp_path") / "store.db"),
}

# The same backends for what opens a database by its URL (the app, `webmap` commands): each gives the DATABASE_URL
# of a new, empty database for one test; the PostgreSQL entry will be `lambda request:
# request.getfixturevalue("postgis_url")` (tests/postgres_fixtures.py).
DATABASE_URL_FACTORIES = {
    "sqlite": lambda request: f"sqlite:///{request.getfixturevalue('tmp_path') / 'database.db'}",
}

# For the tests that look inside SQLite itself (its file, indexes, pragmas and query plans).
sqlite_only = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


@pytest.fixture(params=sorted(STORE_FACTORIES))
def store(request):
    """A fresh, initialised store on its own database, from the backend factory the test is parametrised with."""
    opened = STORE_FACTORIES[request.param](request)
    opened.initialize()
    yield opened
    opened.close()


def sqlite_store_before(path, marker: str) -> SQLiteStore:
    """Open a SQLite store at `path` migrated only up to the migration whose script contains `marker` (not
    included), as a database from before that migration was; the caller commits what it adds and closes it."""
    before = next(n for n, script in enumerate(MIGRATIONS) if marker in script)
    old = SQLiteStore(path)
    conn = old._connection()
    for version, script in enumerate(MIGRATIONS[:before], start=1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version}")
    return old
