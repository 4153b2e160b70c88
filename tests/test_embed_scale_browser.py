"""Embeds at scale in Chromium (tiles off): they load by view, so the newest incident is always on the map,
their weight stays flat with the number of incidents, a fitted embed holds every match in a 360 px frame, a
pinned one keeps its version, and their title and caption are shown as text."""
import json
import urllib.request
from urllib.parse import urlencode

import pytest
from conftest import fixture_incidents, make_app, serving

from webmap.cli.synthetic import synthetic_incidents
from webmap.core.model import Incident
from webmap.ingest.geodata import prepare_database
from webmap.store import BatchInfo, get_store

pytestmark = pytest.mark.browser

NEWEST = Incident(id="newest", geometry={"type": "Point", "coordinates": [36.57, 32.71]}, date="2027-01-15",
                  event_type="shelling", title="The newest incident", precision="exact")
READY = ".leaflet-container[data-view-state='ready']"


def served_app(folder, count: int):
    """Build an app with `count` synthetic incidents (one write) and then the newest one; return it."""
    app = make_app(folder)
    with app.app_context():
        prepare_database(with_samples=False)
        get_store().add_incidents(list(synthetic_incidents(count)), BatchInfo(user="test"))
        get_store().add_incidents([NEWEST], BatchInfo(user="test"))
    return app


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Two servers, built once for the module: 1,000 and 100,000 synthetic incidents, plus the newest."""
    small = served_app(tmp_path_factory.mktemp("small"), 1_000)
    large = served_app(tmp_path_factory.mktemp("large"), 100_000)
    with serving(small) as small_url, serving(large) as large_url:
        yield {1_000: small_url, 100_000: large_url}


def open_embed(browser, url: str, width: int, height: int):
    """Open an embed in a fresh browser (empty cache) at this size; return the page once its view is drawn,
    with the view answers it received and the bytes of everything it fetched."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.views, page.requests = [], []
    page.on("requestfinished", lambda request: page.requests.append(request))
    page.on("response", lambda r: "/map-data/view" in r.url and page.views.append(r))
    page.goto(url)
    page.wait_for_selector(READY)
    page.wait_for_load_state("networkidle")
    return page


def transferred(page) -> int:
    """Return the bytes the page received over the network: headers and (compressed) bodies."""
    sizes = [request.sizes() for request in page.requests]
    return sum(size["responseHeadersSize"] + size["responseBodySize"] for size in sizes)


def contains(bounds: list[float], lon: float, lat: float) -> bool:
    """Tell whether a [minx, miny, maxx, maxy] box holds a point."""
    return bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3]


def test_an_embed_of_100000_incidents_shows_the_newest(browser, sites):
    """At 100,000 incidents the embed draws clusters, and the newest incident is in one drawn on the map (or
    is a marker of its own): nothing is cut to the oldest few thousand."""
    page = open_embed(browser, f"{sites[100_000]}/embed", 640, 480)
    data = page.views[-1].json()
    assert data["clustered"] and data["in_view"] > 50_000
    lon, lat = NEWEST.geometry["coordinates"]
    own = [f for f in data["features"] if f["id"] == "newest"]
    holding = [c for c in data["clusters"] if contains(c["bounds"], lon, lat)]
    assert own or holding
    assert page.locator(".leaflet-marker-icon.webmap-cluster").count() == len(data["clusters"])
    if own:
        assert page.locator(".webmap-incident[title='The newest incident']").count() == 1
    else:
        titles = page.locator(".leaflet-marker-icon.webmap-cluster").evaluate_all("nodes => nodes.map(n => n.title)")
        assert any(f"{c['count']:,} incidents" in title for c in holding for title in titles)
    assert page.console_errors == []
    page.context.close()


def test_embed_weight_is_flat_from_1000_to_100000_incidents(browser, sites):
    """The page and everything it loads weigh within 20% at 1,000 and at 100,000 incidents (a million is
    measured in bench/embed_scale.py)."""
    weights = {}
    for count, site in sites.items():
        page = open_embed(browser, f"{site}/embed?type=airstrike,shelling,incursion", 640, 480)
        weights[count] = transferred(page)
        page.context.close()
    assert weights[1_000] > 100_000  # the reference layers and Leaflet: the measure counts them
    assert abs(weights[100_000] - weights[1_000]) / weights[1_000] < 0.2, weights


def test_fitted_embed_holds_every_matching_incident_at_360_px(browser, sites):
    """An embed fitted to the box of the matching incidents (as the share dialog makes it) shows each of
    them in a 360 px wide frame."""
    site, filters = sites[1_000], {"type": "demolition"}
    matching = [i for i in synthetic_incidents(1_000) if i.event_type == "demolition"]
    with urllib.request.urlopen(f"{site}/map-data/summary?{urlencode(filters)}") as answer:
        bounds = json.load(answer)["bounds"]
    box = ",".join(str(v) for v in bounds)
    page = open_embed(browser, f"{site}/embed?{urlencode({**filters, 'bbox': box})}", 360, 640)
    view = page.evaluate("() => window.webmapView.map.getBounds().toBBoxString()")
    shown = [float(v) for v in view.split(",")]
    assert len(matching) > 20
    assert all(contains(shown, *i.geometry["coordinates"]) for i in matching)
    assert int(page.get_attribute(".leaflet-container", "data-in-view")) == len(matching)
    page.context.close()


def test_pinned_embed_keeps_its_version_after_a_write(browser, fixture_app):
    """After a new incident is written, the pinned embed still shows its version's incidents, the live one
    the new incident too."""
    with fixture_app.app_context():
        version = get_store().data_version()
        get_store().add_incidents([NEWEST], BatchInfo(user="test"))
    before = len(fixture_incidents())
    with serving(fixture_app) as site:
        box = "bbox=35.5,32.5,36.8,33.5"
        pinned = open_embed(browser, f"{site}/embed?{box}&as_of={version}", 800, 600)
        assert pinned.views[-1].json()["data_version"] == version
        assert int(pinned.get_attribute(".leaflet-container", "data-in-view")) == before
        assert pinned.locator(".webmap-incident[title='The newest incident']").count() == 0
        assert pinned.locator(".embed-pinned").count() == 1
        pinned.context.close()
        live = open_embed(browser, f"{site}/embed?{box}", 800, 600)
        assert int(live.get_attribute(".leaflet-container", "data-in-view")) == before + 1
        assert live.locator(".webmap-incident[title='The newest incident']").count() == 1
        live.context.close()


@pytest.mark.parametrize("lang, words", [("en", "Source: 127.0.0.1"), ("ar", "المصدر: 127.0.0.1")])
def test_title_and_caption_are_shown_as_text(browser, live_server, lang, words):
    """A title with markup shows as those characters, not as markup; caption=auto states the dates, the
    filters and the source, in the page's language."""
    title = '<img src=x onerror="document.title=1">Strikes'
    query = urlencode({"title": title, "caption": "auto", "type": "airstrike", "start": "2025-01-01",
                       "end": "2025-06-30", "lang": lang})
    page = open_embed(browser, f"{live_server}/embed?{query}", 400, 400)
    assert page.inner_text("h1.embed-title") == title and page.locator("img[src=x]").count() == 0
    caption = page.inner_text(".embed-caption")
    assert "2025-01-01 – 2025-06-30" in caption and words in caption
    assert ("Airstrike" if lang == "en" else "غارة جوية") in caption
    map_box = page.locator(".leaflet-container").bounding_box()
    caption_box = page.locator(".embed-caption").bounding_box()
    assert map_box["y"] + map_box["height"] <= caption_box["y"] + 1  # under the map, not over it
    assert page.console_errors == []
    page.context.close()
