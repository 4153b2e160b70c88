"""The write API: POST items (body or file, dry run), PUT and DELETE one item, with tokens and roles."""
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import make_app
from upload_helpers import add_accounts, bearer, collection, csrf_token, feature, log_in

from webmap.core.settings import settings_from_environ
from webmap.ingest.geodata import prepare_database
from webmap.store import IncidentQuery, get_store

ITEMS = "/api/collections/incidents/items"
GEOJSON = "application/geo+json"
ERROR_KEYS = {"code", "description", "errors"}
REPORT_KEYS = {"dry_run", "review", "upload_id", "batch_id", "data_version", "map_url", "inserted", "updated",
               "unchanged", "ids"}


@pytest.fixture
def tokens(fixture_app):
    """API tokens of one account per role, on the app holding the seven fixture incidents."""
    return add_accounts(fixture_app)


@pytest.fixture
def api(fixture_app):
    """A test client for the API."""
    return fixture_app.test_client()


def state(app) -> tuple[int, int]:
    """Return what a rejected upload must leave alone: the incident count and the data version."""
    with app.app_context():
        store = get_store()
        return store.count_incidents(IncidentQuery()), store.data_version()


def post(api, body, token, query: str = "", content_type: str = GEOJSON):
    """POST a GeoJSON body (a dict, or raw bytes) to the items endpoint."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return api.post(ITEMS + query, data=data, content_type=content_type, headers=bearer(token))


def test_upload_inserts_and_reports(fixture_app, api, tokens):
    """A contributor's FeatureCollection is written as one batch: 201 and a report of what happened."""
    before_count, before_version = state(fixture_app)
    response = post(api, collection(feature(1), feature(2)), tokens["contributor"])
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == REPORT_KEYS
    assert (body["inserted"], body["updated"], body["unchanged"], body["dry_run"]) == (2, 0, 0, False)
    assert body["ids"] == {"inserted": ["up-1", "up-2"], "updated": [], "unchanged": []}
    assert body["data_version"] == before_version + 1 and isinstance(body["batch_id"], int)
    assert state(fixture_app) == (before_count + 2, before_version + 1)
    with fixture_app.app_context():
        batch = get_store().get_batch(body["batch_id"])
        assert (batch.user, batch.inserted) == ("contributor", 2)


def test_report_links_to_the_batch_on_the_map(api, tokens):
    """The report's map_url opens the map filtered to the batch and fitted to it; it shows exactly the incidents
    written. A dry run, or an upload that changed nothing, has none."""
    body = post(api, collection(feature(1), feature(2)), tokens["contributor"]).get_json()
    url = urlsplit(body["map_url"])
    args = parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == ("http", "localhost", "/")
    assert args["batch"] == [str(body["batch_id"])] and len(args["bbox"][0].split(",")) == 4
    view = api.get(f"/map-data/view?{url.query}&zoom=12").get_json()
    assert sorted(f["id"] for f in view["features"]) == ["up-1", "up-2"]
    assert post(api, collection(feature(1), feature(2)), tokens["contributor"]).get_json()["map_url"] is None
    assert post(api, feature(3), tokens["contributor"], "?dry_run=true").get_json()["map_url"] is None


def test_single_feature_gets_a_location(api, tokens):
    """Posting one Feature (as application/json) answers with the new item's URL."""
    response = post(api, feature(5), tokens["contributor"], content_type="application/json")
    assert response.status_code == 201 and response.headers["Location"].endswith(f"{ITEMS}/up-5")


def test_dry_run_reports_and_writes_nothing(fixture_app, api, tokens):
    """dry_run=true answers 200 with the same report, no batch, and an unchanged database."""
    before = state(fixture_app)
    response = post(api, collection(feature(1), feature(2)), tokens["contributor"], "?dry_run=true")
    assert response.status_code == 200
    body = response.get_json()
    assert body["dry_run"] is True and body["inserted"] == 2 and body["batch_id"] is None
    assert body["data_version"] == before[1]
    assert state(fixture_app) == before


def test_same_file_twice_is_unchanged_and_a_changed_feature_is_updated(fixture_app, api, tokens):
    """Re-sending a file changes nothing; a feature with a known id and new content is an update."""
    upload = collection(feature(1), feature(2))
    post(api, upload, tokens["contributor"])
    after_first = state(fixture_app)
    again = post(api, upload, tokens["contributor"]).get_json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert state(fixture_app) == after_first
    changed = post(api, collection(feature(1, title="Corrected title"), feature(2)), tokens["contributor"]).get_json()
    assert (changed["inserted"], changed["updated"], changed["unchanged"]) == (0, 1, 1)
    assert changed["ids"]["updated"] == ["up-1"]
    with fixture_app.app_context():
        assert get_store().get_incident("up-1").title == "Corrected title"


def error_of(response, status: int, code: str) -> dict:
    """Check a response is the one JSON error shape with this status and code; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ERROR_KEYS and body["code"] == code and body["description"]
    assert all(set(e) <= {"feature", "field", "message"} for e in body["errors"])
    return body


class NoReading(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the body was read")


@pytest.mark.parametrize("case", ["no credentials", "bad token", "viewer", "too large", "unread too large",
                                  "media type", "bad json", "bad dry_run", "invalid", "empty"])
def test_rejected_uploads_get_the_error_shape_and_write_nothing(tmp_path, case):
    """Every refusal has its status, the JSON error shape, and leaves count and data version alone."""
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=4000)
    with app.app_context():
        prepare_database(with_samples=False)
    tokens = add_accounts(app)
    api = app.test_client()
    contributor = tokens["contributor"]
    before = state(app)
    if case == "no credentials":
        response = api.post(ITEMS, json=collection(feature(1)))
        error_of(response, 401, "Unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    elif case == "bad token":
        error_of(post(api, collection(feature(1)), contributor[:-2]), 401, "Unauthorized")
    elif case == "viewer":
        error_of(post(api, collection(feature(1)), tokens["viewer"]), 403, "Forbidden")
    elif case == "too large":
        big = collection(*(feature(n, description="x" * 100) for n in range(40)))
        body = error_of(post(api, big, contributor), 413, "PayloadTooLarge")
        assert "WEBMAP_MAX_UPLOAD_MB" in body["description"]
    elif case == "unread too large":
        unread = {"wsgi.input": NoReading(), "CONTENT_LENGTH": str(10 ** 9)}
        response = api.post(ITEMS, environ_overrides=unread, content_type=GEOJSON, headers=bearer(contributor))
        error_of(response, 413, "PayloadTooLarge")
    elif case == "media type":
        error_of(post(api, b"%PDF-1.4", contributor, content_type="application/pdf"), 415, "UnsupportedMediaType")
    elif case == "bad json":
        error_of(post(api, b'{"type": "FeatureCollection", "features": [', contributor), 400, "BadRequest")
    elif case == "bad dry_run":
        body = error_of(post(api, collection(feature(1)), contributor, "?dry_run=maybe"), 400, "InvalidParameterValue")
        assert body["errors"][0]["field"] == "dry_run"
    elif case == "invalid":
        body = error_of(post(api, collection(feature(1), feature(2, date="not a date")), contributor),
                        422, "InvalidContent")
        assert [(e["feature"], e["field"]) for e in body["errors"]] == [(1, "properties.date")]
    elif case == "empty":
        error_of(post(api, collection(), contributor), 422, "InvalidContent")
    assert state(app) == before


def test_one_bad_feature_at_the_end_of_a_hundred_writes_nothing(fixture_app, api, tokens):
    """Validation is all-or-nothing: the 100th feature's error keeps the first 99 out too."""
    before = state(fixture_app)
    features = [feature(n) for n in range(99)] + [feature(99, event_type="picnic")]
    body = error_of(post(api, collection(*features), tokens["contributor"]), 422, "InvalidContent")
    assert [(e["feature"], e["field"]) for e in body["errors"]] == [(99, "properties.event_type")]
    assert "picnic" in body["errors"][0]["message"]
    assert state(fixture_app) == before


def with_vertices(n: int, vertices: int) -> dict:
    """Return incident `up-<n>` as a line of `vertices` positions."""
    line = feature(n)
    line["geometry"] = {"type": "LineString", "coordinates": [[35.8 + v * 1e-5, 33.1] for v in range(vertices)]}
    return line


def test_features_over_the_vertex_cap_are_refused(fixture_app, api, tokens):
    """A feature with more than 10,000 positions gets 422 naming it and `geometry`; 10,000 are fine."""
    before = state(fixture_app)
    body = error_of(post(api, collection(feature(1), with_vertices(2, 10_001)), tokens["contributor"]),
                    422, "InvalidContent")
    assert [(e["feature"], e["field"]) for e in body["errors"]] == [(1, "geometry")]
    assert "10,001 vertices; at most 10,000" in body["errors"][0]["message"]
    assert state(fixture_app) == before
    assert post(api, collection(with_vertices(2, 10_000)), tokens["contributor"]).status_code == 201


def test_the_vertex_cap_follows_its_setting(tmp_path):
    """WEBMAP_MAX_VERTICES moves the cap."""
    app = make_app(tmp_path, MAX_VERTICES=settings_from_environ({"WEBMAP_MAX_VERTICES": "50"})["MAX_VERTICES"])
    with app.app_context():
        prepare_database(with_samples=False)
    contributor, api = add_accounts(app)["contributor"], app.test_client()
    body = error_of(post(api, collection(with_vertices(0, 51)), contributor), 422, "InvalidContent")
    assert "51 vertices; at most 50" in body["errors"][0]["message"]
    assert post(api, collection(with_vertices(0, 50)), contributor).status_code == 201


def test_multipart_file_upload(fixture_app, api, tokens):
    """A form upload in the `file` field works like a body, and the batch records the file name."""
    data = {"file": (io.BytesIO(json.dumps(collection(feature(1))).encode()), "strikes.geojson")}
    response = api.post(ITEMS, data=data, headers=bearer(tokens["contributor"]), content_type="multipart/form-data")
    assert response.status_code == 201
    with fixture_app.app_context():
        assert get_store().get_batch(response.get_json()["batch_id"]).filename == "strikes.geojson"


def test_csv_file_and_csv_body(fixture_app, api, tokens):
    """A CSV goes in as a form file or as a text/csv body; a bad row is named by its index and field."""
    good = b"id,date,event_type,title,latitude,longitude\ncsv-1,2025-01-05,airstrike,Strike,33.126,35.8246\n"
    response = api.post(ITEMS, data={"file": (io.BytesIO(good), "incidents.csv")},
                        headers=bearer(tokens["contributor"]), content_type="multipart/form-data")
    assert response.status_code == 201 and response.get_json()["ids"]["inserted"] == ["csv-1"]
    before = state(fixture_app)
    bad = good + b"csv-2,2025-13-01,raid,Bad date,33.1,35.9\n"
    body = error_of(post(api, bad, tokens["contributor"], content_type="text/csv"), 422, "InvalidContent")
    assert [(e["feature"], e["field"]) for e in body["errors"]] == [(1, "date")]
    assert state(fixture_app) == before


def test_multipart_without_file_is_a_bad_request(api, tokens):
    """A form with no `file` field says which field is missing."""
    response = api.post(ITEMS, data={"other": "x"}, headers=bearer(tokens["contributor"]),
                        content_type="multipart/form-data")
    assert error_of(response, 400, "BadRequest")["errors"] == [{"field": "file", "message": "choose a file to upload"}]


def test_only_editors_set_verification(fixture_app, api, tokens):
    """A contributor may not mark an incident verified or disputed; an editor may."""
    verified = collection(feature(1, verification="verified"))
    body = error_of(post(api, verified, tokens["contributor"]), 422, "InvalidContent")
    assert [(e["feature"], e["field"]) for e in body["errors"]] == [(0, "verification")]
    assert post(api, verified, tokens["editor"]).status_code == 201
    before = state(fixture_app)
    error_of(post(api, collection(feature(2, verification="disputed")), tokens["contributor"]), 422, "InvalidContent")
    assert state(fixture_app) == before


def moved(n: int, verification: str) -> dict:
    """Return incident `up-<n>` with a new place, day and title, keeping its verification state."""
    changed = feature(n, verification=verification, date="2025-01-12", title="Moved and retitled")
    changed["geometry"]["coordinates"] = [35.95, 33.25]
    return changed


@pytest.mark.parametrize("reviewed", ["verified", "disputed"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_contributors_may_not_change_reviewed_incidents(fixture_app, api, tokens, reviewed, dry_run):
    """Once an editor has verified or disputed an incident, a contributor's upload that changes it is refused whole
    (403, naming the feature and its id), whether it keeps the state or leaves it out; an editor may change it."""
    original = feature(1, verification=reviewed)
    assert post(api, collection(original), tokens["editor"]).status_code == 201
    before = state(fixture_app)
    query = "?dry_run=true" if dry_run else ""
    for change in (moved(1, reviewed), feature(1, title="Retitled")):
        body = error_of(post(api, collection(feature(2), change), tokens["contributor"], query), 403, "Forbidden")
        assert [(e["feature"], e["field"]) for e in body["errors"]] == [(1, "id")]
        assert "up-1" in body["description"] and "'up-1'" in body["errors"][0]["message"]
        assert "would change 1 incident that" in body["description"]  # a plural form, not "incident(s)"
        assert reviewed in body["errors"][0]["message"] and "editor" in body["errors"][0]["message"]
        assert state(fixture_app) == before
    with fixture_app.app_context():
        kept = get_store().get_incident("up-1").to_feature()
        assert kept["geometry"] == original["geometry"] and kept["properties"]["title"] == "Uploaded 1"
        assert kept["properties"]["date"] == "2025-01-10" and get_store().get_incident("up-2") is None
    same = post(api, collection(original, feature(2)), tokens["contributor"], query)
    assert same.status_code == (200 if dry_run else 201)
    assert same.get_json()["ids"] == {"inserted": ["up-2"], "updated": [], "unchanged": ["up-1"]}
    edited = post(api, collection(moved(1, reviewed)), tokens["editor"], query)
    assert edited.status_code == (200 if dry_run else 201) and edited.get_json()["ids"]["updated"] == ["up-1"]


def test_session_requests_need_the_csrf_token(fixture_app, api, tokens):
    """A logged-in browser may use the API only with the CSRF token, so other sites cannot post for it."""
    log_in(api, "contributor")
    before = state(fixture_app)
    assert error_of(api.post(ITEMS, json=collection(feature(1))), 400, "BadRequest")
    assert state(fixture_app) == before
    response = api.post(ITEMS, json=collection(feature(1)), headers={"X-CSRFToken": csrf_token(api, "/upload")})
    assert response.status_code == 201


def put(api, incident_id: str, body: dict, token: str):
    """PUT a Feature to one item."""
    return api.put(f"{ITEMS}/{incident_id}", data=json.dumps(body), content_type=GEOJSON, headers=bearer(token))


def test_editor_replaces_an_incident(fixture_app, api, tokens):
    """PUT replaces the incident with the path's id; the Feature may omit its id."""
    replacement = feature(0, title="Replaced by an editor")
    del replacement["id"]
    response = put(api, "t-001", replacement, tokens["editor"])
    assert response.status_code == 200 and response.get_json()["ids"]["updated"] == ["t-001"]
    with fixture_app.app_context():
        store = get_store()
        assert store.get_incident("t-001").title == "Replaced by an editor"
        assert store.count_incidents(IncidentQuery()) == 7


@pytest.mark.parametrize("incident_id, body, token_role, status, code", [
    ("t-001", feature(0), "contributor", 403, "Forbidden"),
    ("t-001", feature(0), None, 401, "Unauthorized"),
    ("t-001", feature(0), "editor", 422, "InvalidContent"),  # the body's id up-0 differs from t-001
    ("t-404", {**feature(0), "id": "t-404"}, "editor", 404, "NotFound"),
    ("t-001", collection(feature(0)), "editor", 400, "BadRequest"),
    ("t-001", {**feature(0), "id": "t-001", "properties": {"date": "yesterday"}}, "editor", 422, "InvalidContent"),
])
def test_put_refusals(fixture_app, api, tokens, incident_id, body, token_role, status, code):
    """PUT is for editors, takes one valid Feature whose id matches the path, for an existing incident."""
    before = state(fixture_app)
    headers = bearer(tokens[token_role]) if token_role else {}
    response = api.put(f"{ITEMS}/{incident_id}", data=json.dumps(body), content_type=GEOJSON, headers=headers)
    error_of(response, status, code)
    assert state(fixture_app) == before


def test_editor_deletes_an_incident(fixture_app, api, tokens):
    """DELETE needs a reason, answers 204 and the incident is gone (history keeps it); a second DELETE is 410,
    with the reason."""
    version = state(fixture_app)[1]
    assert api.delete(f"{ITEMS}/t-003?reason=x", headers=bearer(tokens["contributor"])).status_code == 403
    error_of(api.delete(f"{ITEMS}/t-003?reason=+", headers=bearer(tokens["editor"])), 400, "InvalidParameterValue")
    assert state(fixture_app)[1] == version
    response = api.delete(f"{ITEMS}/t-003?reason=A+duplicate+of+t-004", headers=bearer(tokens["editor"]))
    assert response.status_code == 204 and response.data == b""
    assert state(fixture_app) == (6, version + 1)
    with fixture_app.app_context():
        assert get_store().get_incident("t-003") is None
        assert get_store().get_incident("t-003", as_of=version).title == "Fixture airstrike span"
    gone = error_of(api.delete(f"{ITEMS}/t-003?reason=again", headers=bearer(tokens["editor"])), 410, "Gone")
    assert "A duplicate of t-004" in gone["description"]
