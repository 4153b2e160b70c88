"""The Arabic map in a real browser: plural forms chosen by the browser's CLDR rules as Babel chooses them on
the server, Leaflet's controls in Arabic, a metric scale that reads right to left, and stored English text
isolated and marked as English in the list and the popups."""
import re

import pytest
from playwright.sync_api import expect
from test_browser_live import MARKERS, ROWS, open_map

from webmap.core.i18n import messages, plural
from webmap.core.model import Incident
from webmap.map.live import TEXT_KEYS
from webmap.store import BatchInfo, get_store

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


PLACES = {  # id: (location_name, location_name_ar given in the data or None, what an Arabic page shows)
    "place-gazetteer": ("Beit Jinn, Rural Damascus", None, "بيت جن، ريف دمشق"),
    "place-given": ("Near Nawa, western Daraa", "قرب نوى، غربي درعا", "قرب نوى، غربي درعا"),
    "place-unknown": ("Tel Ahmar crossroads", None, "Tel Ahmar crossroads"),
}


@pytest.fixture
def places_app(fixture_app):
    """The fixture app with three raids whose places are named in the gazetteer, in their data, or nowhere."""
    raids = [Incident(id=incident_id, geometry={"type": "Point", "coordinates": [35.95 + n / 100, 33.05]},
                      date="2025-05-0" + str(n + 1), event_type="raid", title=f"Fixture place {n}",
                      location_name=english, extra={"location_name_ar": arabic} if arabic else {})
             for n, (incident_id, (english, arabic, _)) in enumerate(PLACES.items())]
    with fixture_app.app_context():
        get_store().add_incidents(raids, BatchInfo(user="test"))
    return fixture_app


@pytest.mark.parametrize("path", ["/", "/embed"])
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_places_are_named_in_arabic_where_the_data_or_the_gazetteer_do(places_app, live_server, page, lang, path):
    """On Arabic pages the list rows and popups (embeds' popups too) give a place's Arabic name from the data or,
    where the location names gazetteer places, from the gazetteer; a place with no Arabic name stays in English
    inside <bdi lang="en">. English pages keep the name as given."""
    open_map(page, f"{live_server}{path}?lang={lang}&type=raid&lat=33.05&lon=35.96&zoom=12")
    for n, (incident_id, (english, _, arabic)) in enumerate(PLACES.items()):
        shown = arabic if lang == "ar" else english
        script = "ar" if shown != english else "en"
        if path == "/":
            place = page.locator(f"{ROWS}[data-id={incident_id}] .incident-title small bdi")
            expect(place).to_have_text(shown)
            expect(place).to_have_attribute("lang", script)
            page.locator(f"{ROWS}[data-id={incident_id}]").click()
        else:
            page.locator(f".leaflet-marker-icon[title='Fixture place {n}']").click()
        popup = page.locator(".leaflet-popup-content")
        expect(popup.locator("dd bdi", has_text=shown)).to_have_attribute("lang", script)
        page.keyboard.press("Escape")
        expect(page.locator(".leaflet-popup")).to_have_count(0)
