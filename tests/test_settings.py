"""Settings: declared once, read from the environment, all documented in the README."""
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from webmap.cli import main
from webmap.core.settings import SETTINGS, settings_from_environ
from webmap.core.tiles import resolve_tiles

from conftest import make_app

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme():
    """The README's settings table has a row for each environment variable the app reads, saying what the
    setting's own help text says (the text `webmap settings` prints)."""
    rows = dict(re.findall(r"^\| `(\w+)` \| .*? \| (.*) \|$", README.read_text(encoding="utf-8"), re.M))
    assert {s.env: rows.get(s.env) for s in SETTINGS} == {s.env: s.help for s in SETTINGS}


def test_settings_command_prints_each_setting_with_its_help(tmp_path):
    """`webmap settings` lists every variable with the value in force and what it means; the key stays secret."""
    app = make_app(tmp_path, SECRET_KEY="do-not-print-me")
    output = app.test_cli_runner().invoke(args=["settings"]).output
    for setting in SETTINGS:
        assert f"{setting.env}=" in output and setting.help in output
    assert "WEBMAP_TILES=none" in output and "do-not-print-me" not in output
    assert "WEBMAP_MAX_UPLOAD_MB=25\n" in output and "WEBMAP_REGION_BBOX=34,29,43,38\n" in output


def test_environment_overrides_defaults():
    """Values come from the environment, parsed; unset ones keep their defaults."""
    config = settings_from_environ({"WEBMAP_TILES": "none", "WEBMAP_MAX_UPLOAD_MB": "2"})
    assert config["TILES"] == "none"
    assert config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert config["INITIAL_VIEW"] == (32.95, 36.15, 9)


def test_vertex_cap_must_be_a_positive_number():
    """WEBMAP_MAX_VERTICES is read as a whole number, and 0 (which would refuse every line) is refused."""
    assert settings_from_environ({})["MAX_VERTICES"] == 10_000
    assert settings_from_environ({"WEBMAP_MAX_VERTICES": "250"})["MAX_VERTICES"] == 250
    with pytest.raises(ValueError, match="at least 1"):
        settings_from_environ({"WEBMAP_MAX_VERTICES": "0"})


@pytest.mark.parametrize("value", ["0", "-5", "2.5", "soon"])
def test_client_timeout_must_be_whole_seconds_above_zero(value):
    """A client timeout that would drop every connection at once, or is not a number, is refused with a reason."""
    with pytest.raises(ValueError, match="whole number of at least 1"):
        settings_from_environ({"WEBMAP_CLIENT_TIMEOUT": value})


@pytest.mark.parametrize("setting, attribution, url", [
    ("none", "", None),
    ("OpenStreetMap", "", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    ("https://tiles.example/{z}/{x}/{y}.png", "© Example", "https://tiles.example/{z}/{x}/{y}.png"),
])
def test_tiles_setting_resolves(setting, attribution, url):
    """`none`, a provider name and a URL template all resolve to the right basemap."""
    tiles = resolve_tiles(setting, attribution)
    assert (tiles.url if tiles else None) == url


@pytest.mark.parametrize("setting, attribution, words", [
    ("NoSuchProvider", "", "no known tile provider"),
    ("https://tiles.example/{z}/{x}/{y}.png", "", "needs WEBMAP_TILES_ATTRIBUTION"),
    ("ftp://tiles.example/{z}/{x}/{y}.png", "x", "must start with http"),
])
def test_bad_tiles_setting_is_refused_with_a_reason(setting, attribution, words):
    """A tiles setting that names nothing usable stops the app with a clear message."""
    with pytest.raises(ValueError, match=words):
        resolve_tiles(setting, attribution)


@pytest.mark.parametrize("value, words", [
    ("500,0,600,10", "'500' is not a number from -180 to 180"),
    ("36,33,35,34", "minx (36) must be below maxx (35)"),
    ("35,33,36", "not four comma-separated numbers"),
])
def test_region_must_be_a_box_on_the_globe(value, words):
    """WEBMAP_REGION_BBOX follows the same rules as every other bounding box: ranges checked, min below max."""
    with pytest.raises(ValueError, match=re.escape(words)):
        settings_from_environ({"WEBMAP_REGION_BBOX": value})


@pytest.mark.parametrize("env, value, words", [
    ("WEBMAP_VIEW", "nonsense", "expected latitude,longitude,zoom"),
    ("WEBMAP_VIEW", "33,36,25", "not a whole number from 0 to 18"),
    ("WEBMAP_VIEW", "95,36,9", "'95' is not a number from -90 to 90"),
    ("WEBMAP_MAX_PAGE_INCIDENTS", "lots", "expected a whole number of at least 1"),
    ("WEBMAP_LOGIN_ATTEMPTS", "-1", "expected a whole number (0 or more)"),
])
def test_a_bad_setting_names_its_variable_and_the_allowed_values(env, value, words):
    """A value that cannot be used is refused when the app starts, naming the variable and what it takes."""
    with pytest.raises(ValueError, match=re.escape(f"{env}: ") + ".*" + re.escape(words)):
        settings_from_environ({env: value})


def test_the_command_says_which_setting_is_wrong_in_one_line(tmp_path):
    """`webmap` with a bad setting exits with one line naming it, not a traceback or a 500 on every page."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "WEBMAP_VIEW": "nonsense"}
    result = CliRunner().invoke(main, ["settings"], env=env)
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: WEBMAP_VIEW: expected latitude,longitude,zoom")
    assert "Traceback" not in result.output
