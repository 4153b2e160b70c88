"""Editors' reference layers through the API and the command line: who may write, what is checked, the history
kept, the protection of bundled layers, and counting incidents against a layer."""
import json

import pytest
from conftest import make_app
from store_fixtures import sqlite_store_before
from upload_helpers import add_accounts, area, bearer, csrf_token, layer_document, line, log_in

from webmap.ingest.geodata import prepare_database
from webmap.store import get_store
from webmap.store.sqlite import MIGRATIONS, SQLiteStore

GEOJSON = "application/geo+json"


@pytest.fixture
def editor(fixture_app):
    """A client and the API tokens of one account per role, on the app with fixture incidents."""
    return fixture_app.test_client(), add_accounts(fixture_app)


def post_layer(client, token, document, path="/api/collections", method="post", headers=None):
    """Send a layer document with a token (or none: the session's, with `headers`); return the response."""
    return getattr(client, method)(path, data=json.dumps(document), content_type=GEOJSON,
                                   headers=bearer(token) if token else headers or {})


def stored(app, layer_id):
    """Return the stored layer with this id (or None) and the data version."""
    with app.app_context():
        return get_store().get_reference_layer(layer_id), get_store().data_version()


def test_an_editor_adds_a_layer_that_the_api_serves_with_its_status(editor, fixture_app):
    """An editor's layer is stored at a new data version and served with its status, date, licence and count."""
    client, tokens = editor
    _, before = stored(fixture_app, "southern_dmz")
    response = post_layer(client, tokens["editor"], layer_document(area(name="Zone A")))
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/api/collections/southern_dmz")
    body = response.get_json()
    assert (body["id"], body["version"], body["action"], body["user"]) == ("southern_dmz", 1, "added", "editor")
    assert body["data_version"] == before + 1
    described = client.get("/api/collections/southern_dmz").get_json()
    assert (described["status"], described["date"], described["bundled"]) == ("proposed", "2025-06-01", False)
    assert described["license"] == "CC BY 4.0" and described["incidents_within"] == 2
    items = client.get("/api/collections/southern_dmz/items").get_json()
    assert items["features"][0]["properties"] == {"name": "Zone A"}
    assert client.get("/api/collections/alpha_line").get_json()["status"] == "agreed"


def test_the_descriptor_can_come_from_the_admin_role_too(editor):
    """Admins may do what editors may: add a layer."""
    client, tokens = editor
    assert post_layer(client, tokens["admin"], layer_document()).status_code == 201


@pytest.mark.parametrize("role, status", [(None, 401), ("viewer", 403), ("contributor", 403)])
def test_only_editors_may_write_layers(editor, fixture_app, role, status):
    """No credentials get 401 (naming Bearer), viewers and contributors 403, and nothing is written."""
    client, tokens = editor
    token = tokens[role] if role else None
    for method, path in (("post", "/api/collections"), ("put", "/api/collections/towns?replace_bundled=true")):
        response = post_layer(client, token, layer_document(id="towns" if method == "put" else "southern_dmz"),
                              path, method)
        assert response.status_code == status
        assert response.get_json()["code"] == ("Unauthorized" if status == 401 else "Forbidden")
    assert client.get("/api/collections/towns/history", headers=bearer(token) if token else {}).status_code == status
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored(fixture_app, "southern_dmz")[0] is None


def test_a_session_write_needs_the_csrf_header(editor, fixture_app):
    """A logged-in browser session writes only with the CSRF token in X-CSRFToken."""
    client, _ = editor
    log_in(client, "editor")
    refused = post_layer(client, None, layer_document())
    assert refused.status_code == 400 and stored(fixture_app, "southern_dmz")[0] is None
    accepted = post_layer(client, None, layer_document(), headers={"X-CSRFToken": csrf_token(client, "/layers")})
    assert accepted.status_code == 201


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_layer_must_be_sent_as_json(editor, content_type):
    """Bodies a cross-site form could send without a preflight are refused with 415."""
    client, tokens = editor
    response = client.post("/api/collections", data=json.dumps(layer_document()), content_type=content_type,
                           headers=bearer(tokens["editor"]))
    assert response.status_code == 415 and response.get_json()["errors"][0]["field"] == "Content-Type"


def errors_of(response) -> set[tuple]:
    """Return the (feature, field) pairs a 422 names."""
    assert response.status_code == 422, response.get_json()
    return {(e.get("feature"), e["field"]) for e in response.get_json()["errors"]}


def test_every_problem_of_a_layer_is_named_and_nothing_is_written(editor, fixture_app):
    """Every problem of the descriptor and of each feature is listed at once, and nothing changes."""
    client, tokens = editor
    _, before = stored(fixture_app, "southern_dmz")
    # Feature 4 is a line in a layer of areas.
    unclosed = area([[[35.8, 33.1], [35.9, 33.1], [35.9, 33.2], [35.8, 33.2]]])
    bowtie = area([[[35.8, 33.1], [35.9, 33.2], [35.9, 33.1], [35.8, 33.2], [35.8, 33.1]]])
    far = area([[[10.0, 50.0], [10.1, 50.0], [10.1, 50.1], [10.0, 50.1], [10.0, 50.0]]])
    document = layer_document(area(), unclosed, bowtie, far, line((35.8, 33.1), (35.9, 33.2)),
                              name={"en": "Zone"}, status="agreed", date="2025-02-30", licence="  ")
    found = errors_of(post_layer(client, tokens["editor"], document))
    assert found == {(None, "layer.name.ar"), (None, "layer.status"), (None, "layer.date"), (None, "layer.licence"),
                     (1, "geometry"), (2, "geometry"), (3, "geometry"), (4, "geometry")}
    messages = {e["field"]: e["message"] for e in post_layer(client, tokens["editor"], document).get_json()["errors"]}
    assert "reserved for the bundled 1974 layers" in messages["layer.status"]
    assert "2025-02-30" in messages["layer.date"]
    assert stored(fixture_app, "southern_dmz") == (None, before)


def test_a_layer_holds_one_kind_of_geometry(editor):
    """A line among areas is refused, naming the feature that differs."""
    client, tokens = editor
    found = errors_of(post_layer(client, tokens["editor"], layer_document(area(), line((35.8, 33.1), (35.9, 33.2)))))
    assert found == {(1, "geometry")}


def test_vertex_limits_hold_per_feature_and_per_layer(tmp_path):
    """WEBMAP_MAX_VERTICES holds for each feature and WEBMAP_MAX_LAYER_VERTICES for the whole layer."""
    app = make_app(tmp_path, MAX_VERTICES=10, MAX_LAYER_VERTICES=12)
    with app.app_context():
        prepare_database(with_samples=False)
    tokens, client = add_accounts(app), app.test_client()
    zigzag = line(*[(35.8 + n / 100, 33.1 + (n % 2) / 100) for n in range(11)])
    response = post_layer(client, tokens["editor"], layer_document(zigzag))
    assert errors_of(response) == {(0, "geometry")} and "11 vertices; at most 10" in response.get_data(as_text=True)
    two = layer_document(line((35.8, 33.1), *[(35.81 + n / 100, 33.1) for n in range(6)]),
                         line((35.8, 33.2), *[(35.81 + n / 100, 33.2) for n in range(6)]))
    response = post_layer(client, tokens["editor"], two)
    assert errors_of(response) == {(None, "features")}
    assert "WEBMAP_MAX_LAYER_VERTICES" in response.get_data(as_text=True)


@pytest.mark.parametrize("body, field", [(b"{not json", None), (b'["a list"]', "type")])
def test_an_unreadable_body_is_a_400(editor, body, field):
    """A body that is not JSON, or not a JSON object, is a 400 in the shared error shape."""
    client, tokens = editor
    response = client.post("/api/collections", data=body, content_type=GEOJSON, headers=bearer(tokens["editor"]))
    assert response.status_code == 400 and response.get_json()["code"] == "BadRequest"
    assert [e["field"] for e in response.get_json()["errors"]] == ([field] if field else [])


@pytest.mark.parametrize("layer_id", ["Southern", "../towns", "incidents", "a" * 65, ""])
def test_a_layer_id_must_be_a_plain_name(editor, layer_id):
    """Ids that are not plain lower-case names, or name the incidents, are refused."""
    client, tokens = editor
    response = post_layer(client, tokens["editor"], layer_document(id=layer_id))
    assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "id"


def test_adding_an_existing_id_or_replacing_a_missing_one_is_refused(editor, fixture_app):
    """POST of a taken id is a 409, PUT of a missing one a 404, and a body id must match the path."""
    client, tokens = editor
    assert post_layer(client, tokens["editor"], layer_document()).status_code == 201
    again = post_layer(client, tokens["editor"], layer_document())
    assert again.status_code == 409 and again.get_json()["code"] == "Conflict"
    missing = post_layer(client, tokens["editor"], layer_document(id="corridor"), "/api/collections/corridor", "put")
    assert missing.status_code == 404
    mismatch = post_layer(client, tokens["editor"], layer_document(), "/api/collections/corridor", "put")
    assert mismatch.status_code == 400 and mismatch.get_json()["errors"][0]["field"] == "layer.id"


def test_replacing_keeps_the_history_and_bumps_the_data_version(editor, fixture_app):
    """A replacement is version 2 at the next data version; the history lists both, newest first."""
    client, tokens = editor
    post_layer(client, tokens["editor"], layer_document())
    _, before = stored(fixture_app, "southern_dmz")
    smaller = area([[[35.8, 33.1], [35.85, 33.1], [35.85, 33.15], [35.8, 33.15], [35.8, 33.1]]])
    replaced = post_layer(client, tokens["admin"], layer_document(smaller, status="reported"),
                          "/api/collections/southern_dmz", "put")
    assert replaced.status_code == 200 and replaced.get_json()["version"] == 2
    layer, after = stored(fixture_app, "southern_dmz")
    assert after == before + 1 and layer.meta["status"] == "reported"
    assert client.get("/api/collections/southern_dmz").get_json()["incidents_within"] == 1  # t-001 only
    history = client.get("/api/collections/southern_dmz/history", headers=bearer(tokens["editor"])).get_json()
    assert [(v["version"], v["action"], v["user"], v["status"]) for v in history["versions"]] == [
        (2, "replaced", "admin", "reported"), (1, "added", "editor", "proposed")]
    assert history["versions"][1]["data_version"] == before
    assert client.get("/api/collections/nowhere/history", headers=bearer(tokens["editor"])).status_code == 404


def test_bundled_layers_are_replaced_only_when_asked_and_never_those_positions_use(editor, fixture_app):
    """Bundled layers need replace_bundled=true; the 1974 layers and governorates are refused even then."""
    client, tokens = editor
    towns, _ = stored(fixture_app, "towns")
    document = layer_document(area(), id="towns", status="reported")
    refused = post_layer(client, tokens["editor"], document, "/api/collections/towns", "put")
    assert refused.status_code == 409 and refused.get_json()["errors"][0]["field"] == "replace_bundled"
    assert stored(fixture_app, "towns")[0] == towns
    for layer_id in ("alpha_line", "bravo_line", "area_of_separation", "areas_of_limitation", "governorates"):
        response = post_layer(client, tokens["admin"], layer_document(id=layer_id),
                              f"/api/collections/{layer_id}?replace_bundled=true", "put")
        assert response.status_code == 409 and "scripts/build_geodata.py" in response.get_json()["description"]
    accepted = post_layer(client, tokens["editor"], document, "/api/collections/towns?replace_bundled=true", "put")
    assert accepted.status_code == 200
    history = client.get("/api/collections/towns/history", headers=bearer(tokens["editor"])).get_json()["versions"]
    assert [v["action"] for v in history] == ["replaced", "bundled"]
    assert history[1]["features"] == len(towns.data["features"])


def test_reloading_the_geodata_keeps_editors_layers_and_restores_bundled_ones(editor, fixture_app):
    """`webmap init --reload-geodata` keeps editors' layers and restores the bundled ones, in their history."""
    client, tokens = editor
    post_layer(client, tokens["editor"], layer_document())
    post_layer(client, tokens["editor"], layer_document(area(), id="towns", status="reported"),
               "/api/collections/towns?replace_bundled=true", "put")
    result = fixture_app.test_cli_runner().invoke(args=["init", "--reload-geodata"])
    assert result.exit_code == 0 and "reloaded" in result.output
    with fixture_app.app_context():
        store = get_store()
        assert store.reference_layer_ids()[-2:] == ["towns", "southern_dmz"]
        assert "origin" not in store.get_reference_layer("towns").meta
        assert [v.action for v in store.reference_layer_history("towns")] == ["bundled", "replaced", "bundled"]


def test_within_keeps_the_incidents_inside_an_area(editor):
    """within=LAYER selects the incidents inside an area, in items and exports alike."""
    client, tokens = editor
    post_layer(client, tokens["editor"], layer_document())
    found = client.get("/api/collections/incidents/items?within=southern_dmz").get_json()
    assert sorted(f["id"] for f in found["features"]) == ["t-001", "t-005"] and found["numberMatched"] == 2
    both = client.get("/api/collections/incidents/items?within=southern_dmz&datetime=../2025-01-01").get_json()
    assert {f["id"] for f in both["features"]} <= {"t-001", "t-005"}
    exported = client.get("/api/collections/incidents/export?within=southern_dmz&f=json").get_json()
    assert sorted(f["id"] for f in exported["features"]) == ["t-001", "t-005"]


def test_within_counts_a_line_within_a_kilometre(editor):
    """Daraa (t-003, 32.6189 N) is 0.5 km from one line and 2 km from the other."""
    client, tokens = editor
    near = line((36.0, 32.6234), (36.2, 32.6234))
    far = line((36.0, 32.6369), (36.2, 32.6369))
    post_layer(client, tokens["editor"], layer_document(near, id="near_road", status="reported"))
    post_layer(client, tokens["editor"], layer_document(far, id="far_road", status="reported"))
    assert [f["id"] for f in client.get("/api/collections/incidents/items?within=near_road").get_json()["features"]] \
        == ["t-003"]
    assert client.get("/api/collections/incidents/items?within=far_road").get_json()["numberMatched"] == 0
    assert client.get("/api/collections/near_road").get_json()["within_buffer_km"] == 1.0


def test_within_an_unknown_layer_is_a_400(client):
    """An unknown layer id in within is a 400 naming the parameter."""
    response = client.get("/api/collections/incidents/items?within=nowhere")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "within"


def test_the_command_line_adds_replaces_lists_and_shows_history(fixture_app, tmp_path):
    """`webmap layers` adds (descriptor from the file or options), replaces, lists and shows history."""
    runner = fixture_app.test_cli_runner()
    path = tmp_path / "zone.geojson"
    path.write_text(json.dumps(layer_document()), encoding="utf-8")
    added = runner.invoke(args=["layers", "add", str(path), "--user", "rania"])
    assert added.exit_code == 0 and "added the layer southern_dmz (version 1, 1 features" in added.output
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [area()]}), encoding="utf-8")
    options = ["--name-en", "Corridor", "--name-ar", "ممر", "--source", "Reports", "--licence", "CC0",
               "--date", "2025-07-20", "--precision", "about 5 km", "--status", "reported"]
    assert runner.invoke(args=["layers", "add", str(path), "--id", "corridor", *options]).exit_code == 0
    replaced = runner.invoke(args=["layers", "replace", "southern_dmz", str(path), *options, "--user", "sami"])
    assert replaced.exit_code == 0 and "version 2" in replaced.output
    listed = runner.invoke(args=["layers", "list"]).output.splitlines()
    assert "corridor\treported\teditor\t1 features\t2 incidents\tCorridor (reported)" in listed
    assert any(row.startswith("alpha_line\tagreed\tbundled\t") for row in listed)
    history = runner.invoke(args=["layers", "history", "southern_dmz"]).output.splitlines()
    assert [row.split("\t")[2:4] for row in history] == [["sami", "replaced"], ["rania", "added"]]
    assert runner.invoke(args=["layers", "history", "nowhere"]).exit_code == 1


def test_the_command_line_lists_every_problem_and_writes_nothing(fixture_app, tmp_path):
    """A refused layer prints every problem, exits 1 and writes nothing."""
    runner = fixture_app.test_cli_runner()
    path = tmp_path / "zone.geojson"
    path.write_text(json.dumps(layer_document(status="agreed", date="soon")), encoding="utf-8")
    result = runner.invoke(args=["layers", "add", str(path)])
    assert result.exit_code == 1
    assert "layer.status: must be one of: proposed, reported" in result.output
    assert "layer.date: 'soon' is not a date" in result.output
    refused = runner.invoke(args=["layers", "replace", "towns", str(path)])
    assert refused.exit_code == 1 and "replace_bundled" in refused.output
    assert stored(fixture_app, "southern_dmz")[0] is None



def test_layers_of_an_older_database_get_their_first_version_on_migration(tmp_path):
    """A database from before layer history keeps its layers, each with one `bundled` version at its data version."""
    old = sqlite_store_before(tmp_path / "webmap.db", "reference_layer_history")
    conn = old._connection()
    conn.execute("UPDATE meta SET value = '5' WHERE key = 'data_version'")
    conn.execute("INSERT INTO reference_layer (id, position, meta, data) VALUES ('towns', 0, ?, ?)",
                 (json.dumps({"id": "towns", "title": {"en": "Towns"}}),
                  json.dumps({"type": "FeatureCollection", "features": [area(), area()]})))
    conn.commit()
    old.close()
    store = SQLiteStore(tmp_path / "webmap.db")
    store.initialize()
    [version] = store.reference_layer_history("towns")
    assert (version.number, version.action, version.data_version, version.feature_count) == (1, "bundled", 5, 2)
    assert store.schema_version() == len(MIGRATIONS)
    store.close()


def test_the_api_definition_offers_within_with_every_layer(editor):
    """The OpenAPI document names within on the incident items, with every layer's id."""
    client, tokens = editor
    post_layer(client, tokens["editor"], layer_document())
    document = client.get("/api/openapi?f=json").get_json()
    within = document["components"]["parameters"]["within"]
    assert "southern_dmz" in within["schema"]["enum"] and "alpha_line" in within["schema"]["enum"]
    items = document["paths"]["/collections/incidents/items"]["get"]["parameters"]
    assert {"$ref": "#/components/parameters/within"} in items


def test_an_editors_layer_leaves_the_stored_positions_current(editor, fixture_app):
    """Positions do not depend on an editor's layer: adding one places no incident again, now or at the next start."""
    client, tokens = editor
    with fixture_app.app_context():
        store = get_store()
        assert store.positioner is not None and store.refresh_positions() is None
        zone_before = store.get_incident("t-001").extra.get("zone")
        assert zone_before == "separation"  # Quneitra's ruins
    assert post_layer(client, tokens["editor"], layer_document()).status_code == 201
    with fixture_app.app_context():
        assert get_store().refresh_positions() is None
        assert get_store().get_incident("t-001").extra.get("zone") == zone_before
