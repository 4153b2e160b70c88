"""Incident ids must round-trip in a URL path, so every incident can be read, replaced and deleted by its id."""
from urllib.parse import quote

import pytest
from ingest_helpers import by_feature, refused
from upload_helpers import add_accounts, bearer, collection, feature

from webmap.core.errors import InvalidContent

ITEMS = "/api/collections/incidents/items"


def _with_id(n: int, incident_id) -> dict:
    """Return the upload Feature `n` under another id."""
    return {**feature(n), "id": incident_id}


@pytest.mark.parametrize("incident_id", ["qn/2025/1", "/", "a\\b", "line\nbreak", "tab\there", "nul\x00", "del\x7f",
                                         "..", "."])
def test_ids_that_cannot_be_used_in_a_url_path_are_refused(fixture_app, incident_id):
    """Such an id is a 422 naming the feature and the field `id`, and nothing is written."""
    token = add_accounts(fixture_app)["contributor"]
    client = fixture_app.test_client()
    response = client.post(ITEMS, json=collection(feature(1), _with_id(2, incident_id)), headers=bearer(token))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "InvalidContent"
    assert [(e["feature"], e["field"]) for e in body["errors"]] == [(1, "id")]
    assert client.get(f"{ITEMS}/up-1").status_code == 404


@pytest.mark.parametrize("incident_id", [42, "ACLED-SYR12345", "100%", "قنيطرة 1", "a b", "a?b#c", "..a"])
def test_ordinary_ids_can_be_read_replaced_and_deleted(fixture_app, incident_id):
    """Numbers, text with spaces, Arabic and `%`, `?` or `#` (percent-encoded in the path) all round-trip."""
    tokens = add_accounts(fixture_app)
    client = fixture_app.test_client()
    assert client.post(ITEMS, json=_with_id(1, incident_id), headers=bearer(tokens["contributor"])).status_code == 201
    path = f"{ITEMS}/{quote(str(incident_id), safe='')}"
    assert client.get(path).get_json()["id"] == str(incident_id)
    replaced = client.put(path, json=_with_id(1, incident_id), headers=bearer(tokens["editor"]))
    assert replaced.status_code == 200
    assert client.delete(f"{path}?reason=test", headers=bearer(tokens["editor"])).status_code == 204


def test_a_csv_id_with_a_slash_names_its_column_and_row():
    """In a table the problem names the `id` column and the data row."""
    table = "id,date,event_type,latitude,longitude\nok-1,2025-01-05,raid,33.1,35.8\nqn/2,2025-01-05,raid,33.1,35.8\n"
    problems = by_feature(refused(InvalidContent, table, "incidents.csv"))
    assert list(problems) == [1] and list(problems[1]) == ["id"]
    assert "CSV data row 2" in problems[1]["id"] and "/" in problems[1]["id"]
