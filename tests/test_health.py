"""`/healthz`: what a load balancer reads to decide whether to send this server traffic."""
from conftest import fixture_incidents

from webmap.store import BatchInfo

KEYS = {"status", "database", "schema_version", "data_version"}


def test_healthy_server_reports_its_schema_and_data_version(app):
    store = app.extensions["webmap.store"]
    client = app.test_client()
    first = client.get("/healthz")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-store"
    assert first.json == {"status": "ok", "database": "reachable", "schema_version": store.schema_version(),
                          "data_version": store.data_version()}
    assert first.json["schema_version"] > 0
    store.add_incidents(fixture_incidents(), BatchInfo(user="test"))
    assert client.get("/healthz").json["data_version"] == first.json["data_version"] + 1


def test_unreachable_database_is_a_503_with_the_same_shape_and_no_secrets(app, tmp_path):
    store = app.extensions["webmap.store"]
    database = store.path
    store.close()
    database.rename(tmp_path / "moved.db")
    database.mkdir()  # where the file was, nothing SQLite can open
    client = app.test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.json == {"status": "unavailable", "database": "unreachable", "schema_version": None,
                           "data_version": None}
    assert set(answer.json) == KEYS
    text = answer.get_data(as_text=True)
    assert str(tmp_path) not in text and app.config["SECRET_KEY"] not in text
    database.rmdir()
    (tmp_path / "moved.db").rename(database)
    assert client.get("/healthz").status_code == 200  # and back, once the database answers again
