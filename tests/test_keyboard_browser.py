"""The map by keyboard alone: skip links, clusters, popups and list rows, and what screen readers are told."""
import re

import pytest
from playwright.sync_api import expect
from test_browser_live import MARKERS, ROWS, open_map, wait_for_zoom_above

pytestmark = pytest.mark.browser

FOCUSED_ID = "document.activeElement.dataset.id || null"


def focused_matches(page, selector: str) -> bool:
    """Tell whether the element with keyboard focus matches `selector`."""
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def tab_to_first_incident(page) -> None:
    """From the top of the page, take the skip link to the map and Tab to an incident marker in ten presses at most."""
    page.keyboard.press("Tab")
    assert focused_matches(page, ".skip-links a[href='#map-area']")
    page.keyboard.press("Enter")
    presses = 1
    while presses < 10 and not focused_matches(page, MARKERS):
        page.keyboard.press("Tab")
        presses += 1
    assert focused_matches(page, MARKERS), f"no incident after {presses} Tab presses"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_first_incident_is_ten_tabs_away_through_the_skip_link(live_server, page, lang):
    """From the top of the page, the skip link and at most ten Tab presses in all reach an incident marker."""
    open_map(page, live_server + f"/?lang={lang}")
    tab_to_first_incident(page)


def test_skip_link_to_the_list_reaches_its_rows(live_server, page):
    """The second skip link moves focus to the incident list; the next Tab stops are its own controls."""
    open_map(page, live_server + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused_matches(page, ".skip-links a[href='#incident-list']")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused_matches(page, "#incident-list *")


def test_reference_shapes_take_no_focus(live_server, page):
    """The 1974 lines, zones and borders are drawn but are not Tab stops (the legend and labels name them)."""
    open_map(page, live_server + "/")
    shapes = page.locator(".leaflet-overlay-pane path")
    assert shapes.count() > 20
    assert page.locator(".leaflet-overlay-pane path:not([tabindex='-1'])").count() == 0


@pytest.mark.parametrize("key", ["Enter", " "])
def test_a_cluster_zooms_in_with_enter_or_space(fixture_app, live_server, page, key):
    """A cluster is a named button: Enter or Space zooms to it, as a click does."""
    fixture_app.config["MAX_PAGE_INCIDENTS"] = 2
    open_map(page, live_server + "/?lat=33.0&lon=36.1&zoom=8")
    cluster = page.locator(".leaflet-marker-icon.webmap-cluster").first
    expect(cluster).to_have_attribute("aria-label", re.compile(r"^(1 incident|\d+ incidents) here.*by type: "))
    cluster.focus()
    page.keyboard.press(key)
    wait_for_zoom_above(page, 8)


def test_a_cluster_is_named_in_arabic(fixture_app, live_server, page):
    """An Arabic page names its clusters in Arabic, with the count and the types."""
    fixture_app.config["MAX_PAGE_INCIDENTS"] = 2
    open_map(page, live_server + "/?lat=33.0&lon=36.1&zoom=8&lang=ar")
    label = page.locator(".leaflet-marker-icon.webmap-cluster").first.get_attribute("aria-label")
    assert label.startswith("هنا ") and "حسب النوع" in label


def test_popup_takes_focus_and_escape_returns_it_to_the_marker(live_server, page):
    """Enter on a marker opens its popup with focus inside; Escape closes it and focus is back on the marker."""
    open_map(page, live_server + "/?type=raid")
    marker = page.locator(f"{MARKERS}.webmap-type-raid")
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Fixture raid")
    assert focused_matches(page, ".leaflet-popup *, .leaflet-popup-content")
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert focused_matches(page, f"{MARKERS}.webmap-type-raid")


def test_a_list_row_keeps_focus_after_enter(live_server, page):
    """Enter on a row shows its incident (the map moves and the list is redrawn) and the row keeps focus, so
    the arrow keys go on working; Escape closes the popup and leaves focus on the row."""
    open_map(page, live_server + "/")
    expect(page.locator(ROWS)).to_have_count(7)
    page.locator(f"{ROWS}[data-id=t-005]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Fixture arrest")
    wait_for_zoom_above(page, 9)
    assert page.evaluate(FOCUSED_ID) == "t-005"
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert page.evaluate(FOCUSED_ID) == "t-005"
    page.keyboard.press("ArrowUp")
    assert page.evaluate(FOCUSED_ID) is not None


@pytest.mark.parametrize("lang, words", [
    ("en", ["Incidents on the map for these filters: 2.", "Raid: 1", "Arrest / detention: 1"]),
    ("ar", ["الحوادث على الخريطة وفق هذه التصفية: 2.", "مداهمة: 1", "اعتقال: 1"]),
])
def test_screen_readers_are_told_what_the_map_shows(live_server, page, lang, words):
    """A live region describes the map in words (counts by type and zone) and follows the filters."""
    open_map(page, live_server + f"/?lang={lang}")
    description = page.locator("#map-description")
    assert description.get_attribute("aria-live") == "polite"
    expect(description).to_contain_text("7")
    page.check("input[name=type][value=raid]")
    page.check("input[name=type][value=arrest]")
    for word in words:
        expect(description).to_contain_text(word)
    assert "Airstrike" not in description.inner_text() and "غارة" not in description.inner_text()


def test_embed_offers_its_legend_and_the_full_map_first(live_server, page):
    """In an embed, the first Tab stops are the legend and the link to the full map, before any marker."""
    page.goto(live_server + "/embed")
    page.wait_for_selector(MARKERS)
    page.keyboard.press("Tab")
    assert focused_matches(page, ".embed-legend summary")
    stops = []
    for _ in range(3):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.className"))
    assert "embed-open" in stops
