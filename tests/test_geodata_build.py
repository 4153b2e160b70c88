"""The bundled reference layers in geodata/: reproducible from shared/data and true to the layer contract."""
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import conftest
import geopandas as gpd
import pytest
from conftest import require
from shapely.geometry import LineString, Point, shape

REPO = Path(__file__).resolve().parents[1]
GEODATA = REPO / "geodata"
SCRIPT = REPO / "scripts" / "build_geodata.py"
SOURCE = REPO.parent / "shared" / "data"
HANDWRITTEN = {"PROVENANCE.md"}

LAYER_KEYS = {"id", "title", "file", "geometry_kind", "group", "approximate", "source", "source_url",
              "licence", "licence_url", "attribution", "precision", "shown_by_default", "style"}
LINE_IDS = ["alpha_line", "bravo_line"]
LAYER_IDS = ["countries", "golan_heights", "governorates", "areas_of_limitation", "area_of_separation",
             "alpha_line", "bravo_line", "towns"]
GROUPS = {"agreement_1974", "admin", "context", "towns"}
GEOMETRY_TYPES = {"polygon": {"Polygon", "MultiPolygon"}, "line": {"LineString", "MultiLineString"},
                  "point": {"Point", "MultiPoint"}}
STYLE_KEYS = {"color", "weight", "opacity", "fillColor", "fillOpacity"}
REGION = (33.0, 29.0, 39.5, 37.5)  # lon/lat box every layer but the governorates must fit in
SYRIA = (35.5, 32.3, 42.5, 37.4)  # the governorates cover all of Syria, which reaches 42.4E
SOUTHERN_GOVERNORATES = {"As-Suwayda": "السويداء", "Daraa": "درعا", "Quneitra": "القنيطرة",
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
    require(SOURCE.is_dir(), f"source data {SOURCE} is not present")
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
        optional = {"uncertainty"} if layer["id"] in LINE_IDS else set()
        assert LAYER_KEYS <= set(layer) <= LAYER_KEYS | optional, layer["id"]
        assert layer["title"]["en"] and layer["title"]["ar"]
        assert layer["geometry_kind"] in GEOMETRY_TYPES
        assert layer["group"] in GROUPS
        assert isinstance(layer["approximate"], bool) and isinstance(layer["shown_by_default"], bool)
        assert all(layer[k] for k in ("source", "licence", "attribution", "precision"))
        assert layer["source_url"].startswith("https://") and layer["licence_url"].startswith("https://")
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
        assert isinstance(item["properties"]["name_ar"], str) and item["properties"]["name_ar"].strip()
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


OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
AGREEMENT_IDS = ["areas_of_limitation", "area_of_separation", "alpha_line", "bravo_line"]
LOCAL_CRS = "+proj=aeqd +lat_0=33.1 +lon_0=35.85 +datum=WGS84 +units=m +no_defs"
# Any spelling of As-Suwayda but that one: Sweida, As-Sweida, Suweida, Soueida, As Suwayda, Suwayda...
SUWAYDA_VARIANTS = re.compile(r"Sweida|Suweida|Soueida|Suwaida|(?<!As-)Suwayda", re.IGNORECASE)


def single_geometry(name: str):
    """Return the shapely geometry of a one-feature layer file."""
    (item,) = load(name)["features"]
    return shape(item["geometry"])


def towns_by_name() -> dict[str, dict]:
    """Return the towns layer's features by English name."""
    return {item["properties"]["name"]: item for item in load("towns.geojson")["features"]}


def town_point(name: str) -> Point:
    """Return a town's point."""
    return shape(towns_by_name()[name]["geometry"])


def line_longitude_at(line, latitude: float) -> float:
    """Return the longitude where a north-south line crosses a parallel."""
    crossing = line.intersection(LineString([(35.0, latitude), (37.0, latitude)]))
    assert crossing.geom_type == "Point", crossing
    return crossing.x


def without_aliases(value):
    """Return JSON data with every `aliases` member removed."""
    if isinstance(value, dict):
        return {k: without_aliases(v) for k, v in value.items() if k != "aliases"}
    if isinstance(value, list):
        return [without_aliases(v) for v in value]
    return value


def test_area_of_separation_from_openstreetmap_is_about_232_km2():
    """The Area of Separation is OpenStreetMap's: about 232 km², not Natural Earth's 265 km²."""
    aos = gpd.GeoSeries([single_geometry("area_of_separation.geojson")], crs="EPSG:4326")
    area_km2 = aos.to_crs(LOCAL_CRS).area.iloc[0] / 1e6
    assert 229 <= area_km2 <= 235


def test_majdal_shams_is_west_of_alpha_and_hader_east_of_bravo():
    """Majdal Shams (Israeli-held) is west of the Alpha line and Hader east of the Bravo line: both outside the AoS."""
    aos = single_geometry("area_of_separation.geojson")
    majdal, hader = town_point("Majdal Shams"), town_point("Hader (Hadar)")
    assert not aos.contains(majdal) and not aos.contains(hader)
    assert majdal.x < line_longitude_at(single_geometry("alpha_line.geojson"), majdal.y)
    assert hader.x > line_longitude_at(single_geometry("bravo_line.geojson"), hader.y)


def test_alpha_and_bravo_lines_are_the_edges_of_the_area_of_separation():
    """Both lines run north to south along the AoS outline, the Alpha line to the west of the Bravo line."""
    outline = single_geometry("area_of_separation.geojson").exterior
    alpha, bravo = single_geometry("alpha_line.geojson"), single_geometry("bravo_line.geojson")
    for line in (alpha, bravo):
        assert line.coords[0][1] > line.coords[-1][1]
        assert outline.buffer(1e-4).contains(line)
    assert line_longitude_at(alpha, 33.1) < line_longitude_at(bravo, 33.1)


def test_every_town_has_an_arabic_name():
    """No town is left without an Arabic name."""
    assert all(item["properties"]["name_ar"].strip() for item in towns_by_name().values())


def test_new_quneitra_and_the_ruins_of_old_quneitra_are_both_towns():
    """New Quneitra (Madinat al-Baath) and old Quneitra's ruins are separate towns, the ruins without population."""
    towns = towns_by_name()
    ruins = towns["Quneitra (ruins)"]["properties"]
    assert ruins["name_ar"].startswith("القنيطرة") and "أطلال" in ruins["name_ar"]
    assert ruins["population"] is None and "abandoned" in ruins["note"]
    assert single_geometry("area_of_separation.geojson").contains(town_point("Quneitra (ruins)"))
    new_town = towns["Madinat al-Baath (New Quneitra)"]["properties"]
    assert new_town["name_ar"] == "مدينة البعث" and "New Quneitra" in new_town["aliases"]
    assert towns["Jubata al-Khashab"]["properties"]["name_ar"] == "جباتا الخشب"


def test_as_suwayda_has_one_spelling_outside_aliases():
    """Layers, sample incidents and interface strings spell As-Suwayda one way; other spellings only as aliases."""
    files = [*GEODATA.glob("*.geojson"), GEODATA / "layers.json", *(REPO / "webmap" / "data").glob("*.json")]
    for path in files:
        text = json.dumps(without_aliases(json.loads(path.read_text(encoding="utf-8"))), ensure_ascii=False)
        assert not SUWAYDA_VARIANTS.search(text), path.name
    for path in (REPO / "templates").rglob("*.html"):
        assert not SUWAYDA_VARIANTS.search(path.read_text(encoding="utf-8")), path.name
    city = towns_by_name()["As-Suwayda"]["properties"]
    assert "As-Sweida" in city["aliases"]
    governorates = {item["properties"]["name"]: item["properties"] for item in load("governorates.geojson")["features"]}
    assert governorates["As-Suwayda"]["aliases"] == ["As-Sweida"]


def test_openstreetmap_layers_carry_the_odbl_attribution():
    """The 1974 layers derived from OpenStreetMap credit it, are licensed ODbL 1.0 and say so in every feature."""
    described = {layer["id"]: layer for layer in layers()}
    for layer_id in AGREEMENT_IDS:
        layer = described[layer_id]
        assert layer["attribution"] == OSM_ATTRIBUTION
        assert layer["licence"] == "ODbL 1.0" and layer["licence_url"] == ODBL_URL
        assert "offered under ODbL" in layer["source"]
        for item in load(layer["file"])["features"]:
            assert "OpenStreetMap" in item["properties"]["note"]


def test_line_uncertainty_samples_each_line_about_every_kilometre():
    """line_uncertainty.geojson has a sample on each line at most 1 km apart, and layers.json states its range."""
    data = load("line_uncertainty.geojson")
    assert data["lines"] == "osm" and data["measured_against"] == "naturalearth"
    described = {layer["id"]: layer for layer in layers()}
    for line_id in LINE_IDS:
        line = single_geometry(f"{line_id}.geojson")
        samples = [item for item in data["features"] if item["properties"]["line"] == line_id]
        along = [item["properties"]["km"] for item in samples]
        assert along[0] == 0 and along == sorted(along)
        assert max(b - a for a, b in zip(along, along[1:])) <= 1.0
        for item in samples:
            assert shape(item["geometry"]).distance(line) < 1e-4
        gaps = [item["properties"]["uncertainty_km"] for item in samples]
        assert 0 <= min(gaps) and max(gaps) < 1.5
        assert f"{max(gaps):.2f} km (median" in described[line_id]["precision"]
        assert f"at most {max(gaps):.2f} km" in described[line_id]["uncertainty"]["en"]
        assert described[line_id]["uncertainty"]["ar"]


def test_natural_earth_lines_remain_an_alternative_build(tmp_path):
    """--lines naturalearth builds the old Natural Earth geometry, public domain, measured against OpenStreetMap."""
    require(SOURCE.is_dir(), f"source data {SOURCE} is not present")
    subprocess.run([sys.executable, str(SCRIPT), "--source", str(SOURCE), "--out", str(tmp_path),
                    "--lines", "naturalearth"], check=True, capture_output=True)
    described = {layer["id"]: layer for layer in json.loads((tmp_path / "layers.json").read_text())["layers"]}
    assert all("Natural Earth" in described[layer_id]["attribution"] for layer_id in AGREEMENT_IDS)
    (aos,) = json.loads((tmp_path / "area_of_separation.geojson").read_text())["features"]
    assert shape(aos["geometry"]).contains(town_point("Majdal Shams"))
    assert json.loads((tmp_path / "line_uncertainty.geojson").read_text())["measured_against"] == "osm"


@pytest.mark.parametrize("in_ci, outcome", [(True, pytest.fail.Exception), (False, pytest.skip.Exception)])
def test_missing_sources_fail_in_ci_and_skip_elsewhere(monkeypatch, in_ci, outcome):
    """Without shared/data the rebuild tests fail under CI=true (never a silent skip there) and skip elsewhere,
    with the missing folder as the reason."""
    monkeypatch.setattr(conftest, "IN_CI", in_ci)
    missing = SOURCE.parent / "data-missing"
    with pytest.raises(outcome, match="shared/data-missing is not present"):
        require(missing.is_dir(), f"source data {missing} is not present")
