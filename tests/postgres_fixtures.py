"""Test databases on PostgreSQL with PostGIS: a fresh database per test, dropped afterwards, and the list of
store backends that the tests run against."""
import secrets
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from conftest import require

# The server CI and every developer's machine run (trust authentication, role `postgres`).
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/"
CONNECT_SECONDS = 5


def database_url(server: str, name: str) -> str:
    """Return the URL of database `name` on the server `server` names."""
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _connect(url: str):
    """Open an autocommit connection (CREATE and DROP DATABASE cannot run inside a transaction)."""
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_SECONDS)


def _server_connection(server: str):
    """Connect to the server's `postgres` database, or skip (fail under CI=true) saying what is missing."""
    try:
        import psycopg
    except ImportError:
        require(False, "psycopg is not installed (pip install -e '.[test]' installs psycopg[binary])")
    try:
        return _connect(database_url(server, "postgres"))
    except psycopg.OperationalError as error:
        require(False, f"PostgreSQL does not answer at {server} ({str(error).strip().splitlines()[0]})")


@contextmanager
def fresh_postgis_database(server: str = POSTGRES_SERVER):
    """Create a database with a random name and the PostGIS extension; yield its URL, and drop it afterwards
    (with any connection a test left open)."""
    name = "webmap_test_" + secrets.token_hex(6)
    with _server_connection(server) as admin:
        import psycopg  # _server_connection has checked that it is installed

        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = database_url(server, name)
            with _connect(url) as conn:
                try:
                    conn.execute("CREATE EXTENSION postgis")
                except psycopg.Error as error:
                    require(False, f"PostGIS is not installed for this PostgreSQL server (apt-get install "
                                   f"postgresql-15-postgis-3): {str(error).strip().splitlines()[0]}")
            yield url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgis_url():
    """The URL of a new, empty PostgreSQL database with PostGIS, dropped after the test; skipped with a reason
    where PostgreSQL or PostGIS is missing, and failed instead under CI=true."""
    with fresh_postgis_database() as url:
        yield url


def database_exists(name: str, server: str = POSTGRES_SERVER) -> bool:
    """Tell whether the server holds a database of this name."""
    with _server_connection(server) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
