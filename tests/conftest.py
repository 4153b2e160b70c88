"""Shared fixtures: an app on its own temporary database, a client, a CLI runner, a live server and a browser."""
import json
import os
import re
import shutil
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from upload_helpers import add_accounts
from werkzeug.serving import make_server

from webmap import create_app
from webmap.analysis.positions import POSITION_PROPERTIES
from webmap.core.model import Incident
from webmap.ingest.geodata import prepare_database
from webmap.store import BatchInfo, get_store

# The read API tests' shared fixtures, the PostgreSQL databases and the store contract tests' store, each in a
# module of its own.
pytest_plugins = ("api_fixtures", "postgres_fixtures", "store_fixtures")

DATA = Path(__file__).parent / "data"
CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip the test when a dependency is missing, except in CI, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


def fixture_incidents(name: str = "incidents_small.geojson") -> list[Incident]:
    """Read a test fixture file of canonical incidents."""
    collection = json.loads((DATA / name).read_text(encoding="utf-8"))
    return [Incident.from_feature(f) for f in collection["features"]]


def without_positions(properties: dict) -> dict:
    """Return an incident's properties without those the store adds about its position."""
    return {k: v for k, v in properties.items() if k not in POSITION_PROPERTIES}


def map_data(html: str) -> dict:
    """Return the JSON data block a map page draws its incidents and reference layers from."""
    found = re.search(r'<script type="application/json" id="webmap-map-data">(.*?)</script>', html, re.DOTALL)
    return json.loads(found.group(1))


# Every app make_app builds, so the fixture below can close the stores a test opened.
BUILT_APPS = []


def make_app(tmp_path: Path, **config):
    """Build an app on a fresh SQLite file under tmp_path, with no basemap; its store is closed after the test
    (or, when a module-scoped fixture built it, after the module)."""
    settings = {"TESTING": True, "SECRET_KEY": "test", "TILES": "none",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'webmap.db'}", **config}
    app = create_app(settings, environ={})
    BUILT_APPS.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_stores():
    """Close the store of every app built during the test, so no connection outlives it."""
    first = len(BUILT_APPS)
    yield
    for built in BUILT_APPS[first:]:
        built.extensions["webmap.store"].close()
    del BUILT_APPS[first:]


@pytest.fixture
def app(tmp_path):
    """An app whose database holds the bundled reference layers and no incidents."""
    app = make_app(tmp_path)
    with app.app_context():
        prepare_database(with_samples=False)
    return app


@pytest.fixture
def fixture_app(app):
    """The app with the incidents of tests/data/incidents_small.geojson."""
    with app.app_context():
        get_store().add_incidents(fixture_incidents(), BatchInfo(user="test", filename="incidents_small.geojson"))
    return app


@pytest.fixture
def review_app(tmp_path):
    """An app with review on, the fixture incidents and one account per role (named after it)."""
    app = make_app(tmp_path, REVIEW=True)
    with app.app_context():
        prepare_database(with_samples=False)
        get_store().add_incidents(fixture_incidents(), BatchInfo(user="test", filename="incidents_small.geojson"))
    app.tokens = add_accounts(app)
    return app


@pytest.fixture
def client(fixture_app):
    """A test client for the app with fixture incidents."""
    return fixture_app.test_client()


@contextmanager
def serving(app):
    """Serve an app on a free loopback port in a thread; yield its base URL, and stop it afterwards."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def live_server(fixture_app):
    """Serve the fixture app on a free loopback port in a thread; yield its base URL."""
    with serving(fixture_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a browser Playwright downloads)."""
    require(Path(CHROMIUM).exists() and shutil.which("chromium") is not None,
            f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page; fails the test on any console error it has not taken out of
    `page.console_errors` itself (a test that expects an error removes it after checking it)."""
    context = browser.new_context()
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    errors = list(page.console_errors)
    context.close()
    assert errors == [], f"the page logged console errors: {errors}"


ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><title>Article</title>
<link rel="icon" href="data:,"></head><body><h1>News article</h1>
<iframe id="map" src="{src}" title="Map" width="320" height="240" style="border:0" {sandbox}></iframe>
</body></html>"""


@pytest.fixture
def article_server():
    """Serve third-party "article" pages from another origin; yield a function that publishes one."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def publish(path: str, src: str, sandbox: str = 'sandbox="allow-scripts"') -> str:
        pages[path] = ARTICLE.format(src=src, sandbox=sandbox)
        return f"http://127.0.0.1:{server.server_port}{path}"

    yield publish
    server.shutdown()
