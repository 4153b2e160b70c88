"""Stored text is data: template syntax in incidents and reference layers comes back literally on every page."""
import base64
import hashlib
import json
import re
from html import unescape

import pytest
from conftest import serving
from test_upload_page import send
from upload_helpers import client_of, feature

from webmap.core.model import Incident, ReferenceLayer
from webmap.store import BatchInfo, get_store

# Each would print its marker (or fail) if the text were evaluated as a Jinja template.
PAYLOADS = {
    "expression": "{{ 'tmpl' ~ 'evaluated' }}",
    "statement": "{% if true %}tmplevaluated{% endif %}",
    "comment": "before{# tmplevaluated #}after",
    "config": "{{ config }}",
}
EVALUATED = "tmplevaluated"


def hostile_incident(n: int, name: str, payload: str) -> Incident:
    """Return an incident (the n-th, set apart from the others) with the payload in every text field, list and
    extra property."""
    return Incident(
        id=f"tmpl-{name}", geometry={"type": "Point", "coordinates": [35.6 + n * 0.15, 33.12]}, date="2025-01-10",
        event_type="raid", title=payload, description=payload, location_name=payload, actors=(payload,),
        sources=(payload, "https://example.org/?q=" + payload), extra={"note": payload},
    )


@pytest.fixture
def hostile_app(app):
    """The app with one incident per payload, and a reference layer whose names carry the payloads too."""
    with app.app_context():
        store = get_store()
        store.add_incidents([hostile_incident(i, n, p) for i, (n, p) in enumerate(PAYLOADS.items())], BatchInfo(user="test"))
        layers = store.list_reference_layers()
        payload = " ".join(PAYLOADS.values())
        hostile = ReferenceLayer("hostile", {
            "title": {"en": payload, "ar": payload}, "attribution": payload, "geometry_kind": "line",
            "approximate": True, "source": payload, "licence": payload, "precision": payload,
            "style": {"color": "#000000"},
        }, {"type": "FeatureCollection", "features": [{
            "type": "Feature", "geometry": {"type": "LineString", "coordinates": [[35.8, 33.0], [35.9, 33.2]]},
            "properties": {"name": payload, "name_ar": payload, "note": payload}}]})
        store.put_reference_layers([*layers, hostile], BatchInfo(user="test"))
    return app


PAGES = [
    "/",
    "/?lang=ar",
    "/embed",
    "/embed?lang=ar",
    "/about",
    "/stats",
    "/stats?lang=ar",
    "/api/collections/incidents/items?f=html",
    "/api/collections/incidents/items/tmpl-expression?f=html",
    "/api/collections/hostile/items?f=html",
    "/api/collections/hostile?f=html",
    "/api/collections?f=html",
    "/incidents/tmpl-expression/history",
    "/incidents/tmpl-statement/history?lang=ar",
]


@pytest.mark.parametrize("path", PAGES)
def test_template_syntax_in_stored_text_is_shown_literally(hostile_app, path):
    response = hostile_app.test_client().get(path)
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert EVALUATED not in page.replace(PAYLOADS["comment"], "").replace(PAYLOADS["expression"], "").replace(
        PAYLOADS["statement"], "")
    if path.startswith(("/embed", "/api/collections/incidents", "/api/collections/hostile/items")):
        for payload in PAYLOADS.values():
            assert payload in page or json.dumps(payload)[1:-1] in page


def test_template_syntax_comes_back_literally_from_the_data_endpoints(hostile_app):
    client = hostile_app.test_client()
    view = client.get("/map-data/view?bbox=35.5,32.5,36.5,33.5&zoom=12").get_json()
    titles = {f["properties"]["title"] for f in view["features"]}
    assert titles == set(PAYLOADS.values())


def test_template_syntax_in_an_upload_report_is_shown_literally(hostile_app):
    client = client_of(hostile_app, "contributor")
    features = [feature(n, title=payload, description=payload) for n, payload in enumerate(PAYLOADS.values())]
    page = unescape(send(client, features, dry_run=True).get_data(as_text=True))
    assert EVALUATED not in page.replace(PAYLOADS["comment"], "").replace(PAYLOADS["statement"], "").replace(
        PAYLOADS["expression"], "")
    assert PAYLOADS["expression"] in page


def test_template_syntax_in_the_edit_form_notes_and_history_is_shown_literally(hostile_app):
    client = client_of(hostile_app, "editor")
    for name, payload in PAYLOADS.items():
        form = unescape(client.get(f"/incidents/tmpl-{name}/edit").get_data(as_text=True))
        assert f'value="{payload}"' in form and EVALUATED not in form.replace(payload, "")
        edited = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1), "date": "2025-01-10",
                  "event_type": "raid", "title": payload + "!", "latitude": "33.12", "longitude": "35.9",
                  "verification": "disputed", "verification_note": payload, "correction_note": payload}
        assert client.post(f"/incidents/tmpl-{name}/edit", data=edited).status_code == 302
        history = unescape(hostile_app.test_client().get(f"/incidents/tmpl-{name}/history").get_data(as_text=True))
        assert history.count(payload) >= 3 and EVALUATED not in history.replace(payload, "")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.DOTALL)


@pytest.mark.parametrize("path", ["/", "/embed", "/api/collections/incidents/items?f=html"])
def test_inline_scripts_run_only_by_hash(hostile_app, path):
    """No 'unsafe-inline' for scripts: each inline script of the page is allowed by its own hash, nothing else."""
    response = hostile_app.test_client().get(path)
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    sources = policy["script-src"].split()
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    scripts = INLINE_SCRIPT.findall(response.get_data(as_text=True))
    assert scripts
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts}
    assert set(sources) == {"'self'", *hashes}


@pytest.fixture
def hostile_server(hostile_app):
    """Serve the hostile app on a free loopback port; yield its base URL."""
    with serving(hostile_app) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/?type=raid", "/embed?type=raid"])
def test_browser_shows_payloads_as_text_and_runs_under_the_policy(hostile_server, page, path):
    """In Chromium the map runs with the strict policy (no violation), and popups, the layer control and the
    attribution show the stored text literally."""
    page.goto(hostile_server + path)
    marker = page.locator(".leaflet-marker-icon.webmap-incident").first
    marker.wait_for()
    assert page.locator(".leaflet-marker-icon.webmap-incident").count() == len(PAYLOADS)
    page.locator(".leaflet-overlay-pane path").first.wait_for(state="attached")
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator(".webmap-popup-title").inner_text() in PAYLOADS.values()
    assert EVALUATED not in popup.inner_text().replace(PAYLOADS["comment"], "").replace(
        PAYLOADS["statement"], "").replace(PAYLOADS["expression"], "")
    names = page.locator(".leaflet-control-layers-overlays").inner_text()
    assert PAYLOADS["expression"] in names and PAYLOADS["config"] in names
    assert PAYLOADS["expression"] in page.locator(".leaflet-control-attribution").inner_text()
    assert page.console_errors == []
