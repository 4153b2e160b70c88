"""Batches: editors list them and undo one, which reverts exactly what it changed, as a new batch."""
from dataclasses import replace

import pytest

from upload_helpers import client_of, csrf_token, log_in
from conftest import fixture_incidents
from webmap.store import BatchInfo, IncidentQuery, UndoRefused, get_store
from webmap.store.sqlite import SQLiteStore

EVERYTHING = IncidentQuery()


@pytest.fixture
def store(tmp_path):
    """A store holding the seven fixture incidents, written as batch 1."""
    store = SQLiteStore(tmp_path / "store.db")
    store.initialize()
    store.add_incidents(fixture_incidents(), BatchInfo(user="first", filename="incidents_small.geojson"))
    yield store
    store.close()


def edit_and_add(store) -> int:
    """Write batch 2: retitle t-001 and add t-008; return the batch id."""
    first = store.get_incident("t-001")
    new = replace(first, id="t-008", title="Added later")
    return store.add_incidents([replace(first, title="Edited title"), new], BatchInfo(user="second")).batch_id


def test_undo_restores_counts_and_the_edited_title(store):
    """Undoing an upload removes what it added and restores what it changed; history keeps both states."""
    batch = edit_and_add(store)
    edited_version = store.data_version()
    assert store.count_incidents(EVERYTHING) == 8
    report = store.undo_batch(batch, BatchInfo(user="editor"))
    assert (report.deleted, report.updated, report.inserted) == (["t-008"], ["t-001"], [])
    assert store.count_incidents(EVERYTHING) == 7
    assert store.get_incident("t-001").title == "Fixture incursion A"
    assert store.get_incident("t-008") is None
    assert store.data_version() == edited_version + 1 == report.data_version
    assert store.get_incident("t-001", as_of=edited_version).title == "Edited title"
    assert store.count_incidents(IncidentQuery(bbox=(35.82, 33.12, 35.83, 33.13))) == 1
    undo = store.get_batch(report.batch_id)
    assert (undo.undoes, undo.user, undo.deleted, undo.updated) == (batch, "editor", 1, 1)
    assert store.get_batch(batch).undone_by == report.batch_id


def test_undo_of_a_delete_brings_incidents_back(store):
    """Undoing a deletion makes the incidents live again."""
    batch = store.delete_incidents(["t-002", "t-003"], BatchInfo(user="editor")).batch_id
    assert store.count_incidents(EVERYTHING) == 5
    report = store.undo_batch(batch, BatchInfo(user="editor"))
    assert sorted(report.inserted) == ["t-002", "t-003"]
    assert store.count_incidents(EVERYTHING) == 7 and store.get_incident("t-002").title == "Fixture raid"


def test_undoing_the_undo_redoes(store):
    """An undo is a batch like any other, so it can be undone in turn."""
    batch = edit_and_add(store)
    undo = store.undo_batch(batch, BatchInfo(user="editor")).batch_id
    store.undo_batch(undo, BatchInfo(user="editor"))
    assert store.get_incident("t-001").title == "Edited title" and store.count_incidents(EVERYTHING) == 8


def test_undo_is_refused_when_later_batches_changed_the_same_incidents(store):
    """Undo never throws away later work: it names the incidents and changes nothing."""
    batch = edit_and_add(store)
    store.add_incidents([replace(store.get_incident("t-001"), title="Third edit")], BatchInfo(user="third"))
    version = store.data_version()
    with pytest.raises(UndoRefused) as refused:
        store.undo_batch(batch, BatchInfo(user="editor"))
    assert refused.value.ids == ["t-001"]
    assert store.data_version() == version and store.get_incident("t-001").title == "Third edit"
    assert store.count_incidents(EVERYTHING) == 8


def test_undo_is_refused_twice_and_for_batches_that_changed_nothing(store):
    """A batch is undone at most once; a batch that changed nothing has nothing to undo."""
    batch = edit_and_add(store)
    store.undo_batch(batch, BatchInfo(user="editor"))
    with pytest.raises(UndoRefused, match="already undone"):
        store.undo_batch(batch, BatchInfo(user="editor"))
    same = store.add_incidents(fixture_incidents()[1:2], BatchInfo(user="again")).batch_id
    with pytest.raises(UndoRefused, match="changed nothing"):
        store.undo_batch(same, BatchInfo(user="editor"))


def test_plan_reports_without_writing(store):
    """A dry run sorts incidents into new, updated and unchanged and leaves the data version alone."""
    version = store.data_version()
    first = store.get_incident("t-001")
    plan = store.plan_incidents([first, replace(first, id="t-009"), replace(store.get_incident("t-002"), title="x")])
    assert (plan.inserted, plan.updated, plan.unchanged) == (["t-009"], ["t-002"], ["t-001"])
    assert plan.batch_id is None and plan.data_version == version == store.data_version()
    assert store.get_incident("t-009") is None


def test_list_batches_newest_first_with_paging(store):
    """Batches come newest first; `before` pages back."""
    edit_and_add(store)
    batches = store.list_batches(10)
    assert [b.user for b in batches] == ["second", "first"]
    assert batches[1].filename == "incidents_small.geojson" and batches[1].inserted == 7
    assert [b.user for b in store.list_batches(10, before=batches[0].id)] == ["first"]


@pytest.fixture
def editor(fixture_app):
    """A client logged in as an editor, on the app with the fixture incidents."""
    return client_of(fixture_app, "editor")


def test_batches_page_lists_and_undoes(fixture_app, editor):
    """The page shows who uploaded which file with counts; its undo button restores the previous state."""
    with fixture_app.app_context():
        batch = edit_and_add(get_store())
    page = editor.get("/batches").get_data(as_text=True)
    assert f'<tr data-batch="{batch}">' in page and '<td dir="auto">second</td>' in page
    assert "incidents_small.geojson" in page
    response = editor.post(f"/batches/{batch}/undo", data={"csrf_token": csrf_token(editor, "/batches")},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and f"Batch {batch} was undone" in text and "1 removed" in text
    assert f"undone by batch {batch + 1}" in text
    with fixture_app.app_context():
        assert get_store().count_incidents(EVERYTHING) == 7
        assert get_store().get_incident("t-001").title == "Fixture incursion A"


def test_undo_needs_csrf_token_and_editor_role(fixture_app, editor):
    """Undo without the CSRF token, or by a contributor, changes nothing."""
    with fixture_app.app_context():
        batch = edit_and_add(get_store())
    assert editor.post(f"/batches/{batch}/undo").status_code == 400
    contributor = fixture_app.test_client()
    log_in(contributor, "contributor")
    forbidden = contributor.post(f"/batches/{batch}/undo", data={"csrf_token": csrf_token(contributor, "/")})
    assert forbidden.status_code == 403
    assert editor.post("/batches/999/undo", data={"csrf_token": csrf_token(editor, "/batches")}).status_code == 404
    with fixture_app.app_context():
        assert get_store().count_incidents(EVERYTHING) == 8


def test_refused_undo_says_why_on_the_page(fixture_app, editor):
    """An undo blocked by later edits answers 409 and names the incident."""
    with fixture_app.app_context():
        store = get_store()
        batch = edit_and_add(store)
        store.delete_incidents(["t-008"], BatchInfo(user="third"))
    response = editor.post(f"/batches/{batch}/undo", data={"csrf_token": csrf_token(editor, "/batches")})
    assert response.status_code == 409 and "&#39;t-008&#39; changed in a later batch" in response.get_data(as_text=True)
