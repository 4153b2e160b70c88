"""Regenerate the README's screenshots (docs/*.png) with Debian's Chromium, tiles off, from a fresh database
holding the bundled reference layers and the illustrative sample incidents.

usage: python scripts/screenshots.py [--out docs] [--chromium /usr/bin/chromium]
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>An article</title>
<style>body {{ font: 16px/1.5 Georgia, serif; margin: 0 14px; color: #222; }} h1 {{ font-size: 22px; line-height: 1.2; }}
iframe {{ display: block; width: 100%; height: 420px; border: 0; }} .caption {{ font: 12px/1.4 sans-serif; color: #555; }}</style>
</head><body><h1>Incidents near the 1974 lines since December 2024</h1>
<p>Where incidents were reported in Quneitra, Daraa and As-Suwayda, against the disengagement lines.</p>
<iframe src="{src}" title="Map of incidents" sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"></iframe>
<p class="caption">Map: webmap. Illustrative sample incidents.</p>
<p>The rest of the article continues below the map.</p></body></html>"""


def free_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    """Create a database under `folder` with the sample incidents and serve it; return the server and its URL."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'screens.db'}", "WEBMAP_TILES": "none",
           "WEBMAP_SECRET_KEY": "screenshots"}
    subprocess.run([sys.executable, "-m", "webmap", "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "webmap", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/about", timeout=2).close()
            return server, base
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.terminate()
                raise SystemExit("webmap serve did not start")
            time.sleep(0.2)  # nothing to wait on but the port


def serve_article(body: str) -> ThreadingHTTPServer:
    """Serve `body` as a news article from another origin (another port), as a site embedding the map would."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def shoot(page, url: str, path: Path, ready: str = "[data-view-state=ready]") -> None:
    """Open `url`, wait until the map has drawn its view, and save a screenshot of the viewport."""
    page.goto(url)
    page.wait_for_selector(ready)
    page.wait_for_timeout(300)  # let Leaflet finish placing labels after the last draw
    page.screenshot(path=str(path))
    print(path)


def main() -> None:
    """Take every screenshot the README shows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server, base = serve(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
                desktop = browser.new_page(viewport=DESKTOP)
                shoot(desktop, base + "/", args.out / "map-en.png")
                shoot(desktop, base + "/?lang=ar", args.out / "map-ar.png")
                phone = browser.new_page(viewport=PHONE)
                shoot(phone, base + "/", args.out / "map-phone.png")
                phone.click("#panel-toggle")
                phone.screenshot(path=str(args.out / "map-phone-panel.png"))
                print(args.out / "map-phone-panel.png")
                article = browser.new_page(viewport=PHONE)
                site = serve_article(ARTICLE.format(src=base + "/embed"))
                article.goto(f"http://127.0.0.1:{site.server_port}/")
                article.frame_locator("iframe").locator(".webmap-incident").first.wait_for()
                article.wait_for_timeout(500)
                article.screenshot(path=str(args.out / "embed-article-360.png"))
                print(args.out / "embed-article-360.png")
                site.shutdown()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
