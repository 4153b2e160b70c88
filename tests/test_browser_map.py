"""The map page in a real browser: layers and markers drawn, popups readable, nothing loaded from elsewhere."""
import json
import re

import pytest
from playwright.sync_api import expect

from conftest import DATA

pytestmark = pytest.mark.browser

FIXTURE = json.loads((DATA / "incidents_small.geojson").read_text(encoding="utf-8"))["features"]


def test_map_draws_layers_and_incidents_offline(live_server, page):
    """With tiles off, the page draws the 1974 layers and every incident, with no outside request or error."""
    outside = []
    page.on("request", lambda req: req.url.startswith(live_server) or outside.append(req.url))
    page.goto(live_server + "/")
    page.wait_for_selector(".webmap-incident")
    assert page.locator(".leaflet-marker-icon.webmap-incident").count() == 6  # six of the seven are points
    assert page.locator("path.webmap-incident").count() == 1  # the LineString route
    # Reference layers are SVG paths in the overlay pane: lines, zones and governorates.
    assert page.locator(".leaflet-overlay-pane path").count() > 20
    assert page.locator("#incident-count").inner_text() == "7 incidents match"
    assert outside == []
    assert page.console_errors == []


def test_filters_in_the_url_change_what_is_drawn(live_server, page):
    """A filtered URL draws only the matching incidents and states their number."""
    page.goto(live_server + "/?type=airstrike")
    page.wait_for_selector(".webmap-incident")
    assert page.locator(".webmap-incident.webmap-type-airstrike").count() == 2
    assert page.locator(".webmap-incident:not(.webmap-type-airstrike)").count() == 0
    assert page.locator("#incident-count").inner_text() == "2 incidents match"


def test_popup_shows_source_precision_and_verification(live_server, page):
    """Clicking a marker opens a popup with its date, sources as links, precision and verification."""
    page.goto(live_server + "/?type=raid")
    page.locator(".webmap-incident.webmap-type-raid").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Fixture raid" in text and "15 January 2025" in text
    assert "Exact site" in text and "Verified" in text
    assert popup.locator("a[href='https://example.org/a']").count() == 1


def test_low_precision_incidents_are_drawn_hollow_with_a_circle(live_server, page):
    """Area- and region-level incidents get a hollow marker and an uncertainty circle; exact ones do not."""
    page.goto(live_server + "/")
    page.wait_for_selector(".webmap-incident")
    hollow = page.locator(".webmap-precision-area svg [fill='none'], .webmap-precision-region svg [fill='none']")
    assert hollow.count() == 2
    assert page.locator(".webmap-precision-exact svg [fill='none']").count() == 0
    assert page.locator("path.webmap-uncertainty").count() == 2


def test_filter_form_submits_to_a_shareable_url(live_server, page):
    """Choosing dates and a type in the form gives a URL that carries them (applied in place, see
    test_browser_live.py; without JavaScript the form loads that URL)."""
    page.goto(live_server + "/")
    page.fill("input[name=start]", "2025-03-01")
    page.check("input[name=type][value=airstrike]")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"\?start=2025-03-01&type=airstrike"))
    expect(page.locator("#incident-count")).to_have_text("1 incident matches")


@pytest.mark.parametrize("lang, zone, governorate", [
    ("en", "Area of Limitation 0–10 km, Bravo side", "Rural Damascus"),
    ("ar", "منطقة الحد من القوات والأسلحة 0–10 كم، جانب برافو", "ريف دمشق"),
])
def test_popup_says_where_the_incident_lies_against_the_lines(live_server, page, lang, zone, governorate):
    """A popup names the incident's zone, its governorate and its distances to both lines, in the page language."""
    page.goto(live_server + f"/?type=raid&lang={lang}")
    page.locator(".webmap-incident.webmap-type-raid").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert zone in text and governorate in text
    assert re.search(r"9\.9 (km|كم)", text) and re.search(r"6\.5 (km|كم)", text)
