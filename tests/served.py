"""Running the real `webmap serve` in a subprocess for a test: a free port, a temporary database, readiness by polling."""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

START_SECONDS = 60


def free_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def webmap_serve(folder: Path, *options: str, log_name: str = "serve.log", **env: str):
    """Serve a new database under `folder` (or the DATABASE_URL given) with `webmap serve OPTIONS`, logging to
    `folder / log_name`; yield the base URL once `/about` answers."""
    port = free_port()
    environ = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'served.db'}", "WEBMAP_TILES": "none",
               "WEBMAP_SECRET_KEY": "test", **env}
    log = open(folder / log_name, "wb")
    server = subprocess.Popen([sys.executable, "-m", "webmap", "serve", "--port", str(port), *options],
                              env=environ, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"{base}/about", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (
                    f"webmap serve did not start:\n{(folder / log_name).read_text(errors='replace')}")
                time.sleep(0.1)  # polling for readiness: nothing to wait on but the port
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
