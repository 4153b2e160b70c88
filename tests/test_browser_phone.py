"""The map on a phone and in small frames: the map first, the panel in a sheet opened from the header (by
keyboard too, mirrored in Arabic), the key to the lines folded, embeds usable down to 300 px wide."""
import pytest
from playwright.sync_api import expect
from test_browser_interaction import inside, settled_popup
from test_browser_live import FIXTURE, MARKERS, ROWS, open_map
from test_keyboard_browser import focused_matches, tab_to_first_incident

from webmap.core.i18n import messages

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def visible_area(box: dict, viewport: dict) -> float:
    """Return how much of a bounding box lies within the viewport, in square pixels."""
    width = min(box["x"] + box["width"], viewport["width"]) - max(box["x"], 0)
    height = min(box["y"] + box["height"], viewport["height"]) - max(box["y"], 0)
    return max(width, 0) * max(height, 0)


def overlaps(a: dict, b: dict) -> bool:
    """Tell whether two bounding boxes share any pixel."""
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_on_a_phone_the_map_comes_first(live_server, page, lang):
    """At 360×740 the map covers at least 60% of the screen, the key to the lines is folded, and the filters,
    timeline and list wait in a sheet behind a button in the header."""
    page.set_viewport_size(PHONE)
    open_map(page, f"{live_server}/?lang={lang}")
    assert visible_area(page.locator(".folium-map").bounding_box(), PHONE) >= 0.6 * PHONE["width"] * PHONE["height"]
    assert page.evaluate("window.scrollY") == 0
    assert page.locator(".map-key").evaluate("key => key.open") is False
    toggle = page.locator("#panel-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text(messages(lang)["panel_open"])
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert toggle.get_attribute("aria-controls") == "map-panel"
    expect(page.locator("#map-filters")).to_be_hidden()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_sheet_opens_from_the_keyboard_and_keeps_every_function(live_server, page, lang):
    """The header's button opens the sheet with the filters, timeline, list and legend; they work there; a
    chosen row closes the sheet to show its incident, and the list is still there when it opens again.
    In Arabic the button sits at the right end of the header, as the header reads."""
    page.set_viewport_size(PHONE)
    open_map(page, f"{live_server}/?lang={lang}")
    toggle = page.locator("#panel-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for part in ("#map-filters", "input[name=start]", "#timeline", "#incident-list", ".legend"):
        expect(page.locator(part).first).to_be_attached()
    expect(page.locator("#map-filters")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "map-panel"
    page.check("input[name=type][value=raid]")
    raids = sum(f["properties"]["event_type"] == "raid" for f in FIXTURE)
    expect(page.locator("#incident-count")).to_have_attribute("data-count", str(raids))
    page.keyboard.press("Escape")
    expect(page.locator("#map-filters")).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "panel-toggle"

    toggle.click()
    page.locator(ROWS).first.click()
    expect(page.locator("#map-filters")).to_be_hidden()  # the sheet steps aside for the incident
    popup = settled_popup(page, "Fixture raid")
    assert inside(popup.bounding_box(), page.locator(".folium-map").bounding_box())  # wholly on the phone's map
    toggle.click()
    expect(page.locator(ROWS)).to_have_count(raids)

    box = toggle.bounding_box()
    if lang == "ar":
        assert box["x"] + box["width"] > PHONE["width"] - 20
    else:
        assert box["x"] < 20


@pytest.mark.parametrize("width", [300, 360])
def test_an_embed_is_usable_in_a_narrow_frame(live_server, page, width):
    """In a 300 or 360 px frame the embed's legend starts folded, and the legend, zoom buttons, credits
    button and link to the full map are all on screen without covering one another."""
    page.set_viewport_size({"width": width, "height": 400})
    page.goto(f"{live_server}/embed")
    page.locator(".webmap-incident").first.wait_for()
    legend = page.locator("details.embed-legend")
    assert legend.evaluate("details => details.open") is False
    parts = [legend.locator("summary"), page.locator(".leaflet-control-zoom"), page.locator(".webmap-credits-toggle"),
             page.locator(".embed-open")]
    boxes = []
    for part in parts:
        expect(part).to_be_visible()
        box = part.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= 400
        boxes.append(box)
    assert not any(overlaps(a, b) for n, a in enumerate(boxes) for b in boxes[n + 1:])
    legend.locator("summary").click()
    expect(legend.locator("[data-legend-type=airstrike] svg")).to_be_visible()


# The open popup's box lies wholly inside the map's (to within a pixel).
POPUP_ON_MAP = """() => {
    const popup = document.querySelector('.leaflet-popup').getBoundingClientRect();
    const map = document.querySelector('.folium-map').getBoundingClientRect();
    return popup.left >= map.left - 1 && popup.right <= map.right + 1 && popup.top >= map.top - 1
        && popup.bottom <= map.bottom + 1;
}"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_phone_is_usable_by_keyboard_alone(live_server, page, lang):
    """At 360×740, by keyboard alone: the skip link and at most ten Tab presses reach an incident, Enter opens its
    popup with focus inside, Escape returns focus to the marker; the sheet's button, reached by Tab, opens the
    sheet with Enter and Escape closes it, focus back on the button."""
    page.set_viewport_size(PHONE)
    open_map(page, f"{live_server}/?lang={lang}")
    tab_to_first_incident(page)
    marker_id = page.evaluate("document.activeElement.dataset.id || document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    assert focused_matches(page, ".leaflet-popup *, .leaflet-popup-content")
    # The popup pans into view, which a loaded machine animates slowly: wait for the map to bring it wholly in.
    page.wait_for_function(POPUP_ON_MAP)
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert focused_matches(page, MARKERS)
    assert page.evaluate("document.activeElement.dataset.id || document.activeElement.getAttribute('aria-label')") \
        == marker_id

    open_map(page, f"{live_server}/?lang={lang}")  # from the top of the page again
    toggle = page.locator("#panel-toggle")
    presses = 0
    while presses < 10 and not focused_matches(page, "#panel-toggle"):
        page.keyboard.press("Tab")
        presses += 1
    assert focused_matches(page, "#panel-toggle"), f"the sheet's button is not among the first {presses} Tab stops"
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#map-filters")).to_be_visible()
    page.keyboard.press("Tab")
    assert focused_matches(page, "#map-panel *"), "Tab leaves the open sheet"
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#map-filters")).to_be_hidden()
    assert focused_matches(page, "#panel-toggle")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    presses = 0
    while presses < 5 and not focused_matches(page, "#panel-toggle"):  # back up through the header's links
        page.keyboard.press("Shift+Tab")
        presses += 1
    assert focused_matches(page, "#panel-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")  # the header is above the sheet: it stays open
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#map-filters")).to_be_hidden()

    # Tab past the sheet's last control goes on to the map, and the sheet steps aside so focus stays in sight.
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.evaluate("""() => {
        const tabbable = [...document.querySelectorAll('#map-panel a[href], #map-panel button, #map-panel input,'
                                                       + ' #map-panel select, #map-panel [tabindex="0"]')]
            .filter(e => !e.disabled && e.getClientRects().length);
        tabbable[tabbable.length - 1].focus();
    }""")
    page.keyboard.press("Tab")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert focused_matches(page, ".folium-map, .folium-map *")

    # Enter on a row closes the sheet to show the incident: its popup takes the focus (the row is hidden), and
    # Escape closes it and puts the focus on its marker, not on the page.
    for _ in range(15):  # back from the map through the header's links
        page.keyboard.press("Shift+Tab")
        if focused_matches(page, "#panel-toggle"):
            break
    page.keyboard.press("Enter")
    page.locator(ROWS).first.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".leaflet-popup-content")).to_be_visible()
    page.wait_for_function("() => document.activeElement.closest('.leaflet-popup') !== null")
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    assert focused_matches(page, MARKERS)
