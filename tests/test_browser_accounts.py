"""In a real browser: an admin adds an account; its person logs in, creates a token (shown once) and revokes it."""
import pytest
from upload_helpers import PASSWORD, add_accounts, bearer, collection, feature

pytestmark = pytest.mark.browser

ITEMS = "/api/collections/incidents/items"


def _log_in(page, base: str, name: str, next_path: str) -> None:
    """Log in through the login form on the way to `next_path`."""
    page.goto(f"{base}/login?next={next_path}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".account-name")


def test_an_admin_adds_an_account_whose_person_makes_and_revokes_a_token(fixture_app, live_server, page):
    """The whole path through the pages, with the token checked against the write API before and after."""
    add_accounts(fixture_app)
    base = live_server
    _log_in(page, base, "admin", "/")
    page.click("#accounts-link")
    page.fill("#add-account input[name=name]", "rania")
    page.select_option("#add-account select[name=role]", "contributor")
    page.fill("#add-account input[name=password]", PASSWORD)
    page.click("#add-account button[type=submit]")
    assert page.text_content(".flash") == "Account “rania” created with the role contributor."
    assert page.locator("tr[data-account=rania] option[selected]").text_content() == "contributor"
    page.click(".logout button")
    page.wait_for_selector("#login-link")

    _log_in(page, base, "rania", "/")
    assert page.text_content(".account-name") == "rania" and page.locator("#accounts-link").count() == 0
    page.click("#account-link")
    page.fill("#create-token input[name=label]", "field laptop")
    page.click("#create-token button[type=submit]")
    token = page.text_content("#new-token code")
    assert token.startswith("wm_") and "field laptop" in page.text_content("#new-token")
    client = fixture_app.test_client()
    assert client.post(ITEMS, json=collection(feature(1)), headers=bearer(token)).status_code == 201

    page.goto(base + "/account")
    assert token not in page.content() and page.locator("#new-token").count() == 0
    assert page.text_content("#token-count") == "1 API token"
    page.click("tr[data-token] button[type=submit]")
    assert page.text_content(".flash") == "The token “field laptop” is revoked: it no longer works."
    assert page.text_content("#token-count") == "0 API tokens"
    assert client.post(ITEMS, json=collection(feature(2)), headers=bearer(token)).status_code == 401
