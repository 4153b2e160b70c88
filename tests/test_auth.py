"""Accounts and roles: the CLI, hashed secrets, login/logout with CSRF, and who may open which page."""
import hashlib
import sqlite3

import pytest
from upload_helpers import PASSWORD, add_accounts, bearer, csrf_token, log_in

from webmap import create_app
from webmap.accounts.roles import ROLES, role_allows
from webmap.ingest.geodata import prepare_database
from webmap.store import get_store

MISSING = "/api/collections/incidents/items/no-such-incident"


def db_rows(app, sql: str) -> list[tuple]:
    """Read rows straight from the app's SQLite file, as an attacker with the file would."""
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_cli_creates_account_and_token_that_works(app):
    """`users add` takes the password from stdin; `tokens create` prints a token that authenticates."""
    runner = app.test_cli_runner()
    added = runner.invoke(args=["users", "add", "rania", "--role", "editor"], input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    created = runner.invoke(args=["tokens", "create", "rania"])
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("wm_") and len(token) > 40
    # An editor's token gets past authentication and authorisation: the 404 is about the incident.
    assert app.test_client().delete(MISSING, headers=bearer(token)).status_code == 404
    assert app.test_client().delete(MISSING, headers=bearer(token + "x")).status_code == 401
    listed = runner.invoke(args=["users", "list"])
    assert "rania\teditor" in listed.output


def test_passwords_and_tokens_are_stored_only_as_hashes(app):
    """Neither the password nor the token appears in the database; the token's SHA-256 does."""
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "add", "omar", "--role", "contributor"], input=PASSWORD + "\n")
    token = runner.invoke(args=["tokens", "create", "omar"]).output.strip().splitlines()[-1]
    [(password_hash,)] = db_rows(app, "SELECT password_hash FROM account WHERE name = 'omar'")
    [(token_hash,)] = db_rows(app, "SELECT token_hash FROM api_token")
    assert PASSWORD not in password_hash and password_hash.startswith("scrypt:")
    assert token_hash != token and token_hash == hashlib.sha256(token.encode()).hexdigest()
    dump = "\n".join(sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///")).iterdump())
    assert PASSWORD not in dump and token not in dump


@pytest.mark.parametrize("args, stdin, words", [
    (["users", "add", "short", "--role", "viewer"], "tooshort\n", "at least 10"),
    (["users", "add", "who", "--role", "superuser"], PASSWORD + "\n", "superuser"),
    (["users", "add", "has space", "--role", "viewer"], PASSWORD + "\n", "without spaces"),
    (["tokens", "create", "nobody"], "", "no account named 'nobody'"),
    (["users", "set-role", "nobody", "editor"], "", "no account named 'nobody'"),
])
def test_cli_refuses_bad_input(app, args, stdin, words):
    """Short passwords, unknown roles, bad names and unknown accounts are refused with a reason."""
    result = app.test_cli_runner().invoke(args=args, input=stdin)
    assert result.exit_code != 0 and words in result.output
    with app.app_context():
        assert get_store().list_accounts() == []


def test_cli_refuses_a_second_account_with_the_same_name(app):
    """Adding an existing name fails and keeps the first account's role."""
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "add", "lina", "--role", "viewer"], input=PASSWORD + "\n")
    again = runner.invoke(args=["users", "add", "lina", "--role", "admin"], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output
    with app.app_context():
        assert get_store().get_account("lina").role == "viewer"


def test_roles_are_ordered():
    """Each role may do what the roles below it may, and no more."""
    allowed = {role: {p for p in ("upload", "edit", "verify", "batches", "users") if role_allows(role, p)}
               for role in ROLES}
    assert allowed == {
        "viewer": set(),
        "contributor": {"upload"},
        "editor": {"upload", "edit", "verify", "batches"},
        "admin": {"upload", "edit", "verify", "batches", "users"},
    }


def test_login_and_logout_change_the_map_top_bar(app):
    """After logging in the top bar names the account and offers logout; logging out brings the login link back."""
    add_accounts(app)
    client = app.test_client()
    assert 'id="login-link"' in client.get("/").get_data(as_text=True)
    response = log_in(client, "editor")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert 'class="account-name" title="editor"><bdi dir="auto" lang="en">editor</bdi><' in page and 'href="/batches"' in page
    assert 'id="login-link"' not in page
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    assert 'id="login-link"' in client.get("/").get_data(as_text=True)


def test_contributor_sees_upload_but_not_batches_link(app):
    """The top bar shows only the pages the role may open."""
    add_accounts(app)
    client = app.test_client()
    log_in(client, "contributor")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/upload"' in page and 'href="/batches"' not in page


def test_wrong_password_or_name_does_not_log_in(app):
    """A wrong password and an unknown name get the same message and no session."""
    add_accounts(app)
    client = app.test_client()
    for name, password in (("editor", PASSWORD + "x"), ("nobody", PASSWORD)):
        response = log_in(client, name, password)
        assert response.status_code == 200 and 'id="login-error"' in response.get_data(as_text=True)
        assert client.get("/upload").status_code == 302


def test_login_and_logout_need_the_csrf_token(app):
    """A login or logout form posted without the CSRF token (as from another site) is refused."""
    add_accounts(app)
    client = app.test_client()
    assert client.post("/login", data={"name": "editor", "password": PASSWORD}).status_code == 400
    assert client.get("/upload").status_code == 302
    log_in(client, "editor")
    assert client.post("/logout").status_code == 400
    assert client.get("/upload").status_code == 200


@pytest.mark.parametrize("target, landing", [
    ("/batches", "/batches"),
    ("//evil.example/", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
])
def test_login_goes_on_only_to_pages_of_this_site(app, target, landing):
    """`next` leads back to the page that asked for login, never to another site."""
    add_accounts(app)
    response = log_in(app.test_client(), "editor", next=target)
    assert response.headers["Location"] == landing


def test_pages_send_visitors_to_login_and_refuse_low_roles(app):
    """Without a session /upload and /batches redirect to login; a viewer gets 403, a contributor 403 on /batches."""
    add_accounts(app)
    anonymous = app.test_client()
    response = anonymous.get("/upload")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/upload"
    assert anonymous.get("/batches").headers["Location"] == "/login?next=/batches"
    viewer, contributor = app.test_client(), app.test_client()
    log_in(viewer, "viewer")
    log_in(contributor, "contributor")
    assert viewer.get("/upload").status_code == 403
    assert contributor.get("/upload").status_code == 200
    assert contributor.get("/batches").status_code == 403


def test_role_change_and_revocation_apply_at_once(app):
    """A role change ends open sessions and the next log-in has the new role; a revoked token stops working."""
    tokens = add_accounts(app)
    client = app.test_client()
    log_in(client, "contributor")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "set-role", "contributor", "viewer"]).exit_code == 0
    assert client.get("/upload").status_code == 302
    log_in(client, "contributor")
    assert client.get("/upload").status_code == 403
    assert app.test_client().delete(MISSING, headers=bearer(tokens["editor"])).status_code == 404
    assert "revoked 1 tokens" in runner.invoke(args=["tokens", "revoke", "editor"]).output
    assert app.test_client().delete(MISSING, headers=bearer(tokens["editor"])).status_code == 401


def test_session_cookie_is_http_only_and_same_site(app):
    """Scripts cannot read the session cookie and other sites' forms do not send it."""
    add_accounts(app)
    cookie = log_in(app.test_client(), "viewer").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_setting(tmp_path):
    """WEBMAP_SECURE_COOKIES=1 marks the session cookie Secure, for sites served over HTTPS."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "TILES": "none",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'webmap.db'}"}, environ={"WEBMAP_SECURE_COOKIES": "1"})
    with app.app_context():
        prepare_database(with_samples=False)
    add_accounts(app)
    assert "Secure" in log_in(app.test_client(), "viewer").headers["Set-Cookie"]
