"""The write API reads only the media types it documents, so no write can ride on a cross-site "simple" request."""
import io
import json

import pytest

from upload_helpers import add_accounts, bearer, client_of, collection, csrf_token, feature

ITEMS = "/api/collections/incidents/items"
BODY = json.dumps(collection(feature(1))).encode()
CSV = b"id,date,event_type,latitude,longitude\ncsv-1,2025-01-05,raid,33.1,35.8\n"
# What a cross-site form or fetch() may send without a CORS preflight, and other types the API does not read.
REFUSED = ["text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", None,
           "application/octet-stream", "text/html"]


def _post(client, content_type, headers, data=BODY):
    """POST a raw body with this Content-Type (None: no Content-Type header at all)."""
    environ = {} if content_type else {"CONTENT_TYPE": ""}
    return client.post(ITEMS, data=data, content_type=content_type, headers=headers, environ_overrides=environ)


def _written(app) -> bool:
    """Tell whether the GeoJSON body's incident reached the store."""
    return app.test_client().get(f"{ITEMS}/up-1").status_code == 200


@pytest.mark.parametrize("content_type", REFUSED)
def test_a_token_write_in_another_media_type_is_a_415(fixture_app, content_type):
    """A GeoJSON body labelled text/plain, as a form, or not labelled at all is refused and nothing is written."""
    token = add_accounts(fixture_app)["contributor"]
    response = _post(fixture_app.test_client(), content_type, bearer(token))
    assert response.status_code == 415
    body = response.get_json()
    assert body["code"] == "UnsupportedMediaType" and [e["field"] for e in body["errors"]] == ["Content-Type"]
    assert "application/geo+json" in body["description"] and "multipart/form-data" in body["description"]
    assert not _written(fixture_app)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_session_write_in_a_simple_media_type_is_a_415_even_with_the_csrf_header(fixture_app, content_type):
    """Even a logged-in browser sending the CSRF header cannot write with a body a cross-site form could send."""
    client = client_of(fixture_app, "editor")
    response = _post(client, content_type, {"X-CSRFToken": csrf_token(client, "/upload")})
    assert response.status_code == 415 and not _written(fixture_app)


def test_a_put_in_a_simple_media_type_is_a_415(fixture_app):
    """Replacing an incident takes only GeoJSON as well."""
    token = add_accounts(fixture_app)["editor"]
    response = fixture_app.test_client().put(f"{ITEMS}/t-001", data=json.dumps(feature(1)), content_type="text/plain",
                                             headers=bearer(token))
    assert response.status_code == 415


@pytest.mark.parametrize("content_type, data", [
    ("application/geo+json", BODY), ("application/json; charset=utf-8", BODY), ("text/csv", CSV),
])
def test_the_documented_raw_types_are_still_read(fixture_app, content_type, data):
    """GeoJSON and CSV bodies under their own types are written as before."""
    token = add_accounts(fixture_app)["contributor"]
    assert _post(fixture_app.test_client(), content_type, bearer(token), data).status_code == 201


@pytest.mark.parametrize("part_type", ["application/octet-stream", "application/vnd.ms-excel", "text/plain"])
def test_a_vague_file_type_inside_a_form_still_leaves_it_to_the_file_name(fixture_app, part_type):
    """Browsers label a CSV file vaguely; in multipart/form-data the file name decides, as before."""
    client = client_of(fixture_app, "editor")
    form = {"file": (io.BytesIO(CSV), "incidents.csv", part_type)}
    response = client.post(ITEMS, data=form, content_type="multipart/form-data",
                           headers={"X-CSRFToken": csrf_token(client, "/upload")})
    assert response.status_code == 201 and response.get_json()["ids"]["inserted"] == ["csv-1"]
