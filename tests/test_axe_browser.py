"""axe-core on every page in both languages: no critical and no serious violation.

axe-core comes from npm (package.json's devDependencies) and is injected into the page by the test from
node_modules: the site never serves it."""
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import require
from test_browser_live import open_map
from upload_helpers import PASSWORD, add_accounts, bearer, collection, feature

from webmap.core.model import Incident
from webmap.store import BatchInfo, get_store

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
# Rules held at any impact: axe-core rates a page that forbids zooming (user-scalable=no) only "moderate".
ALWAYS = ("meta-viewport",)

# The pages people read, in English and in Arabic (the error pages too: a missing page, bad filters).
PAGES = ["/", "/embed", "/embed?legend=0", "/embed?title=Raids&caption=Since+2024", "/about", "/stats", "/embed/chart", "/login", "/no-such-page",
         "/?start=not-a-date", "/incidents/t-001/history"]
# The API's HTML pages speak the language of its parameters, English only (`lang` is not one of them).
API_PAGES = ["/api", "/api/conformance", "/api/collections", "/api/collections/incidents",
             "/api/collections/incidents/queryables", "/api/collections/incidents/items",
             "/api/collections/incidents/items/t-001", "/api/collections/alpha_line",
             "/api/collections/alpha_line/items", "/api/openapi?f=html"]
# Pages behind a login, as the admin sees them.
ACCOUNT_PAGES = ["/upload", "/batches", "/layers", "/layers/alpha_line", "/account", "/admin/accounts", "/admin/audit",
                 "/admin/accounts/tokens?name=editor", "/duplicates", "/review", "/submissions",
                 "/incidents/t-001/edit"]
# Links that redirect to a page: axe-core checks the page each lands on (`{batch}` is the fixture's batch).
REDIRECTS = ["/batches/{batch}/map"]
# GET routes that answer with data, images or files, not a page a person reads; every other GET route must be
# reached by one of the lists above, so a new page cannot go without axe-core.
NOT_PAGES = {"static", "assets.vendor", "mapdata.incident_list", "mapdata.summary", "mapdata.view", "places.places",
             "image.map_pdf", "image.map_image", "embed.oembed", "stats.stats_csv", "stats.stats_json",
             "stats.stats_png", "stats.stats_svg", "api.export", "api.schema", "api.geojson_schema",
             "api_layers.layer_history", "health.healthz", "api_duplicates.list_pairs",
             "api_review.list_submissions", "api_review.get_submission"}


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it stands; return its critical and serious violations (and those of the rules
    in ALWAYS), each with where."""
    require(AXE.exists(), f"{AXE} is missing (npm ci)")
    # Evaluated by the test's driver, outside the page's CSP (a script tag would be refused, as it should be).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "where": [node["target"] for node in v["nodes"]][:5]}
            for v in results["violations"] if v["impact"] in BLOCKING or v["id"] in ALWAYS]


def settled(page, url: str) -> None:
    """Open `url` and wait until its map (if any) has drawn its data."""
    page.goto(url)
    page.wait_for_load_state("networkidle")


def with_lang(path: str, lang: str) -> str:
    """Return `path` asking for `lang`."""
    return path if lang == "en" else path + ("&" if "?" in path else "?") + f"lang={lang}"


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_serious_violations(live_server, page, path, lang):
    """Every page people read, the error pages included, passes axe-core's critical and serious checks."""
    settled(page, live_server + with_lang(path, lang))
    page.console_errors.clear()  # the error pages' own 404 and 400 responses
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", API_PAGES)
def test_api_pages_have_no_serious_violations(live_server, page, path):
    """The API's HTML pages pass axe-core's critical and serious checks."""
    settled(page, live_server + path)
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_map_with_clusters_and_an_open_popup_has_no_serious_violations(fixture_app, live_server, page, lang):
    """The map's states that come only with use (clusters, a popup, the list filled) pass the same checks."""
    fixture_app.config["MAX_PAGE_INCIDENTS"] = 2
    open_map(page, live_server + with_lang("/?lat=33.0&lon=36.1&zoom=8", lang))
    page.locator(".leaflet-marker-icon.webmap-cluster").first.wait_for()
    page.locator("#incident-list tbody tr").first.press("Enter")
    page.locator(".leaflet-popup-content").first.wait_for()
    # Leaflet fades a popup in: its text is checked once it is fully drawn.
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_account_pages_have_no_serious_violations(fixture_app, live_server, page, path, lang):
    """The pages behind log-in (uploads, batches, layers, accounts, audit, duplicates with a pair to review, review
    with a contributor's upload waiting), as an admin sees them, pass axe-core's serious checks."""
    with fixture_app.app_context():
        get_store().add_incidents([Incident(id=f"axe-{n}", geometry={"type": "Point", "coordinates": [35.85, 33.2]},
                                            date="2025-02-01", event_type="airstrike", title="Airstrike", precision="town",
                                            sources=(f"https://outlet-{n}.example/",)) for n in (1, 2)],
                                  BatchInfo(user="test"))
    fixture_app.config["REVIEW"] = True
    tokens = log_in_as_admin(fixture_app, page, live_server)
    waiting = fixture_app.test_client().post("/api/collections/incidents/items", json=collection(feature(1)),
                                             headers=bearer(tokens["contributor"]))
    assert waiting.status_code == 201
    settled(page, live_server + with_lang(path, lang))
    assert axe_violations(page) == []


def log_in_as_admin(app, page, live_server: str) -> dict[str, str]:
    """Add the test accounts and log the browser in as the admin; return the accounts' API tokens."""
    tokens = add_accounts(app)
    page.goto(f"{live_server}/login")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".account-name")
    return tokens


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", REDIRECTS)
def test_redirects_land_on_pages_without_serious_violations(fixture_app, live_server, page, path, lang):
    """A link that redirects (a batch's map) is checked on the page it lands on, in the language asked for."""
    with fixture_app.app_context():
        batch = get_store().list_batches(1)[0].id
    log_in_as_admin(fixture_app, page, live_server)
    settled(page, live_server + with_lang(path.format(batch=batch), lang))
    assert "/batches/" not in page.url
    page.locator("#incident-list tbody tr").first.wait_for()
    assert page.evaluate("document.documentElement.lang") == lang
    assert axe_violations(page) == []


def test_every_page_the_app_serves_is_checked(fixture_app):
    """Every GET route that is not data is reached by a path of these lists, so a new page fails here until it is
    added (the API's item and collection pages through one example each)."""
    adapter = fixture_app.url_map.bind("localhost")
    checked = {adapter.match(path.split("?")[0].format(batch=1), method="GET")[0]
               for path in PAGES + API_PAGES + ACCOUNT_PAGES + REDIRECTS if path != "/no-such-page"}
    pages = {rule.endpoint for rule in fixture_app.url_map.iter_rules() if "GET" in rule.methods}
    assert pages - NOT_PAGES - checked == set()
    assert NOT_PAGES <= pages, "NOT_PAGES names a route that no longer exists"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_phone_layout_with_its_sheet_open_has_no_serious_violations(live_server, page, lang):
    """On a phone, with the sheet of filters and list open over the map, the page passes the same checks."""
    page.set_viewport_size({"width": 360, "height": 740})
    open_map(page, live_server + with_lang("/", lang))
    page.click("#panel-toggle")
    page.locator("#panel-toggle[aria-expanded=true]").wait_for()
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_history_with_a_move_and_a_tombstone_has_no_serious_violations(fixture_app, live_server, page, lang):
    """An incident's history with the small map of a moved location, and a deleted incident's tombstone, pass the
    same checks."""
    with fixture_app.app_context():
        store = get_store()
        moved = replace(store.get_incident("t-001"), geometry={"type": "Point", "coordinates": [35.9, 33.2]})
        store.add_incidents([moved], BatchInfo(user="editor", note="The place was misread"))
        store.delete_incidents(["t-004"], BatchInfo(user="editor", note="A duplicate of t-003"))
    for path in ("/incidents/t-001/history", "/incidents/t-004/history"):
        settled(page, live_server + with_lang(path, lang))
        page.console_errors.clear()  # the tombstone's own 410
        assert axe_violations(page) == []
