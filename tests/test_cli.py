"""The `webmap` command: init creates and fills the database; serve runs the production server."""
import os
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import make_app
from webmap.store import IncidentQuery, get_store


def test_init_creates_database_with_bundled_data(tmp_path):
    """`webmap init` loads the reference layers and the sample incidents, and a rerun changes nothing."""
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0 and "sample incidents" in first.output
    with app.app_context():
        store = get_store()
        layer_ids = [layer.id for layer in store.list_reference_layers()]
        count, version = store.count_incidents(IncidentQuery()), store.data_version()
    assert {"alpha_line", "bravo_line", "area_of_separation", "governorates"} <= set(layer_ids)
    assert 0 < count <= 30
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0 and "ready" in second.output
    with app.app_context():
        assert get_store().count_incidents(IncidentQuery()) == count
        assert get_store().data_version() == version


def test_init_without_samples(tmp_path):
    """`--no-samples` leaves the incidents empty."""
    app = make_app(tmp_path)
    assert app.test_cli_runner().invoke(args=["init", "--no-samples"]).exit_code == 0
    with app.app_context():
        assert get_store().count_incidents(IncidentQuery()) == 0


def _free_port() -> int:
    """Return a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_gunicorn_and_creates_the_database(tmp_path):
    """`webmap serve` on a new database file answers `/` with the map, from gunicorn."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}", "WEBMAP_TILES": "none",
           "WEBMAP_SECRET_KEY": "test"}
    server = subprocess.Popen(
        [sys.executable, "-m", "webmap", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        body, headers = None, None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body, headers = response.read().decode(), response.headers
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, "server did not answer"
        assert "incidents match" in body
        assert "gunicorn" in headers.get("Server", "")
    finally:
        server.terminate()
        server.wait(timeout=10)
