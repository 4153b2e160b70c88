"""The PostgreSQL test fixture: a fresh database with PostGIS per test, gone afterwards."""
import psycopg
from postgres_fixtures import database_exists, fresh_postgis_database


def test_fixture_database_has_postgis(postgis_url):
    with psycopg.connect(postgis_url) as conn:
        version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        point = conn.execute("SELECT ST_AsText(ST_SetSRID(ST_MakePoint(35.8, 33.1), 4326))").fetchone()[0]
    assert version.split(".")[0] == "3"
    assert tables == 1  # PostGIS's own spatial_ref_sys, nothing else
    assert point == "POINT(35.8 33.1)"


def test_each_database_is_new_and_dropped_afterwards():
    with fresh_postgis_database() as first, fresh_postgis_database() as second:
        names = [url.rsplit("/", 1)[1] for url in (first, second)]
        assert names[0] != names[1]
        assert all(database_exists(name) for name in names)
        open_connection = psycopg.connect(first)  # a connection a test forgot does not keep its database
    assert not any(database_exists(name) for name in names)
    open_connection.close()
