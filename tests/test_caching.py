"""Conditional responses keyed on the data version."""
from flask import Flask

from webmap.core.caching import cache_for_version, version_etag


def test_matching_etag_gets_304_and_other_gets_200():
    """If-None-Match with the current ETag answers 304 with no body; a stale one gets the full body."""
    app = Flask(__name__)

    @app.get("/thing")
    def thing():
        from flask import make_response

        return cache_for_version(make_response("body"), version_etag(3, "en"), "2025-01-01T00:00:00+00:00", 60, 600)

    client = app.test_client()
    first = client.get("/thing")
    assert first.status_code == 200 and first.headers["ETag"] == '"v3-en"'
    assert "s-maxage=600" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    assert first.headers["Last-Modified"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    again = client.get("/thing", headers={"If-None-Match": '"v3-en"'})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/thing", headers={"If-None-Match": '"v2-en"'}).status_code == 200
