"""The /layers page for editors, and how an editor's layer shows on the map, the legend and /about: proposed and
reported layers labelled and dashed in both languages, their names kept as text."""
import io
import json
import re

import pytest
from conftest import map_data, serving
from upload_helpers import add_accounts, area, client_of, csrf_token, descriptor, line, log_in

from webmap.core.vocabulary import load_vocabulary
from webmap.image.compose import ImageOptions, compose
from webmap.store import get_store

INJECTED = "Zone {{ 7*7 }} {% if 1 %}x{% endif %} <script>alert(1)</script>"


def form(file_features=None, **changes) -> dict:
    """Return the page's form fields for a valid layer, with its GeoJSON file and `changes` on top."""
    meta = descriptor()
    fields = {"id": meta["id"], "name_en": meta["name"]["en"], "name_ar": meta["name"]["ar"],
              **{key: meta[key] for key in ("source", "licence", "date", "precision", "status")}}
    fields.update(changes)
    collection = {"type": "FeatureCollection", "features": file_features or [area()]}
    fields["file"] = (io.BytesIO(json.dumps(collection).encode()), "zone.geojson")
    return fields


def post_form(client, **changes):
    """Post the layer form as a browser would, with the page's CSRF token."""
    return client.post("/layers", data={**form(**changes), "csrf_token": csrf_token(client, "/layers")},
                       content_type="multipart/form-data")


def text_of(html: str) -> str:
    """Return a page's text as a reader sees it: tags dropped, the escapes of `<`, `>`, `&` and quotes undone."""
    text = re.sub(r"<[^>]+>", " ", html)
    for escaped, plain in (("&lt;", "<"), ("&gt;", ">"), ("&#34;", '"'), ("&#39;", "'"), ("&amp;", "&")):
        text = text.replace(escaped, plain)
    return text


def test_visitors_are_sent_to_log_in_and_contributors_are_refused(fixture_app):
    """Visitors are sent to /login; contributors get 403, even with a CSRF token."""
    client = fixture_app.test_client()
    response = client.get("/layers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/layers/towns").status_code == 302
    add_accounts(fixture_app)
    log_in(client, "contributor")
    assert client.get("/layers").status_code == 403
    token = csrf_token(client, "/upload")
    assert client.post("/layers", data={**form(), "csrf_token": token}, content_type="multipart/form-data"
                       ).status_code == 403
    with fixture_app.app_context():
        assert get_store().get_reference_layer("southern_dmz") is None


def test_the_page_lists_every_layer_with_its_status_and_incident_count(fixture_app):
    """/layers lists every layer in draw order with its status and incident count, and the form."""
    client = client_of(fixture_app, "editor")
    html = client.get("/layers").get_data(as_text=True)
    with fixture_app.app_context():
        ids = get_store().reference_layer_ids()
    assert re.findall(r'<tr data-layer="([a-z_]+)"', html) == ids
    # The 7 fixture incidents all lie in the governorates' areas.
    assert re.search(r'data-layer="governorates".*?data-within="(\d+)"', html, re.S).group(1) == "7"
    assert 'href="/layers/alpha_line"' in html and "agreed in 1974" in html
    assert 'name="csrf_token"' in html and 'name="replace_bundled"' in html
    assert client.get("/").get_data(as_text=True).count('href="/layers"') == 1  # the top bar links it


def test_an_editor_adds_a_layer_and_reads_its_history(fixture_app):
    """The form adds a layer, then replaces it; the layer's page lists both versions, in Arabic too."""
    client = client_of(fixture_app, "editor")
    response = post_form(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/layers/southern_dmz")
    page = client.get("/layers/southern_dmz").get_data(as_text=True)
    assert "Saved the layer southern_dmz as version 1" in page
    assert re.search(r'data-within="(\d+)"', page).group(1) == "2"
    assert re.findall(r'<tr data-version="(\d+)">', page) == ["1"]
    replaced = post_form(client, replace="true", status="reported", file_features=[area(), area()])
    assert replaced.status_code == 302
    page = client.get("/layers/southern_dmz?lang=ar").get_data(as_text=True)
    assert re.findall(r'<tr data-version="(\d+)">', page) == ["2", "1"]
    assert "استُبدلت" in page and "أُضيفت" in page and "وفق التقارير" in page


def test_a_form_without_the_csrf_token_writes_nothing(fixture_app):
    """A form posted without the CSRF token is a 400 and writes nothing."""
    client = client_of(fixture_app, "editor")
    response = client.post("/layers", data=form(), content_type="multipart/form-data")
    assert response.status_code == 400
    with fixture_app.app_context():
        assert get_store().get_reference_layer("southern_dmz") is None


def test_refused_layers_show_each_problem_and_keep_the_form(fixture_app):
    """Refusals show each problem (feature counted from 1, field) and keep the form filled in."""
    client = client_of(fixture_app, "editor")
    response = post_form(client, name_ar="", date="2025-13-01",
                         file_features=[area(), line((35.8, 33.1), (35.9, 33.2))])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d*)</td><td><code>([^<]+)</code></td>", html)
    assert rows == [("", "layer.name.ar"), ("", "layer.date"), ("2", "geometry")]
    assert 'value="Proposed southern zone"' in html  # kept, so the editor fixes only what is wrong
    assert "3 problems were found; nothing was written." in html
    replacing_bundled = post_form(client, id="towns", replace="true")
    assert replacing_bundled.status_code == 409 and "replace_bundled=true" in replacing_bundled.get_data(as_text=True)
    with fixture_app.app_context():
        assert get_store().get_reference_layer("southern_dmz") is None
        assert "origin" not in get_store().get_reference_layer("towns").meta


def test_names_stay_text_on_every_page(fixture_app):
    """Template syntax and markup in a layer's names show literally on every page and in the map data."""
    client = client_of(fixture_app, "editor")
    assert post_form(client, name_en=INJECTED, name_ar=INJECTED, source=INJECTED).status_code == 302
    for path in ("/layers", "/layers/southern_dmz", "/about", "/about?lang=ar"):
        html = client.get(path).get_data(as_text=True)
        assert INJECTED in text_of(html), path
        assert "<script>alert(1)</script>" not in html and "Zone 49" not in html, path
    for path in ("/", "/embed", "/?lang=ar"):
        html = client.get(path).get_data(as_text=True)
        layer = next(layer for layer in map_data(html)["layers"] if layer["id"] == "southern_dmz")
        assert layer["title"].startswith(INJECTED)
        assert "Zone 49" not in html and "<script>alert(1)</script>" not in html


@pytest.mark.parametrize("lang, word", [("en", "proposed"), ("ar", "مقترح")])
def test_proposed_layers_are_labelled_and_dashed_on_the_map_and_legend(fixture_app, lang, word):
    """A proposed layer says so in the map's layer list and the legend, in both languages, and is dashed."""
    client = client_of(fixture_app, "editor")
    post_form(client)
    html = client.get(f"/?lang={lang}").get_data(as_text=True)
    layer = next(layer for layer in map_data(html)["layers"] if layer["id"] == "southern_dmz")
    name = "Proposed southern zone" if lang == "en" else "المنطقة المقترحة في الجنوب"
    assert layer["title"] == f"{name} ({word})"
    assert layer["style"]["dashArray"] == "10 6" and layer["shown"] is True
    legend = re.search(r'<li class="legend-layer" data-layer="southern_dmz">(.*?)</li>', html, re.S).group(1)
    assert f"{name} ({word})" in legend and 'stroke-dasharray="10 6"' in legend


def test_reported_layers_are_dotted(fixture_app):
    """A reported layer says so and is drawn dotted."""
    client = client_of(fixture_app, "editor")
    post_form(client, status="reported")
    layer = next(layer for layer in map_data(client.get("/").get_data(as_text=True))["layers"]
                 if layer["id"] == "southern_dmz")
    assert layer["title"].endswith("(reported)") and layer["style"]["dashArray"] == "2 6"


def test_about_states_the_known_gaps(client):
    """/about says that Line A-1 and Kudna are missing, in both languages."""
    for lang, words in (("en", ("Line A-1", "Kudna")), ("ar", ("A-1", "كودنا"))):
        gaps = re.search(r'<p id="known-gaps">(.*?)</p>', client.get(f"/about?lang={lang}").get_data(as_text=True))
        assert all(word in gaps.group(1) for word in words)


@pytest.mark.browser
def test_the_browser_draws_a_proposed_layer_dashed_with_its_name_as_text(fixture_app, page):
    """In Chromium, the layer control names the layer with "(مقترح)" as text, markup and all, and its outline is
    dashed."""
    client = client_of(fixture_app, "editor")
    assert post_form(client, name_ar="<b>منطقة</b> {{ 7*7 }}").status_code == 302
    with serving(fixture_app) as url:
        page.goto(url + "/?lang=ar")
        page.wait_for_selector(".leaflet-control-layers")
        names = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        assert any("<b>منطقة</b> {{ 7*7 }} (مقترح)" in name for name in names)
        assert page.locator('.leaflet-overlay-pane path[stroke-dasharray="10 6"]').count() >= 1
        assert page.locator(".leaflet-control-layers b").count() == 0
    assert page.console_errors == []


def test_map_images_draw_and_name_a_proposed_layer_in_their_legend(fixture_app):
    """Map images name a proposed layer in their legend, dashed and in its colour."""
    client = client_of(fixture_app, "editor")
    post_form(client)
    with fixture_app.app_context():
        store = get_store()
        drawn = compose(store.incident_points(), store.list_reference_layers(), load_vocabulary(),
                        ImageOptions(1200, 630, (32.95, 36.15), 9, lang="ar"))
    [entry] = [entry for entry in drawn.legend if "مقترح" in entry.text]
    assert entry.text == "المنطقة المقترحة في الجنوب (مقترح)" and entry.dashed and entry.color == "#c2410c"
    assert client.get("/map.png?bbox=35.6,32.6,36.6,33.4").status_code == 200


def test_a_new_layer_changes_the_etags_of_embeds_and_images(fixture_app):
    """Caches revalidate: the layer raises the data version, which live embeds and images are tagged with."""
    client = client_of(fixture_app, "editor")
    before = {path: client.get(path).headers["ETag"] for path in ("/embed", "/map.png")}
    post_form(client)
    for path, etag in before.items():
        response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200 and response.headers["ETag"] != etag
    assert "southern_dmz" in {layer["id"] for layer in map_data(client.get("/embed").get_data(as_text=True))["layers"]}
