"""The bundled reference layers in geodata/: reproducible from shared/data and true to the layer contract."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shapely.geometry import shape

REPO = Path(__file__).resolve().parents[1]
GEODATA = REPO / "geodata"
SCRIPT = REPO / "scripts" / "build_geodata.py"
SOURCE = REPO.parent / "shared" / "data"
HANDWRITTEN = {"PROVENANCE.md"}

LAYER_KEYS = {"id", "title", "file", "geometry_kind", "group", "approximate", "source", "source_url",
              "licence", "attribution", "precision", "shown_by_default", "style"}
LAYER_IDS = ["countries", "golan_heights", "governorates", "areas_of_limitation", "area_of_separation",
             "alpha_line", "bravo_line", "towns"]
GROUPS = {"agreement_1974", "admin", "context", "towns"}
GEOMETRY_TYPES = {"polygon": {"Polygon", "MultiPolygon"}, "line": {"LineString", "MultiLineString"},
                  "point": {"Point", "MultiPoint"}}
STYLE_KEYS = {"color", "weight", "opacity", "fillColor", "fillOpacity"}
REGION = (33.0, 29.0, 39.5, 37.5)  # lon/lat box every layer but the governorates must fit in
SYRIA = (35.5, 32.3, 42.5, 37.4)  # the governorates cover all of Syria, which reaches 42.4E
SOUTHERN_GOVERNORATES = {"As-Sweida": "السويداء", "Dar'a": "درعا", "Quneitra": "القنيطرة",
                         "Rural Damascus": "ريف دمشق"}
EVENT_TYPES = {"airstrike", "shelling", "incursion", "raid", "arrest", "outpost", "demolition", "clash",
               "other"}
INCIDENT_KEYS = {"date", "end_date", "event_type", "title", "description", "location_name", "sources",
                 "precision", "verification", "illustrative"}
TOWN_DISTANCE_DEG = 0.02


def load(name: str) -> dict:
    """Read a committed geodata file."""
    return json.loads((GEODATA / name).read_text(encoding="utf-8"))


def layers() -> list[dict]:
    """Return the layer descriptors of layers.json."""
    return load("layers.json")["layers"]


def coordinates(geometry: dict):
    """Yield every position of a GeoJSON geometry."""
    def walk(value):
        if isinstance(value[0], (int, float)):
            yield value
        else:
            for item in value:
                yield from walk(item)
    yield from walk(geometry["coordinates"])


def test_build_reproduces_committed_files(tmp_path):
    """Rebuilding from shared/data gives byte-identical copies of every generated geodata file."""
    if not SOURCE.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"source data {SOURCE} is missing in CI")
        pytest.skip(f"source data {SOURCE} is not present")
    subprocess.run([sys.executable, str(SCRIPT), "--source", str(SOURCE), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    built = {p.name for p in tmp_path.iterdir()}
    committed = {p.name for p in GEODATA.iterdir()} - HANDWRITTEN
    assert built == committed
    for name in sorted(built):
        rebuilt = (tmp_path / name).read_bytes()
        assert rebuilt == (GEODATA / name).read_bytes(), f"{name} differs from a rebuild"


def test_layers_json_follows_the_contract():
    """layers.json lists the eight layers in draw order with exactly the agreed keys and values."""
    data = load("layers.json")
    assert data["generated_by"] == "scripts/build_geodata.py"
    assert [layer["id"] for layer in data["layers"]] == LAYER_IDS
    for layer in data["layers"]:
        assert set(layer) == LAYER_KEYS, layer["id"]
        assert layer["title"]["en"] and layer["title"]["ar"]
        assert layer["geometry_kind"] in GEOMETRY_TYPES
        assert layer["group"] in GROUPS
        assert isinstance(layer["approximate"], bool) and isinstance(layer["shown_by_default"], bool)
        assert all(layer[k] for k in ("source", "licence", "attribution", "precision"))
        assert layer["source_url"].startswith("https://")
        assert STYLE_KEYS <= set(layer["style"]) <= STYLE_KEYS | {"dashArray"}
        assert (GEODATA / layer["file"]).is_file()


def test_approximate_layers_say_so():
    """Approximate layers are dashed, titled as approximate in both languages, and zones stay translucent."""
    approximate = {layer["id"] for layer in layers() if layer["approximate"]}
    assert {"areas_of_limitation", "area_of_separation", "alpha_line", "bravo_line"} <= approximate
    for layer in layers():
        if layer["approximate"]:
            assert layer["style"]["dashArray"] == "6 4", layer["id"]
            assert "approximate" in layer["title"]["en"].lower()
            assert "تقريبي" in layer["title"]["ar"]
        if layer["group"] == "agreement_1974" and layer["geometry_kind"] == "polygon":
            assert layer["style"]["fillOpacity"] <= 0.25
    style = {layer["id"]: layer["style"] for layer in layers()}
    assert style["alpha_line"]["color"] != style["bravo_line"]["color"]


@pytest.mark.parametrize("layer_id", LAYER_IDS)
def test_layer_geometries_are_valid_and_in_the_region(layer_id):
    """Every feature is named, of the layer's kind, valid, 2-D, rounded and inside the region."""
    layer = next(item for item in layers() if item["id"] == layer_id)
    features = load(layer["file"])["features"]
    assert features
    west, south, east, north = SYRIA if layer_id == "governorates" else REGION
    for item in features:
        assert item["properties"]["name"]
        assert isinstance(item["properties"]["name_ar"], str)
        if layer_id != "towns":
            assert item["properties"]["name_ar"]
        assert item["geometry"]["type"] in GEOMETRY_TYPES[layer["geometry_kind"]]
        assert shape(item["geometry"]).is_valid, item["properties"]["name"]
        for position in coordinates(item["geometry"]):
            assert len(position) == 2
            lon, lat = position
            assert west <= lon <= east and south <= lat <= north
            assert round(lon, 5) == lon and round(lat, 5) == lat


def test_agreement_layers_are_flagged_approximate():
    """Every 1974 line and zone feature carries approximate: true and a note; the AoL has six bands."""
    for layer in layers():
        if layer["group"] == "agreement_1974":
            for item in load(layer["file"])["features"]:
                assert item["properties"]["approximate"] is True
                assert item["properties"]["note"]
    bands = [f["properties"] for f in load("areas_of_limitation.geojson")["features"]]
    assert sorted((b["side"], b["band"]) for b in bands) == sorted(
        (side, band) for side in ("alpha", "bravo") for band in ("0-10 km", "10-20 km", "20-25 km"))


def test_southern_governorates_have_arabic_names():
    """All 14 governorates are present, and the four southern ones carry their Arabic names."""
    features = load("governorates.geojson")["features"]
    governorates = {item["properties"]["name"]: item["properties"] for item in features}
    assert len(governorates) == 14
    for name, name_ar in SOUTHERN_GOVERNORATES.items():
        assert governorates[name]["name_ar"] == name_ar
        assert governorates[name]["pcode"].startswith("SY")


def test_sample_incidents_are_labelled_illustrative():
    """Sample incidents are few, complete, unverified, illustrative and free of fatality counts."""
    data = load("sample_incidents.geojson")
    assert data["name"] == "Illustrative sample incidents"
    assert "illustrative" in data["description"].lower()
    features = data["features"]
    assert 0 < len(features) <= 30
    ids = [item["id"] for item in features]
    assert len(set(ids)) == len(ids) and all(isinstance(i, str) for i in ids)
    for item in features:
        props = item["properties"]
        assert set(props) <= INCIDENT_KEYS and "fatalities" not in props
        assert props["date"] >= "2024-12-08" and props.get("end_date", props["date"]) >= props["date"]
        assert props["event_type"] in EVENT_TYPES
        assert props["sources"] and all(isinstance(s, str) and s for s in props["sources"])
        assert props["title"] and props["description"] and props["location_name"]
        assert props["precision"] == "town"
        assert props["verification"] == "unverified"
        assert props["illustrative"] is True


def test_sample_incidents_sit_on_towns():
    """Each sample incident lies within 0.02 degrees of a town in towns.geojson."""
    towns = [item["geometry"]["coordinates"] for item in load("towns.geojson")["features"]]
    for item in load("sample_incidents.geojson")["features"]:
        assert item["geometry"]["type"] == "Point"
        lon, lat = item["geometry"]["coordinates"]
        nearest = min(math.dist((lon, lat), town) for town in towns)
        assert nearest <= TOWN_DISTANCE_DEG, item["id"]
