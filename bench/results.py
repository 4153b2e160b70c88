"""Recording one benchmark's section of bench/RESULTS.md, leaving the other sections as they are, and timing."""
import re
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def record_section(title: str, text: str) -> None:
    """Put `text` (which starts with the heading `## title`) in place of that section, or append it."""
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    section = text.strip("\n") + "\n\n"
    new = pattern.sub(lambda _match: section, old, count=1) if pattern.search(old) else f"{old.rstrip()}\n\n{section}"
    RESULTS.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def median_seconds(run, runs: int) -> float:
    """Return the median wall time of `runs` calls."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
