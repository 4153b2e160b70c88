"""Embeds at scale: bytes transferred and draw time of `/embed` at 1k, 100k and 1M synthetic incidents.

For each size, `webmap serve` (2 workers, tiles off) runs on the same generated database (bench/out/, shared
with bench/scale.py) and headless Chromium opens the embed in a fresh context (empty cache) at 1280x800,
`--runs` times. It counts every byte received (headers and compressed bodies of the page, its scripts, styles,
Leaflet and the /map-data answers) and the time from navigation start to the frame after the incidents are
drawn. The embed is the one the share dialog makes by default: three event types, fitted to the box of the
matching incidents. With `--baseline DIR`, the same is measured side by side for the `webmap` package of
another checkout (such as the last commit that put an embed's incidents in its page; with node_modules), run
by this tree's Python.

usage: .venv/bin/python bench/embed_scale.py [--sizes 1000,100000,1000000] [--runs 5]
                                             [--baseline DIR [--baseline-label TEXT]]
needs: /usr/bin/chromium
"""
import argparse
import json
import os
import sys
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import record_section  # noqa: E402
from scale import CHROMIUM, ROOT, browser_load, ensure_database, median, webmap_server  # noqa: E402

FILTERS = {"type": "airstrike,shelling,incursion"}
# Drawn: this tree's embed says so on its map; an embed with its incidents in the page has drawn them once the
# page has loaded.
READY = """() => {
  const map = document.querySelector('.leaflet-container');
  if (!map) { return false; }
  return map.getAttribute('data-view-state') === 'ready' || (document.readyState === 'complete' && !window.webmapLive);
}"""


def fitted_embed(base: str) -> str:
    """Return the address of the embed fitted to the matching incidents (their box from this tree's summary)."""
    with urllib.request.urlopen(f"{base}/map-data/summary?{urlencode(FILTERS)}", timeout=600) as answer:
        bounds = json.load(answer)["bounds"]
    return f"{base}/embed?{urlencode({**FILTERS, 'bbox': ','.join(map(str, bounds))})}"


def measure(browser, checkout: Path, database: Path, url_path: str, runs: int) -> dict:
    """Open the embed `runs` times (after one warm-up that fills the server's caches); return medians."""
    with webmap_server(database, checkout) as base:
        url = base + url_path
        browser_load(browser, url, READY, 300)
        loads = [browser_load(browser, url, READY, 300) for _ in range(runs)]
    ok = [load for load in loads if load["seconds"] is not None]
    total = [load["page_data"] + load["app_static"] + load["libraries"] for load in ok]
    return {"bytes": median(total), "page_data": median([load["page_data"] for load in ok]),
            "seconds": median([load["seconds"] for load in ok]),
            "failures": [load["error"] for load in loads if load["seconds"] is None]}


def kb(value) -> str:
    """Format bytes as kB."""
    return "—" if value is None else f"{value / 1000:,.0f} kB"


def report(results: dict, runs: int, baseline: str | None) -> str:
    """Return the RESULTS.md section: method, then one row per size."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    lines = [
        "## Embeds at scale", "",
        f"Measured {when} by `bench/embed_scale.py --runs {runs}` on this 2-core machine (shared; load average "
        f"{load:.1f} at the end). `webmap serve` (2 workers, tiles off) on a SQLite database of N synthetic "
        "incidents (`bench/out/`, as for bench/scale.py); headless Chromium opens "
        f"`/embed?type={FILTERS['type']}&bbox=…` (fitted to the matching incidents' box, the share dialog's "
        "default) at 1280×800 in a fresh context (empty cache), after one warm-up load. *Bytes*: everything "
        "received (headers and compressed bodies: page, scripts, styles, Leaflet, /map-data answers); *page + "
        "data*: the embed page and its /map-data answers alone; *drawn*: navigation start to the frame after "
        "the incidents are on the map. Medians of the runs.", "",
    ]
    if baseline:
        lines += [f"Baseline: `webmap serve` of {baseline}, whose embed carried its incidents in the page (at most "
                  "5,000, the oldest first), measured the same way right after.", ""]
    header = "| incidents | bytes | page + data | drawn (s) |"
    rule = "| ---: | ---: | ---: | ---: |"
    if baseline:
        header += " baseline bytes | baseline drawn (s) |"
        rule += " ---: | ---: |"
    lines += [header, rule]
    for count, row in results.items():
        new, old = row["new"], row.get("old")
        cells = [f"{count:,}", kb(new["bytes"]), kb(new["page_data"]),
                 "—" if new["seconds"] is None else f"{new['seconds']:.2f}"]
        if old:
            cells += [kb(old["bytes"]), "—" if old["seconds"] is None else f"{old['seconds']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    sizes = list(results)
    first, last = results[sizes[0]]["new"]["bytes"], results[sizes[-1]]["new"]["bytes"]
    if first and last:
        lines += ["", f"Bytes at {sizes[-1]:,} against {sizes[0]:,} incidents: {last / first:.2f}× "
                      "(the goal: within 20%)."]
    failures = [f for row in results.values() for side in row.values() for f in side["failures"]]
    if failures:
        lines += ["", "Failed loads: " + "; ".join(failures)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="a checkout (with node_modules) to measure side by side")
    parser.add_argument("--baseline-label", default="the baseline tree", help="how RESULTS.md names the baseline")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for count in (int(n) for n in args.sizes.split(",")):
            database = ensure_database(count)
            with webmap_server(database) as base:
                path = fitted_embed(base)[len(base):]
            results[count] = {"new": measure(browser, ROOT, database, path, args.runs)}
            if args.baseline:
                results[count]["old"] = measure(browser, args.baseline, database, path, args.runs)
            print(count, results[count], file=sys.stderr)
        browser.close()
    text = report(results, args.runs, args.baseline_label if args.baseline else None)
    print(text)
    record_section("Embeds at scale", text)


if __name__ == "__main__":
    main()
