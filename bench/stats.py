"""Statistics benchmark: uncached /stats.json at 100,000 incidents, this tree against another version's.

Each round starts one process per tree (alternating which goes first) on the same database; the process builds
the app, answers each URL once untimed (imports, reference layers), then times each URL with the app's cache of
statistics emptied before every request. The table shows medians over the rounds.

usage: .venv/bin/python bench/stats.py --baseline DIR [--baseline-label TEXT] [--incidents 100000] [--runs 5]
       [--no-write]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from api import OUT, ROOT, log, synthetic_geojson, webmap_database
from results import record_section

URLS = {"unfiltered": "/stats.json", "one month (2025-03)": "/stats.json?start=2025-03-01&end=2025-03-31"}
TIMED_PER_RUN = 3  # requests per URL in each process; the process's median is kept


def time_urls(tree: Path, database: Path) -> dict[str, float]:
    """In this process, time each URL uncached with the webmap of `tree`; return its median seconds per URL."""
    sys.path.insert(0, str(tree))
    from webmap import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "bench", "TILES": "none"}, environ={})
    client = app.test_client()
    found = {}
    for name, url in URLS.items():
        if client.get(url).status_code != 200:
            raise SystemExit(f"{url} failed in {tree}")
        seconds = []
        for _ in range(TIMED_PER_RUN):
            app.extensions["webmap.stats_cache"] = type(app.extensions["webmap.stats_cache"])(1 << 20)
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
            found[name + " total"] = response.get_json()["total"]
        found[name] = statistics.median(seconds)
    return found


def run_tree(tree: Path, database: Path) -> dict[str, float]:
    """Time the URLs in a fresh process running `tree`'s webmap."""
    done = subprocess.run([sys.executable, __file__, "--time-tree", str(tree), "--database", str(database)],
                          check=True, capture_output=True, text=True, cwd=tree)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    """Build the database, time both trees in alternating rounds, print and record the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another webmap version's tree (`git archive COMMIT | tar -x "
                                                      "-C DIR`) timed alongside, with this virtualenv")
    parser.add_argument("--baseline-label", default="baseline", help="how the table names the baseline")
    parser.add_argument("--time-tree", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    if args.time_tree:
        print(json.dumps(time_urls(args.time_tree, args.database)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    database = webmap_database(synthetic_geojson(args.incidents), args.incidents)
    sys.path.insert(0, str(ROOT))
    from webmap.store.sqlite import SQLiteStore

    migrated = SQLiteStore(database)  # to this tree's schema, which an older tree still reads
    migrated.initialize()
    migrated.close()
    trees = {"this tree": ROOT}
    if args.baseline:
        trees[args.baseline_label] = args.baseline.resolve()
    load_before = os.getloadavg()[0]
    times = {name: [] for name in trees}
    for run in range(args.runs):
        order = list(trees) if run % 2 == 0 else list(reversed(trees))
        for name in order:
            log(f"run {run + 1}/{args.runs}: {name}")
            times[name].append(run_tree(trees[name], database))
    load_after = os.getloadavg()[0]
    rows = ["| selection | incidents | " + " | ".join(f"{name} (ms)" for name in trees)
            + (" | ratio |" if len(trees) > 1 else " |"),
            "| --- | ---: | " + " | ".join("---:" for _ in trees) + (" | ---: |" if len(trees) > 1 else " |")]
    for url in URLS:
        medians = [1000 * statistics.median(run[url] for run in times[name]) for name in trees]
        ratio = f" {medians[0] / medians[1]:.3f} |" if len(medians) > 1 else ""
        rows.append(f"| {url} | {times['this tree'][0][url + ' total']:,} | "
                    + " | ".join(f"{m:.0f}" for m in medians) + " |" + ratio)
    table = "\n".join(rows)
    print(table)
    print(f"load average {load_before:.1f} before, {load_after:.1f} after")
    if args.no_write:
        return
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    record_section("Statistics", f"""## Statistics

Measured {stamp} by `bench/stats.py --runs {args.runs}` on {os.cpu_count()} cores (shared; load average
{load_before:.1f} before, {load_after:.1f} after), in-process through Flask's test client, on a SQLite database of
{args.incidents:,} synthetic incidents (`shared/tools/synth_incidents.py`) plus the bundled reference layers. Each
run starts one process per tree, alternating which goes first; each process answers every URL once untimed, then
{TIMED_PER_RUN} times with the app's statistics cache emptied before each request, and keeps its median. The table
gives the medians over the runs; "ratio" is this tree's time over the baseline's ({args.baseline_label}).

{table}
""")


if __name__ == "__main__":
    main()
