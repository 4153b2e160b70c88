"""Whole-number parameters: digits beyond what SQLite (or Python's int) takes are a clear 400 or 404, never a 500."""
import pytest

from upload_helpers import client_of, csrf_token

BEYOND_SQLITE = "9" * 20  # more than a 64-bit integer holds
THOUSANDS = "9" * 5000  # more digits than Python's int() converts
NOT_ASCII = "²"  # str.isdigit() says yes, int() says no
BBOX = "bbox=35.5,32.5,36.7,33.5"


@pytest.fixture
def editor(fixture_app):
    """A client logged in as an editor, who may list and undo batches."""
    return client_of(fixture_app, "editor")


ANY_TOO_LARGE = (BEYOND_SQLITE, THOUSANDS, NOT_ASCII)
# The read API already refuses an offset and lowers a limit above its maximum; it failed only on thousands of digits.
PARAMETERS = [
    ("/batches?before={}", "before", ANY_TOO_LARGE),
    ("/embed?as_of={}", "as_of", ANY_TOO_LARGE),
    ("/embed?zoom={}&lat=33&lon=36", "zoom", ANY_TOO_LARGE),
    ("/?zoom={}&lat=33&lon=36", "zoom", ANY_TOO_LARGE),
    ("/oembed?url=http%3A%2F%2Flocalhost%2F&maxwidth={}", "maxwidth", ANY_TOO_LARGE),
    ("/oembed?url=http%3A%2F%2Flocalhost%2F&maxheight={}", "maxheight", ANY_TOO_LARGE),
    ("/map-data/view?" + BBOX + "&zoom={}", "zoom", ANY_TOO_LARGE),
    ("/map-data/view?" + BBOX + "&zoom=9&offset={}", "offset", ANY_TOO_LARGE),
    ("/map-data/list?" + BBOX + "&offset={}", "offset", ANY_TOO_LARGE),
    ("/api/collections/incidents/items?offset={}", "offset", (THOUSANDS, NOT_ASCII)),
    ("/api/collections/incidents/items?limit={}", "limit", (THOUSANDS, NOT_ASCII)),
    ("/api/collections/incidents/items?version={}", "version", ANY_TOO_LARGE),
    ("/api/collections/incidents/export?version={}", "version", ANY_TOO_LARGE),
    ("/api/collections/towns/items?offset={}", "offset", (THOUSANDS, NOT_ASCII)),
]


@pytest.mark.parametrize("url, field", [
    pytest.param(template.format(value), field, id=f"{template.split('?')[0]}-{field}-{len(value)}")
    for template, field, values in PARAMETERS for value in values])
def test_out_of_range_numbers_are_a_400_naming_the_parameter(editor, url, field):
    """Pages say which parameter is wrong; JSON answers carry the usual error shape naming it."""
    response = editor.get(url)
    assert response.status_code == 400
    if response.is_json:
        body = response.get_json()
        assert body["code"] == "InvalidParameterValue" and [e["field"] for e in body["errors"]] == [field]
        assert all(len(e["message"]) < 100 for e in body["errors"])  # a readable piece of the value, not all of it
    else:
        page = response.get_data(as_text=True)
        assert field in page and ("whole number" in page or "more than" in page)


@pytest.mark.parametrize("batch_id", [BEYOND_SQLITE, THOUSANDS, "0"], ids=len)
def test_undoing_a_batch_that_cannot_exist_is_a_404(editor, batch_id):
    """A batch id beyond any stored number gets the same page as any missing batch."""
    response = editor.post(f"/batches/{batch_id}/undo", data={"csrf_token": csrf_token(editor, "/batches")})
    assert response.status_code == 404 and "There is no batch" in response.get_data(as_text=True)


def test_ordinary_numbers_still_work(editor):
    """Plain numbers, with leading zeros or around spaces, are read as before."""
    assert editor.get("/batches?before=0002").status_code == 200
    assert editor.get("/embed?as_of=1&zoom=09&lat=33&lon=36").status_code == 200
    assert editor.get("/api/collections/incidents/items?limit=20000&offset=3&version=1").status_code == 200
    assert editor.get("/map-data/list?" + BBOX + "&offset=100").status_code == 200
