"""Printing the map page: one sheet (A4 or Letter) with the map, the key and legend, the counts, the filters
in words and the credits; the form, the timeline and the list stay off paper."""
import re

import pytest
from playwright.sync_api import expect
from test_browser_live import expected, open_map
from test_browser_phone import overlaps

from webmap.core.i18n import messages

pytestmark = pytest.mark.browser


def page_count(pdf: bytes) -> int:
    """Return how many pages a PDF that Chromium wrote has."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_map_prints_on_one_page(live_server, page, lang):
    """In print media the page shows the map, the key to the lines, the legend, the count, the filters in
    words and the OpenStreetMap credit, hides the controls and the list, and fits one A4 or Letter page."""
    page.set_viewport_size({"width": 1280, "height": 800})
    open_map(page, f"{live_server}/?lang={lang}&type=airstrike,raid&start=2025-01-01")
    page.emulate_media(media="print")
    for shown in (".folium-map", ".map-key li", ".legend", "#incident-count", "#print-filters",
                  ".leaflet-control-attribution", ".leaflet-control-scale"):
        expect(page.locator(shown).first).to_be_visible()
    for hidden in ("#map-filters", "#incident-list", "#timeline", ".leaflet-control-zoom", ".webmap-credits-toggle",
                   ".topbar nav"):
        expect(page.locator(hidden)).to_be_hidden()
    text = messages(lang)
    words = page.locator("#print-filters").inner_text()
    assert "2025-01-01" in words and text["start"] in words
    labels = page.locator("input[name=type]:checked").evaluate_all("inputs => inputs.map(i => i.closest('label').innerText)")
    assert all(label.split()[0] in words for label in labels) and len(labels) == 2
    expect(page.locator("#incident-count")).to_have_attribute(
        "data-count", str(len(expected("2025-01-01", types=("airstrike", "raid")))))
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    page.set_viewport_size({"width": 718, "height": 1047})  # an A4 page's printable area at 96 dpi
    map_box = page.locator(".folium-map").bounding_box()
    assert map_box["height"] > 300 and map_box["width"] > 500
    assert not overlaps(page.locator(".leaflet-control-attribution").bounding_box(),
                        page.locator(".leaflet-control-scale").bounding_box())
    for paper in ("A4", "Letter"):
        assert page_count(page.pdf(format=paper, print_background=True)) == 1
