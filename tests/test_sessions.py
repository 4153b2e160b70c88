"""Where a login leads, and sessions that end on the server: log-out, role changes, replayed cookies."""
import pytest
from conftest import make_app
from upload_helpers import PASSWORD_HASH, add_accounts, collection, csrf_token, feature, log_in

from webmap.ingest.geodata import prepare_database
from webmap.store.sqlite import MIGRATIONS, SQLiteStore

ITEMS = "/api/collections/incidents/items"


@pytest.mark.parametrize("target", [
    "/%09/evil.example/phish",  # browsers drop the tab, leaving //evil.example/phish
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\u200b/evil.example",
    "/%2F/evil.example",  # //evil.example once decoded
    "/%5Cevil.example",
    "/path\\..\\evil",
    "/batches\nSet-Cookie: x=1",
    "evil.example/phish",
    "javascript:alert(1)",
    "/\\/evil.example",
])
def test_login_ignores_a_next_that_could_leave_the_site(app, target):
    """A `next` with whitespace, control characters or backslashes (raw or percent-encoded) leads home, not to a 500."""
    add_accounts(app)
    response = log_in(app.test_client(), "editor", next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_keeps_a_next_on_this_site(app):
    """An ordinary path with its query still leads back to the page that asked for login."""
    add_accounts(app)
    response = log_in(app.test_client(), "editor", next="/batches?before=5&lang=ar")
    assert response.headers["Location"] == "/batches?before=5&lang=ar"


def test_login_form_with_an_unsafe_next_in_the_query_is_not_a_500(app):
    """The raw open-redirect request of the review: POST /login?next=/%09/evil.example/phish."""
    add_accounts(app)
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login?next=/%09/evil.example/phish",
                           data={"name": "editor", "password": "correct horse battery staple", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def _stolen_session(app, name: str) -> tuple:
    """Log in as `name`; return that client, a copy of its session cookie and the CSRF token its pages carry."""
    client = app.test_client()
    log_in(client, name)
    return client, client.get_cookie("session").value, csrf_token(client, "/upload")


def _replay(app, cookie: str):
    """Return a fresh client that sends a copied session cookie, as someone who kept it would."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def test_a_session_cookie_replayed_after_log_out_is_anonymous(app):
    """Logging out ends the session on the server: the old cookie opens no page and writes nothing."""
    add_accounts(app)
    client, cookie, token = _stolen_session(app, "editor")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    replayed = _replay(app, cookie)
    page = replayed.get("/upload")
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=/upload"
    write = replayed.post(ITEMS, json=collection(feature(1)), headers={"X-CSRFToken": token})
    assert write.status_code == 401
    assert app.test_client().get(ITEMS + "/up-1").status_code == 404


def test_log_out_ends_every_session_of_the_account_and_no_other(app):
    """A log-out on one device ends the account's sessions elsewhere; other accounts stay logged in."""
    add_accounts(app)
    phone, laptop, other = app.test_client(), app.test_client(), app.test_client()
    for client, name in ((phone, "editor"), (laptop, "editor"), (other, "contributor")):
        log_in(client, name)
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/")})
    assert laptop.get("/upload").status_code == 302
    assert other.get("/upload").status_code == 200
    log_in(laptop, "editor")
    assert laptop.get("/upload").status_code == 200


@pytest.mark.parametrize("role", ["editor", "viewer", "contributor"])
def test_a_role_change_ends_the_accounts_sessions(app, role):
    """`webmap users set-role` logs the account out everywhere, whatever the new role (even the same one)."""
    add_accounts(app)
    client, cookie, _ = _stolen_session(app, "contributor")
    assert app.test_cli_runner().invoke(args=["users", "set-role", "contributor", role]).exit_code == 0
    assert client.get("/upload").status_code == 302
    assert _replay(app, cookie).get("/upload").status_code == 302


def test_accounts_of_an_older_database_keep_working_after_the_migration(tmp_path):
    """A database from before sessions could be ended keeps its accounts; they log in and out as before."""
    old = SQLiteStore(tmp_path / "webmap.db")
    conn = old._connection()
    for version, script in enumerate(MIGRATIONS[:5], start=1):
        conn.executescript(script)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO account (name, role, password_hash, created_at) VALUES ('rania', 'editor', ?, '')",
                 (PASSWORD_HASH,))
    old.close()
    app = make_app(tmp_path)
    with app.app_context():
        prepare_database(with_samples=False)
    client = app.test_client()
    log_in(client, "rania")
    assert client.get("/upload").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/upload").status_code == 302
