#!/usr/bin/env python3
"""Take the README's screenshot of the statistics view (docs/stats.png) with Playwright and Debian's Chromium.

usage: stats_screenshot.py [--out FILE] [--query QUERY]

Serves a temporary database holding the bundled sample incidents, with no basemap tiles, on a loopback port.
"""
import argparse
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from webmap import create_app
from webmap.ingest.geodata import prepare_database

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 1100}


def main() -> None:
    """Serve the samples and save the statistics page's screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "stats.png")
    parser.add_argument("--query", default="", help="the page's query string, e.g. lang=ar")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "screenshot", "TILES": "none",
                          "DATABASE_URL": f"sqlite:///{Path(folder) / 'webmap.db'}"}, environ={})
        with app.app_context():
            prepare_database(with_samples=True)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(f"http://127.0.0.1:{server.server_port}/stats?{options.query}")
                page.locator(".chart-canvas svg").first.wait_for(state="attached")
                page.screenshot(path=options.out)
                browser.close()
        finally:
            server.shutdown()
            app.extensions["webmap.store"].close()


if __name__ == "__main__":
    main()
