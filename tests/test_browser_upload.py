"""In a real browser: log in, upload through /upload, see the incidents on the map; hostile text stays text."""
import json

import pytest

from upload_helpers import PASSWORD, add_accounts, bearer, collection, feature

pytestmark = pytest.mark.browser

# Each payload would set window.__xss if the browser ran it.
SCRIPT_TITLE = "<script>window.__xss = 'title'</script>"
IMAGE_DESCRIPTION = "<img src=x onerror=\"window.__xss = 'description'\">"
MARKERS = ".leaflet-marker-icon.webmap-incident"


@pytest.fixture
def site(fixture_app, live_server):
    """The live server of the fixture app, with one account per role; yields (base URL, API tokens)."""
    return live_server, add_accounts(fixture_app)


def log_in(page, base: str, name: str, next_path: str | None = None) -> None:
    """Log in through the login form: reached from the map's top bar, or directly on the way to `next_path`."""
    if next_path:
        page.goto(f"{base}/login?next={next_path}")
    else:
        page.goto(base + "/")
        page.click("#login-link")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".account-name")


def watch_for_scripts(page) -> list:
    """Record every alert/confirm/prompt dialog the page opens."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def test_login_upload_and_see_the_new_incidents_on_the_map(site, page, tmp_path):
    """A contributor uploads a GeoJSON file through the page and the map then counts and draws it."""
    base, _ = site
    log_in(page, base, "contributor")
    assert page.url == base + "/"
    assert page.get_attribute("#incident-count", "data-count") == "7"
    page.wait_for_selector(MARKERS)
    assert page.locator(MARKERS).count() == 6  # seven incidents, one of them a line
    upload = tmp_path / "new-incidents.geojson"
    upload.write_text(json.dumps(collection(feature(1), feature(2))))
    page.click("a[href='/upload']")
    page.set_input_files("input[type=file]", str(upload))
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("#upload-report")
    assert page.text_content("[data-count=inserted]") == "2"
    assert page.locator("#upload-report tbody tr").count() == 2
    page.goto(base + "/")
    assert page.text_content("#incident-count").strip() == "9 incidents match"
    # A function, not an expression: Playwright evaluates an expression again on each poll, which the CSP forbids.
    page.wait_for_function(f"() => document.querySelectorAll('{MARKERS}').length === 8")
    assert page.console_errors == []


def test_hostile_text_is_shown_literally_in_popup_and_report(site, page, tmp_path, fixture_app):
    """Markup in a title and description is displayed as text on the map popup and in the upload report."""
    base, tokens = site
    dialogs = watch_for_scripts(page)
    hostile = feature(1, event_type="shelling", title=SCRIPT_TITLE, description=IMAGE_DESCRIPTION)
    response = fixture_app.test_client().post("/api/collections/incidents/items", json=collection(hostile),
                                              headers=bearer(tokens["contributor"]))
    assert response.status_code == 201
    page.goto(base + "/")
    page.click(".webmap-type-shelling")
    page.wait_for_selector(".webmap-popup")
    assert page.text_content(".webmap-popup-title") == SCRIPT_TITLE
    assert page.text_content(".webmap-popup-description") == IMAGE_DESCRIPTION
    assert page.locator(".webmap-popup img, .webmap-popup script").count() == 0

    upload = tmp_path / "hostile.geojson"
    upload.write_text(json.dumps(collection({**hostile, "id": "up-2"})))
    log_in(page, base, "contributor", next_path="/upload")
    page.check("input[name=dry_run]")
    page.set_input_files("input[type=file]", str(upload))
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("#upload-report")
    assert page.text_content("#upload-report .report-title") == SCRIPT_TITLE
    assert page.text_content("#upload-report .report-description") == IMAGE_DESCRIPTION
    assert page.locator("#upload-report img, #upload-report script").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == [] and page.console_errors == []
