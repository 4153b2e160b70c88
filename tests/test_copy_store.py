"""`webmap copy-store --to URL`: the whole store, history included, copied into another database through the store
interface, so any two backends pair; checked by counting both sides."""
import pytest
from conftest import fixture_incidents, make_app
from store_fixtures import DATABASE_URL_FACTORIES
from upload_helpers import PASSWORD, add_accounts, bearer, layer_document, log_in

from webmap.accounts.manage import set_disabled
from webmap.ingest.geodata import prepare_database
from webmap.store import AuditEntry, BatchInfo, IncidentQuery, open_store
from webmap.store.copy import PAGE, store_counts

PUBLIC = "http://maps.example.org"  # plain HTTP: the test client sends no Referer for the log-in form


@pytest.fixture
def source(tmp_path):
    """An app whose database has a history: samples, uploads, an edit, a deletion, an undo, an editor's layer
    replaced once, accounts (one disabled) with tokens, audit entries, and submissions waiting, published and
    rejected."""
    app = make_app(tmp_path / "source", PUBLIC_URL=PUBLIC)
    with app.app_context():
        prepare_database(with_samples=True)
    store = app.extensions["webmap.store"]
    incidents = fixture_incidents()
    store.add_incidents(incidents, BatchInfo(user="editor", filename="first.geojson"))
    edited = incidents[0].to_feature()
    edited["properties"]["title"] = "Edited"
    edited["properties"]["verification"] = "verified"
    store.add_incidents([type(incidents[0]).from_feature(edited)],
                        BatchInfo(user="editor", note="Title fixed", verification_note="Two outlets"))
    store.delete_incidents([incidents[1].id], BatchInfo(user="editor", note="A duplicate"))
    undone = store.add_incidents(fixture_incidents("incidents_api.geojson"), BatchInfo(user="editor"))
    store.undo_batch(undone.batch_id, BatchInfo(user="admin"))
    tokens = add_accounts(app)
    client = app.test_client()
    assert client.post("/api/collections", json=layer_document(), headers=bearer(tokens["editor"])).status_code == 201
    assert client.put("/api/collections/southern_dmz", json=layer_document(status="reported"),
                      headers=bearer(tokens["editor"])).status_code == 200
    set_disabled(store, "admin", "viewer", True)
    store.add_audit(AuditEntry("admin", "note", "editor", "checked"))
    edited["properties"]["title"] = "Submitted"
    store.submit_incidents([type(incidents[0]).from_feature(edited), *fixture_incidents("incidents_api.geojson")[:2]],
                           BatchInfo(user="contributor", filename="second.geojson"))
    store.publish_submission(fixture_incidents("incidents_api.geojson")[0].id, "editor")
    store.reject_submission(fixture_incidents("incidents_api.geojson")[1].id, "editor", "No source")
    return app, tokens


def _everything(store) -> dict:
    """Return all a store holds, as comparable values."""
    versions, after = [], 0
    while page := store.incident_versions(after, PAGE):
        versions += page
        after = page[-1].key
    pinned = {v: store.query_feature_json(IncidentQuery(as_of=v)) for v in range(store.data_version() + 1)}
    return {"versions": versions, "pinned": pinned, "batches": store.list_batches(1000),
            "accounts": store.stored_accounts(), "tokens": store.stored_tokens(), "audit": store.list_audit(1000),
            "layers": store.list_reference_layers(), "layer history": store.stored_layer_versions(),
            "submissions": store.stored_submissions(),
            "data version": store.data_version(), "last modified": store.last_modified()}


@pytest.mark.parametrize("target", sorted(DATABASE_URL_FACTORIES))
def test_copy_holds_everything_the_source_holds(request, source, target):
    app, tokens = source
    url = DATABASE_URL_FACTORIES[target](request)
    result = app.test_cli_runner().invoke(args=["copy-store", "--to", url])
    assert result.exit_code == 0, result.output
    assert "DIFFERENT" not in result.output and "copied" in result.output
    assert "live incidents" in result.output and "layer versions" in result.output

    copy = open_store(url)
    try:
        expected = _everything(app.extensions["webmap.store"])
        assert _everything(copy) == expected
        assert copy.incident_history("t-002") == app.extensions["webmap.store"].incident_history("t-002")
        assert copy.incident_history("t-002")[-1].note == "A duplicate"  # notes and reasons come along
        assert store_counts(copy).incident_versions > store_counts(copy).live_incidents > 0
    finally:
        copy.close()

    served = make_app(request.getfixturevalue("tmp_path") / "served", DATABASE_URL=url, PUBLIC_URL=PUBLIC)
    client = served.test_client()
    original = app.test_client().get("/map-data/summary")
    answer = client.get("/map-data/summary", headers={"If-None-Match": original.headers["ETag"]})
    assert answer.status_code == 304  # caches keep what they hold: same data version, same ETag
    assert client.get("/api/collections/incidents/items", headers=bearer(tokens["editor"])).status_code == 200
    assert client.post("/api/collections/incidents/items", json={"type": "FeatureCollection", "features": []},
                       headers=bearer(tokens["viewer"])).status_code == 401  # the disabled account's token
    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_copy_refuses_a_target_that_holds_data(source, tmp_path):
    app, _ = source
    url = f"sqlite:///{tmp_path / 'used.db'}"
    used = make_app(tmp_path / "used", DATABASE_URL=url)
    with used.app_context():
        prepare_database(with_samples=True)
    before = store_counts(used.extensions["webmap.store"])
    result = app.test_cli_runner().invoke(args=["copy-store", "--to", url])
    assert result.exit_code == 1
    assert "already holds data" in result.output
    assert store_counts(used.extensions["webmap.store"]) == before


def test_copy_refuses_its_own_database(source):
    app, _ = source
    result = app.test_cli_runner().invoke(args=["copy-store", "--to", app.config["DATABASE_URL"]])
    assert result.exit_code == 1 and "names the database being copied" in result.output
