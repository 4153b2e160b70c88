"""Real clients read the API over HTTP: GDAL's OGC API - Features driver (ogr2ogr, geopandas, R use it)."""
import json
import subprocess
import sys

import pyogrio
import pytest

from conftest import require


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
