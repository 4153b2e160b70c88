"""What the read API tests share: an app holding both fixture files, and expectations computed from the files."""
import json

import pytest
from conftest import BUILT_APPS, DATA, fixture_incidents, make_app
from shapely.geometry import shape

from webmap.ingest.geodata import prepare_database
from webmap.store import BatchInfo, get_store

FILES = ("incidents_small.geojson", "incidents_api.geojson")
FEATURES = [f for name in FILES for f in json.loads((DATA / name).read_text(encoding="utf-8"))["features"]]
BY_ID = {f["id"]: f for f in FEATURES}


@pytest.fixture(scope="module")
def read_client(tmp_path_factory):
    """A client of an app holding both fixture files (20 incidents), on a database that a module's
    read-only tests share so the suite stays fast; tests that write use `api_app` instead."""
    app = make_app(tmp_path_factory.mktemp("api"))
    with app.app_context():
        prepare_database(with_samples=False)
        for name in FILES:
            get_store().add_incidents(fixture_incidents(name), BatchInfo(user="test", filename=name))
    yield app.test_client()
    app.extensions["webmap.store"].close()
    BUILT_APPS.remove(app)


@pytest.fixture
def api_app(fixture_app):
    """An app of its own with the incidents of both fixture files, for tests that change the data."""
    with fixture_app.app_context():
        get_store().add_incidents(fixture_incidents("incidents_api.geojson"), BatchInfo(user="test"))
    return fixture_app


def _touches(bounds, bbox) -> bool:
    """Tell whether two (minx, miny, maxx, maxy) boxes share a point."""
    return not (bounds[0] > bbox[2] or bounds[2] < bbox[0] or bounds[1] > bbox[3] or bounds[3] < bbox[1])


def expected_ids(bbox=None, start=None, end=None, types=(), verification=(), words=()) -> list[str]:
    """Return, oldest first (then by id), the ids of the fixture incidents a selection should give."""
    chosen = []
    for feature in FEATURES:
        props = feature["properties"]
        first, last = props["date"], props.get("end_date", props["date"])
        text = " ".join(props.get(k) or "" for k in ("title", "description", "location_name")).casefold()
        if ((bbox and not _touches(shape(feature["geometry"]).bounds, bbox))
                or (start and last < start) or (end and first > end)
                or (types and props["event_type"] not in types)
                or (verification and props.get("verification", "unverified") not in verification)
                or any(word.casefold() not in text for word in words)):
            continue
        chosen.append(feature)
    return [f["id"] for f in sorted(chosen, key=lambda f: (f["properties"]["date"], f["id"]))]


def ids_of(collection: dict) -> list[str]:
    """Return the ids of a FeatureCollection's features, in order."""
    return [f["id"] for f in collection["features"]]


def link_of(document: dict, rel: str) -> str | None:
    """Return the href of the document's first link with this relation, or None."""
    return next((l["href"] for l in document["links"] if l["rel"] == rel), None)


def all_pages(client, url: str, rel: str = "next") -> list[dict]:
    """Follow `rel` links from `url` until there is none; return every page's JSON body."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append(response.get_json())
        url = link_of(pages[-1], rel)
        assert len(pages) < 100, "paging does not end"
    return pages


def assert_error(response, status: int, code: str, fields=()) -> dict:
    """Check an error response: its status and the one JSON error shape, naming each field in `fields`."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "description", "errors"}
    assert body["code"] == code and isinstance(body["description"], str) and body["description"]
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert {"field", "message"} <= set(error) and all(isinstance(error[k], str) for k in ("field", "message"))
    assert set(fields) <= {e["field"] for e in body["errors"]}, body
    return body
