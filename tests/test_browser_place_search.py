"""The map's place search in a real browser: suggestions in English and Arabic, from the keyboard or the pointer,
move the map to the place, and can filter the incidents by its name."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SUWAYDA = (32.70896, 36.56951)  # lat, lon of the town in the gazetteer


def centre(page) -> tuple[float, float, int]:
    """Return the map's centre and zoom."""
    view = page.evaluate("(() => { var m = window.webmapView.map, c = m.getCenter();"
                         " return [c.lat, c.lng, m.getZoom()]; })()")
    return view[0], view[1], view[2]


def moved_to(page, lat: float, lon: float) -> tuple[float, float, int]:
    """Wait until the map's centre is at (lat, lon), within 0.01 degrees, and return the centre and zoom.
    (Polled from here: the page's CSP forbids the evaluated strings `wait_for_function` would use.)"""
    for _ in range(100):
        view = centre(page)
        if abs(view[0] - lat) < 0.01 and abs(view[1] - lon) < 0.01:
            return view
        page.wait_for_timeout(50)
    raise AssertionError(f"the map stayed at {centre(page)}")


def open_map(page, url: str):
    """Open a map page and wait until its first view has loaded."""
    page.goto(url)
    page.wait_for_selector(".leaflet-container[data-view-state='ready']")
    return page.get_by_role("combobox", name=page.locator("#place-search label").inner_text())


def test_typing_sweida_and_choosing_the_suggestion_moves_the_map_to_as_suwayda(live_server, page):
    box = open_map(page, live_server + "/")
    assert abs(centre(page)[0] - SUWAYDA[0]) > 0.1  # the map starts elsewhere
    box.fill("sweida")
    options = page.get_by_role("option")
    expect(options.first).to_contain_text("As-Suwayda")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "place-option-0")
    box.press("Enter")
    expect(page.get_by_role("listbox")).to_be_hidden()
    assert moved_to(page, *SUWAYDA)[2] == 12
    expect(box).to_have_value("As-Suwayda")
    expect(page.locator("#place-search-status")).to_have_text("The map shows As-Suwayda.")


def test_typing_the_arabic_name_on_the_arabic_page_does_the_same(live_server, page):
    box = open_map(page, live_server + "/?lang=ar")
    box.fill("السويداء")
    option = page.get_by_role("option").first
    expect(option).to_contain_text("السويداء")
    option.click()
    assert moved_to(page, *SUWAYDA)[2] == 12
    expect(box).to_have_value("السويداء")


def test_a_governorate_fits_its_extent(live_server, page):
    box = open_map(page, live_server + "/")
    box.fill("Quneitra")
    page.get_by_role("option", name="Quneitra القنيطرة · governorate").click()
    moved_to(page, (32.6778 + 33.358) / 2, (35.6139 + 35.9973) / 2)
    bounds = page.evaluate("window.webmapView.map.getBounds().toBBoxString()").split(",")
    west, south, east, north = map(float, bounds)
    assert west <= 35.62 and east >= 35.99 and south <= 32.68 and north >= 33.35
    assert east - west < 1.5  # fitted to the governorate, not the whole region


def test_unknown_names_say_so_and_escape_closes_the_list(live_server, page):
    box = open_map(page, live_server + "/")
    box.fill("zzzz")
    expect(page.locator("#place-search-status")).to_have_text("No place of that name in the gazetteer.")
    box.fill("daraa")
    expect(page.get_by_role("option").first).to_contain_text("Daraa")
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")


def test_filtering_by_the_chosen_place_keeps_the_search_in_the_url(live_server, page):
    """The button after a choice filters the incidents by the place's name: the count and the URL follow."""
    box = open_map(page, live_server + "/")
    box.fill("quneitra")
    page.get_by_role("option").first.click()
    button = page.locator("#place-search-filter")
    expect(button).to_have_text("Show only incidents naming Quneitra (ruins)")
    button.click()
    expect(page.locator("input[name='q']")).to_have_value("Quneitra (ruins)")
    expect(page).to_have_url(re.compile(r"[?&]q=Quneitra\+%28ruins%29&"))
    expect(page.locator("#incident-count")).to_have_text("0 incidents match")  # no fixture names Quneitra
