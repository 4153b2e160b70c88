"""The Arabic map in a real browser: plural forms chosen by the browser's CLDR rules as Babel chooses them on
the server, Leaflet's controls in Arabic, a metric scale that reads right to left, and stored English text
isolated and marked as English in the list and the popups."""
import re

import pytest
from playwright.sync_api import expect
from test_browser_live import MARKERS, ROWS, open_map

from webmap.core.i18n import messages, plural
from webmap.map.live import TEXT_KEYS

pytestmark = pytest.mark.browser

COUNTS = (0, 1, 2, 3, 11, 100)
VALUES = {"total": "[total]", "start": "[start]", "end": "[end]"}


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_scripts_choose_the_plural_forms_the_server_chooses(live_server, page, lang):
    """Every counted message of the live map, for 0, 1, 2, 3, 11 and 100, reads in the browser exactly as
    Babel writes it on the server."""
    open_map(page, f"{live_server}/?lang={lang}")
    text = messages(lang)
    counted = [key for key in TEXT_KEYS if isinstance(text[key], dict)]
    assert {"matches", "in_view", "cluster_title", "cluster_approximate", "list_partial", "timeline_bin",
            "sample_note", "synthetic_note"} <= set(counted)
    shown = page.evaluate(
        """([keys, counts, values]) => {
             const text = webmapMapData.pageData().config.live.text;
             return keys.map(key => counts.map(n => webmapTimeline.counted(text[key], n, values)));
           }""", [counted, list(COUNTS), VALUES])
    assert shown == [[plural(lang, text[key], n, **VALUES) for n in COUNTS] for key in counted]


def test_the_count_above_the_map_uses_the_plural_form(live_server, page):
    """After the scripts redraw the count, it still reads as an Arabic editor would write it."""
    open_map(page, f"{live_server}/?lang=ar")
    count = page.locator("#incident-count")
    matched = int(count.get_attribute("data-count"))
    expect(count).to_have_text(plural("ar", messages("ar")["matches"], matched))
    expect(page.locator("#incident-view-count")).to_have_text(re.compile(r"حوادث في العرض|حادثة"))


def test_leaflet_controls_speak_arabic(live_server, page):
    """Zoom in and out, the layer control and a popup's close button are named in Arabic, for the eye (title)
    and for screen readers (aria-label)."""
    open_map(page, f"{live_server}/?lang=ar")
    text = messages("ar")
    for selector, key in ((".leaflet-control-zoom-in", "zoom_in"), (".leaflet-control-zoom-out", "zoom_out"),
                          (".leaflet-control-layers-toggle", "layers_control")):
        control = page.locator(selector)
        expect(control).to_have_attribute("title", text[key])
        expect(control).to_have_attribute("aria-label", text[key])
    page.locator(MARKERS).first.click()
    expect(page.locator(".leaflet-popup-close-button")).to_have_attribute("aria-label", text["close_popup"])
    expect(page.locator(".leaflet-popup-close-button")).to_have_attribute("title", text["close_popup"])
    assert "Zoom in" not in page.locator(".leaflet-control-container").inner_html()


@pytest.mark.parametrize("lang, unit", [("ar", r"(كم|م)"), ("en", r"(km|m)")])
def test_the_scale_is_metric_and_written_in_the_page_language(live_server, page, lang, unit):
    """One scale line, in kilometres or metres, written "20 كم" on an Arabic page (not "km 20")."""
    open_map(page, f"{live_server}/?lang={lang}")
    lines = page.locator(".leaflet-control-scale-line")
    expect(lines).to_have_count(1)
    expect(lines).to_have_text(re.compile(rf"^\d+ {unit}$"))


def test_english_data_is_isolated_and_marked_in_the_arabic_list_and_popups(live_server, page):
    """Titles and places stored in English sit in <bdi lang="en"> inside the Arabic rows and popups; dates are
    written as Arabic texts write them, with the ISO day kept in <time datetime>."""
    open_map(page, f"{live_server}/?lang=ar")
    row = page.locator(ROWS).first
    title = row.locator(".incident-title > bdi").first
    expect(title).to_have_attribute("lang", "en")
    expect(title).to_have_attribute("dir", "auto")
    date = row.locator(".incident-date time").first
    iso = date.get_attribute("datetime")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso)
    months = messages("ar")["months"]
    year, month, day = (int(part) for part in iso.split("-"))
    expect(date).to_have_text(f"{day} {months[month - 1]} {year}")
    row.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".webmap-popup-title bdi")).to_have_attribute("lang", "en")
    expect(popup).to_contain_text(f"{day} {months[month - 1]} {year}")
