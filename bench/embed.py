#!/usr/bin/env python3
"""Embed throughput: requests/s and p99 latency of /embed under `wrk`, against `webmap serve`.

Three cases, each for a bounded time on loopback only: a live embed (full HTML), a revalidation
(If-None-Match with the current ETag, answered 304) and a pinned embed (full HTML, `as_of=`).
The database is a temporary SQLite file with the bundled sample plus synthetic incidents.

usage: .venv/bin/python bench/embed.py [--incidents 1000] [--duration 10] [--connections 32] [--workers 2]
       [--threads 4] [--runs 3] [--baseline DIR [--baseline-label TEXT]] [--no-record]
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from email.message import Message
from pathlib import Path

from results import RESULTS, record_section

ROOT = Path(__file__).resolve().parent.parent
SYNTH = ROOT.parent / "shared" / "tools" / "synth_incidents.py"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}  # what browsers and CDNs send
VIEW = "type=airstrike,incursion,raid&layers=alpha_line,bravo_line,area_of_separation&lat=33.1&lon=35.9&zoom=10"


def require_wrk() -> str:
    """Return the path of wrk, or stop with how to install it."""
    path = shutil.which("wrk")
    if not path:
        sys.exit("bench/embed.py needs the wrk load generator: apt-get install -y wrk")
    return path


def free_port() -> int:
    """Return a free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(folder: Path, incidents: int) -> tuple[str, int]:
    """Create the database (bundled data + synthetic incidents), then change it once; return URL and pin."""
    sys.path.insert(0, str(ROOT))
    from webmap import create_app
    from webmap.core.model import Incident
    from webmap.ingest.geodata import prepare_database as init
    from webmap.store import BatchInfo, get_store

    synthetic = folder / "synthetic.geojson"
    subprocess.run([sys.executable, str(SYNTH), str(incidents), "--out", str(synthetic)], check=True)
    url = f"sqlite:///{folder / 'webmap.db'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, environ={})
    with app.app_context():
        init(with_samples=True)
        store = get_store()
        features = json.loads(synthetic.read_text())["features"]
        store.add_incidents([Incident.from_feature(f) for f in features], BatchInfo(user="bench"))
        pinned = store.data_version()
        store.delete_incidents([f["id"] for f in features[:10]], BatchInfo(user="bench"))
        store.close()
    return url, pinned


def start_server(database_url: str, port: int, workers: int, threads: int,
                 checkout: Path | None = None) -> subprocess.Popen:
    """Start `webmap serve` (from `checkout` instead of this tree if given) and wait until it answers."""
    env = {**os.environ, "DATABASE_URL": database_url, "WEBMAP_SECRET_KEY": "bench"}
    if checkout:
        env["PYTHONPATH"] = str(checkout)  # its webmap package comes before the one installed here
    command = [str(ROOT / ".venv" / "bin" / "webmap"), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--threads", str(threads)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/about", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("webmap serve did not start")


def fetch(url: str, headers: dict | None = None) -> tuple[int, Message, int]:
    """GET a URL; return status, headers (names in any case) and body size as sent (304 is not an error here)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, 0


def wrk(wrk_path: str, url: str, seconds: int, connections: int, headers: dict) -> dict:
    """Run wrk against one URL; return requests/s, p99 latency (ms) and error counts."""
    command = [wrk_path, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Socket errors: (.*)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "load": os.getloadavg()[0],
            "p99_ms": float(p99.group(1)) * scale,
            "errors": (errors.group(1) if errors else "none") + (f"; {bad.group(1)} non-2xx/3xx" if bad else "")}


def _met(goal: str, rps: float) -> str:
    """Say whether a "≥ N/s" goal was reached."""
    if not goal:
        return ""
    return "yes" if rps >= float(re.sub(r"[^\d.]", "", goal)) else "no"


def write_results(rows: list[dict], args, body_bytes: int, gzip_bytes: int) -> None:
    """Replace the "## Embeds" section of bench/RESULTS.md with these numbers and the method."""
    baseline = f" and, alongside, the same command from {args.baseline_label}" if args.baseline else ""
    lines = [
        "## Embeds", "",
        f"Measured {date.today().isoformat()} by `bench/embed.py` on this 2-core machine (shared, noisy): "
        f"`webmap serve --workers {args.workers} --threads {args.threads}`{baseline}, "
        f"on a temporary SQLite database with the bundled sample plus {args.incidents} synthetic incidents, "
        f"loaded with `wrk -t2 -c{args.connections} -d{args.duration}s` on loopback (wrk shares the 2 cores). "
        f"Each URL is requested a few times first so every worker has rendered it once. The embed shows "
        f"three event types and three reference layers (`{VIEW}`): {body_bytes // 1024} KiB of HTML, "
        f"{gzip_bytes // 1024} KiB gzipped. Each case ran {args.runs} times"
        + (", alternating which server went first" if args.baseline else "")
        + f"; the table gives medians. Load average before the run: {args.load}.",
        "",
        "| case | requests/s | p99 latency (ms) |" + (" baseline requests/s | ratio |" if args.baseline else "")
        + " goal | met | load after | errors |",
        "| --- | ---: | ---: |" + (" ---: | ---: |" if args.baseline else "") + " --- | --- | ---: | --- |",
    ]
    for r in rows:
        versus = f" {r['baseline_rps']:.0f} | {r['rps'] / r['baseline_rps']:.2f} |" if args.baseline else ""
        lines.append(f"| {r['case']} | {r['rps']:.0f} | {r['p99_ms']:.1f} |{versus} {r['goal']} | {r['met']} "
                     f"| {r['load']:.1f} | {r['errors']} |")
    lines += ["", "Live embeds are served from each worker's in-process cache of rendered HTML (keyed by the "
              "normalised parameters and the data version); revalidations are answered from the data version "
              "and the parameters alone, without touching that cache or Folium. The last row is Flask serving "
              "a 300-byte static file through the same server at the same moment: the floor of a request on "
              "this machine, against which the revalidation rate should be read. \"load after\" is the median "
              "1-minute load average when the case's runs ended (other work shares the machine); \"errors\" "
              "are those of the last run.", ""]
    record_section("Embeds", "\n".join(lines))


def prepare_server(port: int, pinned: int, args) -> dict:
    """Warm a running server (every worker renders each page) and return its cases: name, URL, headers, goal."""
    live = f"http://127.0.0.1:{port}/embed?{VIEW}"
    pinned_url = f"{live}&as_of={pinned}"
    for url in (live, pinned_url):
        for headers in ({}, GZIP):
            for _ in range(args.workers * args.threads * 2):
                assert fetch(url, headers)[0] == 200, url
    etag = fetch(live, GZIP)[1]["ETag"]
    assert fetch(live, {**GZIP, "If-None-Match": etag})[0] == 304
    return {"live embed, gzip (200)": (live, GZIP, "≥ 500/s"),
            "live embed, plain (200)": (live, {}, "≥ 500/s"),
            "revalidation (304)": (live, {**GZIP, "If-None-Match": etag}, "≥ 2,000/s"),
            "pinned embed, gzip (200)": (pinned_url, GZIP, ""),
            "reference: static file (200)": (f"http://127.0.0.1:{port}/static/favicon.svg", GZIP, "")}


def measure(wrk_path: str, servers: dict[str, dict], args) -> dict[tuple[str, str], list[dict]]:
    """Run every case `args.runs` times on every server, case by case, alternating which server goes first."""
    results = {}
    names = list(servers)
    for run in range(args.runs):
        for case in servers[names[0]]:
            for name in (names if run % 2 == 0 else names[::-1]):
                url, headers, _goal = servers[name][case]
                results.setdefault((name, case), []).append(
                    wrk(wrk_path, url, args.duration, args.connections, headers))
    return results


def summarise(results: dict, servers: dict[str, dict]) -> list[dict]:
    """Turn the runs into one row per case: medians, the last run's errors, and the baseline's median if any."""
    rows = []
    for case, (_url, _headers, goal) in servers["webmap"].items():
        runs = results[("webmap", case)]
        row = {"case": case, "goal": goal, "rps": statistics.median(r["rps"] for r in runs),
               "p99_ms": statistics.median(r["p99_ms"] for r in runs),
               "load": statistics.median(r["load"] for r in runs), "errors": runs[-1]["errors"]}
        if "baseline" in servers:
            row["baseline_rps"] = statistics.median(r["rps"] for r in results[("baseline", case)])
        rows.append({**row, "met": _met(goal, row["rps"])})
    return rows


def main() -> None:
    """Build the database, start the server (and the baseline's), load them with wrk and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000, help="synthetic incidents to add")
    parser.add_argument("--duration", type=int, default=10, help="seconds per case")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--runs", type=int, default=3, help="runs of each case; the table gives medians")
    parser.add_argument("--baseline", type=Path,
                        help="another webmap version's tree (`git archive COMMIT | tar -x -C DIR`, with a link to "
                             "node_modules) whose server is measured alongside, on the same database, with this "
                             "virtualenv")
    parser.add_argument("--baseline-label", default="the baseline tree", help="how RESULTS.md names the baseline")
    parser.add_argument("--no-record", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    wrk_path = require_wrk()
    args.load = f"{os.getloadavg()[0]:.1f}"
    checkouts = {"webmap": None, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    with tempfile.TemporaryDirectory() as folder:
        database_url, pinned = prepare_database(Path(folder), args.incidents)
        processes = []
        try:
            servers = {}
            for name, checkout in checkouts.items():
                port = free_port()
                processes.append(start_server(database_url, port, args.workers, args.threads, checkout))
                servers[name] = prepare_server(port, pinned, args)
            live = servers["webmap"]["live embed, plain (200)"][0]
            live_bytes, gzip_bytes = fetch(live)[2], fetch(live, GZIP)[2]
            rows = summarise(measure(wrk_path, servers, args), servers)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
    print(f"{'case':<30} {'req/s':>8} {'p99 ms':>8} {'baseline':>9} {'goal':>10} {'met':>4} {'load':>5}  errors")
    for row in rows:
        print(f"{row['case']:<30} {row['rps']:>8.0f} {row['p99_ms']:>8.1f} {row.get('baseline_rps', 0):>9.0f} "
              f"{row['goal']:>10} {row['met']:>4} {row['load']:>5.1f}  {row['errors']}")
    if not args.no_record:
        write_results(rows, args, live_bytes, gzip_bytes)
        print(f"recorded in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
