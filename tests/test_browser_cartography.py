"""What makes the map readable with no basemap (the tests' default), in English and Arabic: permanent labels
that do not collide, a key to the 1974 lines beside the map, clusters coloured by event type, timeline ticks."""
import pytest
from playwright.sync_api import expect
from test_browser_live import open_map

from webmap.core.i18n import messages, month_names
from webmap.core.vocabulary import load_vocabulary

pytestmark = pytest.mark.browser

LABELS = ".webmap-label-anchor:not(.webmap-label-hidden) .webmap-label"
# The page's visible labels and their boxes on screen.
VISIBLE_LABELS = f"""Array.from(document.querySelectorAll({LABELS!r}), label => {{
    const box = label.getBoundingClientRect();
    return {{text: label.textContent, left: box.left, top: box.top, right: box.right, bottom: box.bottom}};
}})"""
PLACES = {"en": ("Quneitra", "As-Suwayda", "Daraa"), "ar": ("القنيطرة", "السويداء", "درعا")}


def settled_labels(page) -> list[dict]:
    """Return the visible labels' boxes once two reads a few frames apart agree: a zoom's labels are placed in
    its moveend, and a busy machine can still be finishing the animation when the address already changed."""
    boxes = page.evaluate(VISIBLE_LABELS)
    for _ in range(50):
        page.wait_for_timeout(100)
        again = page.evaluate(VISIBLE_LABELS)
        if again == boxes:
            return boxes
        boxes = again
    return boxes


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """Return the pairs of boxes that overlap."""
    return [(a["text"], b["text"]) for n, a in enumerate(boxes) for b in boxes[n + 1:]
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_places_and_lines_are_labelled_without_overlaps(live_server, page, lang):
    """At the default view the governorates, main towns and both lines carry visible labels in the page
    language, no two visible labels overlap, and none can take focus or a click."""
    open_map(page, f"{live_server}/?lang={lang}")
    text = messages(lang)
    labels = page.locator(LABELS)
    for name in (*PLACES[lang], text["label_alpha"], text["label_bravo"]):
        expect(labels.filter(has_text=name).first).to_be_visible()
    boxes = page.evaluate(VISIBLE_LABELS)
    assert len(boxes) >= 10 and overlapping(boxes) == []
    assert page.locator(".webmap-label-anchor[tabindex]").count() == 0
    assert labels.first.evaluate("label => getComputedStyle(label).pointerEvents") == "none"


def test_more_towns_are_labelled_closer_in(live_server, page):
    """Zooming in labels small towns that the overview leaves out, still without overlaps."""
    open_map(page, f"{live_server}/?lat=33.2&lon=35.9&zoom=9")
    afar = {box["text"] for box in settled_labels(page)}
    # A second page at the closer zoom, and the labels read once they are placed for exactly that view.
    open_map(page, f"{live_server}/?lat=33.2&lon=35.9&zoom=11")
    expect(page.locator(".folium-map")).to_have_attribute("data-labels-view", "11/33.200/35.900")
    closer = settled_labels(page)
    small = {"Beit Jinn", "Mazra‘at Bayt Jinn", "Hader (Hadar)", "Sa‘sa‘", "Jubata al-Khashab"}
    assert small & ({box["text"] for box in closer} - afar)
    assert overlapping(closer) == []


def test_labels_hide_with_their_layer(live_server, page):
    """Hiding a reference layer in the layer control hides its labels too."""
    open_map(page, f"{live_server}/")
    alpha = page.locator(LABELS).filter(has_text=messages("en")["label_alpha"]).first
    expect(alpha).to_be_visible()
    page.evaluate("window.webmapView.map.removeLayer(window.webmapView.layers.alpha_line)")
    expect(alpha).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_key_to_the_lines_is_in_view_without_scrolling(live_server, page, lang):
    """At 1280×800 the key to the 1974 lines is on screen at once, says which side each line limits and that
    the lines are approximate, folds away, and no label hides under it."""
    page.set_viewport_size({"width": 1280, "height": 800})
    open_map(page, f"{live_server}/?lang={lang}")
    text = messages(lang)
    key = page.locator(".map-key")
    expect(key).to_be_visible()
    box = key.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800 and box["x"] >= 0 and box["x"] + box["width"] <= 1280
    for name in ("key_alpha", "key_bravo", "key_separation", "key_limitation", "key_approximate"):
        expect(key).to_contain_text(text[name])
    assert page.evaluate("window.scrollY") == 0
    assert overlapping([*page.evaluate(VISIBLE_LABELS), {"text": "key", "left": box["x"], "top": box["y"],
                        "right": box["x"] + box["width"], "bottom": box["y"] + box["height"]}]) == []
    key.locator("summary").click()
    expect(key.locator("li").first).to_be_hidden()


def test_clusters_show_their_mix_of_event_types(fixture_app, live_server, page):
    """At overview zoom a cluster's ring has an arc per event type in that type's colour, the arcs go all the
    way round, and its title names the types with their counts."""
    fixture_app.config["MAX_PAGE_INCIDENTS"] = 0
    open_map(page, f"{live_server}/?lat=33.0&lon=36.1&zoom=8")
    clusters = page.locator(".leaflet-marker-icon.webmap-cluster")
    expect(clusters.first).to_be_visible()
    types = {t.id: t for t in load_vocabulary().event_types}
    for n in range(clusters.count()):
        arcs = clusters.nth(n).locator("circle[data-type]").evaluate_all(
            "arcs => arcs.map(a => [a.dataset.type, a.getAttribute('stroke'), parseFloat(a.getAttribute('stroke-dasharray'))])")
        assert arcs and all(color == types[kind].attributes["color"] for kind, color, _ in arcs)
        assert sum(length for _, _, length in arcs) == pytest.approx(100)
        title = clusters.nth(n).get_attribute("title")
        assert all(types[kind].label_in("en") in title for kind, _, _ in arcs)
    expect(clusters.first.locator("circle[data-type]").first).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_timeline_has_month_ticks_under_its_bars(live_server, page, lang):
    """Under the timeline's bars a few months are marked as the page's language writes them (Feb 2025,
    شباط/فبراير 2025), in time order the way the page reads: left to right in English, right to left in Arabic,
    none running into the next or off the chart."""
    open_map(page, f"{live_server}/?lang={lang}")
    chart = page.locator(".timeline-chart")
    chart.scroll_into_view_if_needed()
    ticks = page.locator(".timeline-tick")
    expect(ticks.first).to_be_visible()
    labels = ticks.all_inner_texts()
    names = month_names(lang, "abbreviated")
    months = []
    for label in labels:
        name, year = label.rsplit(" ", 1)
        months.append(f"{year}-{names.index(name) + 1:02d}")
    assert 2 <= len(months) <= 4 and months == sorted(months), labels
    assert "2024-12" <= months[0] and months[-1] <= "2025-07"  # the fixture's span
    area = chart.bounding_box()
    boxes = [ticks.nth(n).bounding_box() for n in range(len(months))]
    lefts = [box["x"] for box in boxes]
    assert lefts == (sorted(lefts, reverse=True) if lang == "ar" else sorted(lefts))
    assert all(box["y"] >= area["y"] + area["height"] - 1 and area["x"] - 1 <= box["x"]
               and box["x"] + box["width"] <= area["x"] + area["width"] + 1 for box in boxes)
    ordered = sorted(boxes, key=lambda box: box["x"])
    assert all(a["x"] + a["width"] <= b["x"] for a, b in zip(ordered, ordered[1:]))
