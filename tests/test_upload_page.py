"""The /upload page: a logged-in contributor picks a file, may dry-run, and reads the report."""
import io
import json
import re
from html import unescape
from urllib.parse import parse_qs

import pytest
from conftest import make_app
from test_map_page import shown_count
from upload_helpers import client_of, collection, csrf_token, feature

from webmap.core.i18n import messages, plural
from webmap.ingest.geodata import prepare_database
from webmap.store import IncidentQuery, get_store

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def contributor(fixture_app):
    """A client logged in as a contributor."""
    return client_of(fixture_app, "contributor")


def live_count(app) -> int:
    """Return how many incidents are live."""
    with app.app_context():
        return get_store().count_incidents(IncidentQuery())


def send(client, features: list[dict], dry_run: bool = False, token: bool = True, name: str = "upload.geojson"):
    """Submit the upload form with these features as a GeoJSON file."""
    form = {"file": (io.BytesIO(json.dumps(collection(*features)).encode()), name)}
    if token:
        form["csrf_token"] = csrf_token(client, "/upload")
    if dry_run:
        form["dry_run"] = "true"
    return client.post("/upload", data=form, content_type="multipart/form-data")


def report_rows(html: str) -> list[tuple[str, str]]:
    """Return (id, outcome class) of each row of the report table."""
    return re.findall(r'<tr class="outcome-(\w+)" data-id="([^"]+)">', html)


def test_form_has_file_dry_run_and_csrf(contributor):
    """The page offers a file field, a dry-run box and carries the CSRF token."""
    html = contributor.get("/upload").get_data(as_text=True)
    assert 'type="file" name="file"' in html and 'name="dry_run"' in html and 'name="csrf_token"' in html
    assert 'enctype="multipart/form-data"' in html


def test_upload_writes_and_reports_each_incident(fixture_app, contributor):
    """A good file is written; the report counts it and lists each incident with its outcome."""
    response = send(contributor, [feature(1), feature(2)])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Written as batch" in html
    assert '<span data-count="inserted">2</span>' in html
    assert report_rows(html) == [("inserted", "up-1"), ("inserted", "up-2")]
    assert live_count(fixture_app) == 9
    again = send(contributor, [feature(1), feature(2, title="Changed")]).get_data(as_text=True)
    assert report_rows(again) == [("unchanged", "up-1"), ("updated", "up-2")]


def test_dry_run_reports_without_writing(fixture_app, contributor):
    """With the dry-run box ticked the page shows what would happen and nothing is written."""
    html = send(contributor, [feature(1)], dry_run=True).get_data(as_text=True)
    assert "Dry run: nothing was written" in html and report_rows(html) == [("inserted", "up-1")]
    assert live_count(fixture_app) == 7


def test_invalid_file_lists_each_problem(fixture_app, contributor):
    """A refused file answers 422 with a table row per problem: feature (counted from 1, as people count), field
    and message, under a summary that counts the problems in words."""
    response = send(contributor, [feature(1), feature(2, event_type="picnic", date="soon")])
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="upload-error"' in html
    cells = re.findall(r"<tr><td>(\d+)</td><td><code>([^<]+)</code></td>", html)
    assert sorted(cells) == [("2", "properties.date"), ("2", "properties.event_type")]
    assert "picnic" in html and "2 problems were found; nothing was written." in html
    assert live_count(fixture_app) == 7


def test_changing_a_verified_incident_is_refused_in_words(fixture_app, contributor):
    """A contributor's file that would change an incident an editor verified gets a 403 page naming it; nothing
    of the file is written."""
    with fixture_app.app_context():
        verified = get_store().get_incident("t-002")
    assert verified.verification == "verified"
    changed = {**verified.to_feature(), "properties": {**verified.properties(), "title": "Rewritten"}}
    response = send(contributor, [feature(1), changed])
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and 'id="upload-error"' in html
    cells = re.findall(r'<tr><td>(\d+)</td><td><code>([^<]+)</code></td><td><bdi dir="auto" lang="en">([^<]+)</bdi></td>', html)
    assert [(index, field) for index, field, _ in cells] == [("2", "id")]
    assert "t-002" in cells[0][2] and "verified" in cells[0][2] and "editor" in cells[0][2]
    assert live_count(fixture_app) == 7
    with fixture_app.app_context():
        assert get_store().get_incident("t-002") == verified


def test_upload_form_needs_the_csrf_token(fixture_app, contributor):
    """A form posted without the CSRF token (as a forged cross-site form would be) is refused."""
    assert send(contributor, [feature(1)], token=False).status_code == 400
    assert live_count(fixture_app) == 7


def test_user_text_is_escaped_in_the_report(contributor):
    """Markup in titles and descriptions reaches the report as text, never as tags."""
    html = send(contributor, [feature(1, title=SCRIPT, description=IMAGE)]).get_data(as_text=True)
    assert SCRIPT not in html and IMAGE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_user_text_is_escaped_in_error_messages(contributor):
    """Markup echoed back in a validation message is escaped too."""
    html = send(contributor, [feature(1, event_type=SCRIPT)]).get_data(as_text=True)
    assert SCRIPT not in html and "&lt;script&gt;" in html


def test_too_large_upload_gets_a_413_page(tmp_path):
    """A file over the limit is refused with an HTML page (the API answers JSON) and writes nothing."""
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=3000)
    with app.app_context():
        prepare_database(with_samples=False)
    client = client_of(app, "contributor")
    response = send(client, [feature(n, description="x" * 200) for n in range(20)])
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "WEBMAP_MAX_UPLOAD_MB" in response.get_data(as_text=True)
    assert live_count(app) == 0


def test_arabic_upload_page_is_right_to_left(contributor):
    """The page speaks Arabic, right to left, and its form keeps the language."""
    html = contributor.get("/upload?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in html and "رفع الحوادث" in html and 'action="/upload?lang=ar"' in html


def test_report_numbers_features_from_one(contributor):
    """The report's first row is feature 1, the way people count, with its id and title."""
    html = send(contributor, [feature(1), feature(2)], dry_run=True).get_data(as_text=True)
    rows = re.findall(r'<tr class="outcome-\w+" data-id="([^"]+)">\s*<td>(\d+)</td><td>[^<]+</td>\s*'
                      r'<td class="report-title"><bdi dir="auto" lang="en">([^<]*)</bdi></td>', html)
    assert rows == [("up-1", "1", "Uploaded 1"), ("up-2", "2", "Uploaded 2")]


def test_report_links_to_the_batch_on_the_map_fitted_to_it(fixture_app, contributor):
    """After "Written as batch N" a link opens the map filtered to that batch and fitted to its incidents; an
    upload that changed nothing, or a dry run, has no such link."""
    page = send(contributor, [feature(1), feature(20)]).get_data(as_text=True)
    batch = re.search(r"Written as batch (\d+)", page).group(1)
    link = unescape(re.search(r'id="upload-map-link" href="([^"]+)"', page).group(1))
    path, query = link.split("?")
    args = parse_qs(query)
    assert path == "/" and args["batch"] == [batch]
    minx, miny, maxx, maxy = (float(v) for v in args["bbox"][0].split(","))
    assert minx < 35.801 and 35.82 < maxx and miny < 33.1 < maxy and maxx - minx < 0.1
    assert shown_count(contributor.get(link).get_data(as_text=True)) == 2
    assert contributor.get(f"/map-data/summary?{query}").get_json()["matched"] == 2
    assert "upload-map-link" not in send(contributor, [feature(1), feature(20)]).get_data(as_text=True)
    assert "upload-map-link" not in send(contributor, [feature(3)], dry_run=True).get_data(as_text=True)


def test_arabic_report_links_to_the_arabic_map(contributor):
    """The map link of an Arabic report opens the map in Arabic."""
    form = {"file": (io.BytesIO(json.dumps(collection(feature(1))).encode()), "upload.geojson"),
            "csrf_token": csrf_token(contributor, "/upload?lang=ar")}
    page = contributor.post("/upload?lang=ar", data=form, content_type="multipart/form-data").get_data(as_text=True)
    link = unescape(re.search(r'id="upload-map-link" href="([^"]+)"', page).group(1))
    assert "lang=ar" in link and "اعرض هذه الحوادث على الخريطة" in page
    assert 'lang="ar"' in contributor.get(link).get_data(as_text=True)


@pytest.mark.parametrize("count, words", [
    (0, "لم تُوجد مشكلات."), (1, "وُجدت مشكلة واحدة"), (2, "وُجدت مشكلتان"), (3, "وُجدت 3 مشكلات"),
    (11, "وُجدت 11 مشكلةً"), (100, "وُجدت 100 مشكلة؛"),
])
def test_problem_counts_follow_arabic_plural_rules(count, words):
    """Arabic has six plural forms (CLDR): each count gets the form an Arabic editor would write."""
    assert plural("ar", messages("ar")["upload_problems"], count).startswith(words)


@pytest.mark.parametrize("count, words", [(1, "1 problem was found"), (2, "2 problems were found")])
def test_problem_counts_in_english(count, words):
    """English says 1 problem and 2 problems, never problem(s)."""
    assert plural("en", messages("en")["upload_problems"], count).startswith(words)


@pytest.mark.parametrize("name", ["incidents-template.geojson", "incidents-template.csv"])
def test_page_offers_templates_that_import_as_they_are(contributor, name):
    """The page links a GeoJSON and a CSV template, and each passes a dry run unchanged: two incidents."""
    html = contributor.get("/upload").get_data(as_text=True)
    href = f"/static/upload/{name}"
    assert f'href="{href}" download' in html and 'id="upload-guide"' in html
    template = contributor.get(href)
    assert template.status_code == 200
    form = {"file": (io.BytesIO(template.data), name), "csrf_token": csrf_token(contributor, "/upload"),
            "dry_run": "true"}
    report = contributor.post("/upload", data=form, content_type="multipart/form-data").get_data(as_text=True)
    assert report_rows(report) == [("inserted", "example-1"), ("inserted", "example-2")]
