"""What flagging possible duplicates adds to an import: bench/ingest.py's whole import (validate and commit) of
the same synthetic file into a fresh database, with the default thresholds and with flagging off, interleaved;
and, inside the imports with flagging on, the CPU time of the flagging itself (less disturbed by a loaded
machine than the difference of two totals).

usage: .venv/bin/python bench/duplicates.py [--size 100000] [--runs 5] [--no-write]
"""
import argparse
import os
import statistics
import time
from datetime import datetime, timezone

from ingest import prepare_layers, synthetic_file, webmap_import
from results import record_section

from webmap.store.sqlite import SQLiteStore

GOAL = 0.05  # at most 5% more CPU time for the whole import


def main() -> None:
    """Run both imports `runs` times, interleaved, print the medians and record them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    path = synthetic_file(args.size)
    load_before = os.getloadavg()[0]
    prepare_layers()
    times = {True: [], False: []}
    flagged = []  # CPU seconds inside the flagging, per import with flagging on
    flag_rows = SQLiteStore._flag_rows

    def timed_flag_rows(store, *args, **kwargs):
        started = time.process_time()
        try:
            return flag_rows(store, *args, **kwargs)
        finally:
            flagged[-1] += time.process_time() - started

    SQLiteStore._flag_rows = timed_flag_rows
    for _ in range(args.runs):
        for flagging in (False, True):
            flagged.append(0.0)
            times[flagging].append(webmap_import(path, args.size, duplicates=flagging))
    flagging_cpu = statistics.median(flagged[1::2])

    def median(flagging: bool, phase: str, clock: int) -> float:
        return statistics.median(run[phase][clock] for run in times[flagging])

    rows = ["| import of | clock | commit, flagging off s | commit, flagging on s | total, flagging off s "
            "| total, flagging on s | total added |", "|---|---|---:|---:|---:|---:|---:|"]
    for clock, name in ((1, "CPU"), (0, "wall")):
        off, on = median(False, "webmap", clock), median(True, "webmap", clock)
        rows.append(f"| {args.size:,} | {name} | {median(False, 'commit', clock):.2f} | "
                    f"{median(True, 'commit', clock):.2f} | {off:.2f} | {on:.2f} | {(on - off) / off:+.1%} |")
    share = flagging_cpu / median(True, "webmap", 1)
    verdict = "met" if share <= GOAL else "NOT met"
    rows.append("")
    rows.append(f"Inside the imports with flagging on, the flagging itself took a median {flagging_cpu:.3f} s of CPU "
                f"time: {share:.1%} of the whole import's.")
    result = "\n".join(rows)
    print(result)
    print(f"goal (flagging at most {GOAL:.0%} of the import's CPU time): {verdict} ({share:.1%})")
    if args.no_write:
        return
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    record_section("Duplicates", f"""## Duplicates

Measured {when} with `bench/duplicates.py --runs {args.runs}` on {os.cpu_count()} cores (load average
{load_before:.1f} before, {os.getloadavg()[0]:.1f} after; the machine is shared, so the CPU times are the ones to
compare). Medians of {args.runs} interleaved runs of `bench/ingest.py`'s whole import of the same synthetic file
into a fresh database: once with the default thresholds (1 day, 2 km), once with flagging off.

{result}

Goal: flagging takes at most {GOAL:.0%} of the import's CPU time: **{verdict}** ({share:.1%}). On a machine this
loaded, the difference of the two totals is within their noise; the time measured inside the flagging is the
number to read.

How it stays cheap: the new incidents and the live ones that could pair with them (same types, days close
enough, read from the covering index) go into a grid of cells as wide as the distance, by event type and by
time bins a day wider than the days allowed; each entry's neighbouring cells are found with numpy's binary
search over the sorted cell keys, and only the candidates that pass the day test get a haversine distance
(`webmap/core/duplicates.py`). The pairs are written with one `executemany` in the import's transaction.
""")


if __name__ == "__main__":
    main()
