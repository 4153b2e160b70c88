"""Using the map in a real browser: a listed incident shown without losing the list, popups in view and
mirrored in Arabic, date ranges checked beside their fields, ISO dates and grouped numbers in both languages."""
import re

import pytest
from playwright.sync_api import expect
from test_browser_live import FIXTURE, MARKERS, ROWS, expected, open_map, url_args, wait_for_zoom_above

from webmap.core.i18n import human_date, messages, plural
from webmap.core.model import Incident
from webmap.store import BatchInfo, get_store

pytestmark = pytest.mark.browser

MAP = ".folium-map"
RED = "rgb(176, 0, 32)"


def inside(inner: dict, outer: dict) -> bool:
    """Tell whether one bounding box lies wholly within another."""
    return (inner["x"] >= outer["x"] and inner["y"] >= outer["y"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"])


def settled_popup(page, title: str):
    """Return the open popup of the incident titled `title` once the map has drawn its view and stopped
    moving (a popup pans into view, and the one it replaces takes a moment to fade out)."""
    expect(page.locator(".leaflet-popup", has_text=title)).to_be_visible()
    expect(page.locator(MAP)).to_have_attribute("data-view-state", "ready")
    page.wait_for_function("() => !document.querySelector('.folium-map').classList.contains('leaflet-pan-anim')")
    page.wait_for_timeout(300)  # longer than Leaflet's popup fade
    popup = page.locator(".leaflet-popup", has_text=title)
    expect(popup).to_have_count(1)
    return popup


def test_a_listed_incident_keeps_the_list_and_offers_the_way_back(live_server, page):
    """Choosing a row zooms to its incident with the popup wholly on the map, while the list keeps every row
    it had; "Back" returns to the view before, and the list follows the view again."""
    page.set_viewport_size({"width": 1280, "height": 800})
    open_map(page, live_server + "/?lat=32.95000&lon=36.15000&zoom=9")
    rows = page.locator(ROWS)
    expect(rows).to_have_count(len(FIXTURE))
    before = url_args(page.url)
    back = page.locator(".incident-list-back")
    expect(back).to_be_hidden()

    rows.locator("text=Fixture raid").click()
    wait_for_zoom_above(page, int(before["zoom"]))
    popup = settled_popup(page, "Fixture raid")
    expect(page.locator("#incident-view-count")).not_to_have_text(f"{len(FIXTURE)} in view")
    expect(rows).to_have_count(len(FIXTURE))  # the list has not shrunk to what is now in view
    expect(page.locator(f"{ROWS}[data-id=t-002]")).to_have_class(re.compile(r"\bselected\b"))
    assert inside(popup.bounding_box(), page.locator(MAP).bounding_box())  # panned into view, title and all

    rows.locator("text=Fixture outpost").click()  # another row of the same list
    settled_popup(page, "Fixture outpost")
    expect(page.locator(".leaflet-popup")).to_have_count(1)
    expect(rows).to_have_count(len(FIXTURE))

    expect(back).to_be_visible()
    back.click()
    page.wait_for_function("z => new URLSearchParams(location.search).get('zoom') === z", arg=before["zoom"])
    after = url_args(page.url)
    for axis in ("lat", "lon"):  # the same view, to within a screen pixel at this zoom
        assert abs(float(after[axis]) - float(before[axis])) < 0.003
    expect(back).to_be_hidden()
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    expect(rows).to_have_count(len(FIXTURE))
    page.evaluate("window.webmapView.map.setZoom(12)")  # the list follows the view again
    expect(rows).not_to_have_count(len(FIXTURE))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_invalid_range_is_shown_beside_the_field_and_changes_nothing(live_server, page, lang):
    """"To" before "From", or a date that is not YYYY-MM-DD, shows a red message under that field (named by
    its aria-describedby); the count, the markers and the URL stay on the last valid range."""
    text = messages(lang)
    open_map(page, f"{live_server}/?lang={lang}")
    start, end = page.locator("input[name=start]"), page.locator("input[name=end]")
    count = page.locator("#incident-count")
    start.fill("2025-02-01")
    valid = expected("2025-02-01")
    expect(count).to_have_attribute("data-count", str(len(valid)))
    expect(page.locator(MARKERS)).to_have_count(len([f for f in valid if f["geometry"]["type"] == "Point"]))
    shown = count.inner_text()
    valid_url = page.url

    end.fill("2025-01-15")
    end.press("Enter")
    error = page.locator("#end-error")
    expect(error).to_have_text(text["range_invalid"])
    expect(error).to_be_visible()
    assert end.get_attribute("aria-describedby") == "end-error" and end.get_attribute("aria-invalid") == "true"
    assert error.evaluate("e => getComputedStyle(e).color") == RED
    field, below = end.bounding_box(), error.bounding_box()
    assert 0 <= below["y"] - (field["y"] + field["height"]) < 20  # right under the field, not in the count slot
    page.wait_for_timeout(500)  # longer than the form waits before it applies a change
    expect(count).to_have_text(shown)
    expect(page.locator(MARKERS)).to_have_count(len([f for f in valid if f["geometry"]["type"] == "Point"]))
    assert page.url == valid_url
    page.evaluate("window.webmapView.map.panBy([30, 0], {animate: false})")  # a later move keeps the valid range
    page.wait_for_function("u => location.href !== u", arg=valid_url)
    assert "end" not in url_args(page.url) and url_args(page.url)["start"] == "2025-02-01"

    start.fill("2025-02-31")
    start.press("Enter")
    expect(page.locator("#start-error")).to_have_text(text["date_invalid"])
    expect(count).to_have_text(shown)

    start.fill("2025-01-01")
    end.fill("2025-03-31")
    end.press("Enter")
    expect(count).to_have_attribute("data-count", str(len(expected("2025-01-01", "2025-03-31"))))
    expect(error).to_be_hidden()
    expect(page.locator("#start-error")).to_be_hidden()
    assert (url_args(page.url)["start"], url_args(page.url)["end"]) == ("2025-01-01", "2025-03-31")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_dates_are_iso_whatever_the_browser_locale(live_server, browser, lang):
    """In a US-English browser the date fields still read YYYY-MM-DD (text fields, not the browser's own
    mm/dd/yyyy date picker); the timeline's chosen range is written as the page's language writes dates, not
    as the browser's locale would."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    open_map(page, f"{live_server}/?lang={lang}&start=2025-01-05&end=2025-02-20")
    for name, value in (("start", "2025-01-05"), ("end", "2025-02-20")):
        field = page.locator(f"input[name={name}]")
        assert field.get_attribute("type") == "text"
        assert field.get_attribute("placeholder") == "YYYY-MM-DD"
        expect(field).to_have_value(value)
        assert field.evaluate("f => getComputedStyle(f).direction") == "ltr"
    expect(page.locator(".timeline-range")).to_contain_text(human_date("2025-01-05", lang))
    context.close()


@pytest.fixture
def many_app(fixture_app):
    """The fixture app with 1,234 more raids, so the counts need a thousands separator."""
    raids = [Incident(id=f"many-{n}", geometry={"type": "Point", "coordinates": [35.9 + n % 50 / 1000, 33.0 + n // 50 / 1000]},
                      date="2025-04-01", event_type="raid") for n in range(1234)]
    with fixture_app.app_context():
        get_store().add_incidents(raids, BatchInfo(user="test"))
    return fixture_app


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_counts_have_thousands_separators_in_both_languages(many_app, live_server, page, lang):
    """Counts are grouped (1,241), in Western digits in Arabic too, as the page arrives and after a change."""
    total = len(FIXTURE) + 1234
    raids = sum(f["properties"]["event_type"] == "raid" for f in FIXTURE) + 1234
    text = messages(lang)
    html = page.request.get(f"{live_server}/?lang={lang}").text()  # as the server writes it
    assert f"{total:,}" in plural(lang, text["matches"], total)
    assert plural(lang, text["matches"], total) in html and f">{raids:,}</span>" in html
    open_map(page, f"{live_server}/?lang={lang}")
    count = page.locator("#incident-count")
    expect(count).to_have_text(plural(lang, text["matches"], total))
    expect(page.locator(".facet-count[data-facet=type][data-value=raid]")).to_have_text(f"{raids:,}")
    page.check("input[name=type][value=raid]")  # as the script writes it
    expect(count).to_have_text(plural(lang, text["matches"], raids))
    expect(page.locator("#incident-view-count")).to_contain_text(",")


@pytest.mark.parametrize("lang, direction, aligns", [("en", "ltr", ("left", "start")), ("ar", "rtl", ("right",))])
def test_popups_read_in_the_page_direction(live_server, page, lang, direction, aligns):
    """An Arabic page's popups are right to left and aligned right, an English page's left to right, whatever
    the language of the incident's own text."""
    open_map(page, f"{live_server}/?lang={lang}&type=raid")
    page.locator(f"{MARKERS}.webmap-type-raid").click()
    popup = page.locator(".webmap-popup")
    expect(popup).to_be_visible()
    assert popup.get_attribute("dir") == direction
    assert popup.evaluate("p => getComputedStyle(p).direction") == direction
    assert popup.evaluate("p => getComputedStyle(p).textAlign") in aligns
    assert popup.evaluate("p => getComputedStyle(p.querySelector('dt')).direction") == direction
