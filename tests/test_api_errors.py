"""One JSON error shape, {"code", "description", "errors": [{"field", "message"}]}, on every API route."""
import pytest

from api_fixtures import assert_error


@pytest.mark.parametrize("method, url, status, code, fields", [
    ("GET", "/api/collections/nope", 404, "NotFound", ["collectionId"]),
    ("GET", "/api/collections/nope/items", 404, "NotFound", ["collectionId"]),
    ("GET", "/api/collections/nope/items/1", 404, "NotFound", ["collectionId"]),
    ("GET", "/api/collections/nope/queryables", 404, "NotFound", ["collectionId"]),
    ("GET", "/api/collections/nope/export?f=gpkg", 404, "NotFound", ["collectionId"]),
    ("GET", "/api/collections/incidents/items/no-such-id", 404, "NotFound", ["featureId"]),
    ("GET", "/api/collections/towns/items/99999", 404, "NotFound", ["featureId"]),
    ("GET", "/api/collections/towns/items/abc", 404, "NotFound", ["featureId"]),
    ("GET", "/api/collections/towns/items/%C2%B3", 404, "NotFound", ["featureId"]),  # a superscript digit
    ("GET", "/api/no-such-resource", 404, "NotFound", []),
    ("GET", "/api?colour=red", 400, "InvalidParameterValue", ["colour"]),
    ("GET", "/api/conformance?f=xml", 400, "InvalidParameterValue", ["f"]),
    ("GET", "/api/openapi?f=yaml", 400, "InvalidParameterValue", ["f"]),
    ("GET", "/api/collections?limit=5", 400, "InvalidParameterValue", ["limit"]),
    ("GET", "/api/collections/incidents?bbox=1,2,3,4", 400, "InvalidParameterValue", ["bbox"]),
    ("GET", "/api/collections/incidents/queryables?f=csv", 400, "InvalidParameterValue", ["f"]),
    ("GET", "/api/collections/incidents/items?limit=0", 400, "InvalidParameterValue", ["limit"]),
    ("GET", "/api/collections/incidents/items?bbox=0,10,1,5", 400, "InvalidParameterValue", ["bbox"]),
    ("GET", "/api/collections/incidents/export?limit=10", 400, "InvalidParameterValue", ["limit"]),
    ("GET", "/api/collections/incidents/export?f=shp", 400, "InvalidParameterValue", ["f"]),
    ("GET", "/api/collections/towns/items?event_type=raid", 400, "InvalidParameterValue", ["event_type"]),
    ("POST", "/api/conformance", 405, "MethodNotAllowed", []),
    ("DELETE", "/api/openapi", 405, "MethodNotAllowed", []),
    ("PUT", "/api/collections", 405, "MethodNotAllowed", []),
    ("PATCH", "/api", 405, "MethodNotAllowed", []),
])
def test_errors_share_one_shape(read_client, method, url, status, code, fields):
    """404s, 400s and 405s all answer with the OGC exception JSON, naming the fields at fault."""
    assert_error(read_client.open(url, method=method), status, code, fields)


def test_html_requests_still_get_json_errors(read_client):
    """Asking for HTML does not change the error body: API errors are always JSON."""
    response = read_client.get("/api/collections/nope?f=html", headers={"Accept": "text/html"})
    assert_error(response, 404, "NotFound", ["collectionId"])
    assert_error(read_client.get("/api/collections/incidents/items?f=html&limit=x"), 400, "InvalidParameterValue",
                 ["limit"])


def test_method_not_allowed_says_what_is(read_client):
    """A 405 names the methods the resource does allow, as HTTP requires."""
    response = read_client.delete("/api/collections/incidents")
    assert_error(response, 405, "MethodNotAllowed")
    assert {"GET", "HEAD"} <= {m.strip() for m in response.headers["Allow"].split(",")}
