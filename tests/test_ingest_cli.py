"""`webmap import`: the whole pipeline into the store, all or nothing, and the bundled samples on the same rules."""
import json

from ingest_helpers import UPLOADS, collection, feature

from webmap.ingest.geodata import read_sample_incidents
from webmap.store import IncidentQuery, get_store


def _run(app, *args):
    """Run `webmap import` with these arguments; return the click result."""
    return app.test_cli_runner().invoke(args=["import", *map(str, args)])


def _count(app) -> int:
    """Return how many live incidents the store holds."""
    with app.app_context():
        return get_store().count_incidents(IncidentQuery())


def _hundred(tmp_path, last_date="2025-01-05"):
    """Write 100 valid features (the last one with `last_date`) to a file; return its path."""
    features = [feature(n) for n in range(100)]
    features[99]["properties"]["date"] = last_date
    path = tmp_path / "hundred.geojson"
    path.write_text(collection(*features))
    return path


def test_import_writes_and_reports_one_batch(app, tmp_path):
    result = _run(app, _hundred(tmp_path), "--user", "editor-a")
    assert result.exit_code == 0, result.output
    assert "inserted 100, updated 0, unchanged 0 (batch " in result.output
    assert _count(app) == 100
    with app.app_context():
        batch = get_store().list_batches(limit=1)[0]
    assert (batch.user, batch.filename, batch.inserted) == ("editor-a", "hundred.geojson", 100)


def test_same_file_twice_leaves_everything_unchanged(app):
    first = _run(app, UPLOADS / "acled_layout.csv")
    second = _run(app, UPLOADS / "acled_layout.csv")
    assert "inserted 4," in first.output
    assert "inserted 0, updated 0, unchanged 4" in second.output
    assert _count(app) == 4


def test_only_the_last_feature_bad_writes_nothing(app, tmp_path):
    result = _run(app, _hundred(tmp_path, last_date="not a date"))
    assert result.exit_code == 1
    assert "1 problem in 1 of 100 features; nothing was imported." in result.output
    assert "feature 99, properties.date: \"not a date\" is not a date" in result.output
    assert _count(app) == 0


def test_every_error_is_printed_one_per_line(app):
    result = _run(app, UPLOADS / "broken_features.geojson")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("feature ")]
    assert [line.split(",")[0] for line in lines] == [f"feature {n}" for n in range(1, 14)]
    assert _count(app) == 0


def test_unparseable_file_exits_non_zero(app):
    result = _run(app, UPLOADS / "broken_truncated.geojson")
    assert result.exit_code == 1
    assert "not valid GeoJSON" in result.output


def test_dry_run_reports_and_writes_nothing(app, tmp_path):
    path = _hundred(tmp_path)
    result = _run(app, path, "--dry-run")
    assert result.exit_code == 0
    assert "dry run, nothing written: would insert 100, update 0, leave 0 unchanged" in result.output
    assert _count(app) == 0


def test_changed_feature_is_updated(app, tmp_path):
    path = tmp_path / "one.geojson"
    path.write_text(collection(feature(title="First report")))
    _run(app, path)
    path.write_text(collection(feature(title="Corrected report")))
    assert "inserted 0, updated 1, unchanged 0" in _run(app, path).output
    with app.app_context():
        assert get_store().get_incident("f-0").title == "Corrected report"


def test_region_setting_is_used(tmp_path):
    from conftest import make_app

    app = make_app(tmp_path, REGION_BBOX=(0.0, 0.0, 1.0, 1.0))
    path = tmp_path / "one.geojson"
    path.write_text(collection(feature()))
    result = _run(app, path)
    assert result.exit_code == 1
    assert "REGION_BBOX 0,0,1,1" in result.output


def test_bundled_samples_pass_the_import_rules():
    samples = read_sample_incidents()
    assert len(samples) == len(json.loads((UPLOADS.parents[2] / "geodata" / "sample_incidents.geojson")
                                          .read_text())["features"])
    assert all(s.id.startswith("sample-") and s.extra.get("illustrative") is True for s in samples)
