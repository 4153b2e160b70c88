"""Map images: /map.png (and /map.pdf) render time at 100,000 synthetic incidents, cold (first render in a
process) and cached.

Runs in-process through Flask's test client, so the times are the app's own (parameters, columns, drawing,
PNG encoding, the cache), without a network. Each run builds a new app, so the first request of a run finds
an empty image cache, as the first reader after an upload does; the incident columns are read before it,
as `webmap serve` reads them when a worker starts. Goals: under 1 s cold, under 20 ms cached.

    .venv/bin/python bench/image.py [--count 100000] [--runs 5]
"""
import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from results import record_section  # noqa: E402
from scale import ensure_database  # noqa: E402

from webmap import create_app  # noqa: E402
from webmap.store import get_store  # noqa: E402

CASES = {  # name: path and query
    "social card 1200×630, default view": "/map.png",
    "social card, airstrikes in 2025, ar": "/map.png?type=airstrike&start=2025-01-01&end=2025-12-31&lang=ar",
    "article 1600×900, bbox": "/map.png?bbox=35.6,32.6,36.4,33.4&width=1600&height=900",
    "print A5 300 dpi 2480×1748": "/map.png?width=2480&height=1748",
    "PDF, A4 landscape 300 dpi 3508×2480": "/map.pdf",
}
COLD_GOAL_S, CACHED_GOAL_S = 1.0, 0.020


def timed(client, url: str, **headers) -> tuple[float, int]:
    """Return the seconds one GET took and its status."""
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    return time.perf_counter() - started, response.status_code


def measure(database: Path, runs: int) -> dict:
    """Time each case cold, cached and revalidated, `runs` times with a fresh app each; return medians."""
    times = {name: {"cold": [], "cached": [], "304": []} for name in CASES}
    for _ in range(runs):
        for name, url in CASES.items():
            app = create_app({"DATABASE_URL": f"sqlite:///{database}", "TILES": "none", "SECRET_KEY": "bench"},
                             environ={})
            with app.app_context():
                get_store().incident_points()
            client = app.test_client()
            cold, status = timed(client, url)
            assert status == 200, (url, status)
            cached = [timed(client, url)[0] for _ in range(5)]
            etag = client.get(url).headers["ETag"]
            revalidated, status = timed(client, url, **{"If-None-Match": etag})
            assert status == 304
            times[name]["cold"].append(cold)
            times[name]["cached"].append(statistics.median(cached))
            times[name]["304"].append(revalidated)
            app.extensions["webmap.store"].close()
    return {name: {kind: statistics.median(values) for kind, values in kinds.items()} for name, kinds in times.items()}


def report(results: dict, count: int, runs: int, load: tuple[float, float]) -> str:
    """Return the RESULTS.md section."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = []
    for name, medians in results.items():
        met = "yes" if medians["cold"] < COLD_GOAL_S and medians["cached"] < CACHED_GOAL_S else "no"
        rows.append(f"| {name} | {medians['cold'] * 1000:.0f} | {medians['cached'] * 1000:.1f} | "
                    f"{medians['304'] * 1000:.1f} | {met} |")
    return "\n".join([
        "## Map image",
        "",
        f"Measured {when} by `bench/image.py --count {count} --runs {runs}` on this 2-core machine (shared; load "
        f"average {load[0]:.1f} before, {load[1]:.1f} after), in-process through Flask's test client, on a SQLite "
        f"database of {count:,} synthetic incidents plus the bundled reference layers. Each run builds a new app "
        "(an empty image cache) and reads the incident columns first, as a `webmap serve` worker does when it "
        "starts; *cold* is the first request of a URL (parameters, filtering and clustering the columns, drawing, "
        "PNG or PDF encoding), *cached* the median of the next five (the same bytes from the process's cache), *304* "
        f"a request with the current ETag. Medians of {runs} runs, in milliseconds. Goals: cold under "
        f"{COLD_GOAL_S * 1000:.0f} ms, cached under {CACHED_GOAL_S * 1000:.0f} ms.",
        "",
        "| image | cold (ms) | cached (ms) | 304 (ms) | goals met |",
        "| --- | ---: | ---: | ---: | --- |",
        *rows,
    ])


def main() -> None:
    """Build (or reuse) the database, measure, print and record the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    database = ensure_database(args.count)
    before = os.getloadavg()[0]
    results = measure(database, args.runs)
    text = report(results, args.count, args.runs, (before, os.getloadavg()[0]))
    print(text)
    record_section("Map image", text)


if __name__ == "__main__":
    main()
