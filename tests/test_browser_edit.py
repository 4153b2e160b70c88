"""In a real browser: an editor opens an incident from its popup, is shown the field an invalid value breaks,
then saves a correction whose note readers see in the popup and the list, with the grounds of its new
verification state; the marker moves by dragging."""
import re

import pytest
from test_browser_upload import log_in
from upload_helpers import add_accounts

pytestmark = pytest.mark.browser
MARKER = ".leaflet-marker-icon.webmap-type-incursion"  # t-001, the only incursion drawn as a marker


def test_an_edit_through_the_form_and_its_correction_in_the_popup(fixture_app, live_server, page):
    add_accounts(fixture_app)
    log_in(page, live_server, "editor")
    page.wait_for_selector(MARKER)
    page.click(MARKER)
    page.click(".webmap-popup .webmap-edit-link")
    page.wait_for_selector("#edit-incident")
    assert page.url == f"{live_server}/incidents/t-001/edit"

    # An impossible day: the page comes back with the upload's message beside the date, and nothing is saved.
    page.fill("#field-date", "2025-02-30")
    page.fill("#field-title", "Fixture incursion A, corrected")
    page.fill("#field-correction_note", "The place was misread")
    page.click("#edit-incident button[type=submit]")
    page.wait_for_selector("#error-date")
    assert "is not a date" in page.text_content("#error-date")
    assert page.get_attribute("#field-date", "aria-invalid") == "true"
    assert page.input_value("#field-title") == "Fixture incursion A, corrected"  # what was typed stays
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 422 "
                                   "(UNPROCESSABLE ENTITY)"]
    page.console_errors.clear()

    # Fixed, with a source added and the marker dragged a little east: saved, and the history says so.
    page.fill("#field-date", "2024-12-08")
    page.fill("#field-correction_note", "The place was misread")
    page.select_option("#field-verification", "verified")
    page.fill("#field-verification_note", "Two outlets confirm it")
    page.click(".source-add")
    page.keyboard.type("https://example.org/correction")
    page.locator("#edit-map").scroll_into_view_if_needed()
    marker = page.locator("#edit-map .leaflet-marker-icon").bounding_box()
    x, y = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y, steps=5)
    page.mouse.up()
    page.wait_for_function("() => document.getElementById('field-longitude').value !== '35.8246'")
    assert float(page.input_value("#field-longitude")) > 35.8246
    page.click("#edit-incident button[type=submit]")
    page.wait_for_selector(".history-entry[data-action=edited]")
    assert page.url.startswith(f"{live_server}/incidents/t-001/history")
    assert "https://example.org/correction" in page.text_content("tr[data-field=sources]")

    page.goto(live_server + "/")
    page.wait_for_selector(MARKER)
    page.click(MARKER)
    correction = page.text_content(".webmap-popup .webmap-correction")
    assert re.fullmatch(r"Corrected on \d{1,2} \w+ \d{4}: The place was misread", correction)
    assert "Verified: Two outlets confirm it" in page.text_content(".webmap-popup")
    row = page.locator("#incident-list tr[data-id=t-001] .webmap-correction")
    assert row.text_content() == correction
    assert page.console_errors == []
