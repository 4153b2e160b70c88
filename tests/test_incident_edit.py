"""Editing an incident in the browser, its public history, corrections readers see, and the tombstone a deletion
leaves: who may do what (every route and role, CSRF on every form), and what a reader then sees."""
import re

import pytest
from upload_helpers import add_accounts, csrf_token, log_in

from webmap.core.model import NOTE_PROPERTIES
from webmap.store import IncidentQuery, get_store

EDIT, DELETE, HISTORY = "/incidents/{}/edit", "/incidents/{}/delete", "/incidents/{}/history"
ITEM = "/api/collections/incidents/items/{}"
WORLD = "/map-data/view?bbox=-180,-85,180,85&zoom=0"


def state(app) -> tuple[int, int]:
    """Return what a refused write must leave alone: the incident count and the data version."""
    with app.app_context():
        return get_store().count_incidents(IncidentQuery()), get_store().data_version()


@pytest.fixture
def accounts(fixture_app):
    """One account per role, named after it."""
    return add_accounts(fixture_app)


def client_as(app, role: str | None):
    """Return a test client logged in as `role` (None: nobody)."""
    client = app.test_client()
    if role:
        log_in(client, role)
    return client


def form_of(client, incident_id: str) -> dict:
    """Return the edit form's fields as the page fills them in (one value per name but the sources)."""
    html = client.get(EDIT.format(incident_id)).get_data(as_text=True)
    form = html[html.index('id="edit-incident"'):html.index("</form>", html.index('id="edit-incident"'))]
    values = {name: value for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form)}
    values.update(re.findall(r'<textarea[^>]*name="(\w+)"[^>]*>([^<]*)</textarea>', form))
    values.update(re.findall(r'<select[^>]*name="(\w+)"[^>]*>.*?<option value="(\w*)"[^>]*selected', form, re.S))
    values["sources"] = re.findall(r'name="sources" value="([^"]*)"', form)
    return values


def post_edit(client, incident_id: str, **changes):
    """Post the edit form with `changes` typed over what it shows."""
    return client.post(EDIT.format(incident_id), data={**form_of(client, incident_id), **changes})


@pytest.mark.parametrize("role, incident_id, status", [
    (None, "t-001", 302), ("viewer", "t-001", 403), ("contributor", "t-001", 200), ("contributor", "t-002", 403),
    ("contributor", "t-003", 403), ("editor", "t-002", 200), ("admin", "t-003", 200), ("editor", "nope", 404)])
def test_who_may_open_the_edit_form(fixture_app, accounts, role, incident_id, status):
    """Contributors edit what the upload API lets them change (no incident an editor reviewed); editors any."""
    response = client_as(fixture_app, role).get(EDIT.format(incident_id))
    assert response.status_code == status
    if role is None:
        assert response.headers["Location"].startswith("/login?")


@pytest.mark.parametrize("role, status", [(None, 302), ("viewer", 403), ("contributor", 403)])
def test_who_may_not_edit_or_delete_writes_nothing(fixture_app, accounts, role, status):
    client = client_as(fixture_app, role)
    token = csrf_token(client)
    before = state(fixture_app)
    target = "t-002" if role == "contributor" else "t-001"  # a contributor may edit t-001, not a verified one
    edit = client.post(EDIT.format(target), data={"csrf_token": token, "date": "2025-01-01", "event_type": "raid",
                                                  "latitude": "33.1", "longitude": "35.8",
                                                  "correction_note": "x"})
    delete = client.post(DELETE.format("t-001"), data={"csrf_token": token, "reason": "x"})
    assert (edit.status_code, delete.status_code) == (status, status)
    assert state(fixture_app) == before


@pytest.mark.parametrize("path", [EDIT.format("t-001"), DELETE.format("t-001")])
def test_every_form_needs_its_csrf_token(fixture_app, accounts, path):
    client = client_as(fixture_app, "editor")
    before = state(fixture_app)
    data = {**form_of(client, "t-001"), "title": "Changed", "correction_note": "x", "reason": "x"}
    del data["csrf_token"]
    assert client.post(path, data=data).status_code == 400
    assert state(fixture_app) == before


def test_an_invalid_value_is_shown_beside_its_field_and_nothing_is_written(fixture_app, accounts):
    client = client_as(fixture_app, "editor")
    before = state(fixture_app)
    response = post_edit(client, "t-001", date="2025-02-30", fatalities="many", correction_note="Fixed")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="error-date"[^>]*>.*?&#34;2025-02-30&#34; is not a date', html)
    assert re.search(r'id="error-fatalities"[^>]*>.*?must be a whole number of people', html)
    assert 'aria-describedby="error-date"' in html and 'value="many"' in html  # what was typed stays
    assert state(fixture_app) == before


def test_a_correction_needs_its_note_and_shows_everywhere_readers_look(fixture_app, accounts):
    client = client_as(fixture_app, "editor")
    pinned = state(fixture_app)[1]
    refused = post_edit(client, "t-001", title="Fixture incursion A, corrected")
    assert refused.status_code == 422 and 'id="error-correction_note"' in refused.get_data(as_text=True)
    saved = post_edit(client, "t-001", title="Fixture incursion A, corrected", latitude="33.2",
                      correction_note="The place was misread")
    assert saved.status_code == 302 and saved.headers["Location"].endswith(HISTORY.format("t-001"))
    reader = fixture_app.test_client()
    item = reader.get(ITEM.format("t-001")).get_json()["properties"]
    assert item["correction_note"] == "The place was misread" and re.fullmatch(r"\d{4}-\d\d-\d\d", item["corrected"])
    live = {f["id"]: f["properties"] for f in reader.get(WORLD).get_json()["features"]}
    assert live["t-001"]["correction_note"] == "The place was misread"
    then = {f["id"]: f["properties"] for f in reader.get(f"{WORLD}&as_of={pinned}").get_json()["features"]}
    assert not set(NOTE_PROPERTIES) & set(then["t-001"])  # a pinned embed keeps the version it pinned
    assert then["t-001"]["title"] == "Fixture incursion A"
    schema = reader.get("/api/collections/incidents/schema").get_json()["properties"]
    assert set(NOTE_PROPERTIES) <= set(schema)


def test_the_history_shows_each_version_and_what_changed(fixture_app, accounts):
    client = client_as(fixture_app, "editor")
    post_edit(client, "t-001", title="Renamed", latitude="33.2", verification="verified",
              verification_note="Two outlets confirm it", correction_note="Title and place corrected")
    html = fixture_app.test_client().get(HISTORY.format("t-001")).get_data(as_text=True)
    entries = re.findall(r'<li class="history-entry" data-version="(\d+)" data-action="(\w+)"', html)
    assert [action for _, action in entries] == ["edited", "created"]
    title = re.search(r'<tr data-field="title">.*?</tr>', html, re.S).group()
    assert "Fixture incursion A" in title and "Renamed" in title
    assert re.search(r'<tr data-field="verification">.*?Unverified.*?Verified', html, re.S)
    assert "Two outlets confirm it" in html and "Title and place corrected" in html
    assert 'data-field="location"' in html and "The location moved 8.23 km." in html
    assert "Corrected on" in html and 'data-field="zone"' not in html  # the position follows the location
    assert 'class="history-who"' not in html  # names only for those signed in
    assert 'class="history-who"' in client.get(HISTORY.format("t-001")).get_data(as_text=True)
    assert fixture_app.test_client().get(HISTORY.format("nope")).status_code == 404


def test_a_contributor_may_not_set_the_verification_state(fixture_app, accounts):
    client = client_as(fixture_app, "contributor")
    before = state(fixture_app)
    response = post_edit(client, "t-001", verification="verified", verification_note="I checked")
    assert response.status_code == 403
    assert re.search(r'id="error-verification"[^>]*>.*?only editors may set verification', response.get_data(as_text=True))
    assert state(fixture_app) == before
    assert post_edit(client, "t-001", title="Better title", correction_note="Clearer title").status_code == 302


def test_a_deletion_needs_a_reason_and_leaves_a_tombstone(fixture_app, accounts):
    client = client_as(fixture_app, "editor")
    token = csrf_token(client, EDIT.format("t-004"))
    before = state(fixture_app)
    refused = client.post(DELETE.format("t-004"), data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 422 and 'id="error-reason"' in refused.get_data(as_text=True)
    assert state(fixture_app) == before
    assert client.post(DELETE.format("t-004"), data={"csrf_token": token, "reason": "Same event as t-003"}
                       ).status_code == 302
    reader = fixture_app.test_client()
    api = reader.get(ITEM.format("t-004"))
    assert api.status_code == 410 and api.get_json()["code"] == "Gone"
    assert api.get_json()["errors"] == [{"field": "reason", "message": "Same event as t-003"}]
    page = reader.get(HISTORY.format("t-004"))
    assert page.status_code == 410
    assert re.search(r'id="tombstone".*?Same event as t-003', page.get_data(as_text=True), re.S)
    arabic = reader.get(HISTORY.format("t-004") + "?lang=ar").get_data(as_text=True)
    assert "حُذفت هذه الحادثة" in arabic
    assert client.get(EDIT.format("t-004")).status_code == 410
