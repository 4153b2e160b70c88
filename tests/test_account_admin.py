"""What admins do to other people's accounts beyond the accounts page's forms: list and revoke their API tokens on
the web, and disable, enable and reset passwords from the shell, with the same rules and audit entries."""
import pytest
from upload_helpers import PASSWORD, add_accounts, bearer, collection, csrf_token, feature, log_in

from webmap.store import get_store

ITEMS = "/api/collections/incidents/items"
NEW_PASSWORD = "another long new password"
TOKENS = "/admin/accounts/tokens"
REVOKE = "/admin/accounts/tokens/revoke"


def _audit(app) -> list[tuple]:
    """Return the audit log as (actor, action, target, detail), oldest first."""
    with app.app_context():
        return [(e.actor, e.action, e.target, e.detail) for e in reversed(get_store().list_audit(1000))]


def _client(app, name: str | None):
    """Return a client logged in as `name` (anonymous for None) and the CSRF token of its pages."""
    client = app.test_client()
    if name:
        log_in(client, name)
    return client, csrf_token(client, "/login")


def _token_of(app, name: str):
    """Return the (only) API token `add_accounts` gave an account, as the store lists it."""
    with app.app_context():
        [token] = get_store().list_tokens(name)
    return token


def _routes(app) -> list[tuple]:
    """Return the admin's token pages and forms, with what a valid request sends (besides the CSRF token)."""
    return [("GET", f"{TOKENS}?name=editor", {}),
            ("POST", REVOKE, {"name": "editor", "token": str(_token_of(app, "editor").id)})]


def _send(client, method: str, path: str, data: dict, token: str | None):
    """Send one request to a route, with the CSRF token if given."""
    if method == "GET":
        return client.get(path)
    return client.post(path, data={**data, **({"csrf_token": token} if token else {})})


def _writes(app, api_token: str) -> int:
    """Return the status of one upload sent with an API token."""
    return app.test_client().post(ITEMS, json=collection(feature(1)), headers=bearer(api_token)).status_code


@pytest.mark.parametrize("route", [0, 1])
def test_anonymous_visitors_are_sent_to_log_in_and_revoke_nothing(app, route):
    """The token page and the revoke form send a visitor to the login page; the token still works."""
    tokens = add_accounts(app)
    method, path, data = _routes(app)[route]
    client, token = _client(app, None)
    response = _send(client, method, path, data, token)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert _writes(app, tokens["editor"]) == 201 and _audit(app) == []


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
@pytest.mark.parametrize("route", [0, 1])
def test_only_admins_list_or_revoke_other_peoples_tokens(app, role, route):
    """Every role below admin gets 403 on the token page and form (the editor on their own token too); an admin
    gets the page, or revokes."""
    tokens = add_accounts(app)
    method, path, data = _routes(app)[route]
    client, token = _client(app, role)
    assert _send(client, method, path, data, token).status_code == 403
    assert _writes(app, tokens["editor"]) == 201 and _audit(app) == []
    admin, admin_token = _client(app, "admin")
    assert _send(admin, method, path, data, admin_token).status_code in (200, 303)


def test_the_revoke_form_needs_the_csrf_token(app):
    """Revoking without the CSRF token is refused (400), even for an admin, and the token keeps working."""
    tokens = add_accounts(app)
    admin, _ = _client(app, "admin")
    _, path, data = _routes(app)[1]
    assert admin.post(path, data=data).status_code == 400
    assert _writes(app, tokens["editor"]) == 201 and _audit(app) == []


def test_an_admin_lists_and_revokes_another_persons_token(app):
    """The accounts page links each account's tokens; the admin sees their names (never the tokens), revokes one,
    which then gets 401, and the audit log names the admin, the account and the token's name."""
    tokens = add_accounts(app)
    admin, token = _client(app, "admin")
    listing = admin.get("/admin/accounts").get_data(as_text=True)
    assert 'href="/admin/accounts/tokens?name=editor">1 API token</a>' in listing
    editor = _token_of(app, "editor")
    page = admin.get(f"{TOKENS}?name=editor").get_data(as_text=True)
    assert f'<tr data-token="{editor.id}">' in page and tokens["editor"] not in page
    response = admin.post(REVOKE, data={"csrf_token": token, "name": "editor", "token": str(editor.id)})
    assert response.status_code == 303 and response.headers["Location"] == f"{TOKENS}?name=editor"
    assert "of editor is revoked" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert _writes(app, tokens["editor"]) == 401 and _writes(app, tokens["contributor"]) == 201
    assert _audit(app) == [("admin", "token_revoked", "editor", editor.name)]
    assert "0 API tokens" in admin.get("/admin/accounts").get_data(as_text=True)


def test_a_token_of_another_account_or_no_account_is_refused_in_words(app):
    """A token id that is not that account's, or not a number, is 404 in words; an unknown account is 404; nothing
    is revoked."""
    tokens = add_accounts(app)
    admin, token = _client(app, "admin")
    others = _token_of(app, "contributor")
    for value in (str(others.id), "abc", ""):
        response = admin.post(REVOKE, data={"csrf_token": token, "name": "editor", "token": value})
        assert response.status_code == 404 and "editor has no such token" in response.get_data(as_text=True)
    response = admin.post(REVOKE, data={"csrf_token": token, "name": "nobody", "token": str(others.id)})
    assert response.status_code == 404 and "no account named" in response.get_data(as_text=True)
    assert admin.get(f"{TOKENS}?name=nobody").status_code == 404
    assert admin.get(TOKENS).status_code == 404
    assert _writes(app, tokens["contributor"]) == 201 and _audit(app) == []


def test_the_token_page_escapes_names_and_speaks_arabic(app):
    """Token and account names are shown as text; the page and its refusals come in Arabic too."""
    add_accounts(app)
    with app.app_context():
        get_store().add_token("editor", "f" * 64, "<b>laptop</b>")
    admin, token = _client(app, "admin")
    page = admin.get(f"{TOKENS}?name=editor&lang=ar").get_data(as_text=True)
    assert "&lt;b&gt;laptop&lt;/b&gt;" in page and "<b>laptop</b>" not in page
    assert "رموز الواجهة البرمجية للحساب editor" in page
    refused = admin.post(f"{REVOKE}?lang=ar", data={"csrf_token": token, "name": "editor", "token": "999"})
    assert refused.status_code == 404 and "ليس لدى editor هذا الرمز" in refused.get_data(as_text=True)


def test_users_list_says_which_accounts_are_disabled(app):
    """`webmap users list` marks disabled accounts as such, and only them."""
    add_accounts(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "disable", "viewer"]).exit_code == 0
    lines = runner.invoke(args=["users", "list"]).output.splitlines()
    assert "viewer\tviewer\tdisabled" in lines and "editor\teditor" in lines


def test_disabling_and_enabling_from_the_shell_works_as_on_the_page(app):
    """`webmap users disable` ends the person's session and stops their token; `enable` lets them back; both are
    audited as the command line."""
    tokens = add_accounts(app)
    person, _ = _client(app, "contributor")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "disable", "contributor"])
    assert result.exit_code == 0 and "'contributor' is now disabled" in result.output
    assert person.get("/upload").status_code == 302 and _writes(app, tokens["contributor"]) == 401
    assert log_in(app.test_client(), "contributor").status_code == 403
    assert runner.invoke(args=["users", "enable", "contributor"]).exit_code == 0
    assert _writes(app, tokens["contributor"]) == 201
    assert _audit(app) == [("command line", "account_disabled", "contributor", ""),
                           ("command line", "account_enabled", "contributor", "")]


def test_the_shell_keeps_the_last_admin_and_names_missing_accounts(app):
    """Disabling the only admin from the shell is refused in words, as is an unknown account; nothing changes."""
    add_accounts(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "disable", "admin"])
    assert result.exit_code != 0 and "no active admin" in result.output
    result = runner.invoke(args=["users", "enable", "nobody"])
    assert result.exit_code != 0 and "There is no account named 'nobody'" in result.output
    with app.app_context():
        assert not get_store().get_account("admin").disabled
    assert _audit(app) == []


def test_a_password_reset_from_the_shell_reads_stdin_never_argv(app):
    """`webmap users reset-password NAME` takes no password argument; it reads the first line of stdin, ends the
    person's sessions, refuses a short one, and is audited without the password."""
    add_accounts(app)
    person, _ = _client(app, "editor")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "reset-password", "editor", NEW_PASSWORD]).exit_code != 0
    short = runner.invoke(args=["users", "reset-password", "editor"], input="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    result = runner.invoke(args=["users", "reset-password", "editor"], input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0 and NEW_PASSWORD not in result.output
    assert person.get("/batches").status_code == 302
    assert log_in(app.test_client(), "editor", PASSWORD).status_code == 200  # the old one: the form again
    assert log_in(app.test_client(), "editor", NEW_PASSWORD).status_code == 302
    missing = runner.invoke(args=["users", "reset-password", "nobody"], input=NEW_PASSWORD + "\n")
    assert missing.exit_code != 0 and "no account named" in missing.output
    log = _audit(app)
    assert log == [("command line", "password_reset", "editor", "")] and NEW_PASSWORD not in repr(log)
