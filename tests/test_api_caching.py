"""HTTP caching of the read API: ETags from the data version, per representation, and 304 answers."""
from datetime import datetime

import pytest

from webmap.core.model import Incident
from webmap.store import BatchInfo, get_store

ITEMS = "/api/collections/incidents/items?bbox=35.7,33.0,35.95,33.25"
NEW = Incident(id="new", geometry={"type": "Point", "coordinates": [35.8, 33.1]}, date="2025-05-05", event_type="raid")


@pytest.mark.parametrize("url", [
    ITEMS, ITEMS + "&f=csv", ITEMS + "&f=html", "/api/collections/incidents/items/a-001",
    "/api/collections/incidents/export?f=gpkg", "/api", "/api/collections", "/api/collections/incidents",
    "/api/openapi", "/api/collections/towns/items", "/api/collections/towns/export?f=csv",
])
def test_matching_etag_gets_304(read_client, url):
    """Every response has an ETag; sending it back gets 304 with no body while nothing changed."""
    client = read_client
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=0"
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_incident_etags_follow_the_data_version_and_format(api_app):
    """The incidents' ETag names the data version and the format; Last-Modified is when the data changed."""
    client = api_app.test_client()
    with api_app.app_context():
        version, changed = get_store().data_version(), get_store().last_modified()
    tags = {fmt: client.get(f"{ITEMS}&f={fmt}").headers["ETag"] for fmt in ("json", "csv", "html")}
    assert tags == {fmt: f'"v{version}-items-{fmt}"' for fmt in ("json", "csv", "html")}
    negotiated = client.get(ITEMS, headers={"Accept": "text/csv"})
    assert negotiated.headers["ETag"] == tags["csv"] and "Accept" in negotiated.headers["Vary"]
    assert client.get(ITEMS).last_modified == datetime.fromisoformat(changed)
    # A copy in another format is not the current copy of this one.
    assert client.get(ITEMS + "&f=json", headers={"If-None-Match": tags["csv"]}).status_code == 200


def test_a_write_makes_old_copies_stale(api_app):
    """After an upload the old ETag no longer matches: the client gets the new data and a new ETag."""
    client = api_app.test_client()
    before = client.get(ITEMS)
    with api_app.app_context():
        get_store().add_incidents([NEW], BatchInfo(user="test"))
    after = client.get(ITEMS, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.get_json()["numberMatched"] == before.get_json()["numberMatched"] + 1
    collection = client.get("/api/collections/incidents")
    assert client.get("/api/collections/incidents",
                      headers={"If-None-Match": collection.headers["ETag"]}).status_code == 304


def test_304_runs_no_query(api_app, monkeypatch):
    """A client whose copy is current is answered from the data version alone, without querying incidents."""
    client = api_app.test_client()
    etag = client.get(ITEMS).headers["ETag"]

    def fail(*_args):
        """Stand in for a query that must not run."""
        raise AssertionError("queried")

    store = api_app.extensions["webmap.store"]
    monkeypatch.setattr(store, "query_feature_json", fail)
    monkeypatch.setattr(store, "count_incidents", fail)
    assert client.get(ITEMS, headers={"If-None-Match": etag}).status_code == 304


def test_bad_parameters_are_not_hidden_by_a_304(api_app):
    """A request with bad parameters gets its 400 even when it sends If-None-Match: *."""
    response = api_app.test_client().get(ITEMS + "&limit=0", headers={"If-None-Match": "*"})
    assert response.status_code == 400
