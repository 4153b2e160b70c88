"""Real clients read the API over HTTP: GDAL's OGC API - Features driver (ogr2ogr, geopandas, R use it)."""
import json
import shutil
import subprocess
import sys

import pyogrio
import pytest
from conftest import require, serving

from webmap.core.model import Incident
from webmap.store import BatchInfo, get_store


def run_client(code: str, **values) -> dict:
    """Run client code in another process and return the JSON it prints.

    GDAL holds the interpreter lock while it fetches, so it cannot call a server running in
    this process's own threads.
    """
    script = "import json, geopandas as gpd, pyogrio\n" + code.format(**values)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def gdal_oapif():
    """Skip (or fail in CI) when this GDAL build lacks the OGC API - Features driver."""
    require("OAPIF" in pyogrio.list_drivers(), "GDAL was built without the OAPIF driver")


def test_gdal_pages_through_the_incidents(live_server, gdal_oapif):
    """GDAL lists the collections and reads every incident, following next links two at a time."""
    got = run_client(
        "api = 'OAPIF:{base}/api'\n"
        "frame = pyogrio.read_dataframe(api, layer='incidents', PAGE_SIZE='2')\n"
        "print(json.dumps({{'layers': [n for n, _ in pyogrio.list_layers(api)], 'types': sorted(frame.event_type),"
        " 'geometries': sorted(set(frame.geometry.geom_type)), 'rows': len(frame)}}))",
        base=live_server,
    )
    assert got["layers"][0] == "incidents" and {"alpha_line", "towns"} <= set(got["layers"])
    assert got["rows"] == 7 and got["geometries"] == ["LineString", "Point"]
    assert got["types"] == sorted(["incursion", "raid", "airstrike", "airstrike", "arrest", "incursion", "outpost"])


def test_gdal_filters_with_bbox(live_server, gdal_oapif):
    """A spatial filter set in GDAL reaches the API as bbox."""
    got = run_client(
        "frame = pyogrio.read_dataframe('OAPIF:{base}/api', layer='incidents', bbox=(35.7, 33.0, 35.95, 33.35))\n"
        "print(json.dumps({{'rows': len(frame)}}))",
        base=live_server,
    )
    assert got["rows"] == 5


def test_geopandas_reads_an_items_url(live_server):
    """gpd.read_file on an items URL gives the incidents with their properties, as the README shows."""
    got = run_client(
        "frame = gpd.read_file('{base}/api/collections/incidents/items?f=json&limit=10000&event_type=airstrike')\n"
        "print(json.dumps({{'titles': sorted(frame.title), 'epsg': frame.crs.to_epsg()}}))",
        base=live_server,
    )
    assert got == {"titles": ["Fixture airstrike B", "Fixture airstrike span"], "epsg": 4326}


def late_incidents(count: int = 12, rich_from: int = 11) -> list[Incident]:
    """Incidents of which only the `rich_from`-th and later carry fatalities, actors, the other optional fields
    and a property of the uploader's own, so none of them is on the first page GDAL samples (10 features)."""
    return [
        Incident(id=f"late-{number:02d}", geometry={"type": "Point", "coordinates": [35.8 + number / 100, 33.1]},
                 date=f"2025-03-{number:02d}", event_type="shelling",
                 **(dict(end_date=f"2025-03-{number + 1:02d}", fatalities=number, actors=("Actor A", "Actor B"),
                         description="Shelling of farmland", location_name="Quneitra", precision="town",
                         sources=("https://example.org/report",), extra={"wounded": number * 2})
                    if number >= rich_from else {}))
        for number in range(1, count + 1)
    ]


@pytest.fixture
def late_server(app):
    """Serve an app whose optional properties first appear on the 11th incident."""
    with app.app_context():
        get_store().add_incidents(late_incidents(), BatchInfo(user="test"))
    with serving(app) as url:
        yield url


def test_ogr2ogr_reads_every_property_of_late_incidents(late_server, tmp_path):
    """Debian's ogr2ogr copies the incidents through OAPIF: with every property, typed, and its values."""
    require(shutil.which("ogr2ogr") is not None, "ogr2ogr is not installed (apt-get install gdal-bin)")
    target = tmp_path / "incidents.geojson"
    done = subprocess.run(["ogr2ogr", "-f", "GeoJSON", str(target), f"OAPIF:{late_server}/api", "incidents"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    features = {f["properties"]["id"]: f["properties"] for f in json.loads(target.read_text())["features"]}
    assert len(features) == 12
    rich = features["late-12"]
    assert (rich["fatalities"], rich["actors"], rich["end_date"]) == (12, ["Actor A", "Actor B"], "2025-03-13")
    assert (rich["description"], rich["location_name"], rich["precision"]) == (
        "Shelling of farmland", "Quneitra", "town")
    assert rich["sources"] == ["https://example.org/report"] and rich["wounded"] == 24
    assert rich["near_line"] in (True, False) and isinstance(rich["distance_alpha_km"], float)
    assert "fatalities" not in features["late-01"] and features["late-01"]["event_type"] == "shelling"


def test_python_gdal_reads_the_schema_types(late_server):
    """Debian's GDAL Python bindings (python3-gdal, in Debian's own Python) see each property typed as the
    schema says, and the values of the 11th incident."""
    debian_python = "/usr/bin/python3"
    found = subprocess.run([debian_python, "-c", "import osgeo.ogr"], capture_output=True) if shutil.which(
        debian_python) else None
    require(found is not None and found.returncode == 0, "python3-gdal is not installed (apt-get install python3-gdal)")
    script = (
        "import json\nfrom osgeo import ogr\n"
        f"dataset = ogr.Open('OAPIF:{late_server}/api')\nlayer = dataset.GetLayerByName('incidents')\n"
        "fields = [layer.GetLayerDefn().GetFieldDefn(i) for i in range(layer.GetLayerDefn().GetFieldCount())]\n"
        "types = {f.GetName(): [f.GetTypeName(), ogr.GetFieldSubTypeName(f.GetSubType())] for f in fields}\n"
        "values = {feature.GetField('id'): feature.GetField('fatalities') for feature in layer}\n"
        "print(json.dumps({'types': types, 'values': values}))\n"
    )
    done = subprocess.run([debian_python, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    types = got["types"]
    assert types["fatalities"][0] == "Integer" and types["actors"][0] == "StringList"
    assert types["distance_bravo_km"][0] == "Real" and types["near_line"] == ["Integer", "Boolean"]
    assert types["date"][0] == "Date" and types["zone"][0] == "String" and types["wounded"][0] == "Integer"
    assert got["values"]["late-11"] == 11 and got["values"]["late-10"] is None
