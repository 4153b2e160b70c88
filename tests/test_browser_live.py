"""The live map in a real browser: filters applied in place with the URL kept in step, the timeline, the
incident list linked with the markers, keyboard use, and clusters when the view holds many incidents."""
import json
import re
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import DATA
from playwright.sync_api import expect
from test_reader_geometry import rippled_ring

from webmap.core.i18n import human_date
from webmap.core.model import Incident
from webmap.store import BatchInfo, get_store

pytestmark = pytest.mark.browser

FIXTURE = json.loads((DATA / "incidents_small.geojson").read_text(encoding="utf-8"))["features"]
MARKERS = ".leaflet-marker-icon.webmap-incident"
ROWS = "#incident-list tbody tr"


def expected(start="", end="", types=()) -> list[dict]:
    """Return the fixture incidents a date range and a set of types select."""
    return [f for f in FIXTURE
            if not (start and f["properties"].get("end_date", f["properties"]["date"]) < start)
            and not (end and f["properties"]["date"] > end)
            and (not types or f["properties"]["event_type"] in types)]


def open_map(page, url: str):
    """Load the map and wait until it has drawn the incidents of its view."""
    page.goto(url)
    expect(page.locator(".folium-map")).to_have_attribute("data-view-state", "ready")


def count_text(n: int) -> str:
    """Return the page's wording for n matching incidents."""
    return "1 incident matches" if n == 1 else f"{n} incidents match"


def url_args(url: str) -> dict:
    """Return the query-string arguments of a URL, one value each."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def wait_for_zoom_above(page, zoom: int):
    """Wait until the map (and so the URL) has zoomed in past `zoom`, and has drawn that view."""
    page.wait_for_function("z => Number(new URLSearchParams(location.search).get('zoom')) > z", arg=zoom)
    expect(page.locator(".folium-map")).to_have_attribute("data-view-state", "ready")


def test_filters_apply_in_place_and_the_url_restores_them(live_server, page):
    """Changing dates and a type updates the count and markers without loading a page; the URL reloads the
    same state. (Playwright reports history.replaceState as `framenavigated` too, so what is checked is that
    no document loads and the same window object lives on.)"""
    open_map(page, live_server + "/")
    expect(page.locator(MARKERS)).to_have_count(6)
    loads = []
    page.on("domcontentloaded", lambda p: loads.append(p.url))
    page.on("load", lambda p: loads.append(p.url))
    page.evaluate("window.sameWindow = true")
    document_started = page.evaluate("performance.timeOrigin")

    page.fill("input[name=start]", "2025-02-01")
    page.fill("input[name=end]", "2025-03-31")
    page.check("input[name=type][value=airstrike]")
    page.check("input[name=type][value=arrest]")
    chosen = expected("2025-02-01", "2025-03-31", ("airstrike", "arrest"))
    expect(page.locator("#incident-count")).to_have_text(count_text(len(chosen)))
    expect(page.locator(MARKERS)).to_have_count(len(chosen))
    expect(page.locator(f"{MARKERS}.webmap-type-raid")).to_have_count(0)
    assert loads == [] and page.evaluate("window.sameWindow") is True
    assert page.evaluate("performance.timeOrigin") == document_started
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    args = url_args(page.url)
    assert (args["start"], args["end"], args["type"]) == ("2025-02-01", "2025-03-31", "airstrike,arrest")
    assert {"lat", "lon", "zoom"} <= set(args)
    language = url_args(page.get_attribute(".topbar a[lang]", "href"))
    assert (language["lang"], language["type"], language["start"]) == ("ar", "airstrike,arrest", "2025-02-01")
    page.locator(".leaflet-control-zoom-in").click()
    wait_for_zoom_above(page, int(args["zoom"]))
    moved = url_args(page.url)
    assert int(moved["zoom"]) == int(args["zoom"]) + 1 and loads == []

    reloaded = page.context.new_page()
    open_map(reloaded, page.url)
    expect(reloaded.locator("#incident-count")).to_have_text(count_text(len(chosen)))
    assert reloaded.input_value("input[name=start]") == "2025-02-01"
    assert reloaded.input_value("input[name=end]") == "2025-03-31"
    assert reloaded.is_checked("input[name=type][value=arrest]")
    assert not reloaded.is_checked("input[name=type][value=raid]")
    zoom = reloaded.evaluate("Number(new URLSearchParams(location.search).get('zoom'))")
    assert zoom == int(moved["zoom"])
    expect(reloaded.locator(MARKERS)).to_have_count(len(chosen))


def test_form_works_without_javascript(live_server, browser):
    """With JavaScript off the form submits to the filtered URL, and the page states the right count."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.fill("input[name=end]", "2025-02-15")
    page.check("input[name=precision][value=town]")
    page.check("input[name=precision][value=area]")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"end=2025-02-15&precision=town&precision=area"))
    town_or_area = [f for f in expected(end="2025-02-15") if f["properties"]["precision"] in ("town", "area")]
    expect(page.locator("#incident-count")).to_have_text(count_text(len(town_or_area)))
    assert page.is_checked("input[name=precision][value=area]")
    context.close()


def test_type_counts_and_verification_filter_update_live(live_server, page):
    """Each type's count follows the other filters; a verification filter narrows the markers."""
    open_map(page, live_server + "/")
    airstrike_count = page.locator("[data-facet=type][data-value=airstrike]")
    expect(airstrike_count).to_have_text("2")
    page.check("input[name=verification][value=verified]")
    expect(page.locator("#incident-count")).to_have_text(count_text(1))
    expect(airstrike_count).to_have_text("0")
    expect(page.locator(MARKERS)).to_have_count(1)
    expect(page.locator(f"{MARKERS}.webmap-type-raid")).to_have_count(1)
    assert url_args(page.url)["verification"] == "verified"


def test_list_rows_and_markers_point_at_each_other(live_server, page):
    """A marker's popup highlights its row; a row opens its marker's popup and zooms to it."""
    open_map(page, live_server + "/")
    rows = page.locator(ROWS)
    expect(rows).to_have_count(len(FIXTURE))
    dates = rows.locator(".incident-date time:first-child").evaluate_all("nodes => nodes.map(n => n.dateTime)")
    assert dates == sorted((f["properties"]["date"] for f in FIXTURE), reverse=True)

    page.locator(f"{MARKERS}.webmap-type-outpost").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Fixture outpost")
    expect(page.locator(f"{ROWS}[data-id=t-007]")).to_have_class(re.compile(r"\bselected\b"))

    zoom_before = int(page.evaluate("new URLSearchParams(location.search).get('zoom') || 9"))
    page.locator(f"{ROWS}[data-id=t-002]").click()
    expect(page.locator(".leaflet-popup-content", has_text="Fixture raid")).to_be_visible()
    expect(page.locator(".leaflet-popup")).to_have_count(1)  # the outpost's popup has closed
    expect(page.locator(f"{MARKERS}.webmap-type-raid")).to_have_class(re.compile(r"\bwebmap-selected\b"))
    expect(page.locator(f"{ROWS}[data-id=t-002]")).to_have_class(re.compile(r"\bselected\b"))
    wait_for_zoom_above(page, zoom_before)
    # After zooming in, the list holds only what is in view, and the popup is still open.
    expect(page.locator("#incident-view-count")).not_to_have_text("7 in view")
    expect(page.locator(".leaflet-popup-content", has_text="Fixture raid")).to_be_visible()


def test_list_works_from_the_keyboard(live_server, page):
    """Rows take focus in order, arrow keys move between them, Enter shows the incident, the sort is a button."""
    open_map(page, live_server + "/")
    expect(page.locator(ROWS)).to_have_count(len(FIXTURE))
    page.focus(".incident-list-sort")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.id") == "t-007"  # newest first
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.id") == "t-006"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Fixture arrest")
    page.focus(".incident-list-sort")
    page.keyboard.press("Enter")
    expect(page.locator("#incident-list th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    first = page.locator(ROWS).first
    expect(first).to_have_attribute("data-id", re.compile(r"t-00[15]"))  # oldest in the current view


def test_view_in_the_url_sets_the_map_and_the_list(live_server, page):
    """lat/lon/zoom in the URL open the map there; the list then holds only the incidents in that view."""
    open_map(page, live_server + "/?lat=33.126&lon=35.8246&zoom=14")
    expect(page.locator("#incident-view-count")).to_have_text("1 in view")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(f"{ROWS}[data-id=t-001]")).to_have_count(1)
    expect(page.locator("#incident-count")).to_have_text(count_text(len(FIXTURE)))


def test_timeline_brush_and_play_set_the_dates(live_server, page):
    """Dragging across the timeline sets the date range; play steps through it one bar at a time."""
    open_map(page, live_server + "/")
    chart = page.locator(".timeline-chart")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2, steps=4)
    page.mouse.up()
    expect(page.locator("input[name=start]")).not_to_have_value("")
    start, end = page.input_value("input[name=start]"), page.input_value("input[name=end]")
    assert start <= "2024-12-08" <= end < "2025-07-16"
    expect(page.locator("#incident-count")).to_have_text(count_text(len(expected(start, end))))
    assert (url_args(page.url)["start"], url_args(page.url)["end"]) == (start, end)

    page.locator(".timeline-all").click()
    expect(page.locator("input[name=start]")).to_have_value("")
    expect(page.locator("#incident-count")).to_have_text(count_text(len(FIXTURE)))
    page.locator(".timeline-play").click()
    expect(page.locator(".timeline-play")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("input[name=start]")).to_have_value("2024-12-02")  # the Monday of the first week
    expect(page.locator("input[name=end]")).to_have_value("2024-12-08")
    expect(page.locator("#incident-count")).to_have_text(count_text(1))
    page.locator(".timeline-play").click()
    expect(page.locator(".timeline-play")).to_have_attribute("aria-pressed", "false")


def test_timeline_is_operable_from_the_keyboard(live_server, page):
    """On the focused timeline the arrows choose and move bars, Shift widens, Home jumps back, Escape clears."""
    open_map(page, live_server + "/")
    chart = page.locator(".timeline-chart")
    chart.focus()
    start, end = page.locator("input[name=start]"), page.locator("input[name=end]")
    for key, first, last in (("ArrowRight", "2024-12-02", "2024-12-08"), ("ArrowRight", "2024-12-09", "2024-12-15"),
                             ("Shift+ArrowRight", "2024-12-09", "2024-12-22"), ("Home", "2024-12-02", "2024-12-15")):
        chart.press(key)
        expect(start).to_have_value(first)
        expect(end).to_have_value(last)
        expect(chart).to_have_attribute("aria-valuetext", f"{human_date(first, 'en')} – {human_date(last, 'en')}")
    expect(page.locator("#incident-count")).to_have_text(count_text(len(expected("2024-12-02", "2024-12-15"))))
    assert (url_args(page.url)["start"], url_args(page.url)["end"]) == ("2024-12-02", "2024-12-15")
    chart.press("Escape")
    expect(start).to_have_value("")
    expect(page.locator("#incident-count")).to_have_text(count_text(len(FIXTURE)))

    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.fill("input[name=start]", "2026-01-01")  # after the last bar: the chosen dates cover no bar
    expect(page.locator("#incident-count")).to_have_text(count_text(0))
    chart.press("Shift+ArrowRight")  # starts afresh from the first bar
    expect(start).to_have_value("2024-12-02")
    expect(end).to_have_value("2024-12-08")
    assert errors == []


def test_arabic_timeline_runs_right_to_left(live_server, page):
    """On the Arabic map the timeline's earliest bar is at the right, its ticks read right to left, and the left
    arrow (pointing later) steps forward in time; the chosen range is written in Arabic."""
    open_map(page, live_server + "/?lang=ar")
    chart = page.locator(".timeline-chart")
    bars = chart.locator("rect")
    expect(bars.first).to_be_attached()
    xs = bars.evaluate_all("bars => bars.map(b => b.getBoundingClientRect().x)")
    assert xs == sorted(xs, reverse=True)  # drawn in time order: the first, earliest, at the right
    chart.focus()
    start, end = page.locator("input[name=start]"), page.locator("input[name=end]")
    for key, first, last in (("ArrowLeft", "2024-12-02", "2024-12-08"), ("ArrowLeft", "2024-12-09", "2024-12-15"),
                             ("ArrowRight", "2024-12-02", "2024-12-08")):
        chart.press(key)
        expect(start).to_have_value(first)
        expect(end).to_have_value(last)
    expect(page.locator(".timeline-range")).to_have_text(f"{human_date(first, 'ar')} – {human_date(last, 'ar')}")
    box = chart.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2)  # the bar at the right
    expect(start).to_have_value("2024-12-02")


def test_many_incidents_in_view_are_clustered(fixture_app, live_server, page):
    """Over the limit the map draws clusters that add up, and a cluster zooms in to the incidents."""
    fixture_app.config["MAX_PAGE_INCIDENTS"] = 2
    open_map(page, live_server + "/?lat=33.0&lon=36.1&zoom=8")
    clusters = page.locator(".leaflet-marker-icon.webmap-cluster")
    expect(clusters.first).to_be_visible()
    counted = sum(int(t) for t in clusters.all_inner_texts()) + page.locator(MARKERS).count()
    assert counted == len(FIXTURE)
    expect(page.locator(ROWS)).to_have_count(len(FIXTURE))  # the first list page comes with the clusters
    biggest = max(range(clusters.count()), key=lambda n: int(clusters.nth(n).inner_text()))
    clusters.nth(biggest).click()
    wait_for_zoom_above(page, 8)
    assert page.console_errors == []


def test_a_listed_incident_inside_a_cluster_gets_its_own_marker(fixture_app, live_server, page):
    """When every incident is clustered, choosing a row still shows that incident's marker and popup."""
    fixture_app.config["MAX_PAGE_INCIDENTS"] = 0
    open_map(page, live_server + "/?lat=33.0&lon=36.1&zoom=8")
    expect(page.locator(MARKERS)).to_have_count(0)
    page.locator(f"{ROWS}[data-id=t-002]").press("Enter")
    expect(page.locator(".leaflet-popup-content", has_text="Fixture raid")).to_be_visible()
    wait_for_zoom_above(page, 8)
    expect(page.locator(f"{MARKERS}.webmap-selected")).to_have_count(1)
    expect(page.locator(f"{MARKERS}.webmap-type-raid")).to_have_count(1)
    expect(page.locator(".leaflet-popup-content", has_text="Fixture raid")).to_be_visible()
    assert page.console_errors == []


# How many points the most detailed incident outline on the map is drawn with.
OUTLINE_POINTS = """Math.max(0, ...Array.from(document.querySelectorAll("path.webmap-incident"),
    p => (p.getAttribute("d").match(/[ML]/g) || []).length))"""


def test_an_area_gains_detail_as_the_map_zooms_in(fixture_app, live_server, page):
    """An area drawn from afar with a few vertices is redrawn with its finer outline when the map zooms in."""
    area = Incident(id="big-area", geometry={"type": "Polygon", "coordinates": [rippled_ring(20_000)]},
                    date="2025-02-10", event_type="demolition", title="Cleared area", precision="exact")
    with fixture_app.app_context():
        get_store().add_incidents([area], BatchInfo(user="test"))
    open_map(page, live_server + "/?lat=33.12&lon=35.82&zoom=9")
    afar = page.evaluate(OUTLINE_POINTS)
    assert 0 < afar < 50
    page.evaluate("window.webmapView.map.setZoom(12)")
    wait_for_zoom_above(page, 11)
    page.wait_for_function(f"n => {OUTLINE_POINTS} > 4 * n", arg=afar)
    assert page.console_errors == []


def test_a_batch_link_opens_the_batch_fitted_and_filters_keep_it(fixture_app, live_server, page):
    """The map of a batch (as the upload report links it) shows that batch's incidents only; changing another
    filter keeps the batch in the address and the counts; unticking the batch shows every incident again."""
    with fixture_app.app_context():
        store = get_store()
        first = store.get_incident("t-001")
        batch = store.add_incidents([replace(first, id=f"b-{n}") for n in range(3)], BatchInfo(user="test")).batch_id
    open_map(page, f"{live_server}/?batch={batch}&bbox=35.8,33.1,35.85,33.15")
    expect(page.locator("#incident-count")).to_have_text(count_text(3))
    expect(page.locator(MARKERS)).to_have_count(3)
    page.check(f"input[name=type][value={first.event_type}]")
    expect(page.locator("#incident-count")).to_have_text(count_text(3))
    assert url_args(page.url)["batch"] == str(batch)
    page.check("input[name=type][value=airstrike]")
    page.uncheck(f"input[name=type][value={first.event_type}]")
    expect(page.locator("#incident-count")).to_have_text(count_text(0))
    page.uncheck(f"input[name=batch][value='{batch}']")
    expect(page.locator("#incident-count")).to_have_text(count_text(len(expected(types=("airstrike",)))))
    assert "batch" not in url_args(page.url)
