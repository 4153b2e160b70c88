"""In a real browser, with review on: a contributor's upload waits unseen by an anonymous reader (map page,
embed, API, CSV, counts) until an editor publishes it on /review; then the reader sees it."""
import json

import pytest
from playwright.sync_api import expect
from upload_helpers import PASSWORD, add_accounts, collection, feature

pytestmark = pytest.mark.browser

MARKERS = ".leaflet-marker-icon.webmap-incident"
TITLE = "Raid reported near Jubata al-Khashab"


@pytest.fixture
def site(fixture_app, live_server):
    """The live fixture app (seven incidents) with review on and one account per role; yields its base URL."""
    fixture_app.config["REVIEW"] = True
    add_accounts(fixture_app)
    return live_server


def log_in(page, base: str, name: str) -> None:
    """Log in through the login form."""
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".account-name")


def reader_sees(browser, base: str, count: int, present: bool) -> None:
    """Check what an anonymous reader gets, in a browser of their own (no cookie, and no copy of an embed, which
    browsers may keep for a minute): the map's count and markers, the embed's count, the item in the API, the CSV
    export and the map's summary."""
    context = browser.new_context()
    try:
        _check_reader(context.new_page(), base, count, present)
    finally:
        context.close()


def _check_reader(reader, base: str, count: int, present: bool) -> None:
    """Check the reader's page sees `count` incidents, with or without the upload."""
    reader.goto(base + "/")
    expect(reader.locator("#incident-count")).to_have_text(f"{count} incidents match")
    expect(reader.locator(".folium-map")).to_have_attribute("data-view-state", "ready")
    reader.wait_for_function(f"() => document.querySelectorAll('{MARKERS}').length === {count - 1}")  # one is a line
    reader.goto(base + "/embed")
    expect(reader.locator("#incident-count")).to_have_text(f"{count} incidents match")
    api = reader.request.get(base + "/api/collections/incidents/items/up-1")
    assert api.status == (200 if present else 404)
    csv = reader.request.get(base + "/api/collections/incidents/export?f=csv").text()
    assert (TITLE in csv) is present
    assert reader.request.get(base + "/map-data/summary").json()["matched"] == count


def test_an_upload_waits_for_review_and_is_seen_once_an_editor_publishes_it(site, browser, page, tmp_path):
    """A contributor uploads on /upload and follows it on /submissions; an anonymous reader sees nothing of it;
    an editor publishes it on /review, beside the map of the queue; the reader then sees it everywhere."""
    base = site
    log_in(page, base, "contributor")
    upload = tmp_path / "waiting.geojson"
    upload.write_text(json.dumps(collection(feature(1, event_type="raid", title=TITLE))))
    page.goto(base + "/upload")
    page.set_input_files("input[type=file]", str(upload))
    page.click("form.stacked button[type=submit]")
    expect(page.locator("#upload-waiting")).to_be_visible()
    page.click("#upload-submissions-link")
    expect(page.locator(".review-item[data-id='up-1'] .review-state")).to_have_text("Waiting for review")

    reader_sees(browser, base, 7, present=False)

    page.click("form.logout button")
    log_in(page, base, "editor")
    page.click("#review-link")
    item = page.locator(".review-item[data-id='up-1']")
    expect(item).to_contain_text(TITLE)
    expect(page.locator("#review-map")).to_have_attribute("data-markers", "1")
    item.locator("button.review-publish").click()
    expect(page.locator(".flash")).to_contain_text("up-1 is published")
    expect(page.locator(".review-item[data-id='up-1']")).to_have_count(0)

    reader_sees(browser, base, 8, present=True)
