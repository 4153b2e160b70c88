"""Calling the import pipeline the way the app does, with a fixed 'today' so date checks are stable."""
import json
import sqlite3
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from webmap.core.errors import WebmapError
from webmap.core.settings import setting_default
from webmap.core.vocabulary import load_vocabulary
from webmap.ingest import read_incidents

UPLOADS = Path(__file__).parent / "data" / "upload"
TODAY = date(2025, 6, 1)
REGION = setting_default("REGION_BBOX")


def read(data: bytes | str, filename: str | None = None, content_type: str | None = None, **options):
    """Run read_incidents with the bundled vocabulary and the default region."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    options = {"vocabulary": load_vocabulary(), "region_bbox": REGION, "today": TODAY, **options}
    return read_incidents(data, filename, content_type, **options)


def read_fixture(name: str, **options):
    """Run read_incidents on a file of tests/data/upload."""
    return read((UPLOADS / name).read_bytes(), name, **options)


def refused(error_class: type[WebmapError], data, filename=None, content_type=None, **options) -> WebmapError:
    """Assert reading fails with this error class; return the error."""
    with pytest.raises(error_class) as caught:
        read(data, filename, content_type, **options)
    return caught.value


def by_feature(error: WebmapError) -> dict[int, dict[str, str]]:
    """Return the error's messages as {feature index: {field: message}}."""
    found = {}
    for problem in error.errors:
        found.setdefault(problem.feature, {})[problem.field] = problem.message
    return found


def feature(index: int = 0, geometry=None, **properties) -> dict:
    """Return a valid GeoJSON feature in southern Syria, with properties overridden or (as None) removed."""
    props = {"date": "2025-01-05", "event_type": "raid", **properties}
    return {"type": "Feature", "id": f"f-{index}",
            "geometry": geometry or {"type": "Point", "coordinates": [35.8246, 33.126]},
            "properties": {k: v for k, v in props.items() if v is not None}}


def collection(*features) -> str:
    """Return a FeatureCollection of these features as JSON text."""
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def incident_frame() -> gpd.GeoDataFrame:
    """One valid incident near Quneitra, `d-1`, as a GeoDataFrame in WGS84."""
    return gpd.GeoDataFrame({"id": ["d-1"], "date": ["2025-01-05"], "event_type": ["raid"], "title": ["Test"]},
                            geometry=[Point(35.8246, 33.126)], crs=4326)


def run_sql(path: Path, *statements: str) -> bytes:
    """Run SQL statements on a SQLite file (creating it if need be); return the file's bytes."""
    db = sqlite3.connect(path)
    with db:
        for statement in statements:
            db.execute(statement)
    db.close()
    return path.read_bytes()


def geopackage_bytes(path: Path, *statements: str) -> bytes:
    """Write incident_frame() as a GeoPackage layer `incidents`, change it with SQL statements, return its bytes."""
    # Without GDAL's spatial index, whose triggers call functions only GDAL provides, the SQL can change geometries.
    incident_frame().to_file(path, layer="incidents", driver="GPKG", SPATIAL_INDEX="NO")
    return run_sql(path, *statements)
