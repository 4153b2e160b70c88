"""The `webmap` command: init creates and fills the database; serve runs the production server."""
import re
import shlex
import subprocess
import time
import urllib.request
from pathlib import Path

import click
from click.testing import CliRunner
from conftest import fixture_incidents, make_app
from served import webmap_serve

from webmap.cli import main
from webmap.store import BatchInfo, IncidentQuery, get_store

README = Path(__file__).resolve().parents[1] / "README.md"


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


def test_serve_creates_the_database_and_serves_with_waitress(tmp_path):
    """`webmap serve` on a new database file answers `/` with the map, from waitress in a gunicorn worker,
    and with `--access-log` writes a line per request."""
    with webmap_serve(tmp_path, "--workers", "1", "--access-log") as base:
        with urllib.request.urlopen(f"{base}/?type=raid", timeout=10) as response:
            body, headers = response.read().decode(), response.headers
        log = tmp_path / "serve.log"
        deadline = time.monotonic() + 10
        while '"GET /?type=raid HTTP/1.1" 200' not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)  # the worker writes the line just after the answer
    assert "incidents match" in body
    assert headers["Server"] == "waitress"
    assert '"GET /?type=raid HTTP/1.1" 200' in log.read_text()


def test_help_lists_webmap_commands_only():
    """`webmap --help` shows webmap's own commands, not Flask's options such as --app or --version."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "serve", "import", "demo", "users", "tokens", "settings"):
        assert f"  {command} " in result.output
    assert "--app" not in result.output and "Flask" not in result.output and "--version" not in result.output


def test_commands_run_from_the_webmap_command(tmp_path):
    """The installed command finds the app by itself: `webmap init` creates the database DATABASE_URL names."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "WEBMAP_TILES": "none", "WEBMAP_SECRET_KEY": "t"}
    result = CliRunner().invoke(main, ["init", "--no-samples"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli.db").exists() and "created the database" in result.output


def test_demo_remove_takes_away_samples_and_synthetic_incidents_in_one_undoable_batch(tmp_path):
    """`webmap demo --remove` deletes the 19 samples and the synthetic incidents, and nothing else, as one
    recorded batch that an editor can undo; run again, it says there is nothing to remove."""
    app = make_app(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    assert runner.invoke(args=["demo", "--synthetic", "50"]).exit_code == 0
    with app.app_context():
        store = get_store()
        store.add_incidents(fixture_incidents(), BatchInfo(user="analyst"))
        samples = store.count_incidents(IncidentQuery()) - 50 - 7
    removed = runner.invoke(args=["demo", "--remove"])
    assert removed.exit_code == 0 and f"removed {samples + 50} demo incidents" in removed.output
    with app.app_context():
        store = get_store()
        assert sorted(i.id for i in store.query_incidents(IncidentQuery())) == [i.id for i in fixture_incidents()]
        batch = store.list_batches(1)[0]
        assert (batch.user, batch.deleted) == ("webmap demo --remove", samples + 50) and f"batch {batch.id}" in (
            removed.output)
    again = runner.invoke(args=["demo", "--remove"])
    assert again.exit_code == 0 and "no demo incidents" in again.output
    with app.app_context():
        store = get_store()
        assert store.list_batches(1)[0].id == batch.id
        store.undo_batch(batch.id, BatchInfo(user="editor"))
        assert store.count_incidents(IncidentQuery()) == samples + 50 + 7
    assert samples == 19


def test_demo_takes_one_action(tmp_path):
    """`webmap demo` needs --synthetic N or --remove, not both."""
    runner = make_app(tmp_path).test_cli_runner()
    both = runner.invoke(args=["demo", "--remove", "--synthetic", "5"])
    assert both.exit_code == 2 and "either --synthetic N or --remove" in both.output
    assert runner.invoke(args=["demo"]).exit_code == 2


def readme_invocations() -> list[str]:
    """Return the arguments of every `webmap` command the README shows, in code blocks and in inline code."""
    text = README.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            command = line.split("  #")[0]
            bare = re.search(r"(?<![\w./-])webmap\s", command)
            assert bare is None, f"README runs `webmap` where it is .venv/bin/webmap after make: {line!r}"
            found += re.findall(r"\.venv/bin/webmap\s+([^|;&]*)", command)
    found += re.findall(r"`(?:\.venv/bin/)?webmap ([^`]+)`", text)
    return found


def test_readme_commands_exist_with_their_options():
    """Every `webmap` command line in the README names a real command and only options that command has, and the
    code blocks run it as `.venv/bin/webmap`, the way it is installed by `make`."""
    invocations = readme_invocations()
    assert len(invocations) > 20
    for invocation in invocations:
        command, words = main, shlex.split(invocation.replace("[", " ").replace("]", " "))
        while isinstance(command, click.Group) and words and not words[0].startswith("-"):
            if words[0].isupper():  # a placeholder such as COMMAND
                break
            assert words[0] in command.commands, f"README names an unknown command: webmap {invocation}"
            command, words = command.commands[words.pop(0)], words
        options = {"--help", *(name for param in command.params for name in param.opts)}
        for word in words:
            assert not word.startswith("--") or word.split("=")[0] in options, (
                f"README gives {word} to `webmap {invocation}`, which has only {sorted(options)}")


def test_make_alone_installs_and_make_serve_takes_host_and_port():
    """`make` with no target only installs; `make serve` passes HOST and PORT on, and the README documents every
    variable the Makefile takes."""
    root = README.parent
    plain = subprocess.run(["make", "-n"], cwd=root, capture_output=True, text=True, check=True).stdout
    assert "webmap serve" not in plain
    serve = subprocess.run(["make", "-n", "serve", "HOST=0.0.0.0", "PORT=8080"], cwd=root, capture_output=True,
                           text=True, check=True).stdout
    assert ".venv/bin/webmap serve --host 0.0.0.0 --port 8080" in serve
    variables = re.findall(r"^(\w+) \?=", (root / "Makefile").read_text(), re.M)
    assert {"HOST", "PORT"} <= set(variables)
    for name in variables:
        assert f"| `{name}` |" in README.read_text(encoding="utf-8"), f"the README does not document make's {name}"
