"""Time counting the incidents against every reference layer, as `/layers` shows them, at scale.

Usage: .venv/bin/python bench/layers.py [--sizes 100000 1000000] [--runs 5] [--no-write]

Builds a SQLite database per size under bench/out/ (the bundled reference layers and N synthetic incidents,
as `webmap demo --synthetic N` loads them; kept for later runs), then times, in a Flask app on it, what
a visit to `/layers` computes: the count against each layer, the first visit after a change of data
(the incidents' columns already read, as the map's first request leaves them) and the visits after it.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from results import record_section

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webmap import create_app  # noqa: E402
from webmap.analysis.positions import ReferencePositioner  # noqa: E402
from webmap.analysis.within import count_within  # noqa: E402
from webmap.cli.demo import load_synthetic  # noqa: E402
from webmap.core.vocabulary import load_vocabulary  # noqa: E402
from webmap.ingest.geodata import LAYERS_BATCH, read_reference_layers  # noqa: E402
from webmap.store import get_store  # noqa: E402
from webmap.store.sqlite import SQLiteStore  # noqa: E402
from webmap.views.layers import layer_counts  # noqa: E402

OUT = ROOT / "bench" / "out"


def database(size: int) -> Path:
    """Return a database of `size` synthetic incidents and the bundled layers, building it on first use."""
    path = OUT / f"layers_{size}.db"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        store = SQLiteStore(path.with_suffix(".part"))
        store.initialize()
        store.set_positioner(ReferencePositioner(load_vocabulary()))
        store.put_reference_layers(read_reference_layers(), LAYERS_BATCH)
        load_synthetic(store, size, 1)
        store.wait_for_checkpoints()
        store.close()
        path.with_suffix(".part").rename(path)
    return path


def measure(size: int, runs: int) -> dict:
    """Return the median seconds (wall, CPU) of the first visit after a change and of the visits after it."""
    app = create_app({"DATABASE_URL": f"sqlite:///{database(size)}", "TESTING": True, "SECRET_KEY": "bench",
                      "TILES": "none"}, environ={})
    before, first, later = [], [], []
    with app.app_context():
        store = get_store()
        store.incident_points()
        for _ in range(runs):  # before: what every visit computed
            start, start_cpu = time.perf_counter(), time.process_time()
            for layer in store.list_reference_layers():
                count_within(store, layer)
            before.append((time.perf_counter() - start, time.process_time() - start_cpu))
        for _ in range(runs):
            app.extensions["webmap.layer_counts"].clear()  # as a new data version would
            for times in (first, later):
                start, start_cpu = time.perf_counter(), time.process_time()
                counts = layer_counts(store)
                times.append((time.perf_counter() - start, time.process_time() - start_cpu))
    return {"size": size, "layers": len(counts), "load": os.getloadavg()[0],
            "before": tuple(statistics.median(t[i] for t in before) for i in (0, 1)),
            "first": tuple(statistics.median(t[i] for t in first) for i in (0, 1)),
            "later": tuple(statistics.median(t[i] for t in later) for i in (0, 1))}


def main() -> None:
    """Time the counts at each size; print the table and record it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        r = measure(size, args.runs)
        rows.append(f"| {size:,} | {r['layers']} | {r['before'][0] * 1000:.0f} | {r['before'][1] * 1000:.0f} "
                    f"| {r['first'][0] * 1000:.0f} | {r['first'][1] * 1000:.0f} | {r['later'][0] * 1000:.2f} "
                    f"| {r['later'][1] * 1000:.2f} | {r['load']:.1f} |")
        print(rows[-1], flush=True)
    if args.no_write:
        return
    record_section("Layer counts", "\n".join([
        "## Layer counts",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `bench/layers.py --runs {args.runs}` on "
        f"{os.cpu_count()} cores (shared; the load average at the end of each size is in the table). `/layers` "
        "shows, per reference layer, how many live incidents lie against it. *Before*: each visit counted every "
        "layer again, projecting the incidents once per layer (`count_within` per layer, as the page did). "
        "*First*: the first visit after a change of data (a new data version), which now projects the incidents "
        "once for all layers; *later*: every other visit, answered from the counts kept for that data version. "
        "The incidents' columns are read before timing (the map's first request reads them). Medians of the runs, "
        "in milliseconds, wall and CPU.",
        "",
        "| incidents | layers | before wall | before CPU | first wall | first CPU | later wall | later CPU | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]))


if __name__ == "__main__":
    main()
