"""Review before publishing: with WEBMAP_REVIEW on a contributor's upload waits unseen until an editor
publishes it; who may see and decide what; the pages and the API in both languages."""
import io
import json
import re
import sqlite3

import pytest
from upload_helpers import PASSWORD_HASH, add_accounts, bearer, collection, csrf_token, feature, log_in

from webmap.core.model import Incident
from webmap.core.review import Submission
from webmap.core.settings import settings_from_environ
from webmap.map.filters import MapFilters
from webmap.review.policy import may_see, needs_review
from webmap.review.select import select_submissions
from webmap.store import Account, PositionFilter, get_store

ITEMS = "/api/collections/incidents/items"
# Everything an anonymous reader can get that shows incidents, counts or data versions.
PUBLIC_URLS = [
    "/", "/?lang=ar", "/embed", "/embed?caption=auto", "/map-data/summary", "/map-data/view?bbox=35,32,37,34&zoom=9",
    "/map-data/list?bbox=35,32,37,34&zoom=9", f"{ITEMS}", f"{ITEMS}?f=csv", f"{ITEMS}?f=html", f"{ITEMS}?q=Uploaded",
    "/api/collections/incidents/export?f=csv", "/api/collections/incidents/export?f=json",
    "/api/collections/incidents/export?f=gpkg", "/api/collections/incidents", "/stats", "/stats.json", "/stats.csv",
    "/embed/chart", "/map.png?width=320&height=240", "/map.pdf?width=320&height=240",
    "/oembed?url=http%3A%2F%2Flocalhost%2F%3Ftype%3Dairstrike", "/?q=Uploaded", "/map-data/summary?q=Uploaded",
]


def submit(app, *features, token="contributor"):
    """Upload features through the API as `token`'s account; return the response."""
    return app.test_client().post(ITEMS, json=collection(*features), headers=bearer(app.tokens[token]))


def comparable(response, tmp_path) -> object:
    """Return a response's body as it can be compared between two requests: Folium names the elements of each
    map it renders at random, and a GeoPackage is compared by the rows of its layer."""
    if response.mimetype == "application/geopackage+sqlite3":
        path = tmp_path / "export.gpkg"
        path.write_bytes(response.get_data())
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT * FROM incidents ORDER BY 1").fetchall()
    return re.sub(rb"_[0-9a-f]{32}", b"_ID", response.get_data())


def snapshot(client, tmp_path) -> dict:
    """Return what an anonymous reader gets from every public URL: status, validators and body."""
    taken = {}
    for url in PUBLIC_URLS:
        response = client.get(url)
        taken[url] = (response.status_code, response.headers.get("ETag"), response.headers.get("Last-Modified"),
                      comparable(response, tmp_path))
    return taken


def session_of(app, name: str):
    """Return a test client logged in as `name`."""
    client = app.test_client()
    log_in(client, name)
    return client


# The setting and the pure rules.

def test_review_setting_is_off_by_default_and_reads_on_and_off():
    assert settings_from_environ({})["REVIEW"] is False
    assert settings_from_environ({"WEBMAP_REVIEW": "on"})["REVIEW"] is True
    assert settings_from_environ({"WEBMAP_REVIEW": "off"})["REVIEW"] is False
    with pytest.raises(ValueError, match="WEBMAP_REVIEW: expected on or off"):
        settings_from_environ({"WEBMAP_REVIEW": "sometimes"})


@pytest.mark.parametrize("role, review_on, waits", [
    ("contributor", True, True), ("editor", True, False), ("admin", True, False),
    ("contributor", False, False), ("editor", False, False),
])
def test_only_contributors_wait_and_only_with_review_on(role, review_on, waits):
    assert needs_review(role, review_on) is waits


def _submission(incident_id="s-1", author="rania", upload=3, **properties) -> Submission:
    props = {"date": "2025-02-01", "event_type": "raid", "zone": "separation", "governorate": "SY13", **properties}
    incident = Incident.from_feature({"type": "Feature", "id": incident_id, "properties": props,
                                      "geometry": {"type": "Point", "coordinates": [35.9, 33.1]}})
    return Submission(incident, upload, author, "2026-11-30T10:00:00+00:00")


def test_editors_see_every_submission_and_authors_their_own():
    mine = _submission(author="rania")
    assert may_see(Account("rania", "contributor", ""), mine)
    assert not may_see(Account("omar", "contributor", ""), mine)
    assert not may_see(Account("rania", "viewer", ""), mine)
    assert may_see(Account("lina", "editor", ""), mine) and may_see(Account("root", "admin", ""), mine)
    assert not may_see(None, mine)


def test_submissions_are_narrowed_like_the_map():
    raid = _submission("a", upload=1)
    strike = _submission("b", upload=2, event_type="airstrike", date="2025-03-05", zone="bravo_0_10",
                         governorate="SY14")
    both = [raid, strike]
    assert select_submissions(both, MapFilters()) == both
    assert select_submissions(both, MapFilters(event_types=("airstrike",))) == [strike]
    assert select_submissions(both, MapFilters(start="2025-03-01")) == [strike]
    assert select_submissions(both, MapFilters(end="2025-02-28")) == [raid]
    assert select_submissions(both, MapFilters(batches=(1,))) == [raid]
    assert select_submissions(both, MapFilters(position=PositionFilter(zones=("separation",)))) == [raid]
    assert select_submissions(both, MapFilters(position=PositionFilter(governorates=("SY14",)))) == [strike]


# The life of a submission.

def test_review_off_publishes_a_contributors_upload_at_once(fixture_app):
    """Today's behaviour stays the default: the upload is in the public API straight away."""
    tokens = add_accounts(fixture_app)
    response = fixture_app.test_client().post(ITEMS, json=collection(feature(1)), headers=bearer(tokens["contributor"]))
    assert response.status_code == 201 and response.get_json()["review"] == "published"
    assert fixture_app.test_client().get(f"{ITEMS}/up-1").status_code == 200


def test_a_waiting_upload_changes_nothing_an_anonymous_reader_gets(review_app, tmp_path):
    """Pages, embeds, map data, the API, exports, counts, images, oEmbed, search and their ETags are the same,
    byte for byte, before and after a contributor's upload that waits for review."""
    reader = review_app.test_client()
    before = snapshot(reader, tmp_path)
    response = submit(review_app, feature(1), feature(2))
    assert response.status_code == 201
    body = response.get_json()
    assert body["review"] == "waiting" and body["batch_id"] is None and body["map_url"] is None
    assert body["ids"]["inserted"] == ["up-1", "up-2"]
    after = snapshot(reader, tmp_path)
    assert {url: after[url] == before[url] for url in PUBLIC_URLS} == {url: True for url in PUBLIC_URLS}
    assert reader.get(f"{ITEMS}/up-1").status_code == 404
    assert reader.get("/embed?as_of=1").status_code == 200


def test_editor_publishes_on_the_review_page_and_readers_then_see_it(review_app):
    submit(review_app, feature(1, title="Waiting raid"))
    editor = session_of(review_app, "editor")
    page = editor.get("/review")
    assert page.status_code == 200 and "Waiting raid" in page.get_data(as_text=True)
    token = csrf_token(editor, "/review")
    published = editor.post("/review/up-1/publish", data={"csrf_token": token})
    assert published.status_code == 303
    assert "is published" in editor.get(published.headers["Location"]).get_data(as_text=True)
    reader = review_app.test_client()
    assert reader.get(f"{ITEMS}/up-1").get_json()["properties"]["title"] == "Waiting raid"
    assert reader.get("/map-data/summary").get_json()["matched"] == 8
    assert "up-1" in reader.get(f"{ITEMS}?f=csv").get_data(as_text=True)
    assert "Waiting raid" not in editor.get("/review").get_data(as_text=True)


def test_a_rejection_needs_a_reason_which_the_author_reads(review_app):
    submit(review_app, feature(1))
    editor = session_of(review_app, "editor")
    token = csrf_token(editor, "/review")
    refused = editor.post("/review/up-1/reject", data={"csrf_token": token, "reason": "   "})
    assert refused.status_code == 422 and "needs a reason" in refused.get_data(as_text=True)
    done = editor.post("/review/up-1/reject", data={"csrf_token": token, "reason": "Source <b>unreachable</b>"})
    assert done.status_code == 303
    author = session_of(review_app, "contributor")
    mine = author.get("/submissions").get_data(as_text=True)
    assert "Rejected" in mine and "Source &lt;b&gt;unreachable&lt;/b&gt;" in mine
    api = review_app.test_client().get(f"{ITEMS}/up-1/review", headers=bearer(review_app.tokens["contributor"]))
    assert api.get_json()["properties"]["review"] == "rejected"
    assert api.get_json()["properties"]["review_reason"] == "Source <b>unreachable</b>"
    assert review_app.test_client().get(f"{ITEMS}/up-1").status_code == 404


def test_editors_and_admins_publish_at_once_with_review_on(review_app):
    response = submit(review_app, feature(1), token="editor")
    assert response.get_json()["review"] == "published"
    assert review_app.test_client().get(f"{ITEMS}/up-1").status_code == 200


def test_a_contributors_change_to_a_published_incident_waits_and_the_public_keeps_the_old_one(review_app):
    submit(review_app, feature(1, title="First"), token="editor")
    response = submit(review_app, feature(1, title="Second"))
    assert response.get_json()["review"] == "waiting" and response.get_json()["ids"]["updated"] == ["up-1"]
    reader = review_app.test_client()
    assert reader.get(f"{ITEMS}/up-1").get_json()["properties"]["title"] == "First"
    editor = bearer(review_app.tokens["editor"])
    answer = reader.post(f"{ITEMS}/up-1/review", json={"decision": "publish"}, headers=editor)
    assert answer.status_code == 200 and answer.get_json()["review"] == "published"
    assert reader.get(f"{ITEMS}/up-1").get_json()["properties"]["title"] == "Second"


def test_the_api_lists_and_decides_submissions(review_app):
    submit(review_app, feature(1), feature(2))
    client = review_app.test_client()
    editor, contributor = bearer(review_app.tokens["editor"]), bearer(review_app.tokens["contributor"])
    listed = client.get("/api/collections/incidents/review", headers=editor).get_json()
    assert sorted(f["id"] for f in listed["features"]) == ["up-1", "up-2"]
    assert {f["properties"]["review"] for f in listed["features"]} == {"waiting"}
    assert len(client.get("/api/collections/incidents/review", headers=contributor).get_json()["features"]) == 2
    missing = client.post(f"{ITEMS}/up-2/review", json={"decision": "reject"}, headers=editor)
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["field"] == "reason"
    unknown = client.post(f"{ITEMS}/up-2/review", json={"decision": "maybe"}, headers=editor)
    assert unknown.status_code == 422 and unknown.get_json()["code"] == "InvalidContent"
    rejected = client.post(f"{ITEMS}/up-2/review", json={"decision": "reject", "reason": "duplicate"}, headers=editor)
    assert rejected.status_code == 200 and rejected.get_json()["properties"]["review_reviewer"] == "editor"
    again = client.post(f"{ITEMS}/up-2/review", json={"decision": "publish"}, headers=editor)
    assert again.status_code == 404 and again.get_json()["code"] == "NotFound"
    nothing = client.post(f"{ITEMS}/no-such/review", json={"decision": "publish"}, headers=editor)
    assert nothing.status_code == 404
    broken = client.post(f"{ITEMS}/up-1/review", data="{", content_type="application/json", headers=editor)
    assert broken.status_code == 400 and broken.get_json()["code"] == "BadRequest"


def test_another_contributor_cannot_see_someone_elses_submission(review_app):
    submit(review_app, feature(1))
    with review_app.app_context():
        get_store().add_account("omar", "contributor", PASSWORD_HASH)
    other = session_of(review_app, "omar")
    assert "up-1" not in other.get("/submissions").get_data(as_text=True)
    token = csrf_token(other, "/submissions")
    answer = other.get(f"{ITEMS}/up-1/review", headers={"X-CSRFToken": token})
    assert answer.status_code == 404


# Who may do what: every route, every role, and CSRF on every form.

PAGES = [("get", "/review"), ("post", "/review/up-1/publish"), ("post", "/review/up-1/reject")]


@pytest.mark.parametrize("method, path", PAGES + [("get", "/submissions")])
def test_review_pages_send_visitors_to_log_in(review_app, method, path):
    client = review_app.test_client()
    data = {"csrf_token": csrf_token(client), "reason": "no"} if method == "post" else None
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["viewer", "contributor"])
@pytest.mark.parametrize("method, path", PAGES)
def test_review_pages_refuse_roles_below_editor(review_app, role, method, path):
    submit(review_app, feature(1))
    client = session_of(review_app, role)
    data = {"csrf_token": csrf_token(client, "/account"), "reason": "no"} if method == "post" else None
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 403
    assert review_app.test_client().get(f"{ITEMS}/up-1").status_code == 404


def test_submissions_page_refuses_viewers(review_app):
    assert session_of(review_app, "viewer").get("/submissions").status_code == 403


@pytest.mark.parametrize("role", ["editor", "admin"])
@pytest.mark.parametrize("path", ["/review/up-1/publish", "/review/up-1/reject"])
def test_review_forms_need_the_csrf_token(review_app, role, path):
    submit(review_app, feature(1))
    response = session_of(review_app, role).post(path, data={"reason": "no"})
    assert response.status_code == 400
    assert review_app.test_client().get(f"{ITEMS}/up-1").status_code == 404


@pytest.mark.parametrize("method, path", [("get", "/api/collections/incidents/review"),
                                          ("get", f"{ITEMS}/up-1/review"), ("post", f"{ITEMS}/up-1/review")])
def test_review_api_needs_credentials(review_app, method, path):
    submit(review_app, feature(1))
    kwargs = {"json": {"decision": "publish"}} if method == "post" else {}
    response = getattr(review_app.test_client(), method)(path, **kwargs)
    assert response.status_code == 401 and response.get_json()["code"] == "Unauthorized"
    bad = getattr(review_app.test_client(), method)(path, headers=bearer("wm_nonsense"), **kwargs)
    assert bad.status_code == 401


@pytest.mark.parametrize("role, status", [("viewer", 403), ("contributor", 403), ("editor", 200), ("admin", 200)])
def test_review_api_decisions_need_an_editor(review_app, role, status):
    submit(review_app, feature(1))
    response = review_app.test_client().post(f"{ITEMS}/up-1/review", json={"decision": "publish"},
                                             headers=bearer(review_app.tokens[role]))
    assert response.status_code == status
    assert review_app.test_client().get(f"{ITEMS}/up-1").status_code == (200 if status == 200 else 404)


def test_review_api_lists_need_a_contributor(review_app):
    response = review_app.test_client().get("/api/collections/incidents/review",
                                            headers=bearer(review_app.tokens["viewer"]))
    assert response.status_code == 403 and response.get_json()["code"] == "Forbidden"


def test_review_api_with_a_session_needs_the_csrf_header(review_app):
    submit(review_app, feature(1))
    editor = session_of(review_app, "editor")
    assert editor.post(f"{ITEMS}/up-1/review", json={"decision": "publish"}).status_code == 400
    token = csrf_token(editor, "/review")
    answer = editor.post(f"{ITEMS}/up-1/review", json={"decision": "publish"}, headers={"X-CSRFToken": token})
    assert answer.status_code == 200


def test_review_api_decisions_are_json_only(review_app):
    submit(review_app, feature(1))
    response = review_app.test_client().post(f"{ITEMS}/up-1/review", data="decision=publish",
                                             content_type="application/x-www-form-urlencoded",
                                             headers=bearer(review_app.tokens["editor"]))
    assert response.status_code == 415


# Both languages, and stored text as text.

def test_review_page_in_arabic_and_hostile_text_shown_literally(review_app):
    submit(review_app, feature(1, title="<script>alert(1)</script>", description="{{ 7*7 }}"))
    editor = session_of(review_app, "editor")
    html = editor.get("/review?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in html and "حوادث تنتظر المراجعة" in html and "نشر" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html
    assert "حادثة واحدة في القائمة" in html
    token = csrf_token(editor, "/review")
    refused = editor.post("/review/up-1/reject?lang=ar", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422 and "يحتاج الرفض إلى سبب" in refused.get_data(as_text=True)


def test_review_page_filters_like_the_map_and_refuses_bad_filters(review_app):
    submit(review_app, feature(1, title="Early", date="2025-01-02"), feature(2, title="Late", date="2025-05-02"))
    editor = session_of(review_app, "editor")
    html = editor.get("/review?start=2025-03-01").get_data(as_text=True)
    assert "Late" in html and "Early" not in html
    assert re.search(r'id="review-map"', html)
    bad = editor.get("/review?start=soon")
    assert bad.status_code == 400 and "is not a valid date" in bad.get_data(as_text=True)


def test_upload_page_says_the_upload_waits(review_app):
    contributor = session_of(review_app, "contributor")
    body = json.dumps(collection(feature(1))).encode()
    response = contributor.post("/upload", data={"csrf_token": csrf_token(contributor, "/upload"),
                                                 "file": (io.BytesIO(body), "one.geojson")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="upload-waiting"' in html and "upload-map-link" not in html


def test_review_page_links_to_the_edit_form_of_what_waits(review_app):
    submit(review_app, feature(1, title="Waiting raid"))
    editor = session_of(review_app, "editor")
    html = editor.get("/review?lang=ar").get_data(as_text=True)
    assert 'class="review-edit" href="/incidents/up-1/edit?lang=ar"' in html
    form = editor.get("/incidents/up-1/edit")
    page = form.get_data(as_text=True)
    assert form.status_code == 200 and "Waiting raid" in page and 'id="edit-waiting"' in page


def test_publishing_a_submission_an_editor_overtook_is_refused(review_app):
    submit(review_app, feature(1, title="First"), token="editor")
    submit(review_app, feature(1, title="Second"))
    submit(review_app, feature(1, title="Corrected"), token="editor")
    editor = bearer(review_app.tokens["editor"])
    answer = review_app.test_client().post(f"{ITEMS}/up-1/review", json={"decision": "publish"}, headers=editor)
    assert answer.status_code == 409 and answer.get_json()["code"] == "Conflict"
    assert review_app.test_client().get(f"{ITEMS}/up-1").get_json()["properties"]["title"] == "Corrected"


def test_a_single_waiting_incident_is_located_at_its_review(review_app):
    response = submit(review_app, feature(1))
    assert response.headers["Location"].endswith(f"{ITEMS}/up-1/review")
    author = bearer(review_app.tokens["contributor"])
    followed = review_app.test_client().get(response.headers["Location"], headers=author)
    assert followed.status_code == 200 and followed.get_json()["properties"]["review"] == "waiting"
