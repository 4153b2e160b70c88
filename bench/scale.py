"""Map at scale: webmap's live map against GeoDataFrame.explore() on the same synthetic incidents.

For 1k, 10k, 100k and 1M incidents it measures, side by side:
  - server time and bytes of the map page (for explore(): the time to build its page);
  - bytes transferred before the map is interactive, split into page + data, the app's own scripts and
    styles, and the front-end libraries (map tiles are off for both);
  - time from navigation start until the incidents are drawn in headless Chromium;
and, to back the design, how long the grid aggregation takes in SQL and over the packed columns.

Databases are generated once (deterministic seed) under bench/out/ and reused; explore() pages are cached
there too. Nothing is loaded from outside: explore()'s CDN assets are replaced by local files.

usage: .venv/bin/python bench/scale.py [--sizes 1000,10000,100000,1000000] [--runs 5]
                                       [--explore-timeout 120] [--explore-max 100000]
needs: pip install -e '.[bench]' (matplotlib and mapclassify, which explore() imports), /usr/bin/chromium
"""
import argparse
import http.server
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webmap import create_app  # noqa: E402
from webmap.cli.demo import load_synthetic  # noqa: E402
from webmap.cli.synthetic import synthetic_incidents  # noqa: E402
from webmap.core.vocabulary import load_vocabulary  # noqa: E402
from webmap.ingest.geodata import prepare_database  # noqa: E402
from webmap.map.aggregate import CELL_PX, approximate_precision, filter_mask, view_data  # noqa: E402
from webmap.map.filters import MapFilters  # noqa: E402
from webmap.store import get_store  # noqa: E402
from webmap.store.sqlite import MIGRATIONS, SQLiteStore  # noqa: E402

OUT = ROOT / "bench" / "out"
CHROMIUM = "/usr/bin/chromium"
SEED = 1974
VIEWPORT = {"width": 1280, "height": 800}
SLOW_DRAW_S = 10  # explore() pages slower than this to draw are measured 3 times, not --runs times
DEFAULT_BBOX = (35.0, 32.0, 37.5, 34.0)  # about what the default view (zoom 9) shows
APP_READY = """() => {
  const map = document.querySelector('.folium-map');
  return map && map.dataset.viewState === 'ready'
    && document.querySelector('.leaflet-marker-icon.webmap-cluster, .leaflet-marker-icon.webmap-incident') !== null;
}"""
EXPLORE_READY = "() => document.readyState === 'complete'"  # its inline script draws everything before load
# explore()'s CDN assets, replaced by local files: Leaflet from node_modules; the rest (jQuery, Bootstrap,
# Font Awesome, awesome-markers) play no part in drawing GeoJSON and become empty files, which only
# makes explore() look faster than it is.
LEAFLET = {"leaflet.js": ROOT / "node_modules/leaflet/dist/leaflet.js",
           "leaflet.css": ROOT / "node_modules/leaflet/dist/leaflet.css"}


def median(values):
    """Return the median, or None for no values."""
    return statistics.median(values) if values else None


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(count: int) -> Path:
    """Return the path of a database holding `count` synthetic incidents, generating it on first use."""
    path = OUT / f"scale-{count}.db"
    marker = path.with_suffix(".ready")
    stamp = f"{count} incidents, seed {SEED}, schema {len(MIGRATIONS)}"
    if path.exists() and marker.exists() and marker.read_text() == stamp:
        return path
    for old in OUT.glob(f"scale-{count}.db*"):
        old.unlink()
    started = time.monotonic()
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "TILES": "none", "SECRET_KEY": "bench"}, environ={})
    with app.app_context():
        prepare_database(with_samples=False)
        load_synthetic(get_store(), count, SEED,
                       lambda done: print(f"  generating {done}/{count}", end="\r", file=sys.stderr))
        get_store().close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    marker.write_text(stamp)
    print(f"\n  built {path.name} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return path


@contextmanager
def webmap_server(database: Path, checkout: Path = ROOT):
    """Run `webmap serve` (gunicorn, 2 workers) of this tree, or of another checkout's package with this
    tree's Python, on the database; yield its base URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "WEBMAP_TILES": "none",
           "WEBMAP_SECRET_KEY": "bench", "PYTHONPATH": str(checkout)}  # ahead of this tree's editable install
    server = subprocess.Popen([sys.executable, "-m", "webmap", "serve", "--port", str(port), "--workers", "2"],
                              cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/about", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()  # gunicorn's master stops its own workers
        server.wait(timeout=30)


@contextmanager
def static_server(folder: Path):
    """Serve a folder over HTTP on loopback in a thread; yield its base URL."""
    handler = partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log every request."""

    def log_message(self, *args):
        pass


def timed_get(url: str) -> tuple[float, int]:
    """Return the seconds and bytes of one GET."""
    started = time.perf_counter()
    body = urllib.request.urlopen(url, timeout=600).read()
    return time.perf_counter() - started, len(body)


def category(url: str) -> str:
    """Say what a request fetched: a front-end library, the app's own static files, or page and data."""
    path = url.split("://", 1)[-1].split("/", 1)[-1]
    if path.startswith("vendor/") or path.startswith("assets/"):
        return "libraries"
    if path.startswith("static/"):
        return "app_static"
    return "page_data"


def browser_load(browser, url: str, ready: str, timeout_s: float) -> dict:
    """Open `url` in a fresh context (empty cache) and wait until `ready` holds; return time and bytes."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    try:
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function(ready, timeout=timeout_s * 1000, polling="raf")
        # One more frame, so what is in the DOM has been painted.
        seconds = page.evaluate("() => new Promise(done => requestAnimationFrame(() => done(performance.now())))") / 1000
        done = list(finished)
        sizes = {"page_data": 0, "app_static": 0, "libraries": 0}
        for request in done:
            size = request.sizes()
            sizes[category(request.url)] += size["responseBodySize"] + size["responseHeadersSize"]
        return {"seconds": seconds, **sizes, "requests": len(done)}
    except Exception as error:  # a timeout is a result here, reported as such
        return {"seconds": None, "error": f"did not finish in {timeout_s:.0f} s" if "Timeout" in str(error) else str(error)}
    finally:
        context.close()


def measure_app(browser, count: int, runs: int) -> dict:
    """Measure webmap's map page and live loading for one database size."""
    database = ensure_database(count)
    with webmap_server(database) as base:
        cold_page = timed_get(base + "/")  # the first request reads the columns into one worker
        cold_browser = browser_load(browser, base + "/", APP_READY, 60)
        pages = [timed_get(base + "/") for _ in range(runs)]
        loads = [browser_load(browser, base + "/", APP_READY, 60) for _ in range(runs)]
        bbox = ",".join(map(str, DEFAULT_BBOX))
        views = [timed_get(f"{base}/map-data/view?bbox={bbox}&zoom=9") for _ in range(runs)]
    ok = [load for load in loads if load["seconds"] is not None]
    return {
        "page_seconds": median([p[0] for p in pages]), "page_bytes": pages[0][1],
        "cold_page_seconds": cold_page[0], "cold_draw_seconds": cold_browser.get("seconds"),
        "view_seconds": median([v[0] for v in views]), "view_bytes": views[0][1],
        "draw_seconds": median([load["seconds"] for load in ok]),
        **{key: median([load[key] for load in ok]) for key in ("page_data", "app_static", "libraries")},
        "failures": [load["error"] for load in loads if load["seconds"] is None],
    }


def explore_frame(count: int):
    """Return the synthetic incidents as the GeoDataFrame someone would pass to explore()."""
    import geopandas
    from shapely.geometry import shape

    rows = []
    for incident in synthetic_incidents(count, SEED):
        props = {k: v for k, v in incident.properties().items() if k not in ("sources", "illustrative", "synthetic")}
        rows.append({"id": incident.id, **props, "sources": "; ".join(incident.sources),
                     "geometry": shape(incident.geometry)})
    return geopandas.GeoDataFrame(rows, crs="EPSG:4326")


def localise(html: str, assets: Path) -> str:
    """Point explore()'s CDN links at local files (Leaflet for real, the rest as empty files)."""
    assets.mkdir(parents=True, exist_ok=True)

    def local(match):
        url = match.group(2)
        name = url.rsplit("/", 1)[-1]
        target = assets / name
        if not target.exists():
            target.write_bytes(LEAFLET[name].read_bytes() if name in LEAFLET else b"")
        return f'{match.group(1)}="assets/{name}"'

    return re.sub(r'(src|href)="(https://[^"]+\.(?:js|css))"', local, html)


def build_explore(count: int) -> dict:
    """Build (or reuse) the explore() page for `count` incidents; return its build time and path."""
    folder = OUT / "explore"
    page = folder / f"explore-{count}.html"
    timing = page.with_suffix(".json")
    if page.exists() and timing.exists():
        return {**json.loads(timing.read_text()), "path": page}
    frame = explore_frame(count)
    frame.head(1).explore().get_root().render()  # imports matplotlib and the rest outside the timing
    started = time.perf_counter()
    html = frame.explore().get_root().render()
    seconds = time.perf_counter() - started
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(localise(html, folder / "assets"), encoding="utf-8")
    timing.write_text(json.dumps({"build_seconds": seconds}))
    return {"build_seconds": seconds, "path": page}


def measure_explore(browser, count: int, runs: int, timeout_s: float) -> dict:
    """Measure explore()'s page for one size: build time, bytes, time to draw (or how long it was given)."""
    built = build_explore(count)
    with static_server(built["path"].parent) as base:
        url = f"{base}/{built['path'].name}"
        loads = [browser_load(browser, url, EXPLORE_READY, timeout_s)]
        if loads[0]["seconds"] is not None:
            more = runs - 1 if loads[0]["seconds"] < SLOW_DRAW_S else min(runs, 3) - 1  # keep the run bounded
            loads += [browser_load(browser, url, EXPLORE_READY, timeout_s) for _ in range(more)]
    ok = [load for load in loads if load["seconds"] is not None]
    return {
        "page_seconds": built["build_seconds"], "page_bytes": built["path"].stat().st_size,
        "draw_seconds": median([load["seconds"] for load in ok]),
        **{key: median([load[key] for load in ok]) for key in ("page_data", "app_static", "libraries")},
        "failures": [load["error"] for load in loads if load["seconds"] is None],
    }


def compare_aggregation(count: int, runs: int) -> dict:
    """Time one grid aggregation of the default view: GROUP BY in SQL (R*Tree bbox) against the columns."""
    database = ensure_database(count)
    cell = 360 / (256 * 2 ** 9) * CELL_PX  # a cell of the zoom-9 grid, in degrees of longitude
    minx, miny, maxx, maxy = DEFAULT_BBOX
    sql = (f"SELECT CAST((minx + maxx) / 2 / {cell} AS INTEGER) AS cx, CAST((miny + maxy) / 2 / {cell} AS INTEGER) AS cy,"
           " count(*), avg((minx + maxx) / 2), avg((miny + maxy) / 2) FROM incident WHERE valid_to IS NULL"
           " AND rowid IN (SELECT rowid FROM incident_rtree WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)"
           " GROUP BY cx, cy")
    conn = sqlite3.connect(database)
    sql_times = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(sql, (maxx, minx, maxy, miny)).fetchall()
        sql_times.append(time.perf_counter() - started)
    conn.close()
    store = SQLiteStore(database)
    started = time.perf_counter()
    points = store.incident_points()
    read = time.perf_counter() - started
    approximate = approximate_precision(load_vocabulary())
    column_times = []
    for _ in range(runs):
        started = time.perf_counter()
        view_data(points, filter_mask(points, MapFilters(), DEFAULT_BBOX), DEFAULT_BBOX, 9, 1000, CELL_PX, approximate)
        column_times.append(time.perf_counter() - started)
    store.close()
    return {"sql_seconds": median(sql_times), "columns_read_seconds": read, "columns_seconds": median(column_times)}


def fmt_seconds(value, failures=()) -> str:
    """Format seconds for the table, or say why there is no number."""
    if value is None:
        return failures[0] if failures else "not measured"
    return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.0f} ms"


def fmt_bytes(value) -> str:
    """Format a byte count in kB or MB."""
    if value is None:
        return "–"
    return f"{value / 1e6:.1f} MB" if value >= 1e6 else f"{value / 1e3:.0f} kB"


def report(results: dict) -> str:
    """Return the results as Markdown tables."""
    lines = [
        "| incidents | app | page: server time | page: bytes | transferred before interactive: page + data / own JS+CSS / libraries | drawn in Chromium |",
        "|---:|---|---:|---:|---|---:|",
    ]
    for count, row in results.items():
        for name in ("webmap", "explore"):
            m = row.get(name)
            if m is None:
                continue
            if "skipped" in m:
                lines.append(f"| {count:,} | explore() | {m['skipped']} | | | |")
                continue
            label = "webmap" if name == "webmap" else "explore() (build time)"
            transferred = " / ".join(fmt_bytes(m.get(k)) for k in ("page_data", "app_static", "libraries"))
            lines.append(f"| {count:,} | {label} | {fmt_seconds(m['page_seconds'])} | {fmt_bytes(m['page_bytes'])} "
                         f"| {transferred} | {fmt_seconds(m['draw_seconds'], m['failures'])} |")
    lines += ["", "| incidents | first page after start (cold) | first draw after start (cold) | /map-data/view, zoom 9 | "
              "grid in SQL (GROUP BY) | read columns (once per data version) | grid over columns |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
    for count, row in results.items():
        m, agg = row["webmap"], row.get("aggregation", {})
        lines.append(f"| {count:,} | {fmt_seconds(m['cold_page_seconds'])} | {fmt_seconds(m['cold_draw_seconds'])} "
                     f"| {fmt_seconds(m['view_seconds'])}, {fmt_bytes(m['view_bytes'])} "
                     f"| {fmt_seconds(agg.get('sql_seconds'))} | {fmt_seconds(agg.get('columns_read_seconds'))} "
                     f"| {fmt_seconds(agg.get('columns_seconds'))} |")
    return "\n".join(lines)


def main() -> None:
    """Run the measurements and print the tables (also saved to bench/out/scale-results.json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explore-timeout", type=float, default=120)
    parser.add_argument("--explore-max", type=int, default=100_000,
                        help="larger sizes skip explore(), whose page would take minutes and hundreds of MB to build")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for count in (int(s) for s in args.sizes.split(",")):
            print(f"{count:,} incidents", file=sys.stderr)
            row = {"webmap": measure_app(browser, count, args.runs),
                   "aggregation": compare_aggregation(count, args.runs)}
            if count <= args.explore_max:
                row["explore"] = measure_explore(browser, count, args.runs, args.explore_timeout)
            else:
                row["explore"] = {"skipped": f"not built: over --explore-max {args.explore_max:,}"}
            results[count] = row
            print(json.dumps(row, default=str), file=sys.stderr)
        browser.close()
    (OUT / "scale-results.json").write_text(json.dumps(results, indent=2, default=str))
    print(report(results))


if __name__ == "__main__":
    main()
