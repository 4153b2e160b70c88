"""Possible duplicates across sources: flagged on every write path, listed side by side for editors, merged into
one incident that keeps every source (a batch whose undo restores both exactly), or marked distinct for good; who
may do what, on the page and in the API."""
import json

import pytest
from conftest import make_app
from upload_helpers import add_accounts, bearer, collection, csrf_token, feature, log_in

from webmap.ingest.geodata import prepare_database
from webmap.store import get_store

ITEMS = "/api/collections/incidents/items"
KM_PER_DEGREE = 111.195  # along a meridian, on the mean radius the rule measures with


def _report(n: int, north_km: float = 0, **properties) -> dict:
    """Return an uploadable airstrike `up-<n>` at Quneitra, `north_km` to the north, with `properties` on top."""
    report = feature(0, **{"title": f"Report {n}", **properties})
    report["id"] = f"up-{n}"
    report["geometry"]["coordinates"] = [35.8, 33.1 + north_km / KM_PER_DEGREE]
    return report


def _upload(app, *reports, token: str) -> dict:
    """Upload reports through the write API; return its answer."""
    response = app.test_client().post(ITEMS, json=collection(*reports), headers=bearer(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def _pairs(app) -> list[tuple[str, str]]:
    """Return the open pairs as (first id, second id), newest flagged first."""
    with app.app_context():
        return [(p.first.id, p.second.id) for p in get_store().list_duplicate_pairs(100)]


def _pair_id(app) -> int:
    """Return the id of the only open pair."""
    with app.app_context():
        [pair] = get_store().list_duplicate_pairs(100)
    return pair.id


def _feature(app, incident_id: str) -> dict | None:
    """Return an incident as the read API serves it, or None when it is gone."""
    response = app.test_client().get(f"{ITEMS}/{incident_id}")
    return response.get_json() if response.status_code == 200 else None


@pytest.fixture
def tokens(app):
    """One account per role, named after it; their API tokens."""
    return add_accounts(app)


@pytest.fixture
def flagged(app, tokens):
    """The app with two reports of one airstrike, a day and 1 km apart, from different outlets: one open pair."""
    _upload(app, _report(1, sources=["https://outlet-a.example/1"], precision="area"), token=tokens["contributor"])
    _upload(app, _report(2, north_km=1, date="2025-01-11", sources=["https://outlet-b.example/2", "Local council"],
                         fatalities=2, precision="town"), token=tokens["contributor"])
    return app


def _editor(app):
    """Return a client logged in as the editor, and its CSRF token."""
    client = app.test_client()
    log_in(client, "editor")
    return client, csrf_token(client, "/duplicates")


# Flagging on write


@pytest.mark.parametrize("changes, flagged", [
    ({"north_km": 1.9}, True), ({"north_km": 2.1}, False),
    ({"date": "2025-01-11"}, True), ({"date": "2025-01-12"}, False),
    ({"event_type": "incursion"}, False),
])
def test_uploads_flag_what_is_within_a_day_and_2_km_of_the_same_type(app, tokens, changes, flagged):
    """A second report of the same type 1.9 km or a day away is flagged with the first; 2.1 km, two days or another
    type is not."""
    _upload(app, _report(1), token=tokens["contributor"])
    north = changes.pop("north_km", 0)
    _upload(app, _report(2, north_km=north, **changes), token=tokens["contributor"])
    assert _pairs(app) == ([("up-1", "up-2")] if flagged else [])


def test_reports_in_one_upload_are_flagged_with_each_other(app, tokens):
    """Three reports of one event in the same file make three pairs; a far one makes none."""
    _upload(app, _report(1), _report(2, north_km=0.5), _report(3, north_km=1), _report(4, north_km=30),
            token=tokens["contributor"])
    assert sorted(_pairs(app)) == [("up-1", "up-2"), ("up-1", "up-3"), ("up-2", "up-3")]


def test_the_command_line_import_flags_too_with_the_thresholds_set(tmp_path):
    """`webmap import` flags duplicates; WEBMAP_DUPLICATE_KM widens the distance (3 km flagged at 5 km)."""
    app = make_app(tmp_path, DUPLICATE_KM=5.0)
    with app.app_context():
        prepare_database(with_samples=False)
    path = tmp_path / "reports.geojson"
    path.write_text(json.dumps(collection(_report(1), _report(2, north_km=3))), encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["import", str(path)]).exit_code == 0
    assert _pairs(app) == [("up-1", "up-2")]


def test_a_pair_marked_distinct_is_not_flagged_again(flagged, tokens):
    """After an editor marks a pair distinct, writing either incident again flags it no more."""
    client, token = _editor(flagged)
    assert client.post(f"/duplicates/{_pair_id(flagged)}/distinct", data={"csrf_token": token}).status_code == 303
    _upload(flagged, _report(1, title="Report 1, corrected", precision="area",
                             sources=["https://outlet-a.example/1"]), token=tokens["editor"])
    assert _pairs(flagged) == []


def test_an_edit_that_moves_an_incident_away_drops_its_pair(flagged, tokens):
    """A pair is about incidents as they are: moving one 20 km away takes the pair off the list."""
    _upload(flagged, _report(2, north_km=20, date="2025-01-11", sources=["https://outlet-b.example/2"],
                             fatalities=2, precision="town"), token=tokens["editor"])
    assert _pairs(flagged) == []


# The page, merging and undoing


def test_the_page_shows_both_reports_side_by_side_with_a_map(flagged):
    """Each pair shows every field of both reports and of the merge, their sources as links, and a small map."""
    client, _ = _editor(flagged)
    page = client.get("/duplicates").get_data(as_text=True)
    assert "1 pair to review" in page and f'data-pair="{_pair_id(flagged)}"' in page
    assert "Pair 1: 1 km and 1 day apart" in page
    assert '<a href="https://outlet-b.example/2" dir="ltr">' in page and "Local council" in page
    assert 'class="pair-map"' in page and 'role="img"' in page
    for field in ("id", "date", "event_type", "title", "sources", "fatalities", "precision", "merged_from"):
        assert f'<tr data-field="{field}">' in page
    arabic = client.get("/duplicates?lang=ar").get_data(as_text=True)
    assert "بلاغات مكررة محتملة" in arabic and "زوج واحد للمراجعة" in arabic and "ادمج في حادثة واحدة" in arabic


def test_stored_text_is_escaped_on_the_page(app, tokens):
    """Titles and sources are shown as text (template syntax too), and only http(s) sources become links."""
    _upload(app, _report(1, title="<script>alert(1)</script>", sources=["javascript:alert(1)"]),
            _report(2, north_km=0.2, title="{{ 'tmpl' ~ 'evaluated' }}"), token=tokens["contributor"])
    client, _ = _editor(app)
    page = client.get("/duplicates").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    assert "{{ &#39;tmpl&#39; ~ &#39;evaluated&#39; }}" in page and "tmplevaluated" not in page


def test_merging_keeps_every_source_and_the_earlier_id(flagged):
    """The merge keeps up-1 (the earlier report) with every source of both, the more precise location and the
    figures only the other had; up-2 is gone from the map and named in merged_from; the pair leaves the list."""
    client, token = _editor(flagged)
    response = client.post(f"/duplicates/{_pair_id(flagged)}/merge", data={"csrf_token": token})
    assert response.status_code == 303
    assert "up-2 was merged into up-1 as batch" in client.get("/duplicates").get_data(as_text=True)
    merged = _feature(flagged, "up-1")["properties"]
    assert merged["sources"] == ["https://outlet-a.example/1", "https://outlet-b.example/2", "Local council"]
    assert (merged["precision"], merged["fatalities"], merged["date"]) == ("town", 2, "2025-01-10")
    assert merged["merged_from"] == ["up-2"]
    assert _feature(flagged, "up-2") is None and _pairs(flagged) == []
    assert "correction_note" not in merged  # the merge's note is the absorbed report's reason, no correction
    gone = flagged.test_client().get("/api/collections/incidents/items/up-2")
    assert gone.status_code == 410 and gone.get_json()["errors"][0]["message"] == "Merged into up-1"


def test_the_absorbed_report_says_where_it_went_in_the_mergers_language(flagged):
    client, token = _editor(flagged)
    client.post(f"/duplicates/{_pair_id(flagged)}/merge?lang=ar", data={"csrf_token": token})
    history = flagged.test_client().get("/incidents/up-2/history?lang=ar")
    assert history.status_code == 410 and "دُمجت في up-1" in history.get_data(as_text=True)


def test_undoing_the_merge_restores_both_incidents_exactly(flagged):
    """The merge is a batch on the batches page; undoing it brings back both incidents as they were, byte for
    byte, and the pair is listed again."""
    before = {i: _feature(flagged, i) for i in ("up-1", "up-2")}
    client, token = _editor(flagged)
    client.post(f"/duplicates/{_pair_id(flagged)}/merge", data={"csrf_token": token})
    with flagged.app_context():
        batch = get_store().list_batches(1)[0]
    assert (batch.user, batch.updated, batch.deleted) == ("editor", 1, 1)
    assert client.post(f"/batches/{batch.id}/undo", data={"csrf_token": token}).status_code == 302
    assert {i: _feature(flagged, i) for i in ("up-1", "up-2")} == before
    assert _pairs(flagged) == [("up-1", "up-2")]


def test_a_pair_that_is_no_longer_open_is_refused_in_words(flagged):
    """Merging or marking a pair twice, or one that never was, is 404 in words on the page, nothing changed."""
    client, token = _editor(flagged)
    pair = _pair_id(flagged)
    client.post(f"/duplicates/{pair}/distinct", data={"csrf_token": token})
    for path in (f"/duplicates/{pair}/merge", f"/duplicates/{pair}/distinct", "/duplicates/999/merge",
                 "/duplicates/x/merge"):
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 404 and "There is no open pair" in response.get_data(as_text=True)
    assert _feature(flagged, "up-2") is not None
    arabic = client.post("/duplicates/999/merge?lang=ar", data={"csrf_token": token}).get_data(as_text=True)
    assert "لا يوجد زوج مفتوح رقمه 999" in arabic


# Who may do what

PAGE_ROUTES = [("GET", "/duplicates"), ("POST", "/duplicates/{pair}/merge"), ("POST", "/duplicates/{pair}/distinct")]
API_ROUTES = [("GET", "/api/duplicates"), ("POST", "/api/duplicates/{pair}/merge"),
              ("POST", "/api/duplicates/{pair}/distinct")]


def _page_request(client, method: str, path: str, token: str | None):
    """Send one page request, with the CSRF token if given."""
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": token} if token else {})


@pytest.mark.parametrize("method, path", PAGE_ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(flagged, method, path):
    """Each page and form sends a visitor to the login page; the pair stays open."""
    client = flagged.test_client()
    response = _page_request(client, method, path.format(pair=_pair_id(flagged)), csrf_token(client, "/login"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert len(_pairs(flagged)) == 1


@pytest.mark.parametrize("role", ["viewer", "contributor"])
@pytest.mark.parametrize("method, path", PAGE_ROUTES)
def test_only_editors_and_admins_open_the_page_and_its_forms(flagged, role, method, path):
    """Viewers and contributors get 403 on each; editors and admins get the page or make the change."""
    client = flagged.test_client()
    log_in(client, role)
    url = path.format(pair=_pair_id(flagged))
    assert _page_request(client, method, url, csrf_token(client, "/login")).status_code == 403
    assert len(_pairs(flagged)) == 1
    for allowed in ("admin", "editor"):
        client = flagged.test_client()
        log_in(client, allowed)
        if _pairs(flagged):
            url = path.format(pair=_pair_id(flagged))
        assert _page_request(client, method, url, csrf_token(client, "/login")).status_code in (200, 303, 404)
    assert (method == "GET") == bool(_pairs(flagged))


@pytest.mark.parametrize("method, path", PAGE_ROUTES[1:])
def test_every_form_needs_the_csrf_token(flagged, method, path):
    """Merging or marking distinct without the CSRF token is refused (400), even for an editor."""
    client, _ = _editor(flagged)
    assert _page_request(client, method, path.format(pair=_pair_id(flagged)), None).status_code == 400
    assert len(_pairs(flagged)) == 1


def _api(client, method: str, path: str, **kwargs):
    """Send one API request."""
    return client.get(path, **kwargs) if method == "GET" else client.post(path, **kwargs)


@pytest.mark.parametrize("method, path", API_ROUTES)
def test_the_api_needs_an_editors_credentials(flagged, tokens, method, path):
    """Without credentials 401, with a contributor's token 403, a write from a session without the CSRF header 400,
    all in the JSON error shape; an editor's token works."""
    url = path.format(pair=_pair_id(flagged))
    client = flagged.test_client()
    anonymous = _api(client, method, url)
    assert anonymous.status_code == 401 and anonymous.get_json()["code"] == "Unauthorized"
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="webmap"'
    refused = _api(client, method, url, headers=bearer(tokens["contributor"]))
    assert refused.status_code == 403 and refused.get_json()["code"] == "Forbidden"
    assert set(refused.get_json()) == {"code", "description", "errors"}
    session = flagged.test_client()
    log_in(session, "editor")
    assert _api(session, method, url).status_code == (200 if method == "GET" else 400)
    assert len(_pairs(flagged)) == 1
    assert _api(client, method, url, headers=bearer(tokens["editor"])).status_code == 200


def test_the_api_lists_merges_and_marks_distinct(flagged, tokens):
    """GET lists each pair with both Features, the distance, the days and the merge; POST merge answers with the
    merged incident and its batch; a pair gone is a 404 in the JSON shape."""
    client = flagged.test_client()
    listing = client.get("/api/duplicates", headers=bearer(tokens["editor"])).get_json()
    assert listing["numberMatched"] == 1
    [pair] = listing["pairs"]
    assert [f["id"] for f in pair["incidents"]] == ["up-1", "up-2"]
    assert (pair["distance_km"], pair["days_apart"], pair["merged"]["id"]) == (1.0, 1, "up-1")
    merged = client.post(f"/api/duplicates/{pair['id']}/merge", headers=bearer(tokens["editor"])).get_json()
    assert (merged["kept"], merged["merged_away"]) == ("up-1", "up-2")
    assert len(merged["incident"]["properties"]["sources"]) == 3
    again = client.post(f"/api/duplicates/{pair['id']}/distinct", headers=bearer(tokens["editor"]))
    assert again.status_code == 404 and again.get_json()["code"] == "NotFound"
    bad = client.get("/api/duplicates?before=x", headers=bearer(tokens["editor"]))
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["field"] == "before"
