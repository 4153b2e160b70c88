"""The account pages: who may open each, CSRF on every form, the last-admin rule, disabling, resetting and the
audit log of every change."""
import re

import pytest
from upload_helpers import PASSWORD, add_accounts, bearer, collection, csrf_token, feature, log_in

from webmap.store import get_store

ITEMS = "/api/collections/incidents/items"
NEW_PASSWORD = "a brand new long password"

# Every new page and form, with what a valid submission sends (besides the CSRF token).
ADMIN_ROUTES = [
    ("GET", "/admin/accounts", {}),
    ("GET", "/admin/audit", {}),
    ("POST", "/admin/accounts", {"name": "newcomer", "role": "viewer", "password": PASSWORD}),
    ("POST", "/admin/accounts/role", {"name": "viewer", "role": "contributor"}),
    ("POST", "/admin/accounts/disabled", {"name": "viewer", "disabled": "true"}),
    ("POST", "/admin/accounts/password", {"name": "viewer", "password": NEW_PASSWORD}),
]
OWN_ROUTES = [
    ("GET", "/account", {}),
    ("POST", "/account/password", {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}),
    ("POST", "/account/tokens", {"label": "laptop"}),
    ("POST", "/account/tokens/revoke", {"token": "1"}),
]


def _client(app, name: str | None):
    """Return a client logged in as `name` (anonymous for None) and the CSRF token of its pages."""
    client = app.test_client()
    if name:
        log_in(client, name)
    return client, csrf_token(client, "/login")


def _send(client, method: str, path: str, data: dict, token: str | None):
    """Send one request to a route, with the CSRF token if given."""
    if method == "GET":
        return client.get(path)
    return client.post(path, data={**data, **({"csrf_token": token} if token else {})})


def _audit(app) -> list[tuple]:
    """Return the audit log as (actor, action, target, detail), oldest first."""
    with app.app_context():
        return [(e.actor, e.action, e.target, e.detail) for e in reversed(get_store().list_audit(1000))]


def _admin(app):
    """Return a client logged in as the admin and its CSRF token."""
    add_accounts(app)
    return _client(app, "admin")


@pytest.mark.parametrize("method, path, data", ADMIN_ROUTES + OWN_ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(app, method, path, data):
    """Every new page and form sends a visitor to the login page and changes nothing."""
    add_accounts(app)
    client, token = _client(app, None)
    response = _send(client, method, path, data, token)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=" + path)
    assert _audit(app) == []


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
@pytest.mark.parametrize("method, path, data", ADMIN_ROUTES)
def test_only_admins_may_open_the_admin_pages(app, role, method, path, data):
    """Every role below admin gets 403 on each admin page and form, and nothing changes."""
    add_accounts(app)
    client, token = _client(app, role)
    response = _send(client, method, path, data, token)
    assert response.status_code == 403
    assert _audit(app) == []
    admin, admin_token = _client(app, "admin")
    assert _send(admin, method, path, data, admin_token).status_code in (200, 303)


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor", "admin"])
def test_every_role_may_open_its_own_page(app, role):
    """/account opens for every logged-in role and names the account."""
    add_accounts(app)
    client, _ = _client(app, role)
    page = client.get("/account")
    assert page.status_code == 200 and f"{role}</span>" in page.get_data(as_text=True)


@pytest.mark.parametrize("method, path, data", [r for r in ADMIN_ROUTES + OWN_ROUTES if r[0] == "POST"])
def test_every_form_needs_the_csrf_token(app, method, path, data):
    """A form posted without its CSRF token gets 400 and changes nothing, even from an admin."""
    client, _ = _admin(app)
    assert _send(client, method, path, data, None).status_code == 400
    assert _audit(app) == []


def test_navigation_shows_account_links_by_role(app):
    """Everyone logged in sees "Account"; only admins see "Accounts", in Arabic too."""
    add_accounts(app)
    editor, _ = _client(app, "editor")
    admin, _ = _client(app, "admin")
    editor_page = editor.get("/upload").get_data(as_text=True)
    assert 'id="account-link"' in editor_page and 'id="accounts-link"' not in editor_page
    arabic = admin.get("/upload?lang=ar").get_data(as_text=True)
    assert 'id="accounts-link" href="/admin/accounts?lang=ar">الحسابات<' in arabic


def test_an_admin_adds_an_account_who_can_log_in(app):
    """An account added on the page logs in with its initial password, with its role."""
    admin, token = _admin(app)
    response = admin.post("/admin/accounts", data={"csrf_token": token, "name": "rania", "role": "editor",
                                                   "password": PASSWORD})
    assert response.status_code == 303
    assert "Account “rania” created with the role editor." in admin.get("/admin/accounts").get_data(as_text=True)
    rania, _ = _client(app, "rania")
    assert rania.get("/batches").status_code == 200
    assert _audit(app)[-1] == ("admin", "account_created", "rania", "editor")


@pytest.mark.parametrize("data, status, words", [
    ({"name": "x", "role": "viewer", "password": "short"}, 400, "at least 10 characters"),
    ({"name": "has space", "role": "viewer", "password": PASSWORD}, 400, "without spaces"),
    ({"name": "x", "role": "superuser", "password": PASSWORD}, 400, "Choose one of the roles"),
    ({"name": "editor", "role": "viewer", "password": PASSWORD}, 409, "An account named &#39;editor&#39; already"),
    ({}, 400, "without spaces"),
])
def test_adding_a_bad_account_is_refused_in_words(app, data, status, words):
    """Short passwords, bad names, unknown roles, taken names and empty forms are refused on the page."""
    admin, token = _admin(app)
    response = admin.post("/admin/accounts", data={"csrf_token": token, **data})
    assert response.status_code == status and words in response.get_data(as_text=True)
    with app.app_context():
        assert len(get_store().list_accounts()) == 4
    assert _audit(app) == []


def test_refusals_are_in_arabic_on_arabic_pages(app):
    """The Arabic page gives the reason in Arabic, right to left."""
    admin, token = _admin(app)
    response = admin.post("/admin/accounts?lang=ar", data={"csrf_token": token, "name": "x", "role": "viewer",
                                                           "password": "short"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'dir="rtl"' in html and "يجب ألا تقل كلمة المرور عن 10 أحرف" in html


def test_names_are_escaped_on_every_page(app):
    """An account and a token named with markup show as text on the admin, audit and account pages."""
    admin, token = _admin(app)
    name = "<b>x</b>"
    admin.post("/admin/accounts", data={"csrf_token": token, "name": name, "role": "viewer", "password": PASSWORD})
    person, person_token = _client(app, name)
    person.post("/account/tokens", data={"csrf_token": person_token, "label": "<i>y</i>"})
    for client, path in ((admin, "/admin/accounts"), (admin, "/admin/audit"), (person, "/account")):
        html = client.get(path).get_data(as_text=True)
        assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html and "<i>y</i>" not in html


def test_the_last_active_admin_can_be_neither_demoted_nor_disabled(app):
    """The only admin's demotion or disabling is refused with the reason; with a second admin both work."""
    admin, token = _admin(app)
    for path, data in (("/admin/accounts/role", {"role": "editor"}), ("/admin/accounts/disabled", {"disabled": "true"})):
        response = admin.post(path, data={"csrf_token": token, "name": "admin", **data})
        assert response.status_code == 409 and "no active admin" in response.get_data(as_text=True)
    with app.app_context():
        account = get_store().get_account("admin")
        assert account.role == "admin" and not account.disabled
    assert _audit(app) == []
    assert admin.post("/admin/accounts/role", data={"csrf_token": token, "name": "editor",
                                                    "role": "admin"}).status_code == 303
    assert admin.post("/admin/accounts/disabled", data={"csrf_token": token, "name": "admin",
                                                        "disabled": "true"}).status_code == 303


def test_a_disabled_admin_does_not_count_as_the_last_one(app):
    """With the second admin disabled, the first is still the last active one."""
    admin, token = _admin(app)
    admin.post("/admin/accounts/role", data={"csrf_token": token, "name": "editor", "role": "admin"})
    admin.post("/admin/accounts/disabled", data={"csrf_token": token, "name": "editor", "disabled": "true"})
    response = admin.post("/admin/accounts/role", data={"csrf_token": token, "name": "admin", "role": "viewer"})
    assert response.status_code == 409


def test_the_cli_keeps_the_last_admin_too(app):
    """`webmap users set-role` refuses to demote the only admin, in words."""
    add_accounts(app)
    result = app.test_cli_runner().invoke(args=["users", "set-role", "admin", "editor"])
    assert result.exit_code != 0 and "no active admin" in result.output


def test_a_disabled_account_cannot_log_in_and_its_sessions_and_tokens_stop(app):
    """Disabling ends the person's session at once, refuses their log-in and their token (401); enabling
    lets them back in."""
    tokens = add_accounts(app)
    admin, token = _client(app, "admin")
    person, _ = _client(app, "contributor")
    assert person.get("/upload").status_code == 200
    admin.post("/admin/accounts/disabled", data={"csrf_token": token, "name": "contributor", "disabled": "true"})
    assert person.get("/upload").status_code == 302
    refused = log_in(app.test_client(), "contributor")
    assert refused.status_code == 403 and "This account is disabled" in refused.get_data(as_text=True)
    write = app.test_client().post(ITEMS, json=collection(feature(1)), headers=bearer(tokens["contributor"]))
    assert write.status_code == 401
    admin.post("/admin/accounts/disabled", data={"csrf_token": token, "name": "contributor", "disabled": "false"})
    assert log_in(app.test_client(), "contributor").status_code == 302
    write = app.test_client().post(ITEMS, json=collection(feature(1)), headers=bearer(tokens["contributor"]))
    assert write.status_code == 201
    assert [a[1] for a in _audit(app)] == ["account_disabled", "account_enabled"]


def test_a_password_reset_ends_the_persons_sessions(app):
    """After an admin resets a password, the person's open session is anonymous and only the new password works."""
    admin, token = _admin(app)
    person, _ = _client(app, "editor")
    assert person.get("/batches").status_code == 200
    response = admin.post("/admin/accounts/password", data={"csrf_token": token, "name": "editor",
                                                            "password": NEW_PASSWORD})
    assert response.status_code == 303
    assert person.get("/batches").status_code == 302
    assert log_in(app.test_client(), "editor").status_code == 200  # the old password: the form again
    assert log_in(app.test_client(), "editor", NEW_PASSWORD).status_code == 302
    assert _audit(app) == [("admin", "password_reset", "editor", "")]


def test_a_role_change_on_the_page_ends_sessions_and_is_audited(app):
    """A role change takes effect at once: the person's session ends and the audit log says from what to what."""
    admin, token = _admin(app)
    person, _ = _client(app, "contributor")
    admin.post("/admin/accounts/role", data={"csrf_token": token, "name": "contributor", "role": "editor"})
    assert person.get("/upload").status_code == 302
    assert _audit(app) == [("admin", "role_changed", "contributor", "contributor → editor")]


def test_changes_to_a_missing_account_are_404_in_words(app):
    """Naming an account that does not exist is refused on the page, not a 500."""
    admin, token = _admin(app)
    for path, data in (("/admin/accounts/role", {"role": "editor"}), ("/admin/accounts/disabled", {}),
                       ("/admin/accounts/password", {"password": NEW_PASSWORD})):
        response = admin.post(path, data={"csrf_token": token, "name": "nobody", **data})
        assert response.status_code == 404 and "There is no account named &#39;nobody&#39;" in response.get_data(
            as_text=True)


def test_changing_ones_own_password(app):
    """The current password is needed and the new one must be strong and typed twice; the change keeps this
    browser logged in and ends the account's other sessions."""
    add_accounts(app)
    person, token = _client(app, "editor")
    other, _ = _client(app, "editor")
    bad = [({"current": "wrong password!", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}, "current password is not"),
           ({"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD + "x"}, "two new passwords differ"),
           ({"current": PASSWORD, "new": "short", "repeat": "short"}, "at least 10 characters")]
    for data, words in bad:
        response = person.post("/account/password", data={"csrf_token": token, **data})
        assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert _audit(app) == []
    response = person.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                      "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 303
    assert person.get("/batches").status_code == 200 and other.get("/batches").status_code == 302
    assert log_in(app.test_client(), "editor", NEW_PASSWORD).status_code == 302
    assert _audit(app) == [("editor", "password_changed", "editor", "")]


def _new_token(client, token: str, label: str) -> str:
    """Create a token on the account page; return it as the page shows it."""
    response = client.post("/account/tokens", data={"csrf_token": token, "label": label})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return re.search(r"<code dir=\"ltr\">(wm_[^<]+)</code>", response.get_data(as_text=True)).group(1)


def test_tokens_are_shown_once_listed_used_and_revoked(app):
    """A new token is shown once (only its hash stored), works on the write API, is listed with its name and when
    it was last used, and after revoking gets 401; the audit log has both, never the token."""
    add_accounts(app)
    person, token = _client(app, "contributor")
    api_token = _new_token(person, token, "field laptop")
    listing = person.get("/account").get_data(as_text=True)
    assert api_token not in listing and "field laptop" in listing and "never" in listing
    assert app.test_client().post(ITEMS, json=collection(feature(1)), headers=bearer(api_token)).status_code == 201
    with app.app_context():
        [mine] = [t for t in get_store().list_tokens("contributor") if t.name == "field laptop"]
    assert mine.last_used_at is not None
    assert "never" not in person.get("/account").get_data(as_text=True).split("field laptop")[1].split("</tr>")[0]
    response = person.post("/account/tokens/revoke", data={"csrf_token": token, "token": str(mine.id)})
    assert response.status_code == 303
    assert "The token “field laptop” is revoked" in person.get("/account").get_data(as_text=True)
    assert app.test_client().post(ITEMS, json=collection(feature(2)), headers=bearer(api_token)).status_code == 401
    log = _audit(app)
    assert log == [("contributor", "token_created", "contributor", "field laptop"),
                   ("contributor", "token_revoked", "contributor", "field laptop")]
    assert api_token not in repr(log)


def test_nobody_revokes_another_persons_token(app):
    """A token id of another account is refused as missing (404), and that token keeps working."""
    tokens = add_accounts(app)
    with app.app_context():
        [editors] = get_store().list_tokens("editor")
    person, token = _client(app, "contributor")
    for value in (str(editors.id), "abc", ""):
        response = person.post("/account/tokens/revoke", data={"csrf_token": token, "token": value})
        assert response.status_code == 404 and "no such token" in response.get_data(as_text=True)
    assert app.test_client().post(ITEMS, json=collection(feature(1)), headers=bearer(tokens["editor"])).status_code == 201


@pytest.mark.parametrize("label", ["", "   ", "x" * 101])
def test_a_token_needs_a_usable_name(app, label):
    """A token without a name, or with a name too long, is refused in words and none is created."""
    add_accounts(app)
    person, token = _client(app, "viewer")
    response = person.post("/account/tokens", data={"csrf_token": token, "label": label})
    assert response.status_code == 400 and "Give the token a name" in response.get_data(as_text=True)
    with app.app_context():
        assert len(get_store().list_tokens("viewer")) == 1


def test_cli_changes_are_audited_without_secrets(app):
    """Accounts, role changes and tokens made on the command line are in the audit log, as "command line"."""
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "add", "omar", "--role", "contributor"], input=PASSWORD + "\n")
    runner.invoke(args=["users", "set-role", "omar", "editor"])
    created = runner.invoke(args=["tokens", "create", "omar", "--label", "backup job"])
    runner.invoke(args=["tokens", "revoke", "omar"])
    log = _audit(app)
    assert log == [("command line", "account_created", "omar", "contributor"),
                   ("command line", "role_changed", "omar", "contributor → editor"),
                   ("command line", "token_created", "omar", "backup job"),
                   ("command line", "tokens_revoked", "omar", "1")]
    assert PASSWORD not in repr(log) and created.output.splitlines()[-1] not in repr(log)


def test_the_audit_page_lists_newest_first_a_page_at_a_time(app):
    """The audit page shows 50 entries, newest first, and links to the older ones, in both languages."""
    admin, token = _admin(app)
    for n in range(51):
        admin.post("/admin/accounts/role", data={"csrf_token": token, "name": "viewer",
                                                 "role": "contributor" if n % 2 == 0 else "viewer"})
    first = admin.get("/admin/audit").get_data(as_text=True)
    assert first.count('<tr data-action="role_changed">') == 50
    rows = re.findall(r"<td dir=\"auto\">(\w+ → \w+)</td>", first)
    assert rows[0] == "viewer → contributor" and rows[1] == "contributor → viewer"  # the 51st change first
    older = re.search(r'id="audit-older" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = admin.get(older).get_data(as_text=True)
    assert second.count('<tr data-action="role_changed">') == 1 and 'id="audit-older"' not in second
    arabic = admin.get("/admin/audit?lang=ar").get_data(as_text=True)
    assert "سجل التدقيق" in arabic and "تغيّر الدور" in arabic
    assert admin.get("/admin/audit?before=x").status_code == 400
