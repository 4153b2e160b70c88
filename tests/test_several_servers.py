"""Several app servers on one database: each sees the others' writes at once, labels the same data with the same
validators, and accepts the sessions, CSRF tokens and log-in counts of the others."""
import json
import time
import urllib.error
import urllib.request

import pytest
from conftest import fixture_incidents, make_app
from served import webmap_serve
from upload_helpers import PASSWORD, PASSWORD_HASH, add_accounts, bearer, collection, csrf_token, feature, log_in

from webmap.accounts.roles import new_token
from webmap.ingest.geodata import prepare_database
from webmap.store import BatchInfo, open_store

PUBLIC = "https://maps.example.org"
# Over HTTPS, Flask-WTF also checks that a form's Referer is this site, which the test client does not send.
PLAIN = "http://maps.example.org"
ITEMS = "/api/collections/incidents/items"
SUMMARY = "/map-data/summary"
# Everything a CDN caches by its validators, on data the other server wrote.
CACHED = [SUMMARY, "/map-data/view?bbox=35.5,32.5,36.5,33.5&zoom=9", "/map-data/list?bbox=35.5,32.5,36.5,33.5",
          "/embed?type=airstrike", "/map.png?width=400&height=300", "/stats.csv?chart=timeline", ITEMS, f"{ITEMS}?f=csv",
          "/api/collections", "/api/collections/alpha_line/items"]


def _server(folder, public_url: str = PUBLIC, **config):
    """Build one server's app on the database in `folder`, as `webmap serve` prepares it on start."""
    app = make_app(folder, PUBLIC_URL=public_url, **config)
    with app.app_context():
        prepare_database(with_samples=False)
    return app


@pytest.fixture
def servers(tmp_path):
    """Two servers on one SQLite file with the same settings; the first holds the fixture incidents."""
    first = _server(tmp_path)
    first.extensions["webmap.store"].add_incidents(fixture_incidents(), BatchInfo(user="test"))
    return first, _server(tmp_path)


def _count(client) -> int:
    """Return how many incidents the map of this server counts."""
    return client.get(SUMMARY).json["matched"]


def test_a_write_through_one_server_is_visible_through_the_other_within_a_second(servers):
    first, second = (app.test_client() for app in servers)
    tokens = add_accounts(servers[0])
    before = _count(second)
    second.get("/embed?type=airstrike")  # the other server has rendered (and cached) the old data
    written = first.post(ITEMS, json=collection(feature(1), feature(2)), headers=bearer(tokens["editor"]))
    assert written.status_code == 201
    deadline = time.monotonic() + 1
    while _count(second) != before + 2:
        assert time.monotonic() < deadline, "the other server did not see the write within 1 s"
    assert second.get("/healthz").json["data_version"] == written.json["data_version"]
    embed = second.get("/embed?type=airstrike").get_data(as_text=True)
    assert "up-1" in second.get(f"{ITEMS}?limit=100").get_data(as_text=True) and "Uploaded" not in embed
    assert second.get(SUMMARY).json["data_version"] == written.json["data_version"]


@pytest.mark.parametrize("path", CACHED)
def test_both_servers_give_the_same_validators_for_the_same_data(servers, path):
    first, second = (app.test_client() for app in servers)
    one, other = first.get(path), second.get(path)
    assert one.status_code == other.status_code == 200
    assert one.headers["ETag"] == other.headers["ETag"]
    assert one.headers.get("Last-Modified") == other.headers.get("Last-Modified")
    assert one.get_data() == other.get_data()  # a strong ETag: the same bytes, whichever server answers
    assert second.get(path, headers={"If-None-Match": one.headers["ETag"]}).status_code == 304


def _carry_session(source, target) -> None:
    """Give `target` the session cookie `source` holds, as one browser talking to either server would."""
    target.set_cookie("session", source.get_cookie("session").value)


@pytest.fixture
def plain_servers(tmp_path):
    """Two servers on one SQLite file with the same settings, served over plain HTTP."""
    return _server(tmp_path, PLAIN), _server(tmp_path, PLAIN)


def test_a_log_in_on_one_server_holds_for_a_form_posted_to_the_other(plain_servers):
    first, second = (app.test_client() for app in plain_servers)
    add_accounts(plain_servers[0])
    assert log_in(first, "editor").status_code == 302
    token = csrf_token(first, "/account")  # the form came from the first server, the post goes to the second
    _carry_session(first, second)
    posted = second.post("/account/tokens", data={"label": "from the other server", "csrf_token": token})
    assert posted.status_code == 200 and "wm_" in posted.get_data(as_text=True)
    assert "from the other server" in first.get("/account").get_data(as_text=True)


def test_a_server_with_another_secret_key_accepts_neither_session_nor_form(tmp_path):
    first = _server(tmp_path, PLAIN).test_client()
    stranger = _server(tmp_path, PLAIN, SECRET_KEY="another key").test_client()
    add_accounts(first.application)
    log_in(first, "editor")
    token = csrf_token(first, "/account")
    _carry_session(first, stranger)
    posted = stranger.post("/account/tokens", data={"label": "forged", "csrf_token": token})
    assert posted.status_code in (302, 400) and "forged" not in first.get("/account").get_data(as_text=True)
    assert stranger.get("/account").status_code == 302  # sent to log in: the session is not valid here


def test_logging_out_on_one_server_ends_the_session_on_the_other(plain_servers):
    first, second = (app.test_client() for app in plain_servers)
    add_accounts(plain_servers[0])
    log_in(first, "editor")
    _carry_session(first, second)
    assert second.get("/account").status_code == 200
    first.post("/logout", data={"csrf_token": csrf_token(first, "/account")})
    assert second.get("/account").status_code == 302


def test_failed_log_ins_count_on_every_server(tmp_path):
    apps = [_server(tmp_path, PLAIN, LOGIN_ATTEMPTS=4) for _ in range(2)]
    add_accounts(apps[0])
    clients = [app.test_client() for app in apps]
    for attempt in range(4):
        assert log_in(clients[attempt % 2], "editor", PASSWORD + "x").status_code == 200
    assert log_in(clients[0], "editor").status_code == 429
    assert log_in(clients[1], "editor").status_code == 429


def _get(url: str, **headers):
    """GET a URL on a new connection (so any worker of the server may answer); return status, headers, body."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _served_count(base: str) -> int:
    """Return how many incidents the map of a served app counts."""
    return json.loads(_get(base + SUMMARY)[2])["matched"]


def test_two_webmap_serve_processes_on_one_database(tmp_path):
    """Two `webmap serve` processes of two workers each: every worker of the other server counts an upload
    within a second of its answer, and both give the same ETag and Last-Modified."""
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'shared.db'}", "WEBMAP_PUBLIC_URL": PUBLIC}
    with webmap_serve(tmp_path, "--workers", "2", log_name="first.log", **settings) as first, \
            webmap_serve(tmp_path, "--workers", "2", log_name="second.log", **settings) as second:
        store = open_store(settings["DATABASE_URL"])
        store.add_account("editor", "editor", PASSWORD_HASH)
        token, digest = new_token()
        store.add_token("editor", digest)
        store.close()
        before = _served_count(second)
        body = json.dumps(collection(feature(1), feature(2))).encode()
        upload = urllib.request.Request(first + ITEMS, data=body, method="POST", headers={
            **bearer(token), "Content-Type": "application/geo+json"})
        with urllib.request.urlopen(upload, timeout=60) as response:
            assert response.status == 201
        written = time.monotonic()
        while _served_count(second) != before + 2:
            assert time.monotonic() - written < 1, "the other server did not count the upload within 1 s"
        assert {_served_count(base) for base in (first, second) * 8} == {before + 2}  # whichever worker answers
        for path in (SUMMARY, "/embed?type=airstrike", ITEMS):
            one, other = _get(first + path), _get(second + path)
            assert one[0] == other[0] == 200 and one[1]["ETag"]
            assert (one[1]["ETag"], one[1].get("Last-Modified")) == (other[1]["ETag"], other[1].get("Last-Modified"))
            assert one[2] == other[2]
            assert _get(second + path, **{"If-None-Match": one[1]["ETag"]})[0] == 304
