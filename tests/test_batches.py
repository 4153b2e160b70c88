"""Batches: editors list them and undo one, which reverts exactly what it changed, as a new batch; the map, its
data, embeds and the API filter by batch."""
import re
from dataclasses import replace
from datetime import datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import fixture_incidents
from store_fixtures import sqlite_only
from test_embed import drawn_ids_any
from test_map_page import shown_count
from upload_helpers import client_of, csrf_token, log_in

from webmap.cli.synthetic import synthetic_incidents
from webmap.core.i18n import messages
from webmap.store import BatchInfo, IncidentQuery, UndoRefused, get_store

EVERYTHING = IncidentQuery()


@pytest.fixture
def store(store):
    """A store holding the seven fixture incidents, written as batch 1."""
    store.add_incidents(fixture_incidents(), BatchInfo(user="first", filename="incidents_small.geojson"))
    return store


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


def test_batch_filter_selects_what_a_batch_wrote_as_it_is_now(store):
    """`batches` selects the incidents a batch inserted or updated that are still there, in their current
    version; every other filter still applies, and the extent and row keys follow the same selection."""
    batch = edit_and_add(store)  # t-001 retitled, t-008 added
    assert ids_of(store, IncidentQuery(batches=(batch,))) == ["t-001", "t-008"]
    assert ids_of(store, IncidentQuery(batches=(1,))) == [i.id for i in fixture_incidents()]
    assert ids_of(store, IncidentQuery(batches=(batch,), search=(("added",),))) == ["t-008"]
    third = store.add_incidents([replace(store.get_incident("t-008"), title="Third edit")],
                                BatchInfo(user="third")).batch_id
    store.delete_incidents(["t-001"], BatchInfo(user="editor"))
    assert [i.title for i in store.query_incidents(IncidentQuery(batches=(batch,)))] == ["Third edit"]
    assert ids_of(store, IncidentQuery(batches=(third, 999))) == ["t-008"]
    assert store.count_incidents(IncidentQuery(batches=(999,))) == 0
    t008 = store.get_incident("t-008").geometry["coordinates"]
    assert store.incident_extent(IncidentQuery(batches=(third,)))[0] == (*t008, *t008)
    assert store.incident_extent(IncidentQuery(batches=(999,))) is None
    keys = store.incident_keys(IncidentQuery(batches=(third,)))
    assert [i.id for i in store.incidents_by_key(keys)] == ["t-008"]


@sqlite_only
def test_batch_filter_reads_the_batch_index_only(store):
    """The ids a batch wrote come from the (batch_id, id) index, not from the rows."""
    plan = " ".join(row[-1] for row in store._connection().execute(
        "EXPLAIN QUERY PLAN SELECT rowid FROM incident WHERE valid_to IS NULL AND id IN "
        "(SELECT id FROM incident WHERE batch_id IN (?))", (1,)))
    assert "COVERING INDEX incident_batch" in plan and "incident_live_id" in plan


def ids_of(store, query: IncidentQuery) -> list[str]:
    """Return the ids of the incidents a query selects, by date."""
    return [i.id for i in store.query_incidents(query)]


def test_removing_demo_incidents_is_one_batch_that_can_be_undone(store):
    """Illustrative and synthetic incidents go in one recorded batch; the others stay; undo brings them back."""
    store.add_incidents(list(synthetic_incidents(3)), BatchInfo(user="demo"))
    sample = replace(store.get_incident("t-002"), id="sample-1", extra={"illustrative": True})
    store.add_incidents([sample], BatchInfo(user="webmap init"))
    report = store.delete_demo_incidents(BatchInfo(user="webmap demo --remove"))
    assert report.deleted == ["sample-1", "synth-0000000", "synth-0000001", "synth-0000002"]
    assert store.count_incidents(EVERYTHING) == 7 and store.data_version() == report.data_version
    assert store.get_batch(report.batch_id).deleted == 4
    again = store.delete_demo_incidents(BatchInfo(user="webmap demo --remove"))
    assert (again.deleted, again.batch_id, again.data_version) == ([], None, report.data_version)
    assert store.list_batches(1)[0].id == report.batch_id
    store.undo_batch(report.batch_id, BatchInfo(user="editor"))
    assert store.count_incidents(EVERYTHING) == 11 and store.get_incident("sample-1").extra == {"illustrative": True}


@pytest.fixture
def editor(fixture_app):
    """A client logged in as an editor, on the app with the fixture incidents."""
    return client_of(fixture_app, "editor")


def test_batches_page_lists_and_undoes(fixture_app, editor):
    """The page shows who uploaded which file with counts; its undo button restores the previous state."""
    with fixture_app.app_context():
        batch = edit_and_add(get_store())
    page = editor.get("/batches").get_data(as_text=True)
    assert f'<tr data-batch="{batch}">' in page and '<td><bdi dir="auto" lang="en">second</bdi></td>' in page
    assert "incidents_small.geojson" in page
    response = editor.post(f"/batches/{batch}/undo", data={"csrf_token": csrf_token(editor, "/batches")},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and f"Batch {batch} was undone" in text and "1 incident removed" in text
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


WORLD = "bbox=-180,-85,180,85&zoom=3"


def test_batch_filter_on_the_map_data_embed_and_api(fixture_app, client):
    """`batch=N` selects the same incidents everywhere: the map page, its data, the embed and the API items;
    several batches add up, and other filters still apply."""
    with fixture_app.app_context():
        batch = edit_and_add(get_store())
    query = f"batch={batch}"
    page = client.get(f"/?{query}").get_data(as_text=True)
    assert shown_count(page) == 2 and f'name="batch" value="{batch}" checked' in page
    assert client.get(f"/map-data/summary?{query}").get_json()["matched"] == 2
    assert sorted(f["id"] for f in client.get(f"/map-data/view?{query}&{WORLD}").get_json()["features"]) == [
        "t-001", "t-008"]
    assert client.get(f"/map-data/list?{query}&bbox=-180,-85,180,85").get_json()["total"] == 2
    embed = client.get(f"/embed?{query}").get_data(as_text=True)
    assert sorted(drawn_ids_any(client, embed)) == ["t-001", "t-008"] and f"· Batch {batch}" in embed
    items = client.get(f"/api/collections/incidents/items?{query}").get_json()
    assert sorted(f["id"] for f in items["features"]) == ["t-001", "t-008"]
    assert all(query in link["href"] for link in items["links"] if link["rel"] in ("self", "alternate"))
    both = client.get(f"/api/collections/incidents/items?batch=1&batch={batch}&event_type=incursion").get_json()
    assert both["numberMatched"] == 3
    assert client.get(f"/map-data/summary?batch=1,{batch}&type=incursion").get_json()["matched"] == 3
    assert client.get("/map-data/summary?batch=999").get_json()["matched"] == 0


@pytest.mark.parametrize("path", ["/", "/map-data/summary", "/embed", "/api/collections/incidents/items"])
@pytest.mark.parametrize("value, words", [("two", "is not a whole number"), ("-1", "is not a whole number"),
                                          (",".join(["1"] * 101), "at most 100 batches")])
def test_bad_batch_values_get_the_standard_error(client, path, value, words):
    """A batch that is not a whole number, or too many of them, is a 400 naming `batch`, on pages and APIs."""
    response = client.get(f"{path}?batch={value}", headers={"Accept": "application/json"})
    assert response.status_code == 400
    if response.is_json:
        assert any(e["field"] == "batch" and words in e["message"] for e in response.get_json()["errors"])
    else:
        assert "<code>batch</code>" in response.get_data(as_text=True) and words in response.get_data(as_text=True)


def test_batch_is_declared_with_the_other_api_filters(client):
    """The queryables and the OpenAPI document describe `batch` like `event_type`: a comma-separated list."""
    assert client.get("/api/collections/incidents/queryables").get_json()["properties"]["batch"]["type"] == "integer"
    document = client.get("/api/openapi?f=json").get_json()
    items = document["paths"]["/collections/incidents/items"]["get"]["parameters"]
    assert {"$ref": "#/components/parameters/batch"} in items
    declared = document["components"]["parameters"]["batch"]
    assert declared["schema"]["items"]["type"] == "integer" and declared["explode"] is False


def test_batches_page_shows_readable_times_and_links_to_the_map(fixture_app, editor):
    """Each batch says when, as each language writes a date, to the minute, UTC (ISO in <time>), and
    links to the map of what it wrote; a batch that left no incident behind has no link."""
    with fixture_app.app_context():
        store = get_store()
        batch = edit_and_add(store)
        deletion = store.delete_incidents(["t-002"], BatchInfo(user="editor")).batch_id
        created = store.get_batch(batch).created_at
    moment = datetime.fromisoformat(created)
    page = editor.get("/batches").get_data(as_text=True)
    assert f'<time datetime="{created}">{moment:%-d %B %Y}, {moment:%H:%M} UTC</time>' in page
    links = dict(re.findall(r'<tr data-batch="(\d+)">.*?(?:<a class="batch-map" href="([^"]+)"|</tr>)', page, re.S))
    assert links[str(deletion)] == ""
    opened = editor.get(unescape(links[str(batch)]))
    assert opened.status_code == 303 and {"batch", "bbox"} <= set(parse_qs(urlsplit(opened.location).query))
    assert shown_count(editor.get(opened.location).get_data(as_text=True)) == 2
    arabic = editor.get("/batches?lang=ar").get_data(as_text=True)
    months = messages("ar")["months"]
    assert (f'<time datetime="{created}">{moment.day} {months[moment.month - 1]} {moment.year}، الساعة '
            f'\u2066{moment:%H:%M}\u2069 بالتوقيت العالمي</time>') in arabic
    arabic_link = unescape(re.search(r'class="batch-map" href="([^"]+)"', arabic).group(1))
    assert parse_qs(urlsplit(editor.get(arabic_link).location).query)["lang"] == ["ar"]
    assert editor.get("/batches/999/map").status_code == 404
    assert fixture_app.test_client().get(f"/batches/{batch}/map").status_code in (302, 303)  # to the log-in page
    with fixture_app.app_context():
        get_store().delete_incidents(["t-001", "t-008"], BatchInfo(user="editor"))
    assert editor.get(unescape(links[str(batch)])).location == f"/?batch={batch}"  # nothing left to fit to
